#pragma once

#include <array>
#include <map>

namespace bmsc::ml {

/// The fraction done and the time left of a training run whose epochs cost differently by
/// stage: a demo Stage 2 epoch (whole breasts) takes about 2.2 Stage 1 epochs (patches), so
/// counting every epoch alike puts the end too early once Stage 1 is behind. Each stage's epoch
/// cost is what this process measured for it (until then: the other stage's, scaled by the
/// plan's relative costs); what runs in parallel (ensemble members side by side) and what runs
/// between epochs (checkpoints, test predictions) enter through the ratio of wall time to
/// epoch time so far. Times are seconds on any one clock, passed in, so the arithmetic is
/// testable; not thread-safe (Trainer guards it with its shared mutex).
class RunProgress {
public:
    /// `epochs[s]`: the run's planned epochs of stage s + 1, all folds and members together;
    /// `relativeCost[s]`: a guess of one such epoch's cost in any unit (TrainingRun: items ×
    /// (voxels + a per-item overhead)), used only for a stage not yet timed.
    void plan(std::array<int, 2> epochs, std::array<double, 2> relativeCost);
    /// Epochs done by an earlier process (a resumed run): counted as done, not timed.
    void skip(int stage, int epochs);
    /// The first epoch of this process starts at `now`.
    void start(double now);
    /// `member` is `within` (0..1) through an epoch of `stage` that started `elapsed` s ago.
    void partial(int member, int stage, double within, double elapsed);
    /// `member` finished an epoch of `stage` that took `seconds`.
    void epochDone(int member, int stage, double seconds);

    struct Estimate {
        double fraction = 0.0;     ///< of the run's work, in [0, 1], never lower than before
        double etaSeconds = -1.0;  ///< < 0 until this process has finished an epoch
    };
    Estimate estimate(double now);

private:
    struct Partial {
        int stage = 1;
        double within = 0.0;
        double elapsed = 0.0;
    };
    std::array<int, 2> planned_{0, 0};
    std::array<double, 2> prior_{1.0, 1.0};
    std::array<double, 2> done_{0.0, 0.0};  ///< epochs, skipped or finished
    std::array<int, 2> timedEpochs_{0, 0};  ///< finished in this process
    std::array<double, 2> timedSeconds_{0.0, 0.0};
    std::map<int, Partial> partial_;
    double start_ = 0.0;
    bool started_ = false;
    double shown_ = 0.0;
};

}  // namespace bmsc::ml
