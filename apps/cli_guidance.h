// The guidance flags of `diffuse sample` for cli.cpp (--class, --guidance,
// --classifier; docs/math.md section 12). Declared with CLI11 like the rest
// of cli.cpp; the work is in commands/guided_model.cpp.
#pragma once
#include "apps/commands/guidance_flags.h"

namespace CLI {
class App;
}

namespace apps {

void add_guidance_flags(CLI::App* sample, GuidanceFlags& flags);

// After parsing: records whether --guidance was given (it needs --class).
void note_guidance_flags(const CLI::App* sample, GuidanceFlags& flags);

}  // namespace apps
