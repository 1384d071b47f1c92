// GMP's public mpq_* names are macros for the __gmpq_* symbols; Swift sees the functions directly.
#include <gmp.h>
