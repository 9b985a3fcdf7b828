// The flags of the image sample-quality commands for cli.cpp: `diffuse
// train-classifier` and `diffuse score` (docs/math.md (11.3)). Declared with CLI11
// like the rest of cli.cpp; the work is in commands/train_classifier.cpp and
// commands/score.cpp.
#pragma once
#include "apps/commands/score.h"
#include "apps/commands/train_classifier.h"

namespace CLI {
class App;
}

namespace apps {

CLI::App* add_train_classifier(CLI::App& app, TrainClassifierOptions& options);
CLI::App* add_score(CLI::App& app, ScoreOptions& options);

}  // namespace apps
