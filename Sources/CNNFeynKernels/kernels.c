// Runtime-dispatched kernels: each loop is compiled three times (generic x86-64 or other targets, AVX2 + FMA,
// AVX-512) and nnf_kernel_level() picks one per process. Read only if you change the Horner layout.
#include "NNFeynKernels.h"
#include <stdlib.h>
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
