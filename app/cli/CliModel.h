#pragma once

#include "OptionChecks.h"

#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/TrainingRun.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace bmsc::cli {

/// What `predict` and `cam` share: the model, which of its folds, where and how it runs.
struct ModelArgs {
    std::string model, study, cohort, device = "cpu", precision = "run", testAugmentation = "run";
    int fold = 0;
    int threads = 0;
    bool ensemble = false;
    bool quiet = false;
};

/// Adds ModelArgs' options to `cmd`; `cohortHelp` says what --cohort is for in that command.
inline void addModelOptions(CLI::App* cmd, ModelArgs& a, const std::string& cohortHelp) {
    cmd->add_option("--model,-m", a.model, "Training run folder or checkpoint (.pt)")->required();
    cmd->add_option("--study", a.study, "A study folder (channel files or DICOM)");
    cmd->add_option("--cohort", a.cohort, cohortHelp);
    cmd->add_option("--fold", a.fold, "Use only this fold of a run (1-based)")
        ->check(wholeNumberIn(1, 100));
    cmd->add_flag("--ensemble", a.ensemble,
                  "All loaded folds for every patient, also for the run's test patients");
    cmd->add_option("--device", a.device, "cpu, cuda or cuda:N")
        ->check(deviceName())
        ->capture_default_str();
    cmd->add_option("--precision", a.precision,
                    "CPU arithmetic: run (the run's bf16 setting), fp32 or bf16")
        ->check(CLI::IsMember({"run", "fp32", "bf16"}))
        ->capture_default_str();
    cmd->add_option("--test-augmentation", a.testAugmentation,
                    "run (the run's setting), none, or mirror: the mean over the breast and its "
                    "left-right mirror image")
        ->check(CLI::IsMember({"run", "none", "mirror"}))
        ->capture_default_str();
    cmd->add_option("--threads", a.threads, "LibTorch threads (0 = all cores)")
        ->check(wholeNumberIn(0, 1024));
    cmd->add_flag("--quiet,-q", a.quiet, "No progress output");
}

/// The model of `--model` (a training run or one checkpoint): `fold` counted from 1 (0: every
/// finished fold); prints the model's notes (which folds were loaded) unless `quiet`.
inline ml::InferenceModel loadCliModel(const ModelArgs& a) {
    ml::InferenceOptions options;
    options.precision = a.precision == "fp32"   ? ml::Precision::Fp32
                        : a.precision == "bf16" ? ml::Precision::Bf16
                                                : ml::Precision::Run;
    if (a.testAugmentation != "run") {
        options.testAugmentation = a.testAugmentation == "mirror" ? ml::TestAugmentation::Mirror
                                                                  : ml::TestAugmentation::None;
    }
    options.fold = a.fold - 1;
    options.device = ml::parseDevice(a.device);
    options.threads = a.threads;
    auto loaded = ml::InferenceModel::load(a.model, options);
    if (!a.quiet) {
        for (const auto& n : loaded.notes()) {
            std::printf("%s\n", n.c_str());
        }
        std::fflush(stdout);
    }
    return loaded;
}

}  // namespace bmsc::cli
