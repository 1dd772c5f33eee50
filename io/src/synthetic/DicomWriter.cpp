#include "breastmsc/io/DicomWriter.h"

#include "SyntheticRandom.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"

#include <dcmtk/config/osconfig.h>  // must come first
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

/// A decimal string (DICOM DS, at most 16 characters) as close to `value` as fits.
std::string formatDs(double value) {
    if (value == 0.0 || std::abs(value) < 1e-12) {
        return "0";
    }
    for (int precision = 12; precision > 1; --precision) {
        char text[40];
        std::snprintf(text, sizeof text, "%.*g", precision, value);
        if (std::strlen(text) <= 16) {
            return text;
        }
    }
    return "0";
}

std::string formatDs(const std::vector<double>& values) {
    std::string out;
    for (const double v : values) {
        if (!out.empty()) {
            out += '\\';
        }
        out += formatDs(v);
    }
    return out;
}

/// HHMMSS[.ffffff] of `base` (HHMMSS) plus `seconds`, modulo one day.
std::string addSeconds(const std::string& base, double seconds) {
    int h = 9, m = 0, s = 0;
    if (base.size() >= 6) {
        h = std::atoi(base.substr(0, 2).c_str());
        m = std::atoi(base.substr(2, 2).c_str());
        s = std::atoi(base.substr(4, 2).c_str());
    }
    double total = std::fmod(h * 3600.0 + m * 60.0 + s + seconds, 86400.0);
    if (total < 0) {
        total += 86400.0;
    }
    const auto whole = static_cast<int>(std::floor(total));
    const auto micro = static_cast<int>(std::lround((total - whole) * 1e6));
    char text[32];
    if (micro == 0 || micro == 1000000) {
        std::snprintf(text, sizeof text, "%02d%02d%02d", whole / 3600, (whole / 60) % 60,
                      whole % 60);
    } else {
        std::snprintf(text, sizeof text, "%02d%02d%02d.%06d", whole / 3600, (whole / 60) % 60,
                      whole % 60, micro);
    }
    return text;
}

/// What a series is: its description, pulse sequence and the volumes (phases) it holds.
struct SeriesPlan {
    std::string folderName;
    std::string description;
    bool t2 = false;
    std::vector<const Volume*> volumes;  ///< one per temporal position
    std::vector<int> phases;             ///< dynamic phase index of each volume (−1 for T2)
    int number = 1;
};

class UidSource {
public:
    explicit UidSource(const std::optional<std::uint64_t>& seed) : seed_(seed) {}
    std::string make(std::uint64_t role, const char* root) const {
        if (seed_) {
            return synthetic::deterministicUid(*seed_, role);
        }
        char uid[100];
        dcmGenerateUniqueIdentifier(uid, root);
        return uid;
    }

private:
    std::optional<std::uint64_t> seed_;
};

void check(const OFCondition& condition, const fs::path& file, const char* what) {
    if (condition.bad()) {
        throw IoError(ErrorCode::WriteFailed, file,
                      std::string("DICOM ") + what + ": " + condition.text());
    }
}

struct StudyContext {
    const StudyMetadata* metadata = nullptr;
    const DicomWriteOptions* options = nullptr;
    std::string studyUid, frameUid, patientId, patientName, studyDate;
    std::array<double, kDynamicChannelCount> times{};
    const UidSource* uids = nullptr;
};

void put(DcmDataset& ds, const DcmTagKey& tag, const std::string& value, const fs::path& file) {
    check(ds.putAndInsertString(DcmTag(tag), value.c_str()), file, "attribute");
}

