// Closes isa_target_begin.h: what follows is compiled for the baseline again.
#if defined(DIFFUSE_ISA_AVX2) || defined(DIFFUSE_ISA_AVX512)
#pragma GCC pop_options
#endif
