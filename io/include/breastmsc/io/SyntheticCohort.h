#pragma once

#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Geometry.h"
#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/Volume.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::io {

enum class SyntheticFormat { Nifti, Dicom };

/// What to generate. Anatomy is defined in physical millimetres, so the same seed gives the
/// same patients at any grid size; the field of view is fixed and the spacing follows the size
/// (extent / size, rounded to a multiple of 2^-10 mm so that NIfTI's float32 header fields
/// hold the grid exactly).
struct SyntheticOptions {
    int patients = 10;
    std::uint64_t seed = 1;
    /// Dynamic grid (i → patient's left, j → posterior, k → superior). 512×512×32 is the
    /// paper's geometry; the default is small enough for demos and CI.
    Index3 size{192, 192, 24};
    double fieldOfViewMm = 320.0;  ///< in-plane, both axes
    double coverageMm = 96.0;      ///< along z
    SyntheticFormat format = SyntheticFormat::Nifti;
    std::string niftiExtension = "nii.gz";
    bool dynamicOneSeries = false;  ///< DICOM: the five phases as one series
    /// T2 on its own grid (¾ of the in-plane matrix, ¾ of the slices, thicker), as scanners
    /// acquire it; readers must resample it onto the dynamic grid.
    bool t2OwnGrid = true;
    double malignantFraction = 0.4;  ///< of breasts
};

enum class SyntheticLesionKind { Malignant, Benign, Cyst };
enum class KineticCurve { Washout, Plateau, Persistent, None };

std::string_view lesionKindName(SyntheticLesionKind kind) noexcept;  ///< "malignant", …
std::string_view kineticCurveName(KineticCurve curve) noexcept;      ///< "washout", …

/// One generated lesion with the parameters that produced it.
struct SyntheticLesion {
    Vec3 centre{0, 0, 0};  ///< LPS mm
    Side side = Side::Left;
    SyntheticLesionKind kind = SyntheticLesionKind::Benign;
    double diameterMm = 0.0;  ///< of the lesion's core (spicules extend beyond it)
    KineticCurve curve = KineticCurve::None;
    /// Relative enhancement E(t) = amplitude · (1 − exp(−kIn·t)) · exp(−kOut·t), t in seconds
    /// after contrast arrival; the signal is pre · (1 + E).
    double amplitude = 0.0;
    double kIn = 0.0;
    double kOut = 0.0;
    /// Intended relative enhancement at each dynamic phase (0 for pre), at the lesion centre.
    std::array<double, kDynamicChannelCount> intendedEnhancement{};
    Label label() const noexcept {
        return kind == SyntheticLesionKind::Malignant ? Label::Malignant : Label::Benign;
    }
};

/// One generated patient, in memory.
struct SyntheticPatient {
    std::string patientId;
    /// Six channels on the dynamic grid; T2 resampled (linear, resampleToGrid) from t2Native
    /// exactly as readImageStudy does when it reads the written files.
    Study study;
    Volume t2Native;  ///< T2 on its own grid (equal to the study's T2 if !t2OwnGrid)
    std::array<Label, 2> breastLabels{Label::Benign, Label::Benign};  ///< [Left, Right]
    std::vector<SyntheticLesion> lesions;
    Vec3 heartCentre{0, 0, 0};  ///< LPS mm, centre of the blood pool
    std::string density;        ///< ACR breast density "a" … "d"
    std::string bpe;            ///< background parenchymal enhancement level

    Label breastLabel(Side side) const noexcept { return breastLabels[side == Side::Left ? 0 : 1]; }
    /// The two rows this patient adds to cohort.csv (extra columns density, bpe).
    std::vector<BreastRecord> breastRecords() const;
    /// The rows this patient adds to lesions.csv (extra columns kind, diameter_mm, curve).
    std::vector<LesionPoint> lesionPoints() const;
};

/// "P0001" for index 0.
std::string syntheticPatientId(int index);

/// The dynamic grid of `options` (identity direction, centred on the origin, LPS).
Geometry syntheticDynamicGeometry(const SyntheticOptions& options);
/// The T2 grid (equal to the dynamic grid when !t2OwnGrid).
Geometry syntheticT2Geometry(const SyntheticOptions& options);

/// Labels of the left and right breast of patient `index`. Breasts are assigned in blocks
/// of ten (five patients) with the rounded share of malignant ones shuffled within the
/// block, so that any cohort is within one breast per block of the requested fraction.
std::array<Label, 2> syntheticBreastLabels(const SyntheticOptions& options, int index);

/// Generates patient `index` (0-based) of the cohort described by `options`. Deterministic:
/// the same options and index give identical voxels (all randomness comes from
/// std::mt19937_64 words turned into numbers by the generator itself; only libm's last-bit
/// differences between platforms could move a voxel by one unit). Throws
/// IoError(InvalidArgument) for meaningless options.
///
/// The model, briefly: axial LPS volume, both breasts as anterior half-ellipsoids with
/// per-patient size and asymmetry, skin, fat (bright on T1), fibroglandular tissue from
/// thresholded smooth noise (ACR density a–d), background parenchymal enhancement
/// (minimal/mild/moderate/marked), subcutaneous fat, pectoral muscle, ribs, lungs (dark), a
/// strongly enhancing heart and aorta behind the chest wall. Lesions 3–15 mm, 0–3 per breast,
/// the same size and position distributions for every kind: malignant ones irregular, often
/// spiculated, mostly fast wash-in and washout (some plateau or persistent), darker on T2;
/// benign ones smooth ovals, mostly slower persistent (some plateau/washout), often bright on
/// T2; cysts (benign findings, listed as benign lesions) do not enhance and are very bright on
/// T2. Relative enhancement E(t) = A·(1 − e^(−kIn·t))·e^(−kOut·t) at the phase times
/// (0, Δ, 2Δ, 3Δ, 4Δ with Δ 60–80 s). Then a smooth multiplicative bias field, a per-patient
/// gain and Rician noise, rounded to integers. Only the lesions depend on the labels.
SyntheticPatient generateSyntheticPatient(const SyntheticOptions& options, int index,
                                          Progress* progress = nullptr);

/// Throws IoError(InvalidArgument, naming no file) when the options describe no cohort that can
/// be generated: 1–99999 patients, an in-plane grid of 32–2048 voxels, 4–512 slices, a malignant
/// fraction in [0, 1], a field of view of 200–500 mm and a coverage of 40–300 mm.
/// generateSyntheticPatient and generateCohort check their options with it first.
void checkSyntheticOptions(const SyntheticOptions& options);

/// Writes a whole cohort (COHORT-FORMAT.md) into `folder`: cohort.csv (with extra columns
/// density, bpe), lesions.csv (extra columns kind, diameter_mm, curve; cysts are benign
/// lesions) and one study folder per patient, NIfTI channel files or DICOM. The folder is
/// written as a whole: into a temporary sibling that replaces `folder` when complete.
void generateCohort(const SyntheticOptions& options, const std::filesystem::path& folder,
                    Progress* progress = nullptr);

}  // namespace bmsc::io
