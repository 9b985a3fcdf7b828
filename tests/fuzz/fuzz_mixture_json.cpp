// Fuzz target: the Gaussian-mixture JSON of gmm:FILE.json, then what
// `diffuse` does with a mixture: draw points and plot them (the plot once
// hung on means near 1e8; Note in apps/io/figures.cpp).
#include "apps/io/figures.h"
#include "diffusion/oracle.h"
#include "fuzz_util.h"
#include "tensor/random.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_no_crash([&] {
    const diffusion::GaussianMixture gmm = diffusion::parse_gaussian_mixture_json(text);
    tensor::Generator gen(0);
    const tensor::Tensor x = diffusion::sample_mixture(gmm, 64, gen);
    if (gmm.d() == 2) apps::scatter_plot(x, {}, "", 64);
  });
  return 0;
}
