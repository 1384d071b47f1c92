// Runtime-dispatched kernels: each loop is compiled three times (generic x86-64 or other targets, AVX2 + FMA,
// AVX-512) and nnf_kernel_level() picks one per process. Read only if you change the Horner layout.
#include "NNFeynKernels.h"
#include <stdlib.h>
#include <math.h>
#include <string.h>

// The slab kernel: B column sums held in registers while all pairs of one target row stream by. Columns
// [c0, c1) with c1 - c0 a multiple of B.
#define HORNER_SLAB(NAME, B, ATTR)                                                                               \
    ATTR static void NAME(int64_t w, const double *r, const double *delta, double *next, const int32_t *starts,  \
                          const int32_t *left, const int32_t *right, int64_t t0, int64_t t1, int64_t c0,        \
                          int64_t c1) {                                                                          \
        for (int64_t i0 = c0; i0 + B <= c1; i0 += B) {                                                           \
            for (int64_t t = t0; t < t1; t++) {                                                                  \
                double acc[B];                                                                                   \
                for (int i = 0; i < B; i++) acc[i] = 0;                                                          \
                for (int32_t p = starts[t]; p < starts[t + 1]; p++) {                                            \
                    const double *a = r + (int64_t)left[p] * w + i0;                                             \
                    const double *b = delta + (int64_t)right[p] * w + i0;                                        \
                    for (int i = 0; i < B; i++) acc[i] += a[i] * b[i];                                           \
                }                                                                                                \
                double *out = next + t * w + i0;                                                                 \
                for (int i = 0; i < B; i++) out[i] = acc[i];                                                     \
            }                                                                                                    \
        }                                                                                                        \
    }

// Whatever columns are left after the slabs, one at a time.
static void horner_columns(int64_t w, const double *r, const double *delta, double *next, const int32_t *starts,
                           const int32_t *left, const int32_t *right, int64_t t0, int64_t t1, int64_t c0) {
    for (int64_t t = t0; t < t1; t++) {
        for (int64_t i = c0; i < w; i++) {
            double acc = 0;
            for (int32_t p = starts[t]; p < starts[t + 1]; p++)
                acc += r[(int64_t)left[p] * w + i] * delta[(int64_t)right[p] * w + i];
            next[t * w + i] = acc;
        }
    }
}

#define ELEMENTWISE(NAME, ATTR)                                                                                  \
    ATTR static void NAME##_multiply(int64_t n, const double *a, const double *b, double *out) {                 \
        for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];                                                    \
    }                                                                                                            \
    ATTR static void NAME##_scaled(int64_t n, double s, const double *a, const double *b, double *out) {         \
        for (int64_t i = 0; i < n; i++) out[i] = s * a[i] * b[i];                                                \
    }

HORNER_SLAB(horner_generic8, 8, )
ELEMENTWISE(generic, )

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
HORNER_SLAB(horner_avx2_32, 32, AVX2)
HORNER_SLAB(horner_avx2_8, 8, AVX2)
HORNER_SLAB(horner_avx512_64, 64, AVX512)
HORNER_SLAB(horner_avx512_32, 32, AVX512)
HORNER_SLAB(horner_avx512_8, 8, AVX512)
ELEMENTWISE(avx2, AVX2)
ELEMENTWISE(avx512, AVX512)
#endif

static int chosen = -1;

int nnf_kernel_level(void) {
    if (chosen >= 0) return chosen;
    int level = 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
    if (level == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) level = 2;
#endif
    const char *forced = getenv("NNFEYN_KERNELS");
    if (forced) {
        int wanted = strcmp(forced, "generic") == 0 ? 0 : strcmp(forced, "avx2") == 0 ? 1 : 2;
        if (wanted < level) level = wanted;
    }
    chosen = level;  // a benign race: every thread computes the same value
    return level;
}

