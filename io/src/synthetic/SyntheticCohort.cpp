#include "breastmsc/io/SyntheticCohort.h"

#include "BreastPhantom.h"
#include "SyntheticRandom.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/DicomWriter.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Resample.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bmsc::io {
namespace fs = std::filesystem;
using synthetic::hashCombine;

namespace {

std::uint64_t patientSeed(const SyntheticOptions& o, int index) {
    return hashCombine(hashCombine(o.seed, 0x9A7E17ULL), static_cast<std::uint64_t>(index));
}

/// YYYYMMDD of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
std::string dateOfDays(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char text[16];
    std::snprintf(text, sizeof text, "%04d%02d%02d", static_cast<int>(y), static_cast<int>(m),
                  static_cast<int>(d));
    return text;
}

/// Spacing rounded to a multiple of 2^-10 mm: then spacing and origin are exact in the float32
/// fields of a NIfTI header (and short in DICOM), so a written grid reads back bit for bit.
double exactSpacing(double extentMm, std::int64_t voxels) {
    return std::round(extentMm / static_cast<double>(voxels) * 1024.0) / 1024.0;
}

std::string formatFixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace

void checkSyntheticOptions(const SyntheticOptions& o) {
    auto fail = [](const std::string& reason) {
        throw IoError(ErrorCode::InvalidArgument, {}, reason);
    };
    if (o.patients < 1 || o.patients > 99999) {
        fail("the number of patients must be between 1 and 99999");
    }
    if (o.size[0] < 32 || o.size[1] < 32 || o.size[0] > 2048 || o.size[1] > 2048) {
        fail("the in-plane grid size must be between 32 and 2048 voxels");
    }
    if (o.size[2] < 4 || o.size[2] > 512) {
        fail("the number of slices must be between 4 and 512");
    }
    if (!(o.malignantFraction >= 0.0 && o.malignantFraction <= 1.0)) {
        fail("the malignant fraction must lie in [0, 1]");
    }
    if (!(o.fieldOfViewMm >= 200.0 && o.fieldOfViewMm <= 500.0) ||
        !(o.coverageMm >= 40.0 && o.coverageMm <= 300.0)) {
        fail("the field of view must be 200-500 mm and the coverage 40-300 mm");
    }
}

std::string_view lesionKindName(SyntheticLesionKind kind) noexcept {
    switch (kind) {
        case SyntheticLesionKind::Malignant:
            return "malignant";
        case SyntheticLesionKind::Benign:
            return "benign";
        case SyntheticLesionKind::Cyst:
            return "cyst";
    }
    return "";
}

std::string_view kineticCurveName(KineticCurve curve) noexcept {
    switch (curve) {
        case KineticCurve::Washout:
            return "washout";
        case KineticCurve::Plateau:
            return "plateau";
        case KineticCurve::Persistent:
            return "persistent";
        case KineticCurve::None:
            return "none";
    }
    return "";
}

std::string syntheticPatientId(int index) {
    char text[16];
    std::snprintf(text, sizeof text, "P%04d", index + 1);
    return text;
}

std::vector<BreastRecord> SyntheticPatient::breastRecords() const {
    std::vector<BreastRecord> rows;
    for (const Side side : {Side::Left, Side::Right}) {
        BreastRecord b;
        b.patientId = patientId;
        b.side = side;
        b.label = breastLabel(side);
        b.extra = {{"density", density}, {"bpe", bpe}};
        rows.push_back(std::move(b));
    }
    return rows;
}

std::vector<LesionPoint> SyntheticPatient::lesionPoints() const {
    std::vector<LesionPoint> rows;
    for (const SyntheticLesion& l : lesions) {
        LesionPoint point;
        point.patientId = patientId;
        point.position = l.centre;
        point.label = l.label();
        point.extra = {{"kind", std::string(lesionKindName(l.kind))},
                       {"diameter_mm", formatFixed(l.diameterMm, 1)},
                       {"curve", std::string(kineticCurveName(l.curve))}};
        rows.push_back(std::move(point));
    }
    return rows;
}

Geometry syntheticDynamicGeometry(const SyntheticOptions& o) {
    Geometry g;
    g.size = o.size;
    g.spacing = {exactSpacing(o.fieldOfViewMm, o.size[0]), exactSpacing(o.fieldOfViewMm, o.size[1]),
                 exactSpacing(o.coverageMm, o.size[2])};
    for (int a = 0; a < 3; ++a) {
        g.origin[static_cast<std::size_t>(a)] =
            -0.5 * static_cast<double>(g.size[static_cast<std::size_t>(a)] - 1) *
            g.spacing[static_cast<std::size_t>(a)];
    }
    return g;
}

Geometry syntheticT2Geometry(const SyntheticOptions& o) {
    if (!o.t2OwnGrid) {
        return syntheticDynamicGeometry(o);
    }
    // A coarser in-plane matrix and thicker slices; one extra slice so that the T2 block
    // covers every dynamic voxel centre (the reader's resampling needs no extrapolation).
    const auto inPlane = [](std::int64_t n) {
        return std::max<std::int64_t>(16, 2 * ((3 * n + 4) / 8));
    };
    const std::int64_t slices = std::max<std::int64_t>(3, (3 * o.size[2] + 2) / 4);
    Geometry g;
    g.size = {inPlane(o.size[0]), inPlane(o.size[1]), slices + 1};
    g.spacing = {exactSpacing(o.fieldOfViewMm, g.size[0]), exactSpacing(o.fieldOfViewMm, g.size[1]),
                 exactSpacing(o.coverageMm, slices)};
    for (std::size_t a = 0; a < 3; ++a) {
        g.origin[a] = -0.5 * static_cast<double>(g.size[a] - 1) * g.spacing[a];
    }
    return g;
}

std::array<Label, 2> syntheticBreastLabels(const SyntheticOptions& o, int index) {
    constexpr int kBlock = 10;  // breasts per block (five patients)
    const int block = index / (kBlock / 2);
    synthetic::Random offset(hashCombine(o.seed, 0xB10CULL));
    const double u0 = offset.uniform();
    const double share = o.malignantFraction * kBlock;
    const int count =
        static_cast<int>(std::floor((block + 1) * share + u0) - std::floor(block * share + u0));
    std::array<bool, kBlock> slots{};
    for (int s = 0; s < count && s < kBlock; ++s) {
        slots[static_cast<std::size_t>(s)] = true;
    }
    synthetic::Random shuffle(
        hashCombine(hashCombine(o.seed, 0xB10C5ULL), static_cast<std::uint64_t>(block)));
    for (int s = kBlock - 1; s > 0; --s) {
        std::swap(slots[static_cast<std::size_t>(s)],
                  slots[static_cast<std::size_t>(shuffle.integer(0, s))]);
    }
    const auto base = static_cast<std::size_t>(2 * (index % (kBlock / 2)));
    return {slots[base] ? Label::Malignant : Label::Benign,
            slots[base + 1] ? Label::Malignant : Label::Benign};
}

SyntheticPatient generateSyntheticPatient(const SyntheticOptions& options, int index,
                                          Progress* progress) {
    checkSyntheticOptions(options);
    if (index < 0) {
        throw IoError(ErrorCode::InvalidArgument, {}, "a patient index must not be negative");
    }
    SyntheticPatient patient;
    patient.patientId = syntheticPatientId(index);
    patient.breastLabels = syntheticBreastLabels(options, index);
    const std::uint64_t seed = patientSeed(options, index);
    const synthetic::BreastPhantom phantom(options, seed, patient.breastLabels);
    const Geometry dynamicGrid = syntheticDynamicGeometry(options);
    const Geometry t2Grid = syntheticT2Geometry(options);

    SubProgress dynamicProgress(progress, 0.0, 0.75);
    auto phases = phantom.renderDynamic(dynamicGrid, &dynamicProgress);
    SubProgress t2Progress(progress, 0.75, 0.95);
    patient.t2Native = phantom.renderT2(t2Grid, &t2Progress);

    StudyMetadata& m = patient.study.metadata;
    m.patientId = patient.patientId;
    m.studyInstanceUid = synthetic::deterministicUid(seed, 0x57D1ULL);
    m.studyDate = dateOfDays(19358 + static_cast<std::int64_t>(hashCombine(seed, 3) % 730));
    m.description = "Synthetic breast DCE-MRI";
    m.source = "synthetic (seed " + std::to_string(options.seed) + ", patient " +
               std::to_string(index) + ")";
    m.phaseTimes = phantom.phaseTimes();
    for (int c = 0; c < kDynamicChannelCount; ++c) {
        patient.study.setChannel(static_cast<Channel>(c),
                                 std::move(phases[static_cast<std::size_t>(c)]));
    }
    if (t2Grid.sameGrid(dynamicGrid, 1e-3)) {
        patient.study.setChannel(Channel::T2, patient.t2Native);
    } else {
        patient.study.setChannel(Channel::T2, resampleToGrid(patient.t2Native, dynamicGrid));
        m.report.push_back("t2: " + t2Grid.describe() +
                           ", resampled (linear) onto the dynamic grid");
    }
    patient.lesions = phantom.lesions();
    patient.heartCentre = phantom.heartCentre();
    patient.density = phantom.density();
    patient.bpe = phantom.bpe();
    if (progress != nullptr) {
        progress->report(1.0, "patient generated");
    }
    return patient;
}

void generateCohort(const SyntheticOptions& options, const fs::path& folder, Progress* progress) {
    checkSyntheticOptions(options);
    if (folder.empty()) {
        throw IoError(ErrorCode::InvalidArgument, folder, "no output folder given");
    }
    writeFolderAtomically(folder, [&](const fs::path& temporary) {
        Cohort cohort = Cohort::create(temporary);
        const auto n = static_cast<double>(options.patients);
        for (int p = 0; p < options.patients; ++p) {
            throwIfCancelled(progress, folder.c_str());
            const std::string id = syntheticPatientId(p);
            SubProgress generate(progress, p / n, (p + 0.7) / n);
            const SyntheticPatient patient = generateSyntheticPatient(options, p, &generate);
            SubProgress write(progress, (p + 0.7) / n, (p + 1.0) / n);
            if (progress != nullptr) {
                progress->report((p + 0.7) / n, "writing " + id);
            }
            if (options.format == SyntheticFormat::Dicom) {
                DicomWriteOptions dicom;
                dicom.layout = options.dynamicOneSeries ? DicomDynamicLayout::OneSeries
                                                        : DicomDynamicLayout::SeriesPerPhase;
                dicom.uidSeed = patientSeed(options, p);
                dicom.institution = "BreastMSC synthetic cohort";
                dicom.model = "synthetic generator";
                dicom.patientName = "Synthetic^" + id;
                writeDicomStudy(patient.study, temporary / id, dicom, &patient.t2Native, &write);
            } else {
                writeImageStudy(patient.study, temporary / id, options.niftiExtension, &write,
                                &patient.t2Native);
            }
            for (auto& b : patient.breastRecords()) {
                cohort.breasts().push_back(std::move(b));
            }
            for (auto& l : patient.lesionPoints()) {
                cohort.lesions().push_back(std::move(l));
            }
        }
        cohort.save();
    });
    if (progress != nullptr) {
        progress->report(1.0, "cohort written");
    }
}

}  // namespace bmsc::io
