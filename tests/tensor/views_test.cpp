// Views share storage; reshape/permute/narrow/expand compute the right strides.
#include <gtest/gtest.h>

#include "tensor/format.h"
#include "tensor/ops.h"

using namespace tensor;

TEST(Views, ReshapeOfContiguousIsAView) {
  Tensor a = arange(0, 24).reshape({2, 3, 4});
  Tensor b = a.reshape({6, 4});
  EXPECT_TRUE(b.shares_storage(a));
  EXPECT_EQ(b.strides(), (Shape{4, 1}));
  EXPECT_EQ(b.to_vector<float>()[13], 13.0f);
}

TEST(Views, ReshapeOfTransposeCopiesButViewThrows) {
  Tensor a = arange(0, 6).reshape({2, 3});
  Tensor t = a.t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_THROW(t.view({6}), Error);
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.shares_storage(a));
  EXPECT_EQ(r.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(Views, ViewSplitsAndMergesWithinContiguousChunks) {
  Tensor a = arange(0, 24).reshape({2, 3, 4}).permute({1, 0, 2});  // (3, 2, 4), strides (4, 12, 1)
  Tensor v = a.view({3, 2, 2, 2});                                   // split the last dim: fine
  EXPECT_EQ(v.strides(), (Shape{4, 12, 2, 1}));
  EXPECT_THROW(a.view({6, 4}), Error);                               // merge across the permuted dims: not a view
  Tensor u = arange(0, 6).view({1, 6, 1}).view({2, 3});
  EXPECT_EQ(u.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Views, InPlaceOpOnViewIsSeenThroughBase) {
  Tensor a = zeros({3, 4});
  Tensor row = a.select(0, 1);
  add_(row, 5.0);
  Tensor col = a.narrow(1, 2, 1);
  mul_(col, 2.0);
  const std::vector<float> v = a.to_vector<float>();
  EXPECT_EQ(v[4], 5.0f);   // row 1 col 0
  EXPECT_EQ(v[6], 10.0f);  // row 1 col 2: added then doubled
  EXPECT_EQ(v[2], 0.0f);   // row 0 col 2: doubled zero
}

TEST(Views, ExpandUsesZeroStrides) {
  Tensor a = from_list({1, 2, 3}).reshape({3, 1});
  Tensor e = a.expand({3, 4});
  EXPECT_EQ(e.strides(), (Shape{1, 0}));
  EXPECT_TRUE(e.shares_storage(a));
  EXPECT_EQ(e.contiguous().to_vector<float>()[5], 2.0f);
  EXPECT_THROW(a.expand({2, 4}), Error);
}

TEST(Views, NarrowSelectSqueezeUnsqueeze) {
  Tensor a = arange(0, 12).reshape({3, 4});
  EXPECT_EQ(a.narrow(1, 1, 2).to_vector<float>(), (std::vector<float>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(a.select(1, -1).to_vector<float>(), (std::vector<float>{3, 7, 11}));
  EXPECT_EQ(a.unsqueeze(0).shape(), (Shape{1, 3, 4}));
  EXPECT_EQ(a.unsqueeze(-1).shape(), (Shape{3, 4, 1}));
  EXPECT_EQ(a.unsqueeze(1).squeeze(1).shape(), (Shape{3, 4}));
  EXPECT_THROW(a.squeeze(0), Error);
  EXPECT_THROW(a.narrow(0, 2, 2), Error);
}

TEST(Views, ErrorsNameTheOpAndShapes) {
  Tensor a = zeros({2, 3});
  try {
    a.reshape({4, 2});
    FAIL() << "reshape should throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[reshape]"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos);
  }
}

TEST(Format, PrintsValuesShapeDtypeDevice) {
  const std::string s = fmt::format("{}", from_list({1, 2}));
  EXPECT_EQ(s, "tensor([1.0000, 2.0000], shape=(2,), dtype=float32, device=cpu)");
  const std::string big = fmt::format("{}", arange(0, 100));
  EXPECT_NE(big.find("..."), std::string::npos);
  EXPECT_NE(big.find("99.0000"), std::string::npos);
}
