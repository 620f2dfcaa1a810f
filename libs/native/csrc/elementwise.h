// Elementwise, reduction and tile kernels (see elementwise.cc).
#pragma once
#include <cstdint>
#include <vector>

namespace fedssd {

// ReluGrad: a = dy, b = x of relu: b > 0 ? a : 0 (NaN x gives NaN, like dy * step(x)).
enum class BinaryKind { Add, Sub, Mul, Div, SquaredDifference, Maximum, ReluGrad };
enum class UnaryKind { Relu, Step, Square, Neg, Exp, Sqrt, Rsqrt };

// out: output shape; sa/sb: element strides of a and b per output dim (0 = broadcast).
void binaryOp(BinaryKind kind, const std::vector<int64_t>& out, const std::vector<int64_t>& sa,
              const std::vector<int64_t>& sb, const float* a, const float* b, float* y);
void unaryOp(UnaryKind kind, float alpha, const float* x, float* y, int64_t n);
void reduceSum(int64_t outer, int64_t reduce, int64_t inner, float divisor, const float* x, float* y);
void tile(const std::vector<int64_t>& in, const std::vector<int64_t>& out, const float* x, float* y);

// Copies the box `box` starting at inStart in x to outStart in y (row-major shapes).
void copyBox(const std::vector<int64_t>& inShape, const std::vector<int64_t>& outShape, const std::vector<int64_t>& inStart,
             const std::vector<int64_t>& outStart, const std::vector<int64_t>& box, const float* x, float* y);
void fill(float value, float* y, int64_t n);

}  // namespace fedssd
