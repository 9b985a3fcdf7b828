// CLI11 declarations of the --sde flags of `diffuse train` (cli_sde.h).
#include "apps/cli_sde.h"

#include <CLI/CLI.hpp>

namespace apps {

void add_sde_train_flags(CLI::App* train, TrainOptions& o) {
  train
      ->add_option("--sde", o.sde,
                   "train a continuous-time model on this SDE (docs/math.md 4.3; sample it with sde-em, pc or "
                   "ode-*): vp | subvp | ve (default: a discrete DDPM model on --schedule)")
      ->check(CLI::IsMember({"vp", "subvp", "ve"}));
  train->add_option("--sigma-min", o.sigma_min, "--sde ve: the noise std at t = 0")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  train
      ->add_option("--sigma-max", o.sigma_max,
                   "--sde ve: the noise std at t = 1, the prior's (0: 50 for images, 10 for 2-D points)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace apps
