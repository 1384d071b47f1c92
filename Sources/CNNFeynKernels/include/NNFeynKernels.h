// Hot loops of the numeric Taylor evaluator, in C so that each can be compiled for several instruction sets and
// chosen at run time (a default Swift build targets baseline x86-64: two-wide SSE2, no FMA).
#ifndef NNFEYN_KERNELS_H
#define NNFEYN_KERNELS_H
#include <stdint.h>

/// One truncated Horner product over a row-major buffer of `width` columns (neurons, or points x neurons):
///   next[t][i] = sum over p in starts[t] ..< starts[t + 1] of r[left[p]][i] * delta[right[p]][i]
/// for every target row t in [targetBegin, targetEnd). Rows are written, never accumulated into, so `next`
/// needs no zeroing. Columns are processed in slabs whose sums stay in registers across a target's pairs.
void nnf_horner_rows(int64_t width, const double *r, const double *delta, double *next,
                     const int32_t *starts, const int32_t *left, const int32_t *right,
                     int64_t targetBegin, int64_t targetEnd);

/// out[i] = a[i] * b[i] for i < count.
void nnf_multiply(int64_t count, const double *a, const double *b, double *out);

/// out[i] = s * a[i] * b[i] for i < count.
void nnf_scaled_multiply(int64_t count, double s, const double *a, const double *b, double *out);

/// tanh (half = 0) or sigmoid (half = 1) Taylor coefficients out[k * stride + i] = sigma^(k)(z[i]) / k! for k = 0...n and
/// i < count, as ActivationRules.tanhCoefficients defines them: P_k(t) for |x| < 0.55 and Q_k(u) beyond, x = z or z/2,
/// t = tanh|x|, u = 1 - t, in double-double Horner. The coefficients of P_k (Q_k), constant first, are
/// nearHi/nearLo (farHi/farLo)[k (k + 3) / 2 + j] for j = 0...k + 1 (only k >= 3 is read); factorials[k] = k!.
void nnf_tanh_coefficients(int64_t count, const double *z, int64_t n, double *out, int64_t stride, int32_t half,
                           const double *nearHi, const double *nearLo, const double *farHi, const double *farLo,
                           const double *factorials);

/// One layer of the batched Hessian functionals at `points` points. jacobian[(p * d + v) * width + i] = dz_l/dx_v;
/// c1, c2 (points x width) the Taylor coefficients c_{l,1}, c_{l,2}; gradients[(p * outputs + o) * width + i] = dy_o/da_l.
/// With c2 non-null adds sum_i 2 G c_2 sum_v J[v]^2 to out[p * outputs + o] (or, with `diagonal`, each input's term to
/// out[(p * outputs + o) * d + v]); with c1 and derived non-null writes derived (same layout as jacobian) = c1 * J.
/// scratch holds (outputs + 1) * width doubles.
void nnf_hessian_layer(int64_t d, int64_t points, int64_t width, int64_t outputs, const double *jacobian,
                       const double *c1, const double *c2, const double *gradients, double *derived, int32_t diagonal,
                       double *out, double *scratch);

/// The instruction set the kernels run with: 0 generic, 1 AVX2 + FMA, 2 AVX-512. Chosen once from the CPU, or from
/// NNFEYN_KERNELS=generic|avx2|avx512 (capped at what the CPU has) for A/B measurements.
int nnf_kernel_level(void);

#endif
