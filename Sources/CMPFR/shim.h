// MPFR (Debian: libmpfr-dev), on top of GMP. gmp.h comes first so mpfr.h declares its mpq/mpz functions
// (mpfr_set_q, mpfr_get_z_2exp). Every function nnfeyn uses is a real symbol, so Swift calls it directly.
#include <gmp.h>
#include <mpfr.h>
