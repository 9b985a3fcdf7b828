// The flags of `diffuse train` that pick a continuous-time model: --sde and
// VE's --sigma-min/--sigma-max (docs/math.md 4.3, 4.10). Declared with CLI11
// like the rest of cli.cpp; the checks and the work are in commands/sde_model.cpp.
#pragma once
#include "apps/commands/commands.h"

namespace CLI {
class App;
}

namespace apps {

void add_sde_train_flags(CLI::App* train, TrainOptions& options);

}  // namespace apps
