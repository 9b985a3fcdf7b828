// Edge cases of the views beyond views_test.cpp: 0-dim and empty tensors,
// -1 in shapes, strides after unsqueeze/permute, and bad-dim errors.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "error_util.h"

using namespace tensor;

namespace {
using tensor_test::contains;
using tensor_test::error_of;
}  // namespace

TEST(ViewsEdge, ZeroDimTensorsHaveNoDimToIndex) {
  const Tensor s = scalar(3);
  EXPECT_EQ(s.reshape({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(s.unsqueeze(0).shape(), (Shape{1}));
  EXPECT_EQ(s.expand({2, 3}).to_vector<float>(), std::vector<float>(6, 3.0f));
  EXPECT_EQ(from_list({4}).reshape({}).item(), 4.0);
  // size, narrow and select need a dim a 0-dim tensor does not have (as in PyTorch)...
  EXPECT_TRUE(contains(error_of([&] { s.size(0); }), "[size]"));
  EXPECT_TRUE(contains(error_of([&] { s.narrow(0, 0, 1); }), "[narrow]"));
  EXPECT_TRUE(contains(error_of([&] { s.select(-1, 0); }), "[select]"));
  // ...while squeeze and transpose of dim 0 (or -1) leave it as it is.
  EXPECT_EQ(s.squeeze(0).item(), 3.0);
  EXPECT_EQ(s.transpose(0, -1).dim(), 0);
}

TEST(ViewsEdge, ReshapeInfersMinusOneAndRejectsBadShapes) {
  const Tensor x = arange(0, 12);
  EXPECT_EQ(x.reshape({-1, 4}).shape(), (Shape{3, 4}));
  EXPECT_EQ(x.reshape({2, -1, 2}).shape(), (Shape{2, 3, 2}));
  EXPECT_TRUE(contains(error_of([&] { x.reshape({-1, -1}); }), "[reshape]"));
  EXPECT_TRUE(contains(error_of([&] { x.reshape({5, -1}); }), "(12,)"));
  EXPECT_TRUE(contains(error_of([&] { x.view({-2, 6}); }), "[view]"));
  // An empty tensor reshapes freely among empty shapes.
  EXPECT_EQ(zeros({0, 4}).reshape({2, 0, 3}).numel(), 0);
}

TEST(ViewsEdge, StridesOfPermuteUnsqueezeAndContiguous) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.permute({2, 0, 1}).strides(), (Shape{1, 12, 4}));
  EXPECT_EQ(x.unsqueeze(1).strides(), (Shape{12, 12, 4, 1}));
  EXPECT_TRUE(x.unsqueeze(3).is_contiguous());
  EXPECT_FALSE(x.permute({2, 0, 1}).is_contiguous());
  const Tensor c = x.permute({2, 0, 1}).contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.strides(), (Shape{6, 3, 1}));
  EXPECT_TRUE(x.contiguous().shares_storage(x));  // already contiguous: no copy
  EXPECT_FALSE(x.clone().shares_storage(x));
  // A size-1 dim's stride never matters for contiguity.
  EXPECT_TRUE(x.narrow(1, 1, 1).narrow(0, 0, 1).is_contiguous());
  EXPECT_TRUE(contains(error_of([&] { x.permute({0, 0, 1}); }), "[permute]"));
  EXPECT_TRUE(contains(error_of([&] { x.permute({0, 1}); }), "[permute]"));
  EXPECT_TRUE(contains(error_of([&] { x.transpose(0, 3); }), "[transpose]"));
  EXPECT_TRUE(contains(error_of([&] { x.select(1, 3); }), "[select]"));
  EXPECT_TRUE(contains(error_of([&] { x.unsqueeze(5); }), "[unsqueeze]"));
  EXPECT_TRUE(contains(error_of([&] { x.expand({3, 4}); }), "[expand]"));
}

TEST(ViewsEdge, ViewOfASliceKeepsItsOffset) {
  const Tensor x = arange(0, 24).reshape({4, 6});
  const Tensor rows = x.narrow(0, 1, 2);  // rows 1 and 2: contiguous, offset 6
  EXPECT_EQ(rows.offset(), 6);
  EXPECT_EQ(rows.view({12}).to_vector<float>()[0], 6.0f);
  const Tensor cols = x.narrow(1, 2, 2);  // not contiguous across rows
  EXPECT_TRUE(contains(error_of([&] { cols.view({8}); }), "[view]"));
  EXPECT_EQ(cols.reshape({8}).to_vector<float>(), (std::vector<float>{2, 3, 8, 9, 14, 15, 20, 21}));
  EXPECT_EQ(x.select(1, 5).select(0, 3).item(), 23.0);
}
