// CUDA reductions, softmax and random fills against the CPU kernels: sum,
// amax, amin over several dim sets of strided inputs (short reductions,
// one thread per output; long ones, one block per output), float32 and
// float64; results bit-identical from run to run; Philox values equal to the
// CPU's for the same (seed, stream, index). Skipped without a GPU.
#include <gtest/gtest.h>

#include "cuda_compare.h"

using namespace tensor;
using namespace tensor_test;

namespace {

const DType kFloatTypes[] = {DType::Float32, DType::Float64};

// Inputs of shape (3, 5, 4) in four layouts, built from a base on either device.
const std::vector<Layout> kLayouts3d = {
    {"contiguous", {3, 5, 4}, [](const Tensor& b) { return b; }},
    {"permuted",
     {4, 3, 5},
     [](const Tensor& b) {
       return b.permute({1, 2, 0});
     }},
    {"narrowed", {3, 7, 6}, [](const Tensor& b) { return b.narrow(1, 1, 5).narrow(2, 2, 4); }},
    {"broadcast",
     {5, 1},
     [](const Tensor& b) {
       return b.expand({3, 5, 4});
     }},
};

using Reduction = Tensor (*)(const Tensor&, const std::vector<int64_t>&, bool);

}  // namespace

TEST(CudaReduce, SumMaxMinOverDimSetsMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  const std::vector<std::pair<const char*, Reduction>> reductions = {
      {"sum", tensor::sum}, {"amax", tensor::amax}, {"amin", tensor::amin}};
  const std::vector<std::vector<int64_t>> dim_sets = {{}, {0}, {1}, {2}, {0, 2}, {1, 2}};
  for (DType dtype : kFloatTypes) {
    for (const Layout& layout : kLayouts3d) {
      const Tensor base = base_values(layout.base_shape, dtype, 21);
      const Tensor x = layout.view(base), xc = layout.view(base.to(Device::CUDA));
      for (const auto& [name, reduce] : reductions) {
        for (const auto& dims : dim_sets) {
          const std::string what =
              std::string(name) + " " + std::string(dtype_name(dtype)) + " " + layout.name + " dims " + shape_str(dims);
          expect_close(reduce(xc, dims, false), reduce(x, dims, false), rtol_for(dtype), 1e-12, what);
          expect_close(reduce(xc, dims, true), reduce(x, dims, true), rtol_for(dtype), 1e-12, what + " keepdim");
        }
      }
    }
  }
}

TEST(CudaReduce, LongReductionsUseBlocksAndAreDeterministic) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    // 3 x 70000 reduced along the rows, the columns, and all of it; and a transposed view.
    const Tensor x = base_values({3, 70000}, dtype, 22), xc = x.to(Device::CUDA);
    for (const std::vector<int64_t>& dims : {std::vector<int64_t>{1}, std::vector<int64_t>{0, 1}}) {
      const Tensor s = sum(xc, dims);
      expect_close(s, sum(x, dims), dtype == DType::Float32 ? 1e-6 : 1e-12, 1e-9, "sum " + shape_str(dims));
      expect_close(sum(xc, dims), s, 0, 0, "sum again, bit for bit");
      expect_close(amax(xc, dims), amax(x, dims), 0, 0, "amax " + shape_str(dims));
      expect_close(amin(xc.t(), {0}), amin(x.t(), {0}), 0, 0, "amin transposed");
    }
    // An empty sum is 0; a NaN wins max.
    expect_close(sum(zeros({0, 3}, dtype, Device::CUDA), {0}), zeros({3}, dtype), 0, 0, "empty sum");
    Tensor with_nan = x.clone();
    with_nan.narrow(1, 500, 1).fill_(NAN);
    expect_close(amax(with_nan.to(Device::CUDA), {1}), amax(with_nan, {1}), 0, 0, "amax NaN");
  }
}

TEST(CudaSoftmax, SoftmaxAndLogSoftmaxMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    for (const Shape& shape : {Shape{5, 7}, Shape{3, 1000}, Shape{2, 3, 300}}) {
      const Tensor x = mul(base_values(shape, dtype, 23), 4.0), xc = x.to(Device::CUDA);
      for (int64_t dim : {int64_t{-1}, int64_t{0}}) {
        const std::string what =
            std::string(dtype_name(dtype)) + " " + shape_str(shape) + " dim " + std::to_string(dim);
        expect_close(softmax(xc, dim), softmax(x, dim), rtol_for(dtype) * 4, 1e-12, "softmax " + what);
        expect_close(log_softmax(xc, dim), log_softmax(x, dim), rtol_for(dtype) * 4, 1e-6, "log_softmax " + what);
      }
    }
  }
}

TEST(CudaRandom, PhiloxValuesEqualTheCpus) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    Generator on_cpu(1234), on_cuda(1234);
    on_cpu.set_stream(7);
    on_cuda.set_stream(7);
    // Uniforms are integer arithmetic: identical bits.
    expect_close(rand({1000, 3}, on_cuda, dtype, Device::CUDA), rand({1000, 3}, on_cpu, dtype), 0, 0, "rand");
    // Normals go through log, sqrt and cos in double, which CUDA and glibc
    // round within an ulp of each other.
    expect_close(randn({1000, 3}, on_cuda, dtype, Device::CUDA), randn({1000, 3}, on_cpu, dtype),
                 dtype == DType::Float32 ? 2.4e-7 : 1e-15, 1e-15, "randn");
    EXPECT_EQ(on_cpu.stream(), on_cuda.stream());
  }
}
