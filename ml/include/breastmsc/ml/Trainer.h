#pragma once

#include "breastmsc/ml/PreparedCohort.h"
#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/RunProgress.h"
#include "breastmsc/ml/TrainingConfig.h"
#include "breastmsc/ml/TrainingData.h"
#include "breastmsc/ml/TrainingObserver.h"

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace bmsc::ml {

/// Predictions of a model on a list of samples (no augmentation, eval mode, no gradients).
struct EvaluationResult {
    std::vector<double> probabilities;  ///< softmax probability of the malignant class
    std::vector<int> labels;
    double loss = 0.0;   ///< mean cross-entropy
    double auroc = 0.0;  ///< NaN with one class only
};

/// How a stage ended.
struct StageOutcome {
    int epochsDone = 0;
    int bestEpoch = -1;  ///< 0-based; -1 when no epoch ran
    double bestAuroc = 0.0;
    double bestLoss = 0.0;
    bool stoppedEarly = false;
    double dataWaitSeconds = 0.0;  ///< summed over the epochs run in this session
    double computeSeconds = 0.0;
    double windowSeconds = 0.0;  ///< finding the candidates, and choosing windows every epoch
    double validationSeconds = 0.0;
};

/// Trains one stage of one fold: Adam, mini-batches prefetched and augmented on worker
/// threads, validation after every epoch (or every `validation_interval`-th), model selection
/// on validation AUROC (ties broken by the cross-entropy) or on the loss, early stopping,
/// checkpoints `stage<k>_last.pt` (with the optimiser, every `checkpoint_seconds` and at the
/// stage's end) and `stage<k>_best.pt` in the fold's folder. Deterministic for
/// the config's seed: every epoch's order and every item's offsets and augmentation derive from
/// (seed, fold, stage, epoch, item), so a resumed run equals an uninterrupted one.
///
/// Copies of a Trainer (one per ensemble member trained on its own thread, `parallel_members`)
/// share the run's progress, the observer and the log: every observer and log call is made
/// under one mutex, and the progress counts every copy's epochs.
class Trainer {
public:
    using Log = std::function<void(const std::string&)>;
    Trainer(TrainingConfig config, std::shared_ptr<const PreparedCohort> cohort,
            torch::Device device, TrainingObserver* observer = nullptr, Log log = {});

    /// For progress and ETA: folds, and epochs of each stage planned over the whole run (all
    /// folds and members) with a guess of each stage's epoch cost (RunProgress::plan).
    void setPlan(int folds, std::array<int, 2> epochs, std::array<double, 2> relativeCost);
    /// Epochs of `stage` that will not run (a finished fold or stage found on resume, a stage
    /// stopped early).
    void skipEpochs(int stage, int epochs);
    /// On resume, before any fold trains: the epochs that `folder/stage<k>_last.pt` records as
    /// done (all of the stage's once it finished), counted as skipped now, so that the ETA of a
    /// run resumed in its first fold does not plan the later folds' finished stages; trainStage
    /// does not count that checkpoint again. A missing or unreadable checkpoint counts nothing
    /// here (trainStage reports an unreadable one when it reaches it).
    void countResumedEpochs(const std::filesystem::path& folder, int stage);
    /// The ensemble member (0-based) trained next: member 0 uses the config's seed as a
    /// single network does; member m > 0 a seed derived from it and m, for its sample order,
    /// patch offsets and augmentation (the caller seeds the initial weights with memberSeed).
    void setMember(int member) noexcept { member_ = member; }
    /// "fold 2 stage 1", or "fold 2 member 3 stage 1" in an ensemble: how log lines name a stage.
    std::string where(int fold, int stage) const;
    std::uint64_t memberSeed() const noexcept;
    /// A line for the run's log (and the observer), safe from any copy's thread.
    void note(const std::string& line) const;
    /// Makes every copy's trainStage stop at its next batch with io::IoError(Cancelled), as a
    /// cancel from the observer does (when another member's thread failed).
    void abortAll() const;

    /// Samples of a stage for the given breasts (Stage 1 patches or Stage 2 whole breasts).
    std::vector<Sample> samples(int stage, const std::vector<std::size_t>& breasts,
                                std::vector<std::string>* notes = nullptr) const;

    /// For InputScaling::Channel: 1 / the standard deviation of each input channel (after the
    /// `input` transform) over every voxel of the given breasts, read one breast at a time.
    torch::Tensor inputScale(const std::vector<std::size_t>& breasts, InputKind input) const;

    /// Trains `model` in place and leaves it holding the selected (best) weights. With
    /// `resume`, continues from `folder/stage<k>_last.pt` when present. `meta` (config, hash)
    /// is stored in every checkpoint. Throws io::IoError(Cancelled) when the observer cancels
    /// (the checkpoints of the last write stay), InvalidValue when there is nothing to train on.
    StageOutcome trainStage(BreastClassifier& model, int fold, int stage,
                            const std::vector<Sample>& train, const std::vector<Sample>& validation,
                            const std::filesystem::path& folder, bool resume,
                            const nlohmann::json& meta);

    EvaluationResult evaluate(BreastClassifier& model, const std::vector<Sample>& samples,
                              int stage);

    const TrainingConfig& config() const noexcept { return config_; }
    const torch::Device& device() const noexcept { return device_; }
    /// The loader threads the stages use: loaderThreadsFor(config().loaderThreads, device()).
    int loaderThreads() const noexcept { return loaderThreads_; }

private:
    ItemOptions itemOptions(bool training) const;
    /// Multiple-instance Stage 2 (TrainingConfig::stage2Windows): the candidate windows of each
    /// training breast: `saved` (a resumed stage's checkpoint) when it names every breast, else
    /// the model's most malignant windows of each (eval mode, no gradients) — or, with
    /// PositiveWindows::Lesions, lesionWindows for the malignant breasts that have them. With
    /// kAllWindows, every window in lattice order, unscored.
    std::map<std::size_t, std::vector<Triple>> windowCandidates(
        BreastClassifier& model, int fold, const std::vector<Sample>& train,
        std::map<std::size_t, std::vector<Triple>> saved) const;
    /// The windows of a malignant `breast` that hold a malignant lesion's centre (none for a
    /// benign breast or one without such annotations).
    std::vector<Triple> lesionWindows(const PreparedBreast& breast) const;
    /// The candidates a checkpoint's metadata `state` stored (none when it stored none); throws
    /// io::IoError(Corrupt) naming `file` for malformed ones or windows outside the breast.
    std::map<std::size_t, std::vector<Triple>> storedCandidates(
        const nlohmann::json& state, const std::filesystem::path& file) const;
    bool cancelled() const;
    /// Progress shared by the copies of a Trainer (under `mutex`, as the observer and log).
    struct Shared {
        std::mutex mutex;
        int folds = 1;
        RunProgress progress;
        std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now();
        bool aborted = false;
        std::set<std::filesystem::path> counted;  ///< checkpoints whose epochs were skipped
    };

    /// Skips the epochs a resumed stage's last checkpoint (metadata `state`) records as done,
    /// all of the stage's once it finished; once per checkpoint file.
    void countResumed(const std::filesystem::path& lastFile, int stage,
                      const nlohmann::json& state);

    TrainingConfig config_;
    std::shared_ptr<const PreparedCohort> cohort_;
    torch::Device device_;
    int loaderThreads_;
    TrainingObserver* observer_;
    Log log_;
    int member_ = 0;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

/// RAII: bfloat16 autocast on CPU for the current thread (no-op when `enabled` is false).
class CpuAutocast {
public:
    explicit CpuAutocast(bool enabled);
    ~CpuAutocast();
    CpuAutocast(const CpuAutocast&) = delete;
    CpuAutocast& operator=(const CpuAutocast&) = delete;

private:
    bool enabled_;
    bool previous_ = false;
};

/// Log-probabilities (N, classes), float32 on the CPU, of a batch (N, C, X, Y, Z) as
/// validation, test and predict compute them: the log-softmax of the logits (bf16 autocast on
/// a CPU device when `bf16`); with TestAugmentation::Mirror, the log of the mean probability
/// over the batch and its left–right mirror image (x flipped). The caller sets eval mode and
/// no-grad.
torch::Tensor classLogProbabilities(BreastClassifier& model, const torch::Tensor& inputs,
                                    TestAugmentation augmentation, bool bf16);

}  // namespace bmsc::ml