void writeSeries(const StudyContext& ctx, const SeriesPlan& plan, const fs::path& folder,
                 Progress* progress, double progressBegin, double progressEnd) {
    const Geometry& g = plan.volumes.front()->geometry();
    // One rescale for the whole series so that phases stay comparable voxel for voxel.
    float lo = 0.0f, hi = 0.0f;
    bool integers = true;
    bool first = true;
    for (const Volume* v : plan.volumes) {
        for (const float x : v->voxels()) {
            if (first) {
                lo = hi = x;
                first = false;
            }
            lo = std::min(lo, x);
            hi = std::max(hi, x);
            integers = integers && x == std::nearbyint(x);
        }
    }
    const DicomRescale rescale = chooseDicomRescale(lo, hi, integers);
    const std::string slope = formatDs(rescale.slope);
    const std::string intercept = formatDs(rescale.intercept);

    // A display window over the bulk of the values (type 3, for viewers).
    std::vector<float> sample;
    for (std::size_t i = 0; i < plan.volumes.back()->voxels().size(); i += 97) {
        sample.push_back(plan.volumes.back()->voxels()[i]);
    }
    std::sort(sample.begin(), sample.end());
    const double top = sample.empty() ? hi : sample[sample.size() * 995 / 1000];
    const double width = std::max(1.0, top - static_cast<double>(lo));

    const Vec3 row = g.axisDirection(0), col = g.axisDirection(1);
    const Vec3 normal{row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2],
                      row[0] * col[1] - row[1] * col[0]};
    const std::string seriesUid =
        ctx.uids->make(0x5E000ULL + static_cast<std::uint64_t>(plan.number), SITE_SERIES_UID_ROOT);
    const StudyMetadata& md = *ctx.metadata;
    const DicomWriteOptions& opt = *ctx.options;
    const double firstPhaseTime =
        plan.t2 ? -300.0 : ctx.times[static_cast<std::size_t>(std::max(0, plan.phases.front()))];
    const bool temporal = plan.volumes.size() > 1;
    const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
    const std::size_t filesTotal = plan.volumes.size() * static_cast<std::size_t>(nz);
    std::vector<Uint16> pixels(static_cast<std::size_t>(nx * ny));

    for (std::size_t t = 0; t < plan.volumes.size(); ++t) {
        const Volume& v = *plan.volumes[t];
        const int phase = plan.phases[t];
        const double phaseTime = plan.t2 ? -300.0 : ctx.times[static_cast<std::size_t>(phase)];
        for (std::int64_t k = 0; k < nz; ++k) {
            const int instance =
                static_cast<int>(t * static_cast<std::size_t>(nz)) + static_cast<int>(k) + 1;
            char name[32];
            std::snprintf(name, sizeof name, "IM_%05d.dcm", instance);
            const fs::path file = folder / name;
            throwIfCancelled(progress, file.c_str());
            DcmFileFormat format;
            DcmDataset& ds = *format.getDataset();
            const std::string acquisitionTime = addSeconds(opt.studyTime, phaseTime);
            put(ds, DCM_ImageType, "DERIVED\\PRIMARY\\OTHER", file);
            put(ds, DCM_SOPClassUID, UID_MRImageStorage, file);
            put(ds, DCM_SOPInstanceUID,
                ctx.uids->make((static_cast<std::uint64_t>(plan.number) << 32) +
                                   static_cast<std::uint64_t>(instance),
                               SITE_INSTANCE_UID_ROOT),
                file);
            put(ds, DCM_StudyDate, ctx.studyDate, file);
            put(ds, DCM_SeriesDate, ctx.studyDate, file);
            put(ds, DCM_AcquisitionDate, ctx.studyDate, file);
            put(ds, DCM_ContentDate, ctx.studyDate, file);
            put(ds, DCM_StudyTime, addSeconds(opt.studyTime, -600.0), file);
            put(ds, DCM_SeriesTime, addSeconds(opt.studyTime, firstPhaseTime), file);
            put(ds, DCM_AcquisitionTime, acquisitionTime, file);
            put(ds, DCM_ContentTime, acquisitionTime, file);
            put(ds, DCM_AccessionNumber, "", file);
            put(ds, DCM_Modality, "MR", file);
            put(ds, DCM_Manufacturer, "BreastMSC", file);
            if (!opt.institution.empty()) {
                put(ds, DCM_InstitutionName, opt.institution, file);
            }
            put(ds, DCM_ReferringPhysicianName, "", file);
            put(ds, DCM_StudyDescription, md.description.empty() ? "Breast MRI" : md.description,
                file);
            put(ds, DCM_SeriesDescription, plan.description, file);
            put(ds, DCM_ManufacturerModelName, opt.model, file);
            put(ds, DCM_PatientName, ctx.patientName, file);
            put(ds, DCM_PatientID, ctx.patientId, file);
            put(ds, DCM_PatientBirthDate, "", file);
            put(ds, DCM_PatientSex, "F", file);
            put(ds, DCM_BodyPartExamined, "BREAST", file);
            put(ds, DCM_ScanningSequence, plan.t2 ? "SE" : "GR", file);
            put(ds, DCM_SequenceVariant, plan.t2 ? "SK" : "SP", file);
            put(ds, DCM_ScanOptions, "", file);
            put(ds, DCM_MRAcquisitionType, plan.t2 ? "2D" : "3D", file);
            put(ds, DCM_SequenceName, plan.t2 ? "*tse2d1_15" : "*fl3d1", file);
            put(ds, DCM_AngioFlag, "N", file);
            put(ds, DCM_SliceThickness, formatDs(g.spacing[2]), file);
            put(ds, DCM_RepetitionTime, plan.t2 ? "5000" : "8", file);
            put(ds, DCM_EchoTime, plan.t2 ? "100" : "4", file);
            put(ds, DCM_NumberOfAverages, "1", file);
            put(ds, DCM_ImagingFrequency, "63.9", file);
            put(ds, DCM_ImagedNucleus, "1H", file);
            put(ds, DCM_MagneticFieldStrength, "1.5", file);
            put(ds, DCM_SpacingBetweenSlices, formatDs(g.spacing[2]), file);
            put(ds, DCM_EchoTrainLength, plan.t2 ? "15" : "1", file);
            put(ds, DCM_FlipAngle, plan.t2 ? "150" : "10", file);
            put(ds, DCM_PatientPosition, "HFP", file);
            if (!plan.t2) {
                if (opt.writeTriggerTime) {
                    put(ds, DCM_TriggerTime, formatDs(phaseTime * 1000.0), file);
                }
                if (phase > 0 || temporal) {
                    put(ds, DCM_ContrastBolusAgent, "Gadobutrol", file);
                    put(ds, DCM_ContrastBolusRoute, "IV", file);
                    put(ds, DCM_ContrastBolusStartTime, addSeconds(opt.studyTime, 30.0), file);
                }
            }
            put(ds, DCM_StudyInstanceUID, ctx.studyUid, file);
            put(ds, DCM_SeriesInstanceUID, seriesUid, file);
            put(ds, DCM_StudyID, "1", file);
            put(ds, DCM_SeriesNumber, std::to_string(plan.number), file);
            put(ds, DCM_AcquisitionNumber, std::to_string(temporal ? t + 1 : 1), file);
            put(ds, DCM_InstanceNumber, std::to_string(instance), file);
            const Vec3 position = g.indexToPhysical({0.0, 0.0, static_cast<double>(k)});
            put(ds, DCM_ImagePositionPatient, formatDs({position[0], position[1], position[2]}),
                file);
            put(ds, DCM_ImageOrientationPatient,
                formatDs({row[0], row[1], row[2], col[0], col[1], col[2]}), file);
            put(ds, DCM_FrameOfReferenceUID, ctx.frameUid, file);
            put(ds, DCM_PositionReferenceIndicator, "", file);
            put(ds, DCM_ImageLaterality, "B", file);
            if (temporal) {
                put(ds, DCM_TemporalPositionIdentifier, std::to_string(t + 1), file);
                put(ds, DCM_NumberOfTemporalPositions, std::to_string(plan.volumes.size()), file);
            }
            put(ds, DCM_SliceLocation,
                formatDs(position[0] * normal[0] + position[1] * normal[1] +
                         position[2] * normal[2]),
                file);
            put(ds, DCM_SamplesPerPixel, "1", file);
            put(ds, DCM_PhotometricInterpretation, "MONOCHROME2", file);
            check(ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(ny)), file, "rows");
            check(ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(nx)), file, "columns");
            put(ds, DCM_PixelSpacing, formatDs({g.spacing[1], g.spacing[0]}), file);
            check(ds.putAndInsertUint16(DCM_BitsAllocated, 16), file, "bits");
            check(ds.putAndInsertUint16(DCM_BitsStored, 16), file, "bits");
            check(ds.putAndInsertUint16(DCM_HighBit, 15), file, "bits");
            check(ds.putAndInsertUint16(DCM_PixelRepresentation, 0), file, "bits");
            put(ds, DCM_WindowCenter, formatDs(static_cast<double>(lo) + width / 2.0), file);
            put(ds, DCM_WindowWidth, formatDs(width), file);
            if (rescale.slope != 1.0 || rescale.intercept != 0.0) {
                // The identity is the default; leaving it out keeps the MR IOD strict.
                put(ds, DCM_RescaleIntercept, intercept, file);
                put(ds, DCM_RescaleSlope, slope, file);
                put(ds, DCM_RescaleType, "US", file);
            }
            for (std::int64_t j = 0; j < ny; ++j) {
                for (std::int64_t i = 0; i < nx; ++i) {
                    const double s =
                        (static_cast<double>(v.at(i, j, k)) - rescale.intercept) / rescale.slope;
                    pixels[static_cast<std::size_t>(i + nx * j)] =
                        static_cast<Uint16>(std::clamp(std::nearbyint(s), 0.0, 65535.0));
                }
            }
            check(ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(),
                                             static_cast<unsigned long>(pixels.size())),
                  file, "pixel data");
            check(format.saveFile(file.c_str(), EXS_LittleEndianExplicit), file, "write");
            if (progress != nullptr) {
                const double done = static_cast<double>(instance) / static_cast<double>(filesTotal);
                progress->report(progressBegin + (progressEnd - progressBegin) * done,
                                 "writing " + plan.description);
            }
        }
    }
}

}  // namespace

