// CUDA elementwise kernels against the CPU kernels: every UnaryOp, every
// BinaryOp and where, on contiguous, transposed, narrowed, broadcast and
// permuted operands, float32 and float64, out of place and in place; and the
// copy and fill kernels (every dtype pair, bit for bit). Skipped without a GPU.
#include <gtest/gtest.h>

#include "cuda_compare.h"

using namespace tensor;
using namespace tensor_test;

namespace {

const DType kFloatTypes[] = {DType::Float32, DType::Float64};

struct UnaryCase {
  const char* name;
  UnaryOp op;
  Tensor (*front_end)(const Tensor&);  // the out-of-place op, strided input into a fresh output
  double p0 = 0, p1 = 0;               // the in-place unary_ parameters, the same op
  bool positive_domain = false;        // log, sqrt, ...: inputs in [0.5, 1.5)
};

// Every UnaryOp (a new one without a case here fails UnaryCasesCoverEveryOp).
const std::vector<UnaryCase> kUnaryCases = {
    {"neg", UnaryOp::Neg, tensor::neg},
    {"exp", UnaryOp::Exp, tensor::exp},
    {"log", UnaryOp::Log, tensor::log, 0, 0, true},
    {"sqrt", UnaryOp::Sqrt, tensor::sqrt, 0, 0, true},
    {"rsqrt", UnaryOp::Rsqrt, tensor::rsqrt, 0, 0, true},
    {"sin", UnaryOp::Sin, tensor::sin},
    {"cos", UnaryOp::Cos, tensor::cos},
    {"tanh", UnaryOp::Tanh, tensor::tanh},
    {"sigmoid", UnaryOp::Sigmoid, tensor::sigmoid},
    {"silu", UnaryOp::Silu, tensor::silu},
    {"relu", UnaryOp::Relu, tensor::relu},
    {"gelu", UnaryOp::Gelu, tensor::gelu},
    {"abs", UnaryOp::Abs, tensor::abs},
    {"sign", UnaryOp::Sign, tensor::sign},
    {"square", UnaryOp::Square, tensor::square},
    {"reciprocal", UnaryOp::Reciprocal, tensor::reciprocal, 0, 0, true},
    {"erf", UnaryOp::Erf, tensor::erf},
    {"floor", UnaryOp::Floor, tensor::floor},
    {"pow", UnaryOp::PowScalar, [](const Tensor& x) { return pow(x, 1.7); }, 1.7, 0, true},
    {"clamp", UnaryOp::Clamp, [](const Tensor& x) { return clamp(x, -0.5, 0.75); }, -0.5, 0.75},
    {"add scalar", UnaryOp::AddScalar, [](const Tensor& x) { return add(x, 0.25); }, 0.25},
    {"mul scalar", UnaryOp::MulScalar, [](const Tensor& x) { return mul(x, -3.0); }, -3.0},
    {"gelu_grad", UnaryOp::GeluGrad, tensor::gelu_grad},
};

}  // namespace

TEST(CudaElementwise, UnaryCasesCoverEveryOp) {
  EXPECT_EQ(kUnaryCases.size(), static_cast<size_t>(UnaryOp::GeluGrad) + 1);
}

TEST(CudaElementwise, EveryUnaryOpMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    for (const UnaryCase& c : kUnaryCases) {
      for (const Layout& layout : layouts_4x6()) {
        const Tensor base = base_values(layout.base_shape, dtype, 1, c.positive_domain ? 0.5 : NAN);
        const Tensor x_cpu = layout.view(base), x_cuda = layout.view(base.to(Device::CUDA));
        const std::string what = std::string(c.name) + " " + std::string(dtype_name(dtype)) + " " + layout.name;
        expect_close(c.front_end(x_cuda), c.front_end(x_cpu), rtol_for(dtype), atol_for(dtype), what);
        if (layout.name.rfind("broadcast", 0) == 0) continue;  // not writable: its elements overlap
        Tensor in_place_cuda = layout.view(base.to(Device::CUDA)), in_place_cpu = layout.view(base.clone());
        unary_(in_place_cuda, c.op, c.p0, c.p1);
        unary_(in_place_cpu, c.op, c.p0, c.p1);
        expect_close(in_place_cuda, in_place_cpu, rtol_for(dtype), atol_for(dtype), what + " in place");
      }
    }
  }
}

TEST(CudaElementwise, NanPassesThroughClampAndMax) {
  SKIP_WITHOUT_CUDA();
  const Tensor x = from_list({NAN, -2, 0.5, 3});
  const Tensor xc = x.to(Device::CUDA);
  expect_close(clamp(xc, 0, 1), clamp(x, 0, 1), 0, 0, "clamp");
  expect_close(relu(xc), relu(x), 0, 0, "relu");
  expect_close(maximum(xc, zeros_like(xc)), maximum(x, zeros_like(x)), 0, 0, "maximum");
}

