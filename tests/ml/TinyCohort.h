#pragma once
// A tiny generated cohort and a matching tiny training config for the training tests.

#include "breastmsc/io/SyntheticCohort.h"
#include "breastmsc/ml/TrainingConfig.h"

#include <filesystem>

namespace bmsc::test {

inline void makeTinyCohort(const std::filesystem::path& folder, int patients = 6,
                           std::uint64_t seed = 1) {
    io::SyntheticOptions o;
    o.patients = patients;
    o.seed = seed;
    o.size = {96, 96, 16};
    o.malignantFraction = 0.5;
    io::generateCohort(o, folder);
}

/// A small batch-norm network (width 8) whose whole-breast pass runs on 32 × 32 × 4 windows.
inline ml::ResNet3dOptions windowedNet(std::array<std::int64_t, 3> stride, ml::BreastPool pool) {
    ml::ResNet3dOptions o;
    o.width = 8;
    o.norm = ml::NormKind::Batch;
    o.breastTile = {32, 32, 4};
    o.breastStride = stride;
    o.breastPool = pool;
    return o;
}

/// Breasts 64 × 64 × 8, patches 64 × 64 × 4, width 16 (a multiple of 16 keeps oneDNN fast), one
/// epoch per stage, two folds.
inline ml::TrainingConfig tinyConfig() {
    auto c = ml::TrainingConfig::fromPreset("demo-v1");
    c.preprocess.grid = {128, 128, 8};
    c.preprocess.cropRows = 64;
    c.network.width = 16;
    c.patchSize = {64, 64, 4};
    c.stage1 = {1e-3, 1, 0};
    c.stage2 = {1e-3, 1, 0};
    c.folds = 2;
    c.batchSize = 4;
    c.threads = 2;
    c.loaderThreads = 1;
    c.cacheMegabytes = 16;
    // The settings these tests were written for (the demo preset's earlier ones).
    c.network.input = ml::InputKind::Phases;
    c.network.inputScaling = ml::InputScaling::None;
    c.network.breastPool = ml::BreastPool::Average;
    c.patchJitter = 0.0;
    c.backgroundPatches = 0.0;
    c.augmentation.enabled = false;
    c.selection = ml::SelectionMetric::Auroc;
    c.schedule = ml::LearningRateSchedule::Constant;
    // After every epoch: the resume tests count the epochs a checkpoint holds.
    c.checkpointSeconds = 0;
    // One member after the other, on the same threads as a single network.
    c.parallelMembers = 1;
    c.validate("tiny config");
    return c;
}

}  // namespace bmsc::test
