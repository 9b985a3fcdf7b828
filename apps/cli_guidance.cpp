// CLI11 declarations of the guidance flags (cli_guidance.h).
#include "apps/cli_guidance.h"

#include <CLI/CLI.hpp>

#include "apps/cli_validators.h"

namespace apps {

void add_guidance_flags(CLI::App* sample, GuidanceFlags& flags) {
  sample
      ->add_option("--class", flags.class_index,
                   "draw class K (from 0; a --conditional model's label, the oracle's component K)")
      ->check(whole_number(0));
  sample
      ->add_option("--guidance", flags.weight,
                   "--class: guidance weight W, 1 the conditional model, 0 the unconditional, >1 sharper "
                   "(docs/math.md 12.1-12.2)")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  sample->add_option("--classifier", flags.classifier,
                     "--class: classifier guidance with FILE.safetensors from train-classifier --noisy (12.2), or "
                     "'oracle' with --oracle (the exact classifier)");
}

void note_guidance_flags(const CLI::App* sample, GuidanceFlags& flags) {
  flags.weight_given = sample->count("--guidance") > 0;
}

}  // namespace apps
