#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bmsc::ml {

/// Where a training run stands, sent with every callback.
struct TrainingProgress {
    int fold = 0;  ///< 0-based
    int folds = 1;
    int member = 0;  ///< 0-based network of the fold's ensemble (config `ensemble`)
    int members = 1;
    int stage = 1;           ///< 1 (patches) or 2 (whole breasts)
    int epoch = 0;           ///< 0-based, within the stage
    int epochs = 0;          ///< planned epochs of this stage
    std::int64_t batch = 0;  ///< 0-based, within the epoch
    std::int64_t batches = 0;
    double trainLoss = 0.0;    ///< running mean of this epoch so far
    double fraction = 0.0;     ///< of the whole run, in [0, 1]
    double etaSeconds = -1.0;  ///< < 0 while unknown
};

/// The end of one epoch, after validation.
struct EpochSummary {
    int fold = 0;
    int member = 0;  ///< 0-based network of the fold's ensemble
    int stage = 1;
    int epoch = 0;
    double trainLoss = 0.0;
    double validationLoss = 0.0;
    double validationAuroc = 0.0;  ///< NaN when the validation set has one class only
    bool improved = false;         ///< became the selected (best) model
    double seconds = 0.0;
    double dataWaitSeconds = 0.0;  ///< time the network waited for batches
    double computeSeconds = 0.0;   ///< forward, backward and optimiser steps
    /// Choosing each training breast's window under the current weights (Stage 2 over
    /// windows, TrainingConfig::stage2Windows): a forward pass over its candidates.
    double windowSeconds = 0.0;
    double validationSeconds = 0.0;  ///< scoring the validation set
};

/// Callbacks of a training run; no Qt (the GUI adapts it to queued signals). Called from the
/// training thread, or, with `parallel_members`, from the threads of the members training side
/// by side — one call at a time either way. cancelled() is checked at least once per batch;
/// when it returns true the run stops, keeping the checkpoints written so far (the best model
/// among them).
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void batchDone(const TrainingProgress& /*progress*/) {}
    virtual void epochDone(const EpochSummary& /*summary*/) {}
    /// A line for the run log (what was decided, skipped, resumed, timed).
    virtual void message(std::string_view /*line*/) {}
    virtual bool cancelled() const { return false; }
};

}  // namespace bmsc::ml
