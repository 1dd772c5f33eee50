#pragma once
// Private: which DICOM series (or temporal positions) become which channel of a study.

#include "DicomSeries.h"

#include "breastmsc/io/Study.h"
#include "breastmsc/io/StudyReader.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::io::detail {

/// One 3D acquisition: a whole single-phase series, or one temporal position of a series.
struct DicomPhase {
    const DicomSeries* series = nullptr;
    int temporalIndex = 0;                  ///< position of this phase inside its series
    std::vector<const DicomSlice*> slices;  ///< one frame per slice position
    double acquisitionTimeS = NAN;          ///< earliest AcquisitionTime of its frames
    double triggerTimeS = NAN;              ///< earliest TriggerTime of its frames, in s
};

struct DicomAssignment {
    std::array<DicomPhase, kDynamicChannelCount> dynamic;  ///< pre, post1 … post4
    DicomPhase t2;
    std::array<double, kDynamicChannelCount> phaseTimes{NAN, NAN, NAN, NAN, NAN};
    std::string phaseOrder;          ///< how the phases were ordered, for the report
    std::vector<std::string> roles;  ///< per series (scan order): what it was assigned to
    std::vector<int> phaseCounts;    ///< per series: temporal positions
};

/// Splits a series into its temporal positions (see Dicom.h), ordered by the key that tells
/// them apart. A series whose slice positions hold unequal numbers of frames, or whose frames
/// at one position cannot be told apart, is a GeometryMismatch naming `folder`.
std::vector<DicomPhase> splitPhases(const DicomSeries& series, const std::filesystem::path& folder);

/// Applies the assignment rule of Dicom.h (or the overrides in `options`).
DicomAssignment assignDicomSeries(const std::vector<DicomSeries>& series,
                                  const StudyReadOptions& options,
                                  const std::filesystem::path& folder);

}  // namespace bmsc::io::detail
