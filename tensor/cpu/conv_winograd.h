// 3x3 convolutions with stride 1 and padding 1 by Winograd's minimal
// filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016): see Note [Winograd F(2x2, 3x3)] in
// conv_winograd.cpp; the weight gradient by F(3x3, 2x2), Note [Winograd
// weight gradient]. Used by conv.cpp for float32 where they are faster than
// im2col + GEMM.
#pragma once
#include <cstdint>

namespace tensor::cpu {

// Whether conv.cpp takes this route (forward, input gradient and weight
// gradient alike): a float32 3x3 kernel, stride 1, padding 1 (output size =
// input size), an image of at least kWinogradMinSide on each side and
// kWinogradMinChannels channels in and out (with fewer, the GEMMs are too
// thin to pay for the transforms: 1 -> 32 and 32 -> 1 at 28x28 ran 1.5 to
// 4.6 times slower this way), unless DIFFUSE_WINOGRAD=0 is set. At 7x7 the
// forward took 0.77 of im2col's time, and the weight gradient 0.91 since its
// GEMMs are NN (docs/benchmarks.md; as NT they had made it slower there).
constexpr int64_t kWinogradMinSide = 7, kWinogradMinChannels = 16;
bool winograd_applies(int64_t C, int64_t O, int64_t KH, int64_t KW, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                      int64_t pad_w, int64_t H, int64_t W);

// out (N, O, H, W) = conv3x3(x (N, C, H, W), w (O, C, 3, 3), padding 1) + bias (or none), all contiguous.
// One task per image, so an image's bits do not depend on its batch
// (Note [One image per GEMM] in conv.cpp).
void winograd_conv3x3(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x, const float* w,
                      const float* bias, float* out);

// grad_w (O, C, 3, 3) of the same convolution from x (N, C, H, W) and
// grad_out (N, O, H, W), by F(3x3, 2x2) (Note [Winograd weight gradient]):
// images summed in `groups` groups of `group_size` consecutive images, each
// group in image order, the groups in group order.
void winograd_conv3x3_weight_grad(int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, const float* x,
                                  const float* grad_out, int64_t groups, int64_t group_size, float* grad_w);

}  // namespace tensor::cpu
