// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), which also declares openblas_set_num_threads.
#include <cblas.h>
#include <stddef.h>

// LAPACK's Cholesky solve of a symmetric positive definite system, from the same library (OpenBLAS bundles
// LAPACK but its headers do not declare it). Column-major, Fortran calling convention.
// The trailing length is the hidden argument gfortran passes for the character argument uplo.
void dposv_(const char *uplo, const blasint *n, const blasint *nrhs, double *a, const blasint *lda, double *b,
            const blasint *ldb, blasint *info, size_t uplo_length);
