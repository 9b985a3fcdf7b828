// Factories (full, arange, linspace, from_vector, scalar) and dtype conversion,
// checked against closed forms.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

using namespace tensor;

TEST(Factory, FullZerosOnesScalar) {
  const Tensor f = full({2, 3}, 2.5, DType::Float64);
  EXPECT_EQ(f.shape(), (Shape{2, 3}));
  EXPECT_EQ(f.strides(), (Shape{3, 1}));
  EXPECT_EQ(f.to_vector<double>(), std::vector<double>(6, 2.5));
  EXPECT_EQ(zeros({4}).to_vector<float>(), std::vector<float>(4, 0.0f));
  EXPECT_EQ(ones({2, 2}, DType::Int64).to_vector<int64_t>(), std::vector<int64_t>(4, 1));
  EXPECT_EQ(full_like(f, -1).dtype(), DType::Float64);
  const Tensor s = scalar(7);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 7.0);
  EXPECT_EQ(zeros({0, 3}).numel(), 0);
  EXPECT_THROW(zeros({2, -1}), Error);
}

TEST(Factory, Arange) {
  EXPECT_EQ(arange(0, 5).to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(2, 9, 3).to_vector<float>(), (std::vector<float>{2, 5, 8}));
  EXPECT_EQ(arange(5, 0, -2).to_vector<float>(), (std::vector<float>{5, 3, 1}));
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(5, 0).numel(), 0);  // a positive step never reaches a smaller end
  EXPECT_EQ(arange(0, 1, 0.25, DType::Float64).to_vector<double>(), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(arange(0, 4, 1, DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_THROW(arange(0, 1, 0), Error);
}

TEST(Factory, Linspace) {
  EXPECT_EQ(linspace(0, 1, 5, DType::Float64).to_vector<double>(), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(linspace(2, -2, 3).to_vector<float>(), (std::vector<float>{2, 0, -2}));
  EXPECT_EQ(linspace(3, 9, 1).to_vector<float>(), (std::vector<float>{3}));
  EXPECT_EQ(linspace(0, 1, 0).numel(), 0);
  // The end point is exact, not start + (steps - 1) * step with rounding.
  EXPECT_EQ(linspace(0.1, 0.7, 7, DType::Float64).to_vector<double>().back(), 0.7);
  EXPECT_THROW(linspace(0, 1, -1), Error);
}

TEST(Factory, FromVectorChecksTheCount) {
  const Tensor t = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.select(1, 2).to_vector<float>(), (std::vector<float>{3, 6}));
  try {
    from_vector(std::vector<double>{1, 2, 3}, {2, 2});
    FAIL() << "3 values cannot fill (2, 2)";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[from_vector]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(2, 2)"), std::string::npos);
  }
}

TEST(DType, ConversionsRoundTripAndTruncate) {
  const Tensor d = from_list({1.5, -2.25, 3.0e10, 0.1}, DType::Float64);
  const Tensor f = d.to(DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{1.5f, -2.25f, 3.0e10f, 0.1f}));
  EXPECT_EQ(f.to(DType::Float64).to_vector<double>()[3], static_cast<double>(0.1f));  // rounded once, to float
  // Float to int truncates toward zero, like a C++ cast (and torch's .long()).
  EXPECT_EQ(from_list({1.9, -1.9, 2.0}).to(DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{1, -1, 2}));
  EXPECT_EQ(from_vector(std::vector<int64_t>{3, -4}, {2}).to(DType::Float32).to_vector<float>(),
            (std::vector<float>{3, -4}));
  // Converting a strided view converts what the view shows.
  const Tensor m = arange(0, 6, 1, DType::Float64).reshape({2, 3}).t();
  EXPECT_EQ(m.to(DType::Float32).to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  // to() with the same dtype is the same tensor, not a copy.
  EXPECT_TRUE(d.to(DType::Float64).shares_storage(d));
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_name(DType::Int64), "int64");
}

TEST(DType, CopyBetweenDtypesAndFill) {
  Tensor out = zeros({2, 3}, DType::Float64);
  out.copy_(from_list({1, 2, 3}));  // float32 row broadcast into float64 rows
  EXPECT_EQ(out.to_vector<double>(), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  out.narrow(1, 1, 1).fill_(-1);
  EXPECT_EQ(out.to_vector<double>(), (std::vector<double>{1, -1, 3, 1, -1, 3}));
  EXPECT_THROW(out.copy_(zeros({4})), Error);
}

TEST(DType, ItemAndToVector) {
  EXPECT_EQ(from_list({4.0}).item(), 4.0);
  EXPECT_EQ(from_vector(std::vector<int64_t>{9}, {1, 1}).item(), 9.0);
  EXPECT_THROW(zeros({2}).item(), Error);
  try {
    zeros({2}).data<double>();
    FAIL() << "data<double>() on float32 should throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("float32"), std::string::npos);
  }
}
