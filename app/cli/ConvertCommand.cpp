#include "CliProgress.h"
#include "Commands.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/StudyReader.h"

#include <cstdio>
#include <filesystem>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

std::string extensionFor(const std::string& format) {
    if (format == "nifti") {
        return "nii.gz";
    }
    if (format == "nrrd") {
        return "nrrd";
    }
    if (format == "mha") {
        return "mha";
    }
    throw IoError(ErrorCode::InvalidArgument, {}, "unknown format '" + format + "'");
}

void convertCohort(const fs::path& source, const fs::path& target, const std::string& extension,
                   const StudyReadOptions& options, bool quiet) {
    const Cohort input = Cohort::open(source);
    std::error_code ec;
    if (fs::exists(target, ec) && fs::equivalent(source, target, ec)) {
        throw IoError(ErrorCode::InvalidArgument, target, "the output is the input cohort");
    }
    Cohort output = Cohort::create(target);
    CliProgress progress("converting", quiet);
    const auto patients = input.patients();
    for (std::size_t p = 0; p < patients.size(); ++p) {
        SubProgress sub(&progress, static_cast<double>(p) / patients.size(),
                        (p + 0.5) / patients.size());
        const Study study = input.loadStudy(patients[p], options, &sub);
        SubProgress write(&progress, (p + 0.5) / patients.size(),
                          static_cast<double>(p + 1) / patients.size());
        writeImageStudy(study, output.studyFolder(patients[p]), extension, &write);
    }
    output.breasts() = input.breasts();
    output.lesions() = input.lesions();
    output.save();
    progress.finish();
    std::printf("converted %zu patient(s) into %s\n", patients.size(), target.c_str());
}

}  // namespace

void addConvertCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "convert", "Convert a DICOM (or image) study or cohort into a NIfTI/NRRD/MHA cohort");
    struct Args {
        std::string source, target, format = "nifti", t2, dynamic;
        bool quiet = false;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("source", args->source, "Study folder or cohort folder")->required();
    cmd->add_option("output", args->target, "Output study or cohort folder")->required();
    cmd->add_option("--format", args->format, "Output format")
        ->check(CLI::IsMember({"nifti", "nrrd", "mha"}));
    cmd->add_option("--t2-series", args->t2, "DICOM: T2 series (SeriesInstanceUID or number)");
    cmd->add_option("--dynamic-series", args->dynamic,
                    "DICOM: pre,post1,..,post4 series (UIDs or numbers, comma separated)");
    cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
    cmd->callback([args] {
        const fs::path source(args->source);
        const fs::path target(args->target);
        const std::string extension = extensionFor(args->format);
        const StudyReadOptions options{args->t2, args->dynamic};
        std::error_code ec;
        if (fs::exists(source / "cohort.csv", ec)) {
            convertCohort(source, target, extension, options, args->quiet);
            return;
        }
        CliProgress progress("converting", args->quiet);
        SubProgress read(&progress, 0.0, 0.7);
        const Study study = readStudy(source, options, &read);
        SubProgress write(&progress, 0.7, 1.0);
        writeImageStudy(study, target, extension, &write);
        progress.finish();
        std::printf("converted %s into %s\n", source.c_str(), target.c_str());
    });
}

}  // namespace bmsc::cli
