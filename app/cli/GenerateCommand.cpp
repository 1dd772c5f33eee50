#include "CliProgress.h"
#include "Commands.h"
#include "OptionChecks.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

struct GenerateArgs {
    int patients = 10;
    std::uint64_t seed = 1;
    std::string out;
    std::string format = "nifti";
    std::string size = "192x192x24";
    bool oneSeries = false;
    bool t2SameGrid = false;
    double malignantFraction = 0.4;
    bool force = false;
    bool quiet = false;
};

/// An existing output folder is replaced only if it is empty or a cohort, or with --force.
void checkOutput(const fs::path& out, bool force) {
    std::error_code ec;
    if (!fs::exists(out, ec)) {
        return;
    }
    if (!fs::is_directory(out, ec)) {
        throw IoError(ErrorCode::InvalidArgument, out, "exists and is not a folder");
    }
    const bool empty = fs::is_empty(out, ec);
    const bool cohort = fs::is_regular_file(out / "cohort.csv", ec);
    if (!empty && !cohort && !force) {
        throw IoError(ErrorCode::InvalidArgument, out,
                      "is a non-empty folder that is not a cohort; choose another folder or "
                      "pass --force to replace it");
    }
}

void run(const GenerateArgs& args) {
    SyntheticOptions options;
    options.patients = args.patients;
    options.seed = args.seed;
    options.size = parseGridSize(args.size);
    options.format = args.format == "dicom" ? SyntheticFormat::Dicom : SyntheticFormat::Nifti;
    options.dynamicOneSeries = args.oneSeries;
    options.t2OwnGrid = !args.t2SameGrid;
    options.malignantFraction = args.malignantFraction;
    if (args.oneSeries && options.format != SyntheticFormat::Dicom) {
        throw CLI::ValidationError("--dynamic-one-series", "needs --format dicom");
    }
    const fs::path out(args.out);
    checkOutput(out, args.force);
    CliProgress progress("generating", args.quiet);
    generateCohort(options, out, &progress);
    progress.finish();
    std::printf("generated %d patient(s) (%s, %s, seed %llu) into %s\n", options.patients,
                args.size.c_str(), args.format.c_str(),
                static_cast<unsigned long long>(options.seed), out.c_str());
}

}  // namespace

void addGenerateCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "generate",
        "Generate a synthetic breast DCE-MRI cohort (NIfTI or DICOM) for demos and tests");
    auto args = std::make_shared<GenerateArgs>();
    cmd->add_option("--out,-o", args->out, "Output cohort folder")->required();
    cmd->add_option("--patients,-n", args->patients, "Number of patients")
        ->check(wholeNumberIn(1, 99999))
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "Random seed (same seed, same cohort)")
        ->check(wholeNumberIn(0, std::numeric_limits<long long>::max()))
        ->capture_default_str();
    cmd->add_option("--format", args->format, "Study format")
        ->check(CLI::IsMember({"nifti", "dicom"}))
        ->capture_default_str();
    cmd->add_option("--size", args->size,
                    "Dynamic grid XxYxZ (field of view 320 x 320 x 96 mm; 512x512x32 is the "
                    "paper's geometry)")
        ->check(gridSize("192x192x24",
                         [](const Index3& size) {
                             SyntheticOptions options;
                             options.size = size;
                             checkSyntheticOptions(options);
                         }))
        ->capture_default_str();
    cmd->add_flag("--dynamic-one-series", args->oneSeries,
                  "DICOM: write the five dynamic phases as one series with temporal positions");
    cmd->add_flag("--t2-same-grid", args->t2SameGrid,
                  "Write T2 on the dynamic grid (default: its own, coarser grid)");
    cmd->add_option("--malignant-fraction", args->malignantFraction, "Share of malignant breasts")
        ->check(numberIn(0.0, 1.0))
        ->capture_default_str();
    cmd->add_flag("--force", args->force, "Replace a non-empty output folder that is not a cohort");
    cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
    cmd->callback([args] { run(*args); });
}

}  // namespace bmsc::cli
