// Included after a kernel file's other #includes: from here on, functions are
// compiled for the copy's instruction set (Note [Kernels per instruction set]
// in isa.h). No include guard: each kernel file includes it once, then
// isa_target_end.h.
#if defined(DIFFUSE_ISA_AVX2)
#pragma GCC push_options
#pragma GCC target("avx2")
#elif defined(DIFFUSE_ISA_AVX512)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl")
#endif