TEST(CudaElementwise, EveryBinaryOpMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  const std::vector<std::pair<const char*, Tensor (*)(const Tensor&, const Tensor&)>> ops = {
      {"add", tensor::add},         {"sub", tensor::sub},
      {"mul", tensor::mul},         {"div", tensor::div},
      {"pow", tensor::pow},         {"maximum", tensor::maximum},
      {"minimum", tensor::minimum}, {"eq", tensor::eq},
      {"ne", tensor::ne},           {"lt", tensor::lt},
      {"le", tensor::le},           {"gt", tensor::gt},
      {"ge", tensor::ge},           {"silu_backward", tensor::silu_backward}};
  EXPECT_EQ(ops.size(), static_cast<size_t>(BinaryOp::SiluBackward) + 1);  // every BinaryOp
  const std::vector<Layout> layouts = layouts_4x6();
  for (DType dtype : kFloatTypes) {
    for (const auto& [name, op] : ops) {
      for (size_t la = 0; la < layouts.size(); ++la) {
        const Layout& lb = layouts[(la + 2) % layouts.size()];  // pair each layout with another
        // Positive bases so pow is defined; rounded to quarters so eq/le see ties.
        const Tensor a = mul(floor(mul(base_values(layouts[la].base_shape, dtype, 3, 0.5), 4.0)), 0.25);
        const Tensor b = mul(floor(mul(base_values(lb.base_shape, dtype, 4, 0.5), 4.0)), 0.25);
        const Tensor a_cpu = layouts[la].view(a), b_cpu = lb.view(b);
        const Tensor a_cuda = layouts[la].view(a.to(Device::CUDA)), b_cuda = lb.view(b.to(Device::CUDA));
        const std::string what =
            std::string(name) + " " + std::string(dtype_name(dtype)) + " " + layouts[la].name + " with " + lb.name;
        expect_close(op(a_cuda, b_cuda), op(a_cpu, b_cpu), rtol_for(dtype), 0, what);
      }
    }
  }
}

TEST(CudaElementwise, InPlaceBinaryWithBroadcastAndAliasing) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    const Tensor base = base_values({6, 4}, dtype, 5), row = base_values({4}, dtype, 6, 0.5);
    Tensor a_cpu = base.clone().t(), a_cuda = base.to(Device::CUDA).t();  // transposed destinations
    add_(a_cpu, row.view({4, 1}));
    add_(a_cuda, row.to(Device::CUDA).view({4, 1}));
    div_(a_cpu, row.view({4, 1}));
    div_(a_cuda, row.to(Device::CUDA).view({4, 1}));
    expect_close(a_cuda, a_cpu, rtol_for(dtype), 0, "add_/div_ broadcast");
    // x += x.t() reads from a copy on both devices.
    Tensor sq_cpu = base_values({5, 5}, dtype, 7), sq_cuda = sq_cpu.to(Device::CUDA);
    add_(sq_cpu, sq_cpu.t());
    add_(sq_cuda, sq_cuda.t());
    expect_close(sq_cuda, sq_cpu, 0, 0, "x += x.t()");
  }
}

TEST(CudaElementwise, WhereMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : kFloatTypes) {
    const Tensor cond = gt(base_values({4, 1}, dtype, 8), zeros({}, dtype));
    const Tensor a = base_values({6, 4}, dtype, 9).t(), b = base_values({6}, dtype, 10);
    expect_close(where(cond.to(Device::CUDA), a.to(Device::CUDA), b.to(Device::CUDA)), where(cond, a, b), 0, 0,
                 std::string("where ") + std::string(dtype_name(dtype)));
    // Views made on the device keep their strides (to() gives contiguous copies above).
    const Tensor a_dev = base_values({6, 4}, dtype, 9).to(Device::CUDA).t();
    expect_close(where(cond.to(Device::CUDA), a_dev, b.to(Device::CUDA)), where(cond, a, b), 0, 0, "where strided");
  }
}

TEST(CudaCopyKernel, EveryDtypePairAndLayoutIsBitExact) {
  SKIP_WITHOUT_CUDA();
  const DType dtypes[] = {DType::Float32, DType::Float64, DType::Int64};
  for (DType from : dtypes) {
    for (DType to : dtypes) {
      for (const Layout& layout : layouts_4x6()) {
        const Tensor base = mul(base_values(layout.base_shape, DType::Float64, 11), 50.0).to(from);
        const Tensor src_cpu = layout.view(base), src_cuda = layout.view(base.to(Device::CUDA));
        Tensor out_cpu = Tensor::empty({6, 4}, to).t(), out_cuda = Tensor::empty({6, 4}, to, Device::CUDA).t();
        out_cpu.copy_(src_cpu);
        out_cuda.copy_(src_cuda);  // a device-to-device copy with a cast: the strided kernel
        expect_close(out_cuda, out_cpu, 0, 0,
                     std::string(dtype_name(from)) + " -> " + std::string(dtype_name(to)) + " " + layout.name);
        expect_close(src_cuda.contiguous(), src_cpu.contiguous(), 0, 0, "contiguous() " + layout.name);
      }
    }
  }
}

TEST(CudaCopyKernel, FillAllDtypesAndAStridedView) {
  SKIP_WITHOUT_CUDA();
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    expect_close(full({3, 5}, 2.75, dtype, Device::CUDA), full({3, 5}, 2.75, dtype), 0, 0, "full");
    Tensor cuda = zeros({4, 6}, dtype, Device::CUDA), cpu = zeros({4, 6}, dtype);
    cuda.narrow(1, 1, 3).fill_(-7.5);
    cpu.narrow(1, 1, 3).fill_(-7.5);
    expect_close(cuda, cpu, 0, 0, "narrowed fill");
  }
}
