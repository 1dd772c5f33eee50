// breastmsc-cli cam: class activation maps of a study as NIfTI on the study grid and as PNG
// slices; the CAM pointing score of a cohort.
#include "CliModel.h"
#include "CliProgress.h"
#include "Commands.h"
#include "OptionChecks.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/SliceFigure.h"
#include "breastmsc/io/StudyReader.h"
#include "breastmsc/ml/CamPointing.h"
#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/TrainingRun.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;
using nlohmann::json;

namespace {

constexpr const char* kFooter = R"(Output of --study (into --out DIR, each file written atomically):
  cam.nii.gz                 both breasts' maps on the study grid (loads as an overlay)
  cam_left.nii.gz, cam_right.nii.gz   one breast each; 0 outside that breast's crop
  cam_left.png, cam_right.png         the axial slice through each breast's CAM maximum
  slices/axial_NNN.png       with --all-slices: every axial slice of the study
  cam.json                   probabilities, maxima (LPS mm), the weights used
Values are malignant-minus-benign evidence in logit units (their mean over a breast is the
logit difference); positive speaks for malignancy. PNGs: post1 - pre subtraction (or post1)
in grey, the map in "hot" colours, the patient's right on the image's left, anterior at the
top, a cyan cross at the maximum.
--pointing with --cohort: of the correctly classified malignant breasts, the fraction whose
CAM maximum lies within a malignant lesion (radius = diameter_mm / 2 from lesions.csv, or
--lesion-radius-mm). With a run, each patient is scored with the fold that had it in its test
set; patients the weights were trained on are left out. Written to DIR/pointing.json.)";

struct Args : ModelArgs {
    std::string out, underlay = "subtraction";
    bool allSlices = false;
    bool pointing = false;
    double threshold = 0.5;
    double radius = 5.0;
    double margin = 0.0;
};

void writeJson(const fs::path& file, const json& j) {
    writeFileAtomically(file, [&j](std::ostream& o) { o << j.dump(2) << '\n'; });
}

Volume underlayOf(const Study& study, const std::string& kind) {
    Volume post1 = study.channel(Channel::Post1);
    if (kind == "post1") {
        return post1;
    }
    const auto pre = study.channel(Channel::Pre).voxels();
    auto v = post1.voxels();
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] -= pre[i];
    }
    return post1;
}

double nearest(const std::vector<double>& values, double x) {
    double best = values.front();
    for (const double v : values) {
        if (std::abs(v - x) < std::abs(best - x)) {
            best = v;
        }
    }
    return best;
}

json point(const Vec3& p) {
    return json::array({p[0], p[1], p[2]});
}

void runStudyCam(const Args& args, ml::InferenceModel& model) {
    CliProgress progress("reading", args.quiet);
    const auto study = readStudy(args.study, {}, &progress);
    progress.finish();
    std::string id = study.metadata.patientId;
    if (id.empty()) {
        id = fs::path(args.study).lexically_normal().filename().string();
    }
    const auto choice = model.choose(id, !args.ensemble);
    const auto cam = model.cam(study, choice.model);
    const fs::path out(args.out);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
        throw IoError(ErrorCode::WriteFailed, out, "cannot create the output folder");
    }
    writeImage(cam.studyMap, out / "cam.nii.gz");
    writeImage(cam.breast(Side::Left).studyMap, out / "cam_left.nii.gz");
    writeImage(cam.breast(Side::Right).studyMap, out / "cam_right.nii.gz");

    // One colour range for every figure: the maps' range inside the crops.
    SliceFigureOptions figure;
    double low = 1e300, high = -1e300;
    for (const auto& b : cam.breasts) {
        for (const float v : b.breastMap.voxels()) {
            low = std::min(low, static_cast<double>(v));
            high = std::max(high, static_cast<double>(v));
        }
    }
    figure.minimumSide = 512;
    figure.overlayOpacity = 0.6;
    figure.overlayLow = low;
    figure.overlayHigh = high;
    const bool subtraction = args.underlay == "subtraction";
    if (subtraction) {
        figure.greyLow = 0.0;
    }
    const Volume grey = underlayOf(study, args.underlay);
    const auto slices = axialSlicePositions(study.geometry());
    json breasts = json::object();
    std::printf("%-6s %11s  %-28s %s\n", "side", "probability", "CAM maximum (LPS mm)", "PNG");
    for (const auto& b : cam.breasts) {
        const std::string side(sideName(b.side));
        auto options = figure;
        options.marker = b.maximumMm;
        const fs::path png = out / ("cam_" + side + ".png");
        writePng(renderAxialSlice(grey, &cam.studyMap, nearest(slices, b.maximumMm[2]), options),
                 png);
        const auto voxel = study.geometry().physicalToNearestIndex(b.maximumMm);
        breasts[side] = {{"probability", b.probability},
                         {"maximum", b.maximum},
                         {"maximum_mm", point(b.maximumMm)},
                         {"maximum_study_voxel", voxel},
                         {"coarse_maximum_mm", point(b.coarseMaximumMm)},
                         {"png", png.filename().string()}};
        std::printf("%-6s %11.4f  (%7.1f, %7.1f, %7.1f)    %s\n", side.c_str(), b.probability,
                    b.maximumMm[0], b.maximumMm[1], b.maximumMm[2], png.c_str());
    }
    if (args.allSlices) {
        fs::create_directories(out / "slices", ec);
        CliProgress sliceProgress("slices", args.quiet);
        auto options = figure;
        for (std::size_t k = 0; k < slices.size(); ++k) {
            throwIfCancelled(&sliceProgress, args.out.c_str());
            sliceProgress.report(static_cast<double>(k) / static_cast<double>(slices.size()),
                                 "slice " + std::to_string(k));
            char name[32];
            std::snprintf(name, sizeof name, "axial_%03zu.png", k);
            writePng(renderAxialSlice(grey, &cam.studyMap, slices[k], options),
                     out / "slices" / name);
        }
        sliceProgress.finish();
    }
    writeJson(out / "cam.json",
              {{"patient_id", id},
               {"study", fs::absolute(args.study).string()},
               {"model", fs::absolute(args.model).string()},
               {"weights", choice.name},
               {"seen_in_training", choice.seenInTraining},
               {"values", "malignant minus benign evidence (logit units), 0 outside the crops"},
               {"underlay", args.underlay},
               {"breasts", breasts}});
    if (choice.seenInTraining) {
        std::printf("note: the weights (%s) were trained on this patient\n", choice.name.c_str());
    }
    std::printf("maps written to %s (cam.nii.gz, cam_left/right.nii.gz, PNGs, cam.json)\n",
                out.c_str());
}

