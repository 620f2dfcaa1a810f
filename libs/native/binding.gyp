{
  "targets": [
    {
      "target_name": "fedssd_native",
      "sources": ["csrc/addon.cc", "csrc/conv.cc", "csrc/conv-bn.cc", "csrc/pool.cc", "csrc/matmul.cc", "csrc/batch-norm.cc", "csrc/batch-norm-train.cc", "csrc/elementwise.cc", "csrc/parallel.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-march=x86-64-v2", "-mavx2", "-mfma"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    },
    {
      "target_name": "fedssd_fold",
      "sources": ["csrc/fold-addon.cc", "csrc/fold.cc", "csrc/crc32.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-fast-math"],
      "variables": { "isal%": "<!(node -p \"+require('fs').existsSync('/usr/include/isa-l/crc.h')\")" },
      "conditions": [["isal==1", { "defines": ["FEDSSD_HAVE_ISAL"], "libraries": ["-lisal"] }]]
    }
  ]
}
