#pragma once

#include <filesystem>
#include <vector>

namespace bmsc::ml {

/// One epoch of one stage of one network, as its last checkpoint records it.
struct EpochRecord {
    int fold = 0;    ///< 0-based
    int member = 0;  ///< 0-based network of the fold's ensemble
    int stage = 1;
    int epoch = 0;                 ///< 0-based, within the stage
    double trainLoss = 0.0;        ///< mean over the epoch's batches
    double validationLoss = 0.0;   ///< NaN where the epoch was not validated
    double validationAuroc = 0.0;  ///< NaN where not validated or one class only
    bool improved = false;         ///< became the selected model
    double seconds = 0.0;
};

/// Where one network's checkpoints lie: `folder`/stage1_last.pt, stage2_last.pt.
struct CurveSource {
    int fold = 0;
    int member = 0;
    std::filesystem::path folder;
};

/// Every epoch the sources' last checkpoints hold (their "history"), stage 1 before stage 2;
/// a stage without a checkpoint gives nothing. Throws io::IoError naming the file for an
/// unreadable checkpoint or a history that is not a list of epochs.
std::vector<EpochRecord> readLearningCurves(const std::vector<CurveSource>& sources);

/// Writes RUN/curves.csv (a row per epoch: fold, member, stage, epoch — 1-based — training
/// loss, validation loss and AUROC, empty where not validated, whether it became the selected
/// model, seconds) and RUN/curves.svg (per stage: the losses, then the validation AUROC, a line
/// per fold), both atomically. Nothing is written for an empty list.
void writeLearningCurves(const std::filesystem::path& run, const std::vector<EpochRecord>& epochs);

}  // namespace bmsc::ml
