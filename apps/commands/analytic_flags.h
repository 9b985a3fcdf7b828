// The flags `diffuse sample` and `diffuse nll` take for the optimal reverse
// variance (Analytic-DPM, docs/math.md sections 7-9): which trajectory, which
// estimate of C_t, and where the Gamma table and covariance head live. Kept
// apart from commands.h so that adding a flag touches only the analytic files.
#pragma once
#include <string>

namespace apps {

struct AnalyticFlags {
  std::string trajectory = "even";      // even | quadratic (sample only) | optimal (docs/math.md (9.3))
  std::string c_estimate = "residual";  // residual (7.3r) | gamma (7.2)
  std::string c_clip = "non-negative";  // non-negative | bounds (7.6); Note [Clipping the residual estimate]
  std::string protocol = "reference";   // reference | legacy: Note [Reference protocol] (diffusion/analytic/variance.h)
  std::string gamma;                    // the Gamma table (default: beside the checkpoint)
  std::string cov_head;                 // the covariance head (default: beside the checkpoint)
  bool json = false;                    // nll: the last line is the bound as one JSON object
};

}  // namespace apps
