#pragma once

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/Volume.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace bmsc::io {

/// How the five dynamic phases are laid out in DICOM.
enum class DicomDynamicLayout {
    SeriesPerPhase,  ///< five series ("DYN pre", "DYN post1" …), plus the T2 series
    OneSeries,       ///< one series with five temporal positions, plus the T2 series
};

struct DicomWriteOptions {
    DicomDynamicLayout layout = DicomDynamicLayout::SeriesPerPhase;
    /// Set: UIDs are derived deterministically (2.25.<number>) from this seed, the patient id
    /// and the series/slice, so that writing the same study twice gives identical files.
    /// Unset: fresh UIDs from DCMTK's generator.
    std::optional<std::uint64_t> uidSeed;
    /// Time of day of the pre-contrast phase (HHMMSS); the other phases follow phaseTimes.
    std::string studyTime = "090000";
    std::string institution;                       ///< InstitutionName; left out when empty
    std::string model = "BreastMSC DICOM writer";  ///< ManufacturerModelName
    std::string patientName;  ///< PatientName (family^given); empty: "<patientId>^"
    /// TriggerTime (ms after the pre-contrast phase) on the dynamic images. Off by default:
    /// the MR Image IOD allows it only with cardiac gating, so dciodvfy reports it as an error;
    /// AcquisitionTime (and, in one series, TemporalPositionIdentifier) carry the timing.
    bool writeTriggerTime = false;
};

/// Writes a study as MR Image Storage DICOM files (one file per slice, 16-bit unsigned with
/// RescaleSlope/Intercept chosen per series: integer voxels are stored exactly, others to
/// within half a quantisation step; the identity rescale is left out). The T2 series is taken from
/// `t2` when given (it may lie on its own grid), else from the study's T2 channel.
/// ImagePositionPatient and ImageOrientationPatient follow each volume's Geometry (any direction
/// matrix).
///
/// Layout: `folder/NN_<series>/IM_<k>.dcm`. The whole folder is written atomically (a
/// temporary sibling folder renamed into place), so a failure never leaves half a study.
/// Patient and study identifiers come from study.metadata (patientId, studyInstanceUid,
/// studyDate, description); phase times from metadata.phaseTimes (70 s apart where NaN).
void writeDicomStudy(const Study& study, const std::filesystem::path& folder,
                     const DicomWriteOptions& options = {}, const Volume* t2 = nullptr,
                     Progress* progress = nullptr);

/// The RescaleSlope and RescaleIntercept the writer uses for voxels in [minimum, maximum]
/// (integers: slope 1; otherwise the range spread over 0…65535), exactly as written to the
/// files (decimal strings of at most 16 characters).
struct DicomRescale {
    double slope = 1.0;
    double intercept = 0.0;
};
DicomRescale chooseDicomRescale(float minimum, float maximum, bool allIntegers);

}  // namespace bmsc::io
