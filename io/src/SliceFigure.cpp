#include "breastmsc/io/SliceFigure.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/io/Preprocess.h"

#include <algorithm>
#include <limits>

namespace bmsc::io {

namespace {

/// Index axis of `g` whose direction is closest to LPS axis `lps`.
int axisAlong(const Geometry& g, int lps) {
    int best = 0;
    double bestDot = -1.0;
    for (int a = 0; a < 3; ++a) {
        const double d = std::abs(g.axisDirection(a)[static_cast<std::size_t>(lps)]);
        if (d > bestDot) {
            bestDot = d;
            best = a;
        }
    }
    return best;
}

/// Physical bounding box of the voxel centres.
void boundingBox(const Geometry& g, Vec3& low, Vec3& high) {
    low = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
           std::numeric_limits<double>::max()};
    high = {-low[0], -low[1], -low[2]};
    for (int c = 0; c < 8; ++c) {
        const Vec3 index{(c & 1) ? static_cast<double>(g.size[0] - 1) : 0.0,
                         (c & 2) ? static_cast<double>(g.size[1] - 1) : 0.0,
                         (c & 4) ? static_cast<double>(g.size[2] - 1) : 0.0};
        const auto p = g.indexToPhysical(index);
        for (std::size_t a = 0; a < 3; ++a) {
            low[a] = std::min(low[a], p[a]);
            high[a] = std::max(high[a], p[a]);
        }
    }
}

double percentile(std::vector<float> values, double q) {
    if (values.empty()) {
        return 0.0;
    }
    const auto k =
        static_cast<std::size_t>(std::clamp(q / 100.0 * static_cast<double>(values.size() - 1), 0.0,
                                            static_cast<double>(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

std::uint8_t byte(double v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v * 255.0), 0L, 255L));
}

}  // namespace

std::array<std::uint8_t, 3> hotColour(double t) noexcept {
    t = std::clamp(t, 0.0, 1.0);
    return {byte(std::clamp(3.0 * t, 0.0, 1.0)), byte(std::clamp(3.0 * t - 1.0, 0.0, 1.0)),
            byte(std::clamp(3.0 * t - 2.0, 0.0, 1.0))};
}

std::vector<double> axialSlicePositions(const Geometry& g) {
    const int axis = axisAlong(g, 2);
    std::vector<double> z;
    for (std::int64_t k = 0; k < g.size[static_cast<std::size_t>(axis)]; ++k) {
        Vec3 index{0, 0, 0};
        index[static_cast<std::size_t>(axis)] = static_cast<double>(k);
        z.push_back(g.indexToPhysical(index)[2]);
    }
    std::sort(z.begin(), z.end());
    return z;
}

RgbImage renderAxialSlice(const Volume& grey, const Volume* overlay, double zMm,
                          const SliceFigureOptions& options) {
    const Geometry& g = grey.geometry();
    if (grey.empty()) {
        throw IoError(ErrorCode::InvalidArgument, {}, "cannot draw a slice of an empty volume");
    }
    Vec3 low, high;
    boundingBox(g, low, high);
    Geometry plane;
    for (int a = 0; a < 3; ++a) {
        const auto s = static_cast<std::size_t>(a);
        plane.spacing[s] = g.spacing[static_cast<std::size_t>(axisAlong(g, a))];
        plane.size[s] = a == 2 ? 1
                               : std::max<std::int64_t>(
                                     1, std::llround((high[s] - low[s]) / plane.spacing[s]) + 1);
    }
    plane.origin = {low[0], low[1], zMm};
    const Volume slice = mapBetweenGrids(grey, plane, Interpolation::Linear, 0.0f);
    const auto pixels = slice.voxels();
    const double gLow = std::isnan(options.greyLow)
                            ? percentile({pixels.begin(), pixels.end()}, 1.0)
                            : options.greyLow;
    double gHigh = std::isnan(options.greyHigh) ? percentile({pixels.begin(), pixels.end()}, 99.5)
                                                : options.greyHigh;
    if (!(gHigh > gLow)) {
        gHigh = gLow + 1.0;
    }
    RgbImage image(plane.size[0], plane.size[1]);
    for (std::int64_t y = 0; y < image.height; ++y) {
        for (std::int64_t x = 0; x < image.width; ++x) {
            const auto v = byte((slice.at(x, y, 0) - gLow) / (gHigh - gLow));
            auto* p = image.at(x, y);
            p[0] = p[1] = p[2] = v;
        }
    }
    if (overlay != nullptr && !overlay->empty()) {
        const Volume o = mapBetweenGrids(*overlay, plane, Interpolation::Linear, 0.0f);
        double oLow = options.overlayLow, oHigh = options.overlayHigh;
        if (std::isnan(oLow) || std::isnan(oHigh)) {
            double mn = std::numeric_limits<double>::max(), mx = -mn;
            for (const float v : o.voxels()) {
                if (v != 0.0f) {
                    mn = std::min(mn, static_cast<double>(v));
                    mx = std::max(mx, static_cast<double>(v));
                }
            }
            oLow = std::isnan(oLow) ? mn : oLow;
            oHigh = std::isnan(oHigh) ? mx : oHigh;
        }
        const double range = oHigh > oLow ? oHigh - oLow : 1.0;
        for (std::int64_t y = 0; y < image.height; ++y) {
            for (std::int64_t x = 0; x < image.width; ++x) {
                const float v = o.at(x, y, 0);
                if (v == 0.0f) {
                    continue;
                }
                const double t = std::clamp((v - oLow) / range, 0.0, 1.0);
                const double alpha = options.overlayOpacity * t;
                const auto c = hotColour(t);
                auto* p = image.at(x, y);
                for (std::size_t k = 0; k < 3; ++k) {
                    p[k] = byte(((1.0 - alpha) * p[k] + alpha * c[k]) / 255.0);
                }
            }
        }
    }
    if (options.marker) {
        const auto c = plane.physicalToNearestIndex(*options.marker);
        const std::int64_t arm = std::max<std::int64_t>(3, image.width / 40);
        for (std::int64_t d = -arm; d <= arm; ++d) {
            for (const auto& [x, y] : {std::pair{c[0] + d, c[1]}, std::pair{c[0], c[1] + d}}) {
                if (x >= 0 && y >= 0 && x < image.width && y < image.height && d != 0) {
                    auto* p = image.at(x, y);
                    p[0] = 0;
                    p[1] = 255;
                    p[2] = 255;
                }
            }
        }
    }
    const std::int64_t factor =
        options.minimumSide > 0 ? (options.minimumSide + std::max(image.width, image.height) - 1) /
                                      std::max(image.width, image.height)
                                : 1;
    if (factor <= 1) {
        return image;
    }
    RgbImage large(image.width * factor, image.height * factor);
    for (std::int64_t y = 0; y < large.height; ++y) {
        for (std::int64_t x = 0; x < large.width; ++x) {
            const auto* p = image.at(x / factor, y / factor);
            std::copy(p, p + 3, large.at(x, y));
        }
    }
    return large;
}

}  // namespace bmsc::io
