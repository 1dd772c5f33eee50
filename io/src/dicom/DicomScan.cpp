#include "DicomParallel.h"
#include "DicomSeries.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace detail {
namespace {

constexpr double kSamePositionMm = 0.01;

std::vector<fs::path> listFiles(const fs::path& folder, Progress* progress) {
    std::vector<fs::path> files;
    std::error_code ec;
    auto it =
        fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        throw IoError(ErrorCode::NotReadable, folder, "cannot list the folder: " + ec.message());
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            throw IoError(ErrorCode::NotReadable, folder,
                          "cannot list the folder: " + ec.message());
        }
        std::error_code typeError;
        if (it->is_regular_file(typeError)) {
            files.push_back(it->path());
            if (files.size() % 1024 == 0) {
                throwIfCancelled(progress, folder.string().c_str());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

long seriesNumberValue(const std::string& number) {
    char* end = nullptr;
    const long value = std::strtol(number.c_str(), &end, 10);
    return (end != number.c_str()) ? value : std::numeric_limits<long>::max();
}

}  // namespace

std::vector<std::vector<const DicomSlice*>> groupByPosition(const std::vector<DicomSlice>& slices) {
    std::vector<const DicomSlice*> sorted;
    sorted.reserve(slices.size());
    bool placed = !slices.empty();
    for (const auto& s : slices) {
        sorted.push_back(&s);
        placed = placed && s.hasPosition && s.hasOrientation;
    }
    std::vector<std::vector<const DicomSlice*>> groups;
    if (!placed) {
        // Without positions every frame is its own slice, in InstanceNumber/frame order.
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
            return std::tie(a->instanceNumber, a->frame) < std::tie(b->instanceNumber, b->frame);
        });
        for (const auto* s : sorted) {
            groups.push_back({s});
        }
        return groups;
    }
    const Vec3 n = slices.front().normal();
    auto along = [&n](const DicomSlice* s) {
        return s->position[0] * n[0] + s->position[1] * n[1] + s->position[2] * n[2];
    };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const auto* a, const auto* b) { return along(a) < along(b); });
    for (const auto* s : sorted) {
        if (!groups.empty()) {
            const DicomSlice* first = groups.back().front();
            double d2 = 0;
            for (int a = 0; a < 3; ++a) {
                d2 += (s->position[a] - first->position[a]) * (s->position[a] - first->position[a]);
            }
            if (std::sqrt(d2) < kSamePositionMm) {
                groups.back().push_back(s);
                continue;
            }
        }
        groups.push_back({s});
    }
    return groups;
}

std::vector<DicomSeries> scanDicomSeries(const fs::path& folder, Progress* progress) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
        throw IoError(ErrorCode::NotFound, folder, "the DICOM folder does not exist");
    }
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::InvalidArgument, folder, "not a folder");
    }
    if (progress != nullptr) {
        progress->report(0.0, "listing files");
    }
    const std::vector<fs::path> files = listFiles(folder, progress);
    std::vector<std::vector<DicomSlice>> headers(files.size());
    parallelFor(
        files.size(), [&](std::size_t i) { headers[i] = readDicomSliceHeaders(files[i]); },
        progress, folder, "scanning DICOM files");

    std::map<std::string, DicomSeries> byUid;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (headers[i].empty()) {
            continue;
        }
        auto& series = byUid[headers[i].front().seriesInstanceUid];
        if (series.files.empty()) {
            const auto& h = headers[i].front();
            series.uid = h.seriesInstanceUid;
            series.number = h.seriesNumber;
            series.description = h.seriesDescription;
            series.modality = h.modality;
        }
        series.files.push_back(files[i]);
        for (auto& s : headers[i]) {
            series.slices.push_back(std::move(s));
        }
    }
    if (byUid.empty()) {
        throw IoError(
            ErrorCode::NotReadable, folder,
            "no DICOM image files found (" + std::to_string(files.size()) + " files looked at)");
    }
    std::vector<DicomSeries> result;
    for (auto& [uid, series] : byUid) {
        std::size_t most = 1;
        for (const auto& group : groupByPosition(series.slices)) {
            most = std::max(most, group.size());
        }
        series.temporalPositions = static_cast<int>(most);
        result.push_back(std::move(series));
    }
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::make_pair(seriesNumberValue(a.number), a.uid) <
               std::make_pair(seriesNumberValue(b.number), b.uid);
    });
    return result;
}

}  // namespace detail

std::vector<DicomSeriesInfo> scanDicomFolder(const fs::path& folder, Progress* progress) {
    std::vector<DicomSeriesInfo> infos;
    for (auto& series : detail::scanDicomSeries(folder, progress)) {
        DicomSeriesInfo info;
        info.seriesInstanceUid = series.uid;
        info.seriesNumber = series.number;
        info.seriesDescription = series.description;
        info.modality = series.modality;
        info.files = std::move(series.files);
        info.temporalPositions = series.temporalPositions;
        info.frames = series.slices.size();
        info.rows = series.slices.front().rows;
        info.columns = series.slices.front().columns;
        info.echoTimeMs = series.slices.front().echoTimeMs;
        infos.push_back(std::move(info));
    }
    return infos;
}

}  // namespace bmsc::io
