// The flags of issue #6 (Analytic-DPM) for cli.cpp: the subcommands
// estimate-gamma and train-cov, and the flags sample and nll take for the
// optimal variance. Declared with CLI11 like the rest of cli.cpp; the work is
// in commands/analytic*.cpp.
#pragma once
#include "apps/commands/analytic.h"

namespace CLI {
class App;
}

namespace apps {

// Without --ckpt/--oracle: cli.cpp adds those as for every model command.
CLI::App* add_estimate_gamma(CLI::App& app, EstimateGammaOptions& options);
CLI::App* add_train_cov(CLI::App& app, TrainCovOptions& options);

void add_analytic_sample_flags(CLI::App* sample, AnalyticFlags& flags);
void add_analytic_nll_flags(CLI::App* nll, AnalyticFlags& flags);

}  // namespace apps