void nnf_horner_rows(int64_t width, const double *r, const double *delta, double *next, const int32_t *starts,
                     const int32_t *left, const int32_t *right, int64_t targetBegin, int64_t targetEnd) {
    if (width <= 0 || targetEnd <= targetBegin) return;
    int64_t c = 0;
#define SLAB(FN, B)                                                                                              \
    do {                                                                                                         \
        int64_t end = c + (width - c) / B * B;                                                                   \
        if (end > c) FN(width, r, delta, next, starts, left, right, targetBegin, targetEnd, c, end);             \
        c = end;                                                                                                 \
    } while (0)
#if defined(__x86_64__)
    switch (nnf_kernel_level()) {
    case 2: SLAB(horner_avx512_64, 64); SLAB(horner_avx512_32, 32); SLAB(horner_avx512_8, 8); break;
    case 1: SLAB(horner_avx2_32, 32); SLAB(horner_avx2_8, 8); break;
    default: SLAB(horner_generic8, 8); break;
    }
#else
    SLAB(horner_generic8, 8);
#endif
#undef SLAB
    if (c < width) horner_columns(width, r, delta, next, starts, left, right, targetBegin, targetEnd, c);
}

void nnf_multiply(int64_t count, const double *a, const double *b, double *out) {
#if defined(__x86_64__)
    switch (nnf_kernel_level()) {
    case 2: avx512_multiply(count, a, b, out); return;
    case 1: avx2_multiply(count, a, b, out); return;
    default: break;
    }
#endif
    generic_multiply(count, a, b, out);
}

void nnf_scaled_multiply(int64_t count, double s, const double *a, const double *b, double *out) {
#if defined(__x86_64__)
    switch (nnf_kernel_level()) {
    case 2: avx512_scaled(count, s, a, b, out); return;
    case 1: avx2_scaled(count, s, a, b, out); return;
    default: break;
    }
#endif
    generic_scaled(count, s, a, b, out);
}

