// Analytic-DPM and Extended-Analytic-DPM in one include (docs/math.md sections
// 7-9; tutorial: docs/analytic-dpm.md). The entry points a command line needs:
//
//   estimate_gamma(model, data, schedule, timesteps, {samples, batch_size, seed, range, progress})
//       -> GammaTable: Gamma_t (7.3) and the residual (7.3r) for every t      gamma_table.h
//   save_gamma_table(table, gamma_table_path(run_dir)) / load_gamma_table(path)
//   parse_c_estimate("residual" | "gamma") -> CEstimate; table.c(schedule, t, estimate) = clipped C_t (7.6)
//   make_cov_head_mlp(d, gen); train_cov_head(head, CovKind::NPR | SN, eps_model, data, schedule, options)
//                                                                               cov_head.h
//   optimal_trajectory(schedule, table.c_all(schedule, estimate), K) -> tau_1..tau_K (9.3)   trajectory.h
//   make_sampler("analytic-ddpm" | "analytic-ddim" | "npr-ddpm" | "npr-ddim" | "sn-ddpm" | "sn-ddim",
//                SamplerSetup{schedule, timesteps, ddim_eta, &table, estimate, head, bounds, images})
//       -> OptimalVarianceSampler; .sample(model, shape, seed)                 samplers.h
//   kstep_elbo(model, data, schedule, trajectory, {variance, &table, estimate, head, images, ...})
//       -> KStepElbo {nll, std_error, unit, steps, variance, trajectory}; .to_json()   kstep_elbo.h
//
// The per-jump formulas (7.1)-(7.7) are variance.h; the ELBO's Gaussian terms gaussian_terms.h.
#pragma once
#include "diffusion/analytic/cov_head.h"
#include "diffusion/analytic/gamma_table.h"
#include "diffusion/analytic/gaussian_terms.h"
#include "diffusion/analytic/kstep_elbo.h"
#include "diffusion/analytic/samplers.h"
#include "diffusion/analytic/trajectory.h"
#include "diffusion/analytic/variance.h"