void runPointing(const Args& args, ml::InferenceModel& model) {
    const auto cohort = Cohort::open(args.cohort);
    ml::PointingOptions options;
    options.threshold = args.threshold;
    options.defaultRadiusMm = args.radius;
    options.marginMm = args.margin;
    options.outOfFold = !args.ensemble;
    CliProgress progress("CAM pointing", args.quiet);
    const auto result = ml::evaluatePointing(model, cohort, options, &progress);
    progress.finish();
    if (!args.quiet) {
        for (const auto& n : result.notes) {
            std::printf("%s\n", n.c_str());
        }
        std::printf("%-20s %-6s %11s %-8s %-5s %s\n", "patient", "side", "probability", "correct",
                    "hit", "nearest malignant lesion (mm)");
        for (const auto& c : result.cases) {
            char distance[32] = "-";
            if (c.distanceMm >= 0) {
                std::snprintf(distance, sizeof distance, "%.1f", c.distanceMm);
            }
            std::printf("%-20s %-6s %11.4f %-8s %-5s %s\n", c.patientId.c_str(),
                        std::string(sideName(c.side)).c_str(), c.probability,
                        c.correct ? "yes" : "no", c.hit ? "yes" : "no", distance);
        }
    }
    const auto& s = result.score;
    if (s.correct > 0) {
        std::printf(
            "CAM pointing score %.4f (%lld of %lld correctly classified malignant breasts; "
            "%lld malignant breasts)\n",
            s.fraction, static_cast<long long>(s.hits), static_cast<long long>(s.correct),
            static_cast<long long>(s.malignantBreasts));
    } else {
        std::printf(
            "CAM pointing score n/a: no correctly classified malignant breast (%lld "
            "malignant breasts)\n",
            static_cast<long long>(s.malignantBreasts));
    }
    auto j = result.toJson();
    j["model"] = fs::absolute(args.model).string();
    j["cohort"] = fs::absolute(args.cohort).string();
    const fs::path out(args.out);
    std::error_code ec;
    fs::create_directories(out, ec);
    writeJson(out / "pointing.json", j);
    std::printf("written to %s\n", (out / "pointing.json").c_str());
}

void runCam(const Args& args) {
    if (args.study.empty() == args.cohort.empty()) {
        throw CLI::ValidationError("give either --study DIR or --cohort DIR");
    }
    if (!args.cohort.empty() && !args.pointing) {
        throw CLI::ValidationError("--cohort",
                                   "computes the CAM pointing score: add --pointing "
                                   "(maps are written per study with --study)");
    }
    auto model = loadCliModel(args);
    if (!args.study.empty()) {
        runStudyCam(args, model);
    } else {
        runPointing(args, model);
    }
}

}  // namespace

void addCamCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "cam", "Class activation maps of a study (NIfTI + PNG), or a cohort's CAM pointing score");
    auto args = std::make_shared<Args>();
    addModelOptions(cmd, *args, "A cohort folder (with --pointing)");
    cmd->add_option("--out,-o", args->out, "Output folder")->required();
    cmd->add_flag("--all-slices", args->allSlices, "Also a PNG of every axial slice");
    cmd->add_option("--underlay", args->underlay, "Grey image under the map")
        ->check(CLI::IsMember({"subtraction", "post1"}))
        ->capture_default_str();
    cmd->add_flag("--pointing", args->pointing, "CAM pointing score of --cohort");
    cmd->add_option("--threshold", args->threshold, "Probability counted as malignant")
        ->check(numberIn(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--lesion-radius-mm", args->radius,
                    "Lesion radius where lesions.csv has no diameter_mm")
        ->check(numberIn(0.0, std::numeric_limits<double>::infinity(), Bound::Open))
        ->capture_default_str();
    cmd->add_option("--margin-mm", args->margin, "Tolerance added to every lesion radius")
        ->check(numberIn(0.0, std::numeric_limits<double>::infinity()))
        ->capture_default_str();
    cmd->footer(kFooter);
    cmd->callback([args] { runCam(*args); });
}

}  // namespace bmsc::cli
