// CLI11 declarations of the sample-quality commands (cli_sample_quality.h).
#include "apps/cli_sample_quality.h"

#include <CLI/CLI.hpp>

#include "apps/cli_validators.h"
#include "apps/data/dataset.h"
#include "apps/data/labeled_images.h"

namespace apps {

CLI::App* add_train_classifier(CLI::App& app, TrainClassifierOptions& o) {
  CLI::App* cmd = app.add_subcommand("train-classifier",
                                     "train the image classifier whose features `diffuse score` compares (docs/math.md "
                                     "11.3); prints its test accuracy "
                                     "and writes FILE.safetensors");
  cmd->add_option("--data", o.data, std::string("labeled training images: ") + kLabeledDataHelp)->capture_default_str();
  cmd->add_option("--test-data", o.test_data,
                  "labeled test images for the accuracy (default: fashion-mnist-test for fashion-mnist)");
  cmd->add_option("--steps", o.steps, "AdamW steps")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--batch", o.batch, "batch size")->check(whole_number(1))->capture_default_str();
  cmd->add_option("--lr", o.lr, "AdamW learning rate")->check(CLI::Range(1e-8, 1.0))->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the weights and the batches")->capture_default_str();
  cmd->add_option("--channels", o.channels,
                  "channels of the first convolution (the next two have twice as many); default 32, 16 with --noisy")
      ->check(whole_number(1));
  cmd->add_option("--features", o.features,
                  "width of the feature layer the distance compares; default 128, 64 with --noisy on images, "
                  "the MLP's width (128) with --noisy on points")
      ->check(whole_number(1));
  cmd->add_option("--out", o.out, "FILE.safetensors")->required();
  cmd->add_flag("--noisy", o.noisy,
                "a noise-aware classifier of labeled 2-D points (an MLP) or images (a time-aware CNN), on x_t at "
                "every t, for sample --classifier (docs/math.md 12.2)");
  cmd->add_option("--schedule", o.schedule, "--noisy: the noise schedule of the x_t it learns on")
      ->check(CLI::IsMember({"linear", "cosine", "blog"}))
      ->capture_default_str();
  add_device_flag(cmd, o.device);
  return cmd;
}

CLI::App* add_score(CLI::App& app, ScoreOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "score", "Frechet distance between classifier features of samples and of reference images (docs/math.md 11.3)");
  cmd->add_option("--samples", o.samples, std::string("FILE.npy (from diffuse sample) or data: ") + kDataHelp)
      ->required();
  cmd->add_option("--ref", o.ref, std::string("reference images: ") + kDataHelp)->capture_default_str();
  cmd->add_option("--classifier", o.classifier, "FILE.safetensors from diffuse train-classifier");
  cmd->add_option("--features", o.features,
                  "classifier: the --classifier's features; pixels: 4 x 4 block means per channel, no classifier "
                  "(any channels and size: the path for RGB sets)")
      ->check(CLI::IsMember({"classifier", "pixels"}))
      ->capture_default_str();
  cmd->add_option("--n", o.n, "images taken from each set")->check(whole_number(2))->capture_default_str();
  cmd->add_option("--seed", o.seed, "which n images, when a set holds more")->capture_default_str();
  cmd->add_option("--class", o.class_index,
                  "also report the share of samples the classifier labels K (counted from 0): what sample --class K "
                  "--guidance W should raise")
      ->check(whole_number(0));
  cmd->add_flag("--json", o.json, "print the result as one JSON object on the last line");
  add_device_flag(cmd, o.device);
  return cmd;
}

}  // namespace apps