// The exponentials of the tanh pass, vectorised: exp_core below with 2^(j/128), j < 128, as double-doubles (the
// nearest double and the nearest double to the rest; generated with Python's decimal at 60 digits). Measured
// against mpmath at 200 bits on 30000 arguments: expm1 on [-1.1, 0] within 0.68 ulp (glibc 0.74), exp on [-700, -1.1]
// within 0.502 ulp (glibc 0.502).
static const double exp2_hi[128] = {
    0x1.0000000000000p+0, 0x1.0163da9fb3335p+0, 0x1.02c9a3e778061p+0, 0x1.04315e86e7f85p+0,
    0x1.059b0d3158574p+0, 0x1.0706b29ddf6dep+0, 0x1.0874518759bc8p+0, 0x1.09e3ecac6f383p+0,
    0x1.0b5586cf9890fp+0, 0x1.0cc922b7247f7p+0, 0x1.0e3ec32d3d1a2p+0, 0x1.0fb66affed31bp+0,
    0x1.11301d0125b51p+0, 0x1.12abdc06c31ccp+0, 0x1.1429aaea92de0p+0, 0x1.15a98c8a58e51p+0,
    0x1.172b83c7d517bp+0, 0x1.18af9388c8deap+0, 0x1.1a35beb6fcb75p+0, 0x1.1bbe084045cd4p+0,
    0x1.1d4873168b9aap+0, 0x1.1ed5022fcd91dp+0, 0x1.2063b88628cd6p+0, 0x1.21f49917ddc96p+0,
    0x1.2387a6e756238p+0, 0x1.251ce4fb2a63fp+0, 0x1.26b4565e27cddp+0, 0x1.284dfe1f56381p+0,
    0x1.29e9df51fdee1p+0, 0x1.2b87fd0dad990p+0, 0x1.2d285a6e4030bp+0, 0x1.2ecafa93e2f56p+0,
    0x1.306fe0a31b715p+0, 0x1.32170fc4cd831p+0, 0x1.33c08b26416ffp+0, 0x1.356c55f929ff1p+0,
    0x1.371a7373aa9cbp+0, 0x1.38cae6d05d866p+0, 0x1.3a7db34e59ff7p+0, 0x1.3c32dc313a8e5p+0,
    0x1.3dea64c123422p+0, 0x1.3fa4504ac801cp+0, 0x1.4160a21f72e2ap+0, 0x1.431f5d950a897p+0,
    0x1.44e086061892dp+0, 0x1.46a41ed1d0057p+0, 0x1.486a2b5c13cd0p+0, 0x1.4a32af0d7d3dep+0,
    0x1.4bfdad5362a27p+0, 0x1.4dcb299fddd0dp+0, 0x1.4f9b2769d2ca7p+0, 0x1.516daa2cf6642p+0,
    0x1.5342b569d4f82p+0, 0x1.551a4ca5d920fp+0, 0x1.56f4736b527dap+0, 0x1.58d12d497c7fdp+0,
    0x1.5ab07dd485429p+0, 0x1.5c9268a5946b7p+0, 0x1.5e76f15ad2148p+0, 0x1.605e1b976dc09p+0,
    0x1.6247eb03a5585p+0, 0x1.6434634ccc320p+0, 0x1.6623882552225p+0, 0x1.68155d44ca973p+0,
    0x1.6a09e667f3bcdp+0, 0x1.6c012750bdabfp+0, 0x1.6dfb23c651a2fp+0, 0x1.6ff7df9519484p+0,
    0x1.71f75e8ec5f74p+0, 0x1.73f9a48a58174p+0, 0x1.75feb564267c9p+0, 0x1.780694fde5d3fp+0,
    0x1.7a11473eb0187p+0, 0x1.7c1ed0130c132p+0, 0x1.7e2f336cf4e62p+0, 0x1.80427543e1a12p+0,
    0x1.82589994cce13p+0, 0x1.8471a4623c7adp+0, 0x1.868d99b4492edp+0, 0x1.88ac7d98a6699p+0,
    0x1.8ace5422aa0dbp+0, 0x1.8cf3216b5448cp+0, 0x1.8f1ae99157736p+0, 0x1.9145b0b91ffc6p+0,
    0x1.93737b0cdc5e5p+0, 0x1.95a44cbc8520fp+0, 0x1.97d829fde4e50p+0, 0x1.9a0f170ca07bap+0,
    0x1.9c49182a3f090p+0, 0x1.9e86319e32323p+0, 0x1.a0c667b5de565p+0, 0x1.a309bec4a2d33p+0,
    0x1.a5503b23e255dp+0, 0x1.a799e1330b358p+0, 0x1.a9e6b5579fdbfp+0, 0x1.ac36bbfd3f37ap+0,
    0x1.ae89f995ad3adp+0, 0x1.b0e07298db666p+0, 0x1.b33a2b84f15fbp+0, 0x1.b59728de5593ap+0,
    0x1.b7f76f2fb5e47p+0, 0x1.ba5b030a1064ap+0, 0x1.bcc1e904bc1d2p+0, 0x1.bf2c25bd71e09p+0,
    0x1.c199bdd85529cp+0, 0x1.c40ab5fffd07ap+0, 0x1.c67f12e57d14bp+0, 0x1.c8f6d9406e7b5p+0,
    0x1.cb720dcef9069p+0, 0x1.cdf0b555dc3fap+0, 0x1.d072d4a07897cp+0, 0x1.d2f87080d89f2p+0,
    0x1.d5818dcfba487p+0, 0x1.d80e316c98398p+0, 0x1.da9e603db3285p+0, 0x1.dd321f301b460p+0,
    0x1.dfc97337b9b5fp+0, 0x1.e264614f5a129p+0, 0x1.e502ee78b3ff6p+0, 0x1.e7a51fbc74c83p+0,
    0x1.ea4afa2a490dap+0, 0x1.ecf482d8e67f1p+0, 0x1.efa1bee615a27p+0, 0x1.f252b376bba97p+0,
    0x1.f50765b6e4540p+0, 0x1.f7bfdad9cbe14p+0, 0x1.fa7c1819e90d8p+0, 0x1.fd3c22b8f71f1p+0,
};
static const double exp2_lo[128] = {
    0x0.0p+0, 0x1.b61299ab8cdb7p-54, -0x1.19083535b085dp-56, -0x1.0a31c1977c96ep-54,
    0x1.d73e2a475b465p-55, -0x1.c91dfe2b13c27p-55, 0x1.186be4bb284ffp-57, 0x1.1487818316136p-54,
    0x1.8a62e4adc610bp-54, 0x1.01edc16e24f71p-54, 0x1.03a1727c57b53p-59, -0x1.b9bedc44ebd7bp-57,
    -0x1.6c51039449b3ap-54, -0x1.1b514b36ca5c7p-58, -0x1.32fbf9af1369ep-54, 0x1.2406ab9eeab0ap-55,
    -0x1.19041b9d78a76p-55, -0x1.11023d1970f6cp-54, 0x1.e5b4c7b4968e4p-55, -0x1.95386352ef607p-54,
    0x1.e016e00a2643cp-54, -0x1.1df98027bb78cp-54, 0x1.dc775814a8495p-55, 0x1.2a97e9494a5eep-55,
    0x1.9b07eb6c70573p-54, 0x1.ac155bef4f4a4p-55, 0x1.2bd339940e9d9p-55, -0x1.a4c3a8c3f0d7ep-54,
    0x1.612e8afad1255p-55, -0x1.10adcd6381aa4p-59, 0x1.0024754db41d5p-54, 0x1.1ca0f45d52383p-56,
    0x1.6f46ad23182e4p-55, 0x1.a9ce78e18047cp-55, 0x1.32721843659a6p-54, -0x1.b5cee5c4e4628p-55,
    -0x1.63aeabf42eae2p-54, -0x1.e958d3c9904bdp-54, -0x1.5e436d661f5e3p-56, -0x1.efff8375d29c3p-54,
    0x1.ada0911f09ebcp-55, -0x1.7d023f956f9f3p-54, -0x1.ef3691c309278p-58, -0x1.1c7dde35f7999p-55,
    0x1.89b7a04ef80d0p-59, 0x1.c944bd1648a76p-54, 0x1.3c1a3b69062f0p-56, 0x1.9cb62f3d1be56p-54,
    0x1.d4397afec42e2p-56, 0x1.8ecdbbc6a7833p-54, -0x1.4b309d25957e3p-54, -0x1.f768569bd93efp-55,
    -0x1.07abe1db13cadp-55, -0x1.d689cefede59bp-55, 0x1.9bb2c011d93adp-54, 0x1.295e15b9a1de8p-55,
    0x1.6324c054647adp-54, 0x1.c4b1b816986a2p-60, 0x1.ba6f93080e65ep-54, -0x1.3e2429b56de47p-54,
    -0x1.383c17e40b497p-54, -0x1.c483c759d8933p-55, -0x1.bb60987591c34p-54, 0x1.038ae44f73e65p-57,
    -0x1.bdd3413b26456p-54, -0x1.2895667ff0b0dp-56, -0x1.bbe3a683c88abp-57, -0x1.83c0f25860ef6p-55,
    -0x1.16e4786887a99p-55, -0x1.0a8d96c65d53cp-54, -0x1.0245957316dd3p-54, 0x1.866b80a02162dp-54,
    -0x1.41577ee04992fp-55, 0x1.f124cd1164dd6p-54, 0x1.05d02ba15797ep-56, -0x1.27c86626d972bp-54,
    -0x1.d4c1dd41532d8p-54, -0x1.8d684a341cdfbp-55, -0x1.fc6f89bd4f6bap-54, 0x1.994c2f37cb53ap-54,
    0x1.6e9f156864b27p-54, -0x1.0d55e32e9e3aap-56, 0x1.5cc13a2e3976cp-55, -0x1.dd6792e582524p-54,
    -0x1.75fc781b57ebcp-57, -0x1.64b7c96a5f039p-56, -0x1.d185b7c1b85d1p-54, -0x1.173bd91cee632p-54,
    0x1.c7c46b071f2bep-56, 0x1.824ca78e64c6ep-56, -0x1.359495d1cd533p-54, 0x1.6305c7ddc36abp-54,
    -0x1.d2f6edb8d41e1p-54, 0x1.bcb7ecac563c7p-54, 0x1.0fac90ef7fd31p-54, -0x1.f9234cae76cd0p-55,
    0x1.7a1cd345dcc81p-54, -0x1.bdef54c80e425p-54, -0x1.2805e3084d708p-57, -0x1.c71dfbbba6de3p-54,
    -0x1.5584f7e54ac3bp-56, -0x1.efcd30e54292ep-54, 0x1.23dd07a2d9e84p-55, -0x1.efdca3f6b9c73p-54,
    0x1.11065895048ddp-55, 0x1.b4537e083c60ap-54, 0x1.2884dff483cadp-54, 0x1.1acbc48805c44p-56,
    0x1.503cbd1e949dbp-56, -0x1.dd83b53829d72p-55, -0x1.cbc3743797a9cp-54, -0x1.d487b719d8578p-54,
    0x1.2ed02d75b3707p-55, -0x1.11ec18beddfe8p-54, 0x1.c2300696db532p-54, 0x1.2da5778f018c3p-54,
    -0x1.1a5cd4f184b5cp-54, -0x1.7b627817a1496p-54, 0x1.39e8980a9cc8fp-55, 0x1.2d522ca0c8de2p-54,
    -0x1.e9c23179c2893p-54, -0x1.c93f3b411ad8cp-54, 0x1.dc7f486a4b6b0p-54, 0x1.3a1a5bf0d8e43p-54,
    0x1.9d3e12dd8a18bp-54, -0x1.dbb12d006350ap-54, 0x1.74853f3a5931ep-55, 0x1.2eb74966579e7p-57,
};

