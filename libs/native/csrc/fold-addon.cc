// N-API surface of the fedssd_fold addon: fold(sum, values, weights), crc32(bytes, init) when
// built with ISA-L, info() and useFoldIsa(isa). Works on the caller's typed arrays in place (no copies).
#include <napi.h>
#include "fold.h"

namespace {

Napi::Value fail(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// fold(sum: Float64Array, values: Float32Array[], weights: number[]): values.length in 1..4, each
// as long as sum, weights as long as values.
Napi::Value Fold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsArray() || !info[2].IsArray()) {
    return fail(env, "fold(sum: Float64Array, values: Float32Array[], weights: number[])");
  }
  auto sumArray = info[0].As<Napi::TypedArray>();
  if (sumArray.TypedArrayType() != napi_float64_array) return fail(env, "fold: sum must be a Float64Array");
  auto sum = sumArray.As<Napi::Float64Array>();
  auto values = info[1].As<Napi::Array>();
  auto weights = info[2].As<Napi::Array>();
  const uint32_t k = values.Length();
  if (k < 1 || k > static_cast<uint32_t>(fedssd_fold::kFoldMax) || weights.Length() != k) {
    return fail(env, "fold: 1 to 4 values and as many weights");
  }
  const float* v[fedssd_fold::kFoldMax];
  double w[fedssd_fold::kFoldMax];
  for (uint32_t i = 0; i < k; ++i) {
    Napi::Value value = values[i];
    Napi::Value weight = weights[i];
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      return fail(env, "fold: every value must be a Float32Array");
    }
    auto f = value.As<Napi::Float32Array>();
    if (f.ElementLength() != sum.ElementLength()) return fail(env, "fold: every value must have sum.length elements");
    if (!weight.IsNumber()) return fail(env, "fold: every weight must be a number");
    v[i] = f.Data();
    w[i] = weight.As<Napi::Number>().DoubleValue();
  }
  fedssd_fold::foldGroup(sum.Data(), v, w, static_cast<int>(k), sum.ElementLength());
  return env.Undefined();
}

// crc32(bytes: Uint8Array, init = 0): number, as zlib.crc32(bytes, init).
Napi::Value Crc32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) return fail(env, "crc32(bytes: Uint8Array, init?: number)");
  auto bytes = info[0].As<Napi::TypedArray>();
  if (bytes.TypedArrayType() != napi_uint8_array) return fail(env, "crc32: bytes must be a Uint8Array");
  uint32_t init = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  auto data = static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset();
  return Napi::Number::New(env, fedssd_fold::crc32(init, data, bytes.ByteLength()));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("foldIsa", fedssd_fold::foldIsa());
  out.Set("crc32", fedssd_fold::haveFastCrc32() ? "isa-l" : "none");
  return out;
}

// useFoldIsa("sse2" | "avx2"): boolean, false when this CPU lacks it (the loop is then unchanged).
Napi::Value UseFoldIsa(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) return fail(info.Env(), "useFoldIsa(isa: 'sse2' | 'avx2')");
  return Napi::Boolean::New(info.Env(), fedssd_fold::useFoldIsa(info[0].As<Napi::String>().Utf8Value().c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("fold", Napi::Function::New(env, Fold, "fold"));
  if (fedssd_fold::haveFastCrc32()) exports.Set("crc32", Napi::Function::New(env, Crc32, "crc32"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("useFoldIsa", Napi::Function::New(env, UseFoldIsa, "useFoldIsa"));
  return exports;
}

}  // namespace

NODE_API_MODULE(fedssd_fold, Init)
