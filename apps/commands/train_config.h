// DIR/config.json of `diffuse train`: the settings a run started with, as
// readable JSON whose keys are the flags' names without "--" ("ckpt-every":
// 1000), and the flags that `diffuse train --config FILE` reads back from it,
// so CLI11 checks them like typed ones and typed flags come after and win.
#pragma once
#include <string>
#include <vector>

#include "apps/commands/commands.h"

namespace apps {

// One JSON object, keys sorted, two-space indent. Leaves out --out, --resume,
// --config and --log-every (where and how a run is logged, not what it is).
std::string train_config_json(const TrainOptions& o);

// The flags of FILE's settings ({"lr": 0.001, "ema-warmup": false} ->
// --lr 0.001 --no-ema-warmup). Throws apps::Error naming the file and the
// key for unreadable JSON, an unknown key or a value of the wrong type.
std::vector<std::string> train_config_flags(const std::string& path);

// `diffuse train --recipe NAME`: a named set of settings, as flags that go in
// before --config's and the typed ones (which win). "fast" is the best
// Fashion-MNIST recipe found for one hour of two CPU cores (docs/recipe.md).
// Throws apps::Error for an unknown name, listing the known ones.
std::vector<std::string> train_recipe_flags(const std::string& name);

}  // namespace apps
