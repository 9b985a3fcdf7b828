// CPU copy and fill: the strided loop with a dtype conversion in the middle.
#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace tensor::cpu {

void copy(const Tensor& out, const Tensor& src) {
  dispatch_all(out.dtype(), [&](auto out_tag) {
    using O = typename decltype(out_tag)::type;
    dispatch_all(src.dtype(), [&](auto src_tag) {
      using S = typename decltype(src_tag)::type;
      strided_loop<2>({&out, &src}, [](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) {
        if (s[0] == sizeof(O) && s[1] == sizeof(S)) {
          O* o = reinterpret_cast<O*>(p[0]);
          const S* x = reinterpret_cast<const S*>(p[1]);
          for (int64_t i = 0; i < n; ++i) o[i] = static_cast<O>(x[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<O*>(p[0] + i * s[0]) = static_cast<O>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
        }
      });
    });
  });
}

void fill(const Tensor& out, double value) {
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    strided_loop<1>({&out}, [v](std::array<char*, 1> p, int64_t n, std::array<int64_t, 1> s) {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
}

}  // namespace tensor::cpu
