#include "CliProgress.h"
#include "Commands.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/StudyReader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

void printVolumeStats(const char* name, const Volume& v) {
    const auto voxels = v.voxels();
    const auto [lo, hi] = std::minmax_element(voxels.begin(), voxels.end());
    double sum = 0.0;
    for (const float x : voxels) {
        sum += x;
    }
    std::printf("  %-6s min %10.2f  max %10.2f  mean %10.2f\n", name, *lo, *hi,
                sum / static_cast<double>(voxels.size()));
}

void printStudy(const fs::path& path, const StudyReadOptions& options, bool quiet) {
    CliProgress progress("reading " + path.filename().string(), quiet);
    const Study study = readStudy(path, options, &progress);
    progress.finish();
    std::printf("study      %s\n", path.c_str());
    if (!study.metadata.patientId.empty()) {
        std::printf("patient    %s\n", study.metadata.patientId.c_str());
    }
    if (!study.metadata.studyDate.empty()) {
        std::printf("date       %s\n", study.metadata.studyDate.c_str());
    }
    if (!study.metadata.description.empty()) {
        std::printf("descr.     %s\n", study.metadata.description.c_str());
    }
    std::printf("grid       %s\n", study.geometry().describe().c_str());
    bool anyTime = false;
    for (const double t : study.metadata.phaseTimes) {
        anyTime = anyTime || !std::isnan(t);
    }
    if (anyTime) {
        std::printf("phases    ");
        for (int p = 0; p < kDynamicChannelCount; ++p) {
            std::printf(" %s %+.0f s", std::string(channelName(static_cast<Channel>(p))).c_str(),
                        study.metadata.phaseTimes[static_cast<std::size_t>(p)]);
        }
        std::printf("\n");
    }
    std::printf("found:\n");
    for (const auto& line : study.metadata.report) {
        std::printf("  %s\n", line.c_str());
    }
    std::printf("channels:\n");
    for (const Channel c : kAllChannels) {
        printVolumeStats(std::string(channelName(c)).c_str(), study.channel(c));
    }
}

void printCohort(const fs::path& path, bool loadStudies, bool quiet) {
    const Cohort cohort = Cohort::open(path);
    const auto patients = cohort.patients();
    std::map<Label, int> labels;
    for (const auto& b : cohort.breasts()) {
        ++labels[b.label];
    }
    int malignantLesions = 0;
    for (const auto& l : cohort.lesions()) {
        malignantLesions += l.label == Label::Malignant ? 1 : 0;
    }
    std::printf("cohort     %s\n", path.c_str());
    std::printf("patients   %zu\n", patients.size());
    std::printf("breasts    %zu: %d malignant, %d benign, %d unlabelled\n", cohort.breasts().size(),
                labels[Label::Malignant], labels[Label::Benign], labels[Label::Unlabelled]);
    std::printf("lesions    %zu: %d malignant, %d benign\n", cohort.lesions().size(),
                malignantLesions, static_cast<int>(cohort.lesions().size()) - malignantLesions);
    std::printf("\n%-16s %-10s %-10s %7s  %s\n", "patient", "left", "right", "lesions", "study");
    CliProgress progress("checking studies", quiet || !loadStudies);
    std::size_t done = 0;
    int failures = 0;
    for (const auto& id : patients) {
        const auto left = cohort.breast(id, Side::Left);
        const auto right = cohort.breast(id, Side::Right);
        auto labelText = [](const std::optional<BreastRecord>& b) {
            if (!b) {
                return std::string("-");
            }
            return b->label == Label::Unlabelled ? std::string("?")
                                                 : std::string(labelName(b->label));
        };
        std::string studyText;
        const fs::path folder = cohort.studyFolder(id);
        if (loadStudies) {
            try {
                SubProgress sub(&progress, static_cast<double>(done) / patients.size(),
                                static_cast<double>(done + 1) / patients.size());
                const Study study = cohort.loadStudy(id, {}, &sub);
                const auto& g = study.geometry();
                studyText = std::to_string(g.size[0]) + "x" + std::to_string(g.size[1]) + "x" +
                            std::to_string(g.size[2]) + " ok";
            } catch (const IoError& e) {
                if (e.code() == ErrorCode::Cancelled) {
                    throw;
                }
                studyText = std::string("ERROR ") + e.what();
                ++failures;
            }
        } else {
            switch (detectStudyKind(folder)) {
                case StudyKind::ImageFiles:
                    studyText = "image files";
                    break;
                case StudyKind::Dicom:
                    studyText = "DICOM";
                    break;
                case StudyKind::Unknown:
                    studyText = "MISSING or unreadable";
                    ++failures;
                    break;
            }
        }
        ++done;
        std::printf("%-16s %-10s %-10s %7zu  %s\n", id.c_str(), labelText(left).c_str(),
                    labelText(right).c_str(), cohort.lesionsOf(id).size(), studyText.c_str());
    }
    progress.finish();
    if (failures > 0) {
        throw IoError(ErrorCode::NotReadable, path,
                      std::to_string(failures) + " patient(s) have no readable study");
    }
}

}  // namespace

void addInfoCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Describe a study, a cohort or an image file");
    auto path = std::make_shared<std::string>();
    auto studies = std::make_shared<bool>(false);
    auto quiet = std::make_shared<bool>(false);
    auto options = std::make_shared<StudyReadOptions>();
    cmd->add_option("path", *path, "Study folder, cohort folder or image file")->required();
    cmd->add_option("--t2-series", options->t2Series,
                    "DICOM: the T2 series (SeriesInstanceUID or SeriesNumber)");
    cmd->add_option("--dynamic-series", options->dynamicSeries,
                    "DICOM: pre,post1,..,post4 series (UIDs or numbers, comma separated)");
    cmd->add_flag("--studies", *studies, "For a cohort: read every study and check it");
    cmd->add_flag("-q,--quiet", *quiet, "No progress output");
    cmd->callback([path, studies, quiet, options] {
        const fs::path p(*path);
        std::error_code ec;
        if (!fs::exists(p, ec)) {
            throw IoError(ErrorCode::NotFound, p, "no such file or folder");
        }
        if (fs::is_directory(p, ec) && fs::exists(p / "cohort.csv", ec)) {
            printCohort(p, *studies, *quiet);
        } else if (fs::is_directory(p, ec)) {
            printStudy(p, *options, *quiet);
        } else {
            // A 4D file (a dynamic series, fMRI) is described too: one line per time point.
            const std::vector<Volume> volumes = readImageSeries(p);
            std::printf("image      %s\ngrid       %s\n", p.c_str(),
                        volumes.front().geometry().describe().c_str());
            if (volumes.size() == 1) {
                printVolumeStats("voxels", volumes.front());
            } else {
                std::printf("time       %zu points\n", volumes.size());
                for (std::size_t t = 0; t < volumes.size(); ++t) {
                    printVolumeStats(("t" + std::to_string(t + 1)).c_str(), volumes[t]);
                }
            }
        }
    });
}

}  // namespace bmsc::cli
