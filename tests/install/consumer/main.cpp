// Uses the layers through the installed umbrella headers: autograd computes
// d/dx sum(x^3 / 3) = x^2 at x = (1, 2, 3), whose sum 1 + 4 + 9 = 14 is the
// exit status check; a schedule comes from the diffusion layer.
#include <diffuse/autograd.h>
#include <diffuse/diffusion.h>
#include <diffuse/nn.h>
#include <diffuse/tensor.h>
#include <fmt/core.h>

int main() {
  autograd::Variable x(tensor::from_list({1.0, 2.0, 3.0}, tensor::DType::Float64), /*requires_grad=*/true);
  autograd::Variable y = sum(pow(x, 3.0) / 3.0);
  y.backward();
  const double grad_sum = tensor::sum(x.grad()).item();
  const diffusion::Schedule schedule = diffusion::linear_schedule(1000);
  fmt::print("grad_sum {} alpha_bar_T {:.3e}\n", grad_sum, schedule.alpha_bar.back());
  return grad_sum == 14.0 ? 0 : 1;
}
