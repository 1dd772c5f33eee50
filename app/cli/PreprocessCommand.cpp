// breastmsc-cli preprocess: a study or a cohort into the network's breast grids.
#include "CliProgress.h"
#include "Commands.h"
#include "OptionChecks.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Geometry.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/PreprocessRecord.h"
#include "breastmsc/io/StudyReader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

constexpr const char* kLayout = R"(Output layout (one folder per patient, each written atomically):
  OUT/<patient_id>/left/<channel>.nii.gz    the patient's left breast (LPS +x side)
  OUT/<patient_id>/right/<channel>.nii.gz   the patient's right breast
  OUT/<patient_id>/preprocess.json          grids, crop, normalisation, report
  OUT/<patient_id>/lesions.csv              cohorts only: lesion points as breast voxels
Channels: pre, post1..post4, t2, normalised as normalised = (raw - offset) / scale (one offset
and scale for the five dynamic channels, one for t2; see preprocess.json). Each breast image
keeps its physical geometry, so it overlays the study in any viewer. For a single study the
patient id is the study folder's name.)";

struct Args {
    std::string source, out, grid, t2, dynamic;
    std::int64_t cropRows = -1;
    double posteriorWall = 0.0;
    bool demo = false, noNormalise = false, keepGoing = false, quiet = false, verbose = false;
};

PreprocessOptions optionsFrom(const Args& args) {
    PreprocessOptions o = args.demo ? PreprocessOptions::demo() : PreprocessOptions::paper();
    if (!args.grid.empty()) {
        o.grid = parseGridSize(args.grid);
        if (args.cropRows < 0) {
            // The paper keeps half of the rows.
            o.cropRows = std::max<std::int64_t>(1, o.grid[1] / 2);
        }
    }
    if (args.cropRows >= 0) {
        if (args.cropRows > o.grid[1]) {
            throw CLI::ValidationError("--crop-rows",
                                       std::to_string(args.cropRows) + " is more than the grid's " +
                                           std::to_string(o.grid[1]) + " rows (its y size)");
        }
        o.cropRows = args.cropRows;
    }
    o.normalise = !args.noNormalise;
    o.posteriorWallFraction = args.posteriorWall;
    return o;
}

void writeLesions(const PreprocessTransform& t, const std::vector<LesionPoint>& lesions,
                  const fs::path& file) {
    CsvTable table({"side", "i", "j", "k", "inside", "label", "x_mm", "y_mm", "z_mm"});
    for (const auto& lesion : lesions) {
        const Side side = sideOfPoint(t, lesion.position);
        const Vec3 c = pointToBreastIndex(t, side, lesion.position);
        const auto voxel = pointToBreastVoxel(t, lesion.position);
        std::vector<std::string> row{std::string(sideName(side))};
        for (std::size_t a = 0; a < 3; ++a) {
            row.push_back(std::to_string(voxel ? (*voxel)[a] : std::llround(c[a])));
        }
        row.push_back(voxel ? "yes" : "no");
        row.push_back(std::string(labelName(lesion.label)));
        for (double v : lesion.position) {
            row.push_back(std::to_string(v));
        }
        table.addRow(std::move(row));
    }
    table.write(file);
}

void writePatient(const fs::path& folder, const PreprocessResult& result,
                  const std::vector<LesionPoint>* lesions, Progress* progress) {
    writeFolderAtomically(folder, [&](const fs::path& temporary) {
        int written = 0;
        for (Side side : {Side::Left, Side::Right}) {
            const fs::path sideFolder = temporary / std::string(sideName(side));
            fs::create_directories(sideFolder);
            for (Channel c : kAllChannels) {
                throwIfCancelled(progress, folder.c_str());
                writeImage(result.breast(side).channel(c),
                           sideFolder / (std::string(channelName(c)) + ".nii.gz"));
                if (progress != nullptr) {
                    progress->report(static_cast<double>(++written) / (2 * kChannelCount),
                                     "writing");
                }
            }
        }
        writePreprocessRecord(result.transform, result.report, temporary / "preprocess.json");
        if (lesions != nullptr) {
            writeLesions(result.transform, *lesions, temporary / "lesions.csv");
        }
    });
}

void printSummary(const std::string& id, const PreprocessResult& r, bool verbose) {
    const auto& t = r.transform;
    std::printf("%s: crop rows %lld..%lld of %lld\n", id.c_str(),
                static_cast<long long>(t.cropFirstRow),
                static_cast<long long>(t.cropFirstRow + t.cropRows - 1),
                static_cast<long long>(t.canonical.size[1]));
    for (const auto& line : r.report) {
        if (verbose || line.rfind("warning", 0) == 0) {
            std::printf("  %s\n", line.c_str());
        }
    }
}

void checkNotInside(const fs::path& source, const fs::path& out) {
    std::error_code ec;
    const fs::path a = fs::weakly_canonical(source, ec);
    const fs::path b = fs::weakly_canonical(out, ec);
    if (a == b) {
        throw IoError(ErrorCode::InvalidArgument, out, "the output folder is the input folder");
    }
}

