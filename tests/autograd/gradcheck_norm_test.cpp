// Gradchecks for the fused group_norm (+ SiLU) of autograd/ops.h on inputs in
// every memory layout, with and without the affine parameters, and its
// forward against the definition. (tests/nn checks it against the composed
// layer; this file keeps "every op in autograd/ops.h" true here.)
// Shapes: N batch, C channels, G groups, then any spatial dims.
#include <cmath>

#include "tests/autograd/op_check.h"

using namespace op_check;
namespace ag = autograd;
namespace t = tensor;

TEST(GradcheckNorm, GroupNormMatchesTheDefinition) {
  // Per (n, group): y = (x - mean) / sqrt(var + eps) * w[c] + b[c], var biased.
  const int64_t N = 2, C = 4, G = 2, S = 3;
  const Tensor x = uniform({N, C, S}, -2, 2), w = uniform({C}, 0.5, 1.5, 2), b = uniform({C}, -1, 1, 3);
  const double eps = 1e-5;
  for (bool silu : {false, true}) {
    const std::vector<double> got =
        ag::group_norm(Variable(x), G, Variable(w), Variable(b), eps, silu).data().to_vector<double>();
    const std::vector<double> xv = x.to_vector<double>(), wv = w.to_vector<double>(), bv = b.to_vector<double>();
    const int64_t per_group = C / G * S;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t g = 0; g < G; ++g) {
        const int64_t start = (n * C + g * C / G) * S;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < per_group; ++i) mean += xv[start + i] / per_group;
        for (int64_t i = 0; i < per_group; ++i) var += (xv[start + i] - mean) * (xv[start + i] - mean) / per_group;
        for (int64_t i = 0; i < per_group; ++i) {
          const int64_t c = g * C / G + i / S;
          double y = (xv[start + i] - mean) / std::sqrt(var + eps) * wv[c] + bv[c];
          if (silu) y = y / (1 + std::exp(-y));
          EXPECT_NEAR(got[start + i], y, 1e-12) << "silu " << silu << " n " << n << " element " << i;
        }
      }
  }
}

TEST(GradcheckNorm, GroupNormBackwardInEveryLayout) {
  const Tensor x = uniform({2, 4, 3, 2}, -2, 2), w = uniform({4}, 0.5, 1.5, 2), b = uniform({4}, -1, 1, 3);
  for (int64_t groups : {1, 2, 4})
    for (bool silu : {false, true}) {
      const std::string what = "group_norm groups " + std::to_string(groups) + (silu ? " + silu" : "");
      const MultiFunction affine = [groups, silu](const std::vector<Variable>& in) {
        return ag::group_norm(in[0], groups, in[1], in[2], 1e-5, silu);
      };
      expect_gradients_all_layouts(what, affine, {x, w, b});
      const MultiFunction plain = [groups, silu](const std::vector<Variable>& in) {
        return ag::group_norm(in[0], groups, {}, {}, 1e-5, silu);
      };
      expect_gradients_all_layouts(what + " without affine", plain, {x});
    }
}
