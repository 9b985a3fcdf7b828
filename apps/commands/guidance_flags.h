// The flags of `diffuse sample` that guide it towards one class
// (docs/math.md section 12): --class, --guidance and --classifier. Kept apart
// from commands.h so that adding a flag touches only the guidance files.
#pragma once
#include <string>

namespace apps {

struct GuidanceFlags {
  int64_t class_index = -1;   // --class K (counted from 0); -1: unguided
  double weight = 1.0;        // --guidance W: 1 the conditional model, 0 the unconditional one
  std::string classifier;     // --classifier FILE: classifier guidance (12.2) instead of classifier-free (12.1)
  bool weight_given = false;  // --guidance was on the command line (it needs --class)
};

}  // namespace apps