// e^a (near = 0) or e^a - 1 (near = 1) for -700 <= a <= 0: a = (128 m + j) ln2/128 + r with |r| <= ln2/256 (and
// m = j = 0, |r| < ln2/128 for expm1 near the origin, so that nothing cancels), e^a = 2^m 2^(j/128) e^r with the
// table 2^(j/128) = exp2_hi + exp2_lo in double-double and e^r - 1 - r by its Taylor polynomial (degree 6: below
// 1e-19 relative). s r is split exactly by an fma and the 1 of expm1 subtracted exactly, so that only the final
// rounding and terms near 1e-19 relative remain. Outside [-700, 0], and for NaN, the caller uses libm.
static inline __attribute__((always_inline)) double exp_core(double a, int near) {
#pragma clang fp contract(off)
    const double shift = 0x1.8p52;
    double kd = a * 0x1.71547652b82fep+7 + shift;
    kd = near && a > -0x1.62e42fefa39efp-8 ? shift : kd;
    int64_t k;
    memcpy(&k, &kd, 8);
    k -= 0x4338000000000000LL;
    kd -= shift;
    double r = a + kd * -0x1.62e42fefa0000p-8 + kd * -0x1.cf79abc9e3b3ap-47;
    int64_t j = k & 127, m = k >> 7;
    uint64_t bits = (uint64_t)(m + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    double s = exp2_hi[j] * scale, sLow = exp2_lo[j] * scale;
    double q = r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720)))));
    double sr = s * r, srError = __builtin_fma(s, r, -sr);
    double small = sLow + srError + s * q;
    double hi = -1 + s, hiError = s - (hi + 1);  // Fast2Sum: |-1| >= s
    double h = hi + sr, hError = (hi - h) + sr;     // Fast2Sum: |hi| >= |s r| (hi = 0 when s = 1)
    // expm1(-0) = -0, as libm gives it (tanh(0) then comes out as +0, not -0).
    return near ? (a == 0 ? a : h + (hError + hiError + small)) : s + (sr + small);
}