DicomRescale chooseDicomRescale(float minimum, float maximum, bool allIntegers) {
    DicomRescale r;
    const double lo = minimum, hi = maximum;
    if (allIntegers && hi - lo <= 65535.0) {
        r.slope = 1.0;
        r.intercept = lo >= 0.0 && hi <= 65535.0 ? 0.0 : lo;
        return r;
    }
    const double range = hi - lo;
    r.intercept = std::strtod(formatDs(lo).c_str(), nullptr);
    if (range <= 0.0) {
        r.slope = 1.0;
        return r;
    }
    // The slope as written (16 characters), rounded up so that the maximum still fits.
    double slope = range / 65535.0;
    for (int attempt = 0; attempt < 8; ++attempt) {
        const double written = std::strtod(formatDs(slope).c_str(), nullptr);
        if ((hi - r.intercept) / written <= 65535.0) {
            r.slope = written;
            return r;
        }
        slope *= 1.0 + 1e-9 * std::pow(10.0, attempt);
    }
    r.slope = std::strtod(formatDs(slope * 1.001).c_str(), nullptr);
    return r;
}

void writeDicomStudy(const Study& study, const fs::path& folder, const DicomWriteOptions& options,
                     const Volume* t2, Progress* progress) {
    for (int c = 0; c < kDynamicChannelCount; ++c) {
        if (!study.hasChannel(static_cast<Channel>(c))) {
            throw IoError(ErrorCode::MissingChannel, folder,
                          "cannot write DICOM: the study has no " +
                              std::string(channelName(static_cast<Channel>(c))) + " channel");
        }
    }
    const Volume& t2Volume = t2 != nullptr ? *t2 : study.channel(Channel::T2);
    for (const Volume* v : {&study.channel(Channel::Pre), &t2Volume}) {
        const auto& s = v->geometry().size;
        if (s[0] > 65535 || s[1] > 65535 || v->empty()) {
            throw IoError(ErrorCode::InvalidArgument, folder,
                          "cannot write DICOM: a slice must have 1-65535 rows and columns");
        }
    }
    const UidSource uids(options.uidSeed);
    StudyContext ctx;
    ctx.metadata = &study.metadata;
    ctx.options = &options;
    ctx.uids = &uids;
    ctx.patientId = study.metadata.patientId.empty() ? "ANONYMOUS" : study.metadata.patientId;
    // LO and PN values: at most 64 characters, no backslash (the value separator).
    std::replace(ctx.patientId.begin(), ctx.patientId.end(), '\\', '_');
    if (ctx.patientId.size() > 64) {
        ctx.patientId.resize(64);
    }
    ctx.patientName = options.patientName.empty() ? ctx.patientId + "^" : options.patientName;
    std::replace(ctx.patientName.begin(), ctx.patientName.end(), '\\', '_');
    if (ctx.patientName.size() > 64) {
        ctx.patientName.resize(64);
    }
    ctx.studyUid = study.metadata.studyInstanceUid.empty()
                       ? uids.make(0x57D1ULL, SITE_STUDY_UID_ROOT)
                       : study.metadata.studyInstanceUid;
    ctx.frameUid = uids.make(0xF0ULL, SITE_INSTANCE_UID_ROOT);
    const std::string& date = study.metadata.studyDate;
    ctx.studyDate = date.size() == 8 && std::all_of(date.begin(), date.end(),
                                                    [](char ch) { return ch >= '0' && ch <= '9'; })
                        ? date
                        : "";
    for (std::size_t p = 0; p < ctx.times.size(); ++p) {
        const double t = study.metadata.phaseTimes[p];
        ctx.times[p] = std::isfinite(t) ? t : 70.0 * static_cast<double>(p);
    }

    std::vector<SeriesPlan> plans;
    if (options.layout == DicomDynamicLayout::OneSeries) {
        SeriesPlan dyn;
        dyn.folderName = "01_DYN";
        dyn.description = "DYN pre+post1-4";
        for (int c = 0; c < kDynamicChannelCount; ++c) {
            dyn.volumes.push_back(&study.channel(static_cast<Channel>(c)));
            dyn.phases.push_back(c);
        }
        plans.push_back(dyn);
    } else {
        for (int c = 0; c < kDynamicChannelCount; ++c) {
            SeriesPlan phase;
            const std::string name(channelName(static_cast<Channel>(c)));
            phase.folderName = "0" + std::to_string(c + 1) + "_DYN_" + name;
            phase.description = "DYN " + name;
            phase.volumes.push_back(&study.channel(static_cast<Channel>(c)));
            phase.phases.push_back(c);
            plans.push_back(phase);
        }
    }
    SeriesPlan t2Plan;
    t2Plan.folderName = "0" + std::to_string(plans.size() + 1) + "_T2_TSE";
    t2Plan.description = "T2 TSE";
    t2Plan.t2 = true;
    t2Plan.volumes.push_back(&t2Volume);
    t2Plan.phases.push_back(-1);
    plans.push_back(t2Plan);

    double total = 0.0;
    for (auto& plan : plans) {
        plan.number = static_cast<int>(&plan - plans.data()) + 1;
        total +=
            static_cast<double>(plan.volumes.size() * plan.volumes.front()->geometry().size[2]);
    }
    writeFolderAtomically(folder, [&](const fs::path& temporary) {
        double done = 0.0;
        for (const SeriesPlan& plan : plans) {
            const double files =
                static_cast<double>(plan.volumes.size() * plan.volumes.front()->geometry().size[2]);
            // Each series folder is itself written atomically inside the study's temporary.
            writeFolderAtomically(temporary / plan.folderName, [&](const fs::path& seriesFolder) {
                writeSeries(ctx, plan, seriesFolder, progress, done / total,
                            (done + files) / total);
            });
            done += files;
        }
    });
}

}  // namespace bmsc::io