// Loads, preprocesses and writes one patient; `load` reads its study.
template <typename Load>
void runPatient(const std::string& id, const fs::path& out, const PreprocessOptions& options,
                const std::vector<LesionPoint>* lesions, Load&& load, Progress* progress,
                bool verbose) {
    SubProgress reading(progress, 0.0, 0.3);
    const Study study = load(&reading);
    SubProgress working(progress, 0.3, 0.85);
    const PreprocessResult result = preprocess(study, options, &working);
    SubProgress writing(progress, 0.85, 1.0);
    writePatient(out / id, result, lesions, &writing);
    printSummary(id, result, verbose);
}

void preprocessCohort(const Args& args, const PreprocessOptions& options,
                      const StudyReadOptions& readOptions) {
    const fs::path source(args.source), out(args.out);
    const Cohort cohort = Cohort::open(source);
    checkNotInside(source, out);
    const auto patients = cohort.patients();
    CliProgress progress("preprocessing", args.quiet);
    std::vector<std::string> failed;
    for (std::size_t p = 0; p < patients.size(); ++p) {
        const std::string& id = patients[p];
        SubProgress sub(&progress, static_cast<double>(p) / patients.size(),
                        static_cast<double>(p + 1) / patients.size());
        const auto lesions = cohort.lesionsOf(id);
        try {
            runPatient(
                id, out, options, &lesions,
                [&](Progress* pr) { return cohort.loadStudy(id, readOptions, pr); }, &sub,
                args.verbose);
        } catch (const IoError& e) {
            if (!args.keepGoing || e.code() == ErrorCode::Cancelled) {
                throw;
            }
            std::fprintf(stderr, "\nerror: %s (patient skipped)\n", e.what());
            failed.push_back(id);
        }
    }
    progress.finish();
    std::printf("preprocessed %zu of %zu patient(s) into %s\n", patients.size() - failed.size(),
                patients.size(), out.c_str());
    if (!failed.empty()) {
        std::string list;
        for (const auto& id : failed) {
            list += (list.empty() ? "" : ", ") + id;
        }
        throw IoError(ErrorCode::InvalidValue, source,
                      std::to_string(failed.size()) + " patient(s) failed: " + list);
    }
}

void preprocessStudy(const Args& args, const PreprocessOptions& options,
                     const StudyReadOptions& readOptions) {
    const fs::path source = fs::path(args.source).lexically_normal();
    std::string id = source.filename().string();
    if (id.empty() || id == ".") {
        id = fs::weakly_canonical(source).filename().string();
    }
    if (!isValidPatientId(id)) {
        throw IoError(ErrorCode::InvalidArgument, source,
                      "the study folder's name is not a valid patient id (letters, digits, "
                      "'-', '_', '.')");
    }
    checkNotInside(source, fs::path(args.out) / id);
    CliProgress progress("preprocessing", args.quiet);
    runPatient(
        id, args.out, options, nullptr,
        [&](Progress* pr) { return readStudy(source, readOptions, pr); }, &progress, args.verbose);
    progress.finish();
    std::printf("preprocessed %s into %s\n", source.c_str(), (fs::path(args.out) / id).c_str());
}

}  // namespace

void addPreprocessCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "preprocess",
        "Resample a study or cohort to the network grid, crop away air and thorax, split into "
        "left and right breast and normalise intensities");
    cmd->footer(kLayout);
    auto args = std::make_shared<Args>();
    cmd->add_option("source", args->source, "Study folder, or cohort folder (with cohort.csv)")
        ->required();
    cmd->add_option("-o,--out", args->out, "Output folder (created if needed)")->required();
    cmd->add_option("--grid", args->grid,
                    "Canonical grid XxYxZ before the crop (default 512x512x32; x must be even)")
        ->check(gridSize("512x512x32", [](const Index3& grid) {
            PreprocessOptions options;
            options.grid = grid;
            options.cropRows = 1;  // the rows are --crop-rows' to check, against the grid
            checkPreprocessOptions(options);
        }));
    cmd->add_option("--crop-rows", args->cropRows,
                    "Rows kept along anterior-posterior (default 256, or half of --grid's y)")
        ->check(wholeNumberIn(1, 100000));
    cmd->add_flag("--demo", args->demo, "Small preset: grid 128x128x16, 64 rows (laptops, CI)");
    cmd->add_flag("--no-normalise", args->noNormalise, "Keep raw intensities");
    cmd->add_option("--posterior-wall", args->posteriorWall,
                    "Clear what enhances above this fraction of a breast's highest uptake in one "
                    "run from the crop's last row (the thorax behind it); 0 = off")
        ->check(numberIn(0.0, 1.0, Bound::Closed, Bound::Open))
        ->capture_default_str();
    cmd->add_flag("--keep-going", args->keepGoing,
                  "Cohorts: skip patients that fail (exit status 1 at the end)");
    cmd->add_option("--t2-series", args->t2, "DICOM: T2 series (SeriesInstanceUID or number)");
    cmd->add_option("--dynamic-series", args->dynamic,
                    "DICOM: pre,post1,..,post4 series (UIDs or numbers, comma separated)");
    cmd->add_flag("-v,--verbose", args->verbose, "Print every line of the preprocessing report");
    cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
    cmd->callback([args] {
        const PreprocessOptions options = optionsFrom(*args);
        const StudyReadOptions readOptions{args->t2, args->dynamic};
        std::error_code ec;
        if (fs::exists(fs::path(args->source) / "cohort.csv", ec)) {
            preprocessCohort(*args, options, readOptions);
        } else {
            preprocessStudy(*args, options, readOptions);
        }
    });
}

}  // namespace bmsc::cli