// tanh and sigmoid Taylor coefficients of a layer: the own-value polynomials of DerivativePolynomials.swift in
// double-double Horner, vectorised over neurons (the lanes pick the near or far polynomial by a blend). The
// polynomial steps are exactly DoubleDouble.multiplyAdd (same operations, same order, no contraction); the
// exponentials are exp_core's (within 0.7 ulp, as glibc's scalar ones), so the coefficients agree with the scalar
// rules in ActivationRules.swift to a few ulps (ActivationBatchTests bounds the difference).
#define TANH_BLOCK 256

#define TANH_COEFFICIENTS(NAME, ATTR)                                                                            \
    ATTR static void NAME(int64_t count, const double *z, int64_t n, double *out, int64_t stride, int32_t half,  \
                          const double *nearHi, const double *nearLo, const double *farHi, const double *farLo,  \
                          const double *factorials) {                                                            \
        _Pragma("clang fp contract(off)")                                                                        \
        double xv[TANH_BLOCK], ev[TANH_BLOCK], arg[TANH_BLOCK], tv[TANH_BLOCK], qv[TANH_BLOCK];                  \
        double hi[TANH_BLOCK], lo[TANH_BLOCK];                                                                   \
        unsigned char near[TANH_BLOCK];                                                                          \
        for (int64_t b = 0; b < count; b += TANH_BLOCK) {                                                        \
            int64_t m = count - b < TANH_BLOCK ? count - b : TANH_BLOCK;                                         \
            for (int64_t i = 0; i < m; i++) {                                                                    \
                double x = half ? z[b + i] / 2 : z[b + i];                                                       \
                xv[i] = x;                                                                                       \
                near[i] = fabs(x) < 0.55;                                                                        \
                ev[i] = -2 * fabs(x);                                                                            \
            }                                                                                                    \
            /* One exponential per neuron gives tanh|x| and u = 1 - tanh|x|, each without cancellation: expm1    \
               near the origin, exp beyond 0.55 (where 1 + expm1 would lose the small e). Vectorised; libm below  \
               -700 (near underflow), for infinities and NaN. */                                                 \
            int outside = 0;                                                                                     \
            for (int64_t i = 0; i < m; i++) {                                                                    \
                double a = ev[i];                                                                                \
                outside |= !(a >= -700);                                                                         \
                ev[i] = exp_core(a >= -700 ? a : 0, near[i]);                                                    \
            }                                                                                                    \
            if (outside)                                                                                         \
                for (int64_t i = 0; i < m; i++) {                                                                \
                    double a = -2 * fabs(xv[i]);                                                                 \
                    if (!(a >= -700)) ev[i] = exp(a);                                                            \
                }                                                                                                \
            for (int64_t i = 0; i < m; i++) {                                                                    \
                double x = xv[i], e = ev[i], t, u;                                                               \
                if (near[i]) {                                                                                   \
                    t = -e / (2 + e);                                                                            \
                    u = 1 - t;                                                                                   \
                } else {                                                                                         \
                    u = 2 * e / (1 + e);                                                                         \
                    t = 1 - u;                                                                                   \
                }                                                                                                \
                /* sigmoid(z) = (1 + tanh(z/2)) / 2: u/2 on the negative side, 1 - u/2 on the positive. */       \
                out[b + i] = half ? (x < 0 ? u / 2 : 1 - u / 2) : (x < 0 ? -t : t);                              \
                arg[i] = near[i] ? t : u;                                                                        \
                tv[i] = t;                                                                                       \
                /* 1 - t^2 = u (2 - u), without cancellation where t is close to 1. */                           \
                qv[i] = near[i] ? 1 - t * t : u * (2 - u);                                                       \
            }                                                                                                    \
            for (int64_t k = 1; k <= n; k++) {                                                                   \
                if (k >= 3) {                                                                                    \
                    /* P_k has k + 2 coefficients, constant first, from offset k (k + 3) / 2: Horner from the    \
                       top, DoubleDouble.multiplyAdd (Dekker product by one fma, Knuth's TwoSum). */             \
                    int64_t base = k * (k + 3) / 2, top = base + k + 1;                                          \
                    for (int64_t i = 0; i < m; i++) {                                                            \
                        hi[i] = near[i] ? nearHi[top] : farHi[top];                                              \
                        lo[i] = near[i] ? nearLo[top] : farLo[top];                                              \
                    }                                                                                            \
                    for (int64_t j = top - 1; j >= base; j--) {                                                  \
                        double nh = nearHi[j], nl = nearLo[j], fh = farHi[j], fl = farLo[j];                     \
                        for (int64_t i = 0; i < m; i++) {                                                        \
                            double chi = near[i] ? nh : fh, clo = near[i] ? nl : fl;                             \
                            double h = hi[i], l = lo[i], v = arg[i];                                             \
                            double p = h * v;                                                                    \
                            double productError = __builtin_fma(h, v, -p);                                       \
                            double pLow = productError + l * v;                                                  \
                            double s = p + chi;                                                                  \
                            double bb = s - p;                                                                   \
                            double sumError = (p - (s - bb)) + (chi - bb);                                       \
                            double low = sumError + pLow + clo;                                                  \
                            double sum = s + low;                                                                \
                            lo[i] = low - (sum - s);                                                             \
                            hi[i] = sum;                                                                         \
                        }                                                                                        \
                    }                                                                                            \
                }                                                                                                \
                double scale = half ? ldexp(1.0, -(int)(k + 1)) : 1, factorial = factorials[k];                  \
                double *row = out + k * stride + b;                                                              \
                for (int64_t i = 0; i < m; i++) {                                                                \
                    double value = k == 1 ? qv[i] : k == 2 ? -2 * tv[i] * qv[i] : hi[i] + lo[i];                 \
                    if (xv[i] < 0 && k % 2 == 0) value = -value;                                                 \
                    row[i] = k <= 2 ? value * scale * (1 / factorial) : value * scale / factorial;               \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

TANH_COEFFICIENTS(tanh_generic, )
#if defined(__x86_64__)
TANH_COEFFICIENTS(tanh_avx2, AVX2)
TANH_COEFFICIENTS(tanh_avx512, AVX512)
#endif

void nnf_tanh_coefficients(int64_t count, const double *z, int64_t n, double *out, int64_t stride, int32_t half,
                           const double *nearHi, const double *nearLo, const double *farHi, const double *farLo,
                           const double *factorials) {
#if defined(__x86_64__)
    switch (nnf_kernel_level()) {
    case 2: tanh_avx512(count, z, n, out, stride, half, nearHi, nearLo, farHi, farLo, factorials); return;
    case 1: tanh_avx2(count, z, n, out, stride, half, nearHi, nearLo, farHi, farLo, factorials); return;
    default: break;
    }
#endif
    tanh_generic(count, z, n, out, stride, half, nearHi, nearLo, farHi, farLo, factorials);
}

// One layer of the batched Hessian functionals (ReducedQuantities.swift), one pass over the Jacobian rows of each
// point (contiguous: row p d + v): the squares summed over inputs (or kept per input, for the diagonal) and weighted by 2 G c_2 per neuron,
// and the rows of the next layer's input, c_1 * J, written on the way.
#define HESSIAN_LAYER(NAME, ATTR)                                                                                \
    ATTR static void NAME(int64_t d, int64_t points, int64_t w, int64_t outputs, const double *jacobian,        \
                          const double *c1, const double *c2, const double *g, double *derived, int32_t diagonal, \
                          double *out, double *scratch) {                                                        \
        _Pragma("clang fp reassociate(on)")                                                                      \
        int64_t k = diagonal ? d : 1;                                                                            \
        double *sq = scratch, *h = scratch + w;                                                                  \
        for (int64_t p = 0; p < points; p++) {                                                                   \
            if (c2) {                                                                                            \
                for (int64_t o = 0; o < outputs; o++) {                                                          \
                    const double *gRow = g + (p * outputs + o) * w, *cRow = c2 + p * w;                          \
                    for (int64_t i = 0; i < w; i++) h[o * w + i] = 2 * gRow[i] * cRow[i];                        \
                }                                                                                                \
                if (!diagonal) for (int64_t i = 0; i < w; i++) sq[i] = 0;                                        \
            }                                                                                                    \
            for (int64_t v = 0; v < d; v++) {                                                                    \
                const double *row = jacobian + (p * d + v) * w;                                                  \
                if (c2 && diagonal) {                                                                            \
                    for (int64_t o = 0; o < outputs; o++) {                                                      \
                        double sum = 0;                                                                          \
                        for (int64_t i = 0; i < w; i++) sum += h[o * w + i] * row[i] * row[i];                   \
                        out[(p * outputs + o) * k + v] += sum;                                                   \
                    }                                                                                            \
                } else if (c2) {                                                                                 \
                    for (int64_t i = 0; i < w; i++) sq[i] += row[i] * row[i];                                    \
                }                                                                                                \
                if (c1 && derived) {                                                                             \
                    double *target = derived + (p * d + v) * w;                                                  \
                    for (int64_t i = 0; i < w; i++) target[i] = c1[p * w + i] * row[i];                          \
                }                                                                                                \
            }                                                                                                    \
            if (c2 && !diagonal) {                                                                               \
                for (int64_t o = 0; o < outputs; o++) {                                                          \
                    double sum = 0;                                                                              \
                    for (int64_t i = 0; i < w; i++) sum += h[o * w + i] * sq[i];                                 \
                    out[(p * outputs + o) * k] += sum;                                                           \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

HESSIAN_LAYER(hessian_generic, )
#if defined(__x86_64__)
HESSIAN_LAYER(hessian_avx2, AVX2)
HESSIAN_LAYER(hessian_avx512, AVX512)
#endif

void nnf_hessian_layer(int64_t d, int64_t points, int64_t width, int64_t outputs, const double *jacobian,
                       const double *c1, const double *c2, const double *gradients, double *derived, int32_t diagonal,
                       double *out, double *scratch) {
#if defined(__x86_64__)
    switch (nnf_kernel_level()) {
    case 2: hessian_avx512(d, points, width, outputs, jacobian, c1, c2, gradients, derived, diagonal, out, scratch); return;
    case 1: hessian_avx2(d, points, width, outputs, jacobian, c1, c2, gradients, derived, diagonal, out, scratch); return;
    default: break;
    }
#endif
    hessian_generic(d, points, width, outputs, jacobian, c1, c2, gradients, derived, diagonal, out, scratch);
}
