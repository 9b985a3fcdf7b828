// Reductions and softmax against closed forms: sums of ranges, the variance
// of known data, keepdim shapes, strided inputs, long reductions split over
// threads, and the errors of a bad dim.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"
#include "tensor/random.h"

using namespace tensor;

TEST(Reduce, SumOfArangeIsTriangular) {
  for (int64_t n : {1, 10, 1000, 100000, 3000000}) {  // the last two split over threads
    const double want = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
    EXPECT_EQ(sum(arange(0, static_cast<double>(n), 1, DType::Float64)).item(), want) << n;
    // float32 input, accumulated in double: exact while partial sums fit in 2^53.
    EXPECT_NEAR(sum(arange(0, static_cast<double>(n))).item(), want, want * 1e-7) << n;
  }
}

TEST(Reduce, OverDimsWithAndWithoutKeepdim) {
  const Tensor x = arange(0, 24, 1, DType::Float64).reshape({2, 3, 4});  // x[i][j][k] = 12i + 4j + k
  EXPECT_EQ(sum(x, {0}).to_vector<double>(), (std::vector<double>{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}));
  EXPECT_EQ(sum(x, {2}).to_vector<double>(), (std::vector<double>{6, 22, 38, 54, 70, 86}));
  EXPECT_EQ(sum(x, {0, 2}).to_vector<double>(), (std::vector<double>{60, 92, 124}));
  EXPECT_EQ(sum(x, {-1, 0}, true).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(sum(x, {1}).shape(), (Shape{2, 4}));
  EXPECT_EQ(sum(x).shape(), (Shape{}));
  EXPECT_EQ(sum(x, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(mean(x, {1}).to_vector<double>(), (std::vector<double>{4, 5, 6, 7, 16, 17, 18, 19}));
  EXPECT_EQ(amax(x, {1, 2}).to_vector<double>(), (std::vector<double>{11, 23}));
  EXPECT_EQ(amin(x, {0}, true).to_vector<double>()[5], 5.0);
  EXPECT_EQ(mean(x).item(), 11.5);
}

TEST(Reduce, StridedInputsReduceWhatTheViewShows) {
  const Tensor x = arange(0, 24, 1, DType::Float64).reshape({4, 6});
  const Tensor t = x.t();  // (6, 4)
  EXPECT_EQ(sum(t, {1}).to_vector<double>(), sum(x, {0}).to_vector<double>());
  const Tensor window = x.narrow(1, 2, 3);  // columns 2..4
  EXPECT_EQ(sum(window, {1}).to_vector<double>(), (std::vector<double>{9, 27, 45, 63}));
  const Tensor expanded = from_list({1, 2, 3}, DType::Float64).expand({5, 3});
  EXPECT_EQ(sum(expanded, {0}).to_vector<double>(), (std::vector<double>{5, 10, 15}));
  EXPECT_EQ(amax(t, {0}).to_vector<double>(), (std::vector<double>{5, 11, 17, 23}));
}

TEST(Reduce, FewOutputsLongReductionsSplitOverThreads) {
  // Two outputs of 2M elements each: the threads split each reduction.
  const int64_t n = 2000000;
  const Tensor x = arange(0, 2 * n, 1, DType::Float64).reshape({2, n});
  const std::vector<double> s = sum(x, {1}).to_vector<double>();
  EXPECT_EQ(s[0], static_cast<double>(n) * (n - 1) / 2);
  EXPECT_EQ(s[1], static_cast<double>(n) * (n - 1) / 2 + static_cast<double>(n) * n);
  EXPECT_EQ(amax(x, {1}).to_vector<double>(), (std::vector<double>{n - 1.0, 2 * n - 1.0}));
  EXPECT_EQ(amin(x, {1}).to_vector<double>(), (std::vector<double>{0, static_cast<double>(n)}));
  // Reducing the leading dim of a long row (a strided inner step).
  EXPECT_EQ(sum(x, {0}).to_vector<double>()[n - 1], (n - 1.0) + (2 * n - 1.0));
}

TEST(Reduce, ColumnSumsAddInTheOrderOfOneColumnAlone) {
  // A bias gradient's shape: the sum over dim 0 takes reduce.cpp's column
  // path (kColumns outputs at a time, here 64 and then 6), with 40,000 rows in
  // two blocks of kReduceBlock. Each column must give the bits it gives alone
  // (float64, where adding in another order shows in the last bits).
  Generator gen(5);
  const Tensor x = randn({40000, 70}, gen, DType::Float64);
  const std::vector<double> columns = sum(x, {0}).to_vector<double>();
  for (int64_t j = 0; j < 70; ++j) EXPECT_EQ(columns[j], sum(x.narrow(1, j, 1)).item()) << "column " << j;
  const std::vector<double> maxima = amax(x, {0}).to_vector<double>();
  for (int64_t j = 0; j < 70; j += 23) EXPECT_EQ(maxima[j], amax(x.narrow(1, j, 1), {0}).item()) << "column " << j;
}

TEST(Reduce, VarianceOfKnownData) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32.
  const Tensor x = from_list({2, 4, 4, 4, 5, 5, 7, 9}, DType::Float64);
  EXPECT_DOUBLE_EQ(var(x).item(), 32.0 / 7);
  EXPECT_DOUBLE_EQ(var(x, {}, false, 0).item(), 4.0);
  const Tensor rows = x.reshape({2, 4});  // (2, 4, 4, 4) and (5, 5, 7, 9)
  EXPECT_EQ(var(rows, {1}, false, 0).to_vector<double>(), (std::vector<double>{0.75, 2.75}));
  EXPECT_EQ(var(rows, {0}, true).shape(), (Shape{1, 4}));
  // A large offset does not destroy the variance (two-pass algorithm).
  EXPECT_NEAR(var(add(x, 1e8)).item(), 32.0 / 7, 1e-6);
  EXPECT_THROW(var(from_list({1.0})), Error);  // one element, correction 1: no degrees of freedom
}

TEST(Reduce, MaxAndMinPropagateNaN) {
  const Tensor x = from_list({1, NAN, 3});
  EXPECT_TRUE(std::isnan(amax(x).item()));
  EXPECT_TRUE(std::isnan(amin(x).item()));
  // In a long contiguous row the kernel keeps several partial results; a NaN
  // in any of them, or in the tail, must still win.
  for (int64_t at : {0, 5, 13, 18}) {
    Tensor row = arange(0, 19);
    row.narrow(0, at, 1).fill_(NAN);
    EXPECT_TRUE(std::isnan(amax(row).item())) << at;
    EXPECT_TRUE(std::isnan(amin(row).item())) << at;
    EXPECT_FALSE(std::isnan(sum(row.narrow(0, at == 0 ? 1 : 0, at == 0 ? 18 : at)).item())) << at;
  }
}

TEST(Reduce, ExtremumFoundAtEveryPositionOfALongRow) {
  // The largest and smallest values placed at each position in turn (lanes and tail alike).
  for (int64_t at = 0; at < 21; ++at) {
    Tensor row = sin(arange(0, 21));
    row.narrow(0, at, 1).fill_(5);
    EXPECT_EQ(amax(row).item(), 5.0) << at;
    row.narrow(0, at, 1).fill_(-5);
    EXPECT_EQ(amin(row).item(), -5.0) << at;
  }
}

TEST(Reduce, SumToShapeUndoesBroadcasting) {
  const Tensor g = ones({2, 3, 4}, DType::Float64);
  EXPECT_EQ(sum_to_shape(g, {3, 1}).to_vector<double>(), (std::vector<double>{8, 8, 8}));
  EXPECT_EQ(sum_to_shape(g, {4}).to_vector<double>(), (std::vector<double>{6, 6, 6, 6}));
  EXPECT_EQ(sum_to_shape(g, {}).item(), 24.0);
  EXPECT_EQ(sum_to_shape(g, {2, 3, 4}).shape(), (Shape{2, 3, 4}));
  EXPECT_THROW(sum_to_shape(g, {2, 4}), Error);
}

TEST(Reduce, BadDimsNameTheOp) {
  const Tensor x = zeros({2, 3});
  try {
    sum(x, {2});
    FAIL() << "dim 2 of a 2-D tensor";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[sum]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dim 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mean(x, {0, 0}), Error);
  EXPECT_THROW(amax(x, {-3}), Error);
  EXPECT_THROW(amax(zeros({0, 3}), {0}), Error);      // a max over nothing
  EXPECT_EQ(sum(zeros({0, 3}), {0}).to_vector<float>(), (std::vector<float>{0, 0, 0}));  // a sum over nothing is 0
  EXPECT_THROW(sum(zeros({2}, DType::Int64)), Error);
  EXPECT_THROW(softmax(x, 2), Error);
}

TEST(Softmax, ValuesAlongEachDim) {
  const Tensor x = from_list({1, 2, 3, 1, 1, 1}, DType::Float64).reshape({2, 3});
  const std::vector<double> s = softmax(x, -1).to_vector<double>();
  const double z = std::exp(1) + std::exp(2) + std::exp(3);
  EXPECT_NEAR(s[0], std::exp(1) / z, 1e-15);
  EXPECT_NEAR(s[2], std::exp(3) / z, 1e-15);
  EXPECT_NEAR(s[4], 1.0 / 3, 1e-15);
  const std::vector<double> c = softmax(x, 0).to_vector<double>();  // columns (1,1), (2,1), (3,1)
  EXPECT_NEAR(c[0], 0.5, 1e-15);
  EXPECT_NEAR(c[2], std::exp(3) / (std::exp(3) + std::exp(1)), 1e-15);
  EXPECT_NEAR(log_softmax(x, -1).to_vector<double>()[1], 2 - std::log(z), 1e-14);
  EXPECT_EQ(softmax(x, 0).shape(), (Shape{2, 3}));
  // Huge logits do not overflow: the row max is subtracted first.
  const std::vector<float> big = softmax(from_list({1000, 1000}), 0).to_vector<float>();
  EXPECT_EQ(big, (std::vector<float>{0.5f, 0.5f}));
  EXPECT_EQ(softmax(scalar(3), 0).item(), 1.0);
}
