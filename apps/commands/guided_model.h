// Guidance for `diffuse sample` (docs/math.md section 12): checks --class,
// --guidance and --classifier against the model they guide and sets the
// LoadedModel's guidance, so every sampler gets the guided eps unchanged.
#pragma once
#include <string>

#include "apps/commands/guidance_flags.h"
#include "apps/commands/model_source.h"

namespace apps {

// Classifier-free (12.1) needs a model with classes (train --conditional) or
// the oracle (class k = component k, (12.3)); --classifier FILE (12.2) works
// with any model whose data and schedule the classifier was trained on;
// --classifier oracle is the exact classifier of the oracle (log r_k, 10.2).
// Throws apps::Error for a class the model does not have, flags without
// --class, or a classifier that does not fit.
void apply_guidance(LoadedModel& model, const GuidanceFlags& flags);

// ", class K, guidance W" (or "" unguided): for titles and reports.
std::string guidance_caption(const GuidanceFlags& flags);

}  // namespace apps
