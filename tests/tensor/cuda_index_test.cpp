// CUDA index_select and index_add_ against the CPU kernels on the same
// inputs. index_select copies, so it must give the same values; index_add_
// adds repeated indices in the CPU's order on both of its CUDA paths (the
// per-element scan for small problems, the per-column walk for large ones),
// so it too must give the same floats, bit for bit: tolerance 0 throughout.
#include <gtest/gtest.h>

#include "cuda_compare.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;
using tensor_test::expect_close;

namespace {
Tensor on_cuda(const Tensor& t) { return t.to(Device::CUDA); }

Tensor indices(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return from_vector(v, {n});
}

// n values in [0, bound), with repeats.
Tensor random_indices(int64_t n, int64_t bound, Generator& gen) { return randint(0, bound, {n}, gen); }

class CudaIndex : public ::testing::TestWithParam<DType> {};

TEST_P(CudaIndex, SelectAlongEachDim) {
  SKIP_WITHOUT_CUDA();
  Generator gen(800);
  const Tensor src = GetParam() == DType::Int64 ? randint(-50, 50, {5, 7, 3}, gen) : randn({5, 7, 3}, gen, GetParam());
  // Per dim, indices in range of its size (5, 7, 3), some repeated.
  const Tensor per_dim[] = {indices({4, 0, 0, 2, 1}), indices({6, 0, 0, 2, 5, 1}), indices({2, 0, 0, 1})};
  for (int64_t dim = 0; dim < 3; ++dim)
    expect_close(index_select(on_cuda(src), dim, on_cuda(per_dim[dim])), index_select(src, dim, per_dim[dim]), 0, 0,
                 "dim " + std::to_string(dim));
  const Tensor idx = indices({4, 0, 0, 2, 6, 1});
  // A non-contiguous source (made contiguous by the front-end) and an empty index.
  expect_close(index_select(on_cuda(src).transpose(0, 2), 1, on_cuda(idx)), index_select(src.transpose(0, 2), 1, idx),
               0, 0, "");
  expect_close(index_select(on_cuda(src), 1, on_cuda(indices({}))), index_select(src, 1, indices({})), 0, 0, "");
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaIndex, ::testing::Values(DType::Float32, DType::Float64, DType::Int64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

class CudaIndexAdd : public ::testing::TestWithParam<DType> {};

void expect_index_add_matches(const Shape& out_shape, int64_t dim, int64_t n_idx, DType dt, uint64_t seed) {
  Generator gen(seed);
  const Tensor out = randn(out_shape, gen, dt);
  Shape src_shape = out_shape;
  src_shape[dim] = n_idx;
  const Tensor src = randn(src_shape, gen, dt), idx = random_indices(n_idx, out_shape[dim], gen);
  Tensor want = out.clone(), got = on_cuda(out);
  index_add_(want, dim, idx, src);
  index_add_(got, dim, on_cuda(idx), on_cuda(src));
  expect_close(got, want, 0, 0,
               (::testing::Message() << "out " << shape_str(out_shape) << " dim " << dim << ", " << n_idx
                                     << " indices, " << dtype_name(dt))
                   .GetString());
}

TEST_P(CudaIndexAdd, RepeatedIndicesSameFloatsAsCpu) {
  SKIP_WITHOUT_CUDA();
  const DType dt = GetParam();
  // Small: the per-element scan. Indices repeat (20 draws from 6 rows).
  expect_index_add_matches({6, 5}, 0, 20, dt, 900);
  expect_index_add_matches({3, 6, 4}, 1, 20, dt, 901);
  expect_index_add_matches({3, 4, 6}, 2, 20, dt, 902);
  // Large (1000 x 300 x 256 > 2^26 element-index pairs): the per-column walk.
  expect_index_add_matches({1000, 256}, 0, 300, dt, 903);
  // The gradient of a schedule-table lookup: 1000 timesteps, a batch of 64 draws.
  expect_index_add_matches({1000}, 0, 64, dt, 904);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaIndexAdd, ::testing::Values(DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
