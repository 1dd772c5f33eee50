#include "DicomVolume.h"

#include "DicomParallel.h"
#include "DicomPixels.h"
#include "DicomSeries.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace detail {
namespace {

constexpr double kOrientationTolerance = 1e-4;
constexpr double kSpacingRelativeTolerance = 1e-4;

double dot(const Vec3& a, const Vec3& b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

std::string formatMm(double value) {
    std::ostringstream out;
    out.precision(4);
    out << value;
    return out.str();
}

}  // namespace

Geometry stackGeometry(std::vector<const DicomSlice*>& slices, const fs::path& where) {
    if (slices.empty()) {
        throw IoError(ErrorCode::InvalidArgument, where, "no DICOM frames to read");
    }
    const DicomSlice& first = *slices.front();
    for (const auto* s : slices) {
        if (s->rows != first.rows || s->columns != first.columns) {
            throw IoError(ErrorCode::GeometryMismatch, s->file,
                          "frame size " + std::to_string(s->columns) + "×" +
                              std::to_string(s->rows) + " differs from " +
                              std::to_string(first.columns) + "×" + std::to_string(first.rows) +
                              " of " + first.file.string());
        }
        for (int i = 0; i < 6; ++i) {
            if (std::abs(s->orientation[i] - first.orientation[i]) > kOrientationTolerance) {
                throw IoError(ErrorCode::GeometryMismatch, s->file,
                              "ImageOrientationPatient differs from that of " +
                                  first.file.string() + " (mixed orientations in one volume)");
            }
        }
        for (int i = 0; i < 2; ++i) {
            if (std::abs(s->pixelSpacing[i] - first.pixelSpacing[i]) >
                kSpacingRelativeTolerance * first.pixelSpacing[i]) {
                throw IoError(ErrorCode::GeometryMismatch, s->file,
                              "PixelSpacing differs from that of " + first.file.string());
            }
        }
    }
    const bool placed = std::all_of(slices.begin(), slices.end(), [](const auto* s) {
        return s->hasPosition && s->hasOrientation;
    });
    if (!placed && slices.size() > 1) {
        throw IoError(ErrorCode::Unsupported, where,
                      "frames without ImagePositionPatient/ImageOrientationPatient cannot be "
                      "stacked into a volume (" +
                          slices.front()->file.string() + ")");
    }

    Geometry g;
    g.size = {first.columns, first.rows, static_cast<std::int64_t>(slices.size())};
    const Vec3 n = first.normal();
    const auto& o = first.orientation;
    g.direction = {o[0], o[3], n[0], o[1], o[4], n[1], o[2], o[5], n[2]};
    g.spacing = {first.pixelSpacing[1], first.pixelSpacing[0], 1.0};
    if (slices.size() == 1) {
        const double thickness =
            std::isfinite(first.spacingBetweenSlices) && first.spacingBetweenSlices > 0
                ? first.spacingBetweenSlices
                : first.sliceThickness;
        g.spacing[2] = std::isfinite(thickness) && thickness > 0 ? thickness : 1.0;
        g.origin = first.hasPosition ? first.position : Vec3{0, 0, 0};
        if (!first.hasOrientation) {
            g.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        }
        return g;
    }

    std::stable_sort(slices.begin(), slices.end(), [&n](const auto* a, const auto* b) {
        return dot(a->position, n) < dot(b->position, n);
    });
    std::vector<double> gaps;
    for (std::size_t k = 1; k < slices.size(); ++k) {
        gaps.push_back(dot(slices[k]->position, n) - dot(slices[k - 1]->position, n));
    }
    double mean = 0;
    for (double gap : gaps) {
        mean += gap;
    }
    mean /= static_cast<double>(gaps.size());
    for (std::size_t k = 0; k < gaps.size(); ++k) {
        if (gaps[k] < 0.01) {
            throw IoError(ErrorCode::GeometryMismatch, slices[k + 1]->file,
                          "two frames at the same position (also in " + slices[k]->file.string() +
                              "): several temporal positions or a duplicated slice");
        }
    }
    const double tolerance = std::max(0.02, 0.01 * mean);
    for (std::size_t k = 0; k < gaps.size(); ++k) {
        if (std::abs(gaps[k] - mean) > tolerance) {
            throw IoError(ErrorCode::GeometryMismatch, where,
                          "slices are not evenly spaced: gap of " + formatMm(gaps[k]) +
                              " mm before " + slices[k + 1]->file.string() + ", mean gap " +
                              formatMm(mean) + " mm (missing slice?)");
        }
    }
    // The stack must run along the normal; a sideways drift (gantry tilt) is not a regular grid.
    const Vec3& p0 = slices.front()->position;
    const Vec3& p1 = slices.back()->position;
    const Vec3 d{p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
    const double along = dot(d, n);
    const Vec3 side{d[0] - along * n[0], d[1] - along * n[1], d[2] - along * n[2]};
    const double drift = std::sqrt(dot(side, side));
    if (drift > std::max(0.1, 0.01 * along)) {
        throw IoError(ErrorCode::Unsupported, where,
                      "slice positions drift " + formatMm(drift) +
                          " mm sideways of the slice normal (gantry tilt or sheared stack)");
    }
    g.spacing[2] = mean;
    g.origin = p0;
    return g;
}

Volume readStack(const std::vector<const DicomSlice*>& slices, const Geometry& geometry,
                 const fs::path& where, Progress* progress) {
    Volume volume(geometry);
    const std::size_t perSlice =
        static_cast<std::size_t>(geometry.size[0]) * static_cast<std::size_t>(geometry.size[1]);
    std::map<fs::path, std::vector<FrameRequest>> byFile;
    std::map<fs::path, std::pair<int, int>> sizes;
    for (std::size_t k = 0; k < slices.size(); ++k) {
        const DicomSlice& s = *slices[k];
        byFile[s.file].push_back(FrameRequest{s.frame, s.rescaleSlope, s.rescaleIntercept,
                                              volume.voxels().data() + k * perSlice});
        sizes[s.file] = {s.rows, s.columns};
    }
    std::vector<std::pair<fs::path, std::vector<FrameRequest>>> jobs(byFile.begin(), byFile.end());
    parallelFor(
        jobs.size(),
        [&](std::size_t i) {
            const auto& [rows, columns] = sizes[jobs[i].first];
            readDicomFrames(jobs[i].first, rows, columns, jobs[i].second);
        },
        progress, where, "reading DICOM pixels");
    return volume;
}

}  // namespace detail

Volume readDicomVolume(const std::vector<fs::path>& files, Progress* progress) {
    if (files.empty()) {
        throw IoError(ErrorCode::InvalidArgument, fs::path(), "no DICOM files given");
    }
    const fs::path where = files.size() == 1 ? files.front() : files.front().parent_path();
    std::vector<std::vector<detail::DicomSlice>> headers(files.size());
    SubProgress scanning(progress, 0.0, 0.2);
    detail::parallelFor(
        files.size(),
        [&](std::size_t i) {
            std::error_code ec;
            if (!fs::is_regular_file(files[i], ec)) {
                throw IoError(ErrorCode::NotFound, files[i], "the DICOM file does not exist");
            }
            headers[i] = detail::readDicomSliceHeaders(files[i]);
            if (headers[i].empty()) {
                throw IoError(ErrorCode::NotReadable, files[i], "not a DICOM image file");
            }
        },
        &scanning, where, "reading DICOM headers");
    std::vector<detail::DicomSlice> all;
    for (auto& h : headers) {
        for (auto& s : h) {
            if (!all.empty() && s.seriesInstanceUid != all.front().seriesInstanceUid) {
                throw IoError(ErrorCode::InvalidArgument, s.file,
                              "belongs to another series than " + all.front().file.string());
            }
            all.push_back(std::move(s));
        }
    }
    std::vector<const detail::DicomSlice*> slices;
    for (const auto& s : all) {
        slices.push_back(&s);
    }
    const Geometry geometry = detail::stackGeometry(slices, where);
    SubProgress reading(progress, 0.2, 1.0);
    return detail::readStack(slices, geometry, where, &reading);
}

}  // namespace bmsc::io
