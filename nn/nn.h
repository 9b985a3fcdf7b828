// The whole nn layer in one include: Module, the layers, the models.
// Include the single headers instead where compile time matters.
#pragma once
#include "nn/init.h"
#include "nn/layers/activation.h"
#include "nn/layers/attention.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/dropout.h"
#include "nn/layers/group_norm.h"
#include "nn/layers/layer_norm.h"
#include "nn/layers/linear.h"
#include "nn/layers/sequential.h"
#include "nn/layers/timestep_embedding.h"
#include "nn/layers/upsample.h"
#include "nn/models/mlp2d.h"
#include "nn/models/resblock.h"
#include "nn/models/unet.h"
#include "nn/models/unet_head.h"
#include "nn/module.h"
