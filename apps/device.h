// The --device flag of the commands that run a model: "cpu" (the default) or
// "cuda", checked against this build and this machine with one clear line.
// A command moves its model once and its batches as they come; files are
// always written from host copies.
#pragma once
#include <string>

#include "tensor/device.h"

namespace apps {

// "cpu" -> CPU; "cuda" -> CUDA when built with the backend and a device is
// present; otherwise throws apps::Error (exit status 2 from the CLI).
tensor::Device parse_device(const std::string& name);

}  // namespace apps
