// The whole diffusion layer in one include (installed as <diffuse/diffusion.h>):
// schedules, training, every sampler, SDEs and ODEs, likelihoods, metrics,
// the Gaussian-mixture oracle and Analytic-DPM. Include the single headers
// instead where compile time matters.
#pragma once
#include "diffusion/analytic/analytic.h"
#include "diffusion/data_parallel.h"
#include "diffusion/ddim.h"
#include "diffusion/ddpm.h"
#include "diffusion/dpm_solver.h"
#include "diffusion/edm.h"
#include "diffusion/flow_reference.h"
#include "diffusion/likelihood.h"
#include "diffusion/metrics.h"
#include "diffusion/model.h"
#include "diffusion/ode.h"
#include "diffusion/oracle.h"
#include "diffusion/prediction.h"
#include "diffusion/predictor_corrector.h"
#include "diffusion/probability_flow.h"
#include "diffusion/reverse_sde.h"
#include "diffusion/sampling.h"
#include "diffusion/schedule.h"
#include "diffusion/sde.h"
#include "diffusion/sde_network.h"
#include "diffusion/timesteps.h"
#include "diffusion/training.h"
#include "nn/nn.h"
