#pragma once
// Adam whose step updates each parameter in one pass over its elements.

#include <torch/optim/adam.h>

namespace bmsc::ml {

/// torch::optim::Adam with a fused step for dense float parameters on the CPU: the two moments,
/// the bias corrections and the update are computed in registers, one read of the gradient and
/// one read and write of the weight and each moment per element, where Adam's own step runs
/// eight tensor operations over whole arrays with a temporary (≈ 20 array passes; 3.2 ms a step
/// for the demo network's 2.1 million parameters, 2.0 ms fused; doc/RESULTS.md). The same
/// arithmetic (torch 1.13's Adam, to float rounding), the same state objects under the same keys,
/// so checkpoints save, load and resume as before. Anything else — another device or dtype, weight
/// decay, AMSGrad, sparse or non-contiguous tensors — takes Adam's own step.
class FusedAdam : public torch::optim::Adam {
public:
    using torch::optim::Adam::Adam;

    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Sets the optimiser's gradients to none, where zero_grad() zeroes them (later torch's default,
/// set_to_none): the next backward writes fresh gradients instead of adding into zeroes, the
/// same values without a pass over every gradient (zeroing the demo network's six 1.7 MB C5
/// kernel gradients alone took 1.3 ms of a demo Stage 1 step, profiled). A parameter the next
/// backward does not reach keeps no gradient, and the optimiser's step leaves it alone.
void clearGradients(torch::optim::Optimizer& optimizer);

}  // namespace bmsc::ml
