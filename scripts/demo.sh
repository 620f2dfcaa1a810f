#!/usr/bin/env bash
# The README's first command: set up a fresh Debian machine and run a short federated SSD run
# on real images (Fashion-MNIST), 10 clients, strong label skew, in-memory transport.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] && [ -z "${FEDSSD_DATA_DIR:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[demo] installing Fashion-MNIST from Debian (dataset-fashion-mnist, 30 MB)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends dataset-fashion-mnist >/dev/null
  else
    echo "[demo] Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist'," >&2
    echo "       or set FEDSSD_DATA_DIR to a folder with the four IDX files." >&2
    exit 2
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[demo] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "[demo] building"
npx turbo run build --output-logs=errors-only >/dev/null

# Optional: the oneDNN kernels (cpu-native backend, ~3x the wasm fallback's training speed).
# Installed and built when possible; otherwise the run uses wasm and says so in its first line.
if [ ! -f libs/native/build/Release/fedssd_native.node ] && [ -z "${FEDSSD_NO_NATIVE:-}" ]; then
  if [ ! -f /usr/include/oneapi/dnnl/dnnl.hpp ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[demo] installing oneDNN for the native kernels (libdnnl-dev; FEDSSD_NO_NATIVE=1 skips this)"
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends \
      libdnnl-dev g++ make python3 >/dev/null 2>&1 || echo "[demo] could not install libdnnl-dev; using wasm"
  fi
  if [ -f /usr/include/oneapi/dnnl/dnnl.hpp ]; then
    echo "[demo] building the native kernels (about a minute)"
    npm run build:native >/tmp/fedssd-demo-native.log 2>&1 \
      || echo "[demo] native build failed (log: /tmp/fedssd-demo-native.log); using wasm"
  fi
fi
exec node --single-threaded-gc services/cli/bin/fedssd.js simulate \
  --dataset fashion-mnist ${FEDSSD_DATA_DIR:+--data-dir "$FEDSSD_DATA_DIR"} \
  --method ssd --clients 10 --alpha 0.1 --rounds 3 --local-epochs 1 --batch-size 64 \
  --train-limit 3000 --test-limit 1000 --probe-epochs 50 --seed 1 \
  --out reports/demo.json "$@"
