#include "DicomAssign.h"
#include "DicomSeries.h"
#include "DicomVolume.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Resample.h"

#include <sstream>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

std::string formatSeconds(double s) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << s << " s";
    return out.str();
}

/// Reads one phase onto the study grid (the first phase read sets it); says what it did.
Volume readPhase(const detail::DicomPhase& phase, const Geometry* studyGrid, const fs::path& folder,
                 Progress* progress, std::string& note) {
    std::vector<const detail::DicomSlice*> slices = phase.slices;
    const Geometry grid = detail::stackGeometry(slices, folder);
    Volume volume = detail::readStack(slices, grid, folder, progress);
    note = grid.describe();
    if (studyGrid != nullptr && !grid.sameGrid(*studyGrid, 1e-3)) {
        volume = resampleToGrid(volume, *studyGrid, Interpolation::Linear);
        note += ", resampled (linear) onto the pre grid";
    }
    return volume;
}

}  // namespace

Study readDicomStudy(const fs::path& folder, const StudyReadOptions& options, Progress* progress) {
    SubProgress scanning(progress, 0.0, 0.25);
    const std::vector<detail::DicomSeries> series = detail::scanDicomSeries(folder, &scanning);
    const detail::DicomAssignment assignment = detail::assignDicomSeries(series, options, folder);

    Study study;
    const detail::DicomSlice& first = *assignment.dynamic[0].slices.front();
    study.metadata.patientId = first.patientId;
    study.metadata.studyInstanceUid = first.studyInstanceUid;
    study.metadata.studyDate = first.studyDate;
    study.metadata.description = first.studyDescription;
    study.metadata.source = folder.string();
    study.metadata.phaseTimes = assignment.phaseTimes;

    std::vector<std::string> channelNotes(kChannelCount);
    for (int c = 0; c < kChannelCount; ++c) {
        const auto channel = static_cast<Channel>(c);
        const detail::DicomPhase& phase = channel == Channel::T2
                                              ? assignment.t2
                                              : assignment.dynamic[static_cast<std::size_t>(c)];
        SubProgress reading(progress, 0.25 + 0.75 * c / kChannelCount,
                            0.25 + 0.75 * (c + 1) / kChannelCount);
        reading.report(0.0, "reading " + std::string(channelName(channel)));
        const Geometry* grid = c == 0 ? nullptr : &study.geometry();
        std::string note;
        study.setChannel(channel, readPhase(phase, grid, folder, &reading, note));
        channelNotes[static_cast<std::size_t>(c)] = std::string(channelName(channel)) + ": " + note;
    }

    auto& report = study.metadata.report;
    report.push_back("DICOM folder " + folder.string() + ": " + std::to_string(series.size()) +
                     " series");
    for (std::size_t i = 0; i < series.size(); ++i) {
        const auto& s = series[i];
        const auto& f = s.slices.front();
        std::ostringstream grid;
        grid.precision(4);
        grid << f.columns << "×" << f.rows << "×"
             << s.slices.size() / static_cast<std::size_t>(s.temporalPositions) << " at "
             << f.pixelSpacing[1] << "×" << f.pixelSpacing[0] << " mm";
        report.push_back("series " + (s.number.empty() ? std::string("?") : s.number) + " '" +
                         s.description + "' " + s.uid + ": " + std::to_string(s.files.size()) +
                         " files, " + std::to_string(assignment.phaseCounts[i]) + " phase(s), " +
                         grid.str() + " → " + assignment.roles[i]);
    }
    std::string times = "phases ordered by " + assignment.phaseOrder + "; times after pre:";
    for (int p = 0; p < kDynamicChannelCount; ++p) {
        const double t = assignment.phaseTimes[static_cast<std::size_t>(p)];
        times += std::string(p == 0 ? " " : ", ") +
                 std::string(channelName(static_cast<Channel>(p))) + " " +
                 (std::isfinite(t) ? formatSeconds(t) : std::string("unknown"));
    }
    report.push_back(times);
    for (const auto& note : channelNotes) {
        report.push_back(note);
    }
    if (progress != nullptr) {
        progress->report(1.0, "DICOM study read");
    }
    return study;
}

}  // namespace bmsc::io
