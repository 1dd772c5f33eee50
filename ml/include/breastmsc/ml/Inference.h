#pragma once
// Inference with a trained model: malignancy probabilities per breast and class activation
// maps on the study grid, for studies that were never part of the training cache.
//
// A model is a training run folder (RUN, from `breastmsc-cli train --out RUN`) or one
// checkpoint file. Which weights are used:
// - a run, default: every finished fold's selected checkpoint (RUN/fold<k>/stage2_best.pt,
//   the model-selection winner of Stage 2) as an ensemble — probabilities are the mean of the
//   folds' probabilities, CAMs the mean of the folds' maps. This is the model one would apply
//   to new patients.
// - a run with `fold`: that fold's checkpoint only.
// - per patient, the fold whose test set held the patient (modelForTestPatient): what the
//   run's predictions.csv and the paper's cross-validated numbers mean; only the caller knows
//   when it wants this (a cohort that the run was trained on).
// - a checkpoint file: that model; its config comes from the checkpoint's metadata.
// Studies are preprocessed exactly as in training (io::preprocess with the run's
// PreprocessOptions; channel order pre, post1..post4, t2; (N, C, X, Y, Z) tensors; bf16
// autocast for the probabilities when the run trained with it).

#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/Volume.h"
#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/TrainingConfig.h"

#include <torch/types.h>

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::ml {

/// Arithmetic of the forward pass on CPU: the run's setting (its config's `bf16`), or forced.
enum class Precision { Run, Fp32, Bf16 };

struct InferenceOptions {
    int fold = -1;  ///< 0-based fold of a run; -1: all finished folds as an ensemble
    torch::Device device{torch::kCPU};
    int threads = 0;  ///< LibTorch intra-op threads; 0: leave LibTorch's setting
    Precision precision = Precision::Run;
    /// Test-time augmentation; unset: the run's (its config's `test_augmentation`).
    std::optional<TestAugmentation> testAugmentation;
};

/// One fold's model and where it came from: one network, or the members of the fold's
/// ensemble (config `ensemble`), whose probabilities and maps are averaged.
struct LoadedModel {
    std::filesystem::path checkpoint;  ///< member 1's (the fold's stage2_best.pt)
    int fold = -1;  ///< 0-based fold of the run, -1 when unknown (a lone checkpoint)
    std::vector<BreastClassifier> networks;
};

struct BreastPrediction {
    io::Side side = io::Side::Left;
    double probability = 0.0;                ///< malignancy: mean over the models used
    std::vector<double> modelProbabilities;  ///< one per model used
};

struct StudyPrediction {
    std::array<BreastPrediction, 2> breasts;  ///< [0] left, [1] right (as io::PreprocessResult)
    const BreastPrediction& breast(io::Side side) const {
        return breasts[side == io::Side::Left ? 0 : 1];
    }
};

/// A class activation map of one breast (NETWORK.md, "CAM"): malignant-minus-benign evidence
/// in logit units, mean over the models used; positive values speak for malignancy.
struct BreastCam {
    io::Side side = io::Side::Left;
    double probability = 0.0;          ///< the CAM pass's malignancy (fp32), mean over the models
    io::Volume breastMap;              ///< upsampled map on the breast grid (breast geometry)
    io::Volume studyMap;               ///< mapped onto the study grid; 0 outside this breast's crop
    io::Index3 maximumIndex{0, 0, 0};  ///< argmax voxel of breastMap
    io::Vec3 maximumMm{0, 0, 0};       ///< its physical point (LPS mm)
    io::Vec3 coarseMaximumMm{0, 0, 0};  ///< centre of the coarse (C5) map's argmax cell
    float maximum = 0.0f;               ///< breastMap's largest value
};

struct StudyCam {
    io::PreprocessTransform transform;
    std::array<BreastCam, 2> breasts;  ///< [0] left, [1] right
    io::Volume studyMap;  ///< both breasts on the study grid (each voxel from its own crop)
    const BreastCam& breast(io::Side side) const { return breasts[side == io::Side::Left ? 0 : 1]; }
};

/// The network(s) of a run or checkpoint, ready for inference (eval mode, no gradients).
class InferenceModel {
public:
    /// Loads RUN or a checkpoint. Throws io::IoError naming the file: NotFound (no such path,
    /// a folder without config.json, a run without finished folds, a missing fold), Corrupt
    /// (unreadable checkpoint or metadata), Unsupported (a `stage1` model, which classifies
    /// patches, not breasts), InvalidArgument (fold out of range).
    static InferenceModel load(const std::filesystem::path& runOrCheckpoint,
                               const InferenceOptions& options = {});

    const TrainingConfig& config() const noexcept { return config_; }
    const std::vector<LoadedModel>& models() const noexcept { return models_; }
    const std::filesystem::path& source() const noexcept { return source_; }
    bool isRun() const noexcept { return isRun_; }
    /// What loading decided (folds used, unfinished folds skipped), one line each.
    const std::vector<std::string>& notes() const noexcept { return notes_; }

    /// Index into models() of the fold whose test set held `patientId` (RUN/folds.json), or
    /// nullopt when the patient was in no loaded fold's test set.
    std::optional<std::size_t> modelForTestPatient(const std::string& patientId) const;
    /// True when `patientId` was in the training or validation set of a model that `model`
    /// selects (nullopt: any loaded model).
    bool seenInTraining(const std::string& patientId, std::optional<std::size_t> model = {}) const;

    /// Which weights a patient gets: with `outOfFold`, the fold that tested the patient when
    /// the run knows one, otherwise (and without `outOfFold`) all loaded models.
    struct Choice {
        std::optional<std::size_t> model;  ///< nullopt: all loaded models
        std::string name;                  ///< "fold3", "ensemble of 5 folds", "checkpoint"
        bool seenInTraining = false;       ///< those weights were trained on the patient
    };
    Choice choose(const std::string& patientId, bool outOfFold) const;

    /// The run's preprocessing of a study.
    io::PreprocessResult preprocess(const io::Study& study) const;

    /// Malignancy of both breasts. `model`: index into models(); nullopt: all (ensemble).
    StudyPrediction predict(const io::Study& study, std::optional<std::size_t> model = {});
    StudyPrediction predict(const io::PreprocessResult& preprocessed,
                            std::optional<std::size_t> model = {});
    /// Probability of one preprocessed breast given as a (C, X, Y, Z) tensor.
    BreastPrediction predictBreast(const torch::Tensor& breast,
                                   std::optional<std::size_t> model = {});

    /// CAMs of both breasts, on the breast grids and on the study grid.
    StudyCam cam(const io::Study& study, std::optional<std::size_t> model = {});
    StudyCam cam(const io::PreprocessResult& preprocessed, std::optional<std::size_t> model = {});

private:
    std::vector<std::size_t> selected(std::optional<std::size_t> model) const;
    BreastCam breastCam(const io::PreprocessResult& preprocessed, io::Side side,
                        const std::vector<std::size_t>& models);

    TrainingConfig config_;
    std::vector<LoadedModel> models_;
    std::filesystem::path source_;
    bool isRun_ = false;
    torch::Device device_{torch::kCPU};
    std::vector<std::string> notes_;
    std::map<std::string, int> testFold_;  ///< patient → 0-based fold (folds.json)
    std::map<std::string, std::vector<int>> trainingFolds_;  ///< patient → folds (train + val)
};

}  // namespace bmsc::ml
