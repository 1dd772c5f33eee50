// Body outline, anterior skin, chest wall and heart on the canonical grid; crop placement.
//
// Rows are canonical y indices (0 = most anterior). The crop keeps `cropRows` rows and ends at
// the posterior limit  min(chest wall + margin, heart − margin)  unless that would cut the
// anterior skin, in which case the anterior body is kept (and the report says the breasts are
// deeper than the crop). Slack goes to the air in front of the breasts, never to the thorax.
#include "PreprocessDetail.h"
#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <sstream>

namespace bmsc::io::detail {
namespace {

constexpr double kSeparability = 5.0;
constexpr double kAirNoiseLevels = 8.0;  // tissue threshold above the air level       // (tissue −
                                         // air) / air spread of the detection image
constexpr double kMinBodyFraction = 0.005;  // of the canonical grid
constexpr double kThoraxWidthFraction = 0.75;
constexpr double kChestWallSlicePercentile = 75.0;

struct Grid {
    std::int64_t nx, ny, nz;
    std::size_t at(std::int64_t i, std::int64_t j, std::int64_t k) const {
        return static_cast<std::size_t>(i + nx * (j + ny * k));
    }
    std::size_t count() const { return static_cast<std::size_t>(nx * ny * nz); }
};

std::string mm(double v) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << v << " mm";
    return out.str();
}

// Every n-th value, at most about a million: percentiles for detection need no more, and a
// fixed stride keeps them deterministic.
std::vector<float> strided(std::span<const float> values) {
    const std::size_t stride = std::max<std::size_t>(1, values.size() / 1000000);
    std::vector<float> sample;
    sample.reserve(values.size() / stride + 1);
    for (std::size_t i = 0; i < values.size(); i += stride) {
        sample.push_back(values[i]);
    }
    return sample;
}

// Each channel scaled by its own 99th percentile, then the voxelwise maximum: tissue that is
// dark in one contrast (fat with fat suppression, fluid in T1) is bright in another.
std::vector<float> detectionImage(const CanonicalChannels& channels, const std::string& name) {
    const std::size_t n = channels[0].voxels().size();
    std::vector<float> image(n, 0.0f);
    int used = 0;
    for (const auto& channel : channels) {
        std::vector<float> sample = strided(channel.voxels());
        const double q = percentileInPlace(sample, 99.0);
        if (!(q > 0.0) || !std::isfinite(q)) {
            continue;
        }
        ++used;
        const auto v = channel.voxels();
        const float inv = static_cast<float>(1.0 / q);
        for (std::size_t i = 0; i < n; ++i) {
            image[i] = std::max(image[i], v[i] * inv);
        }
    }
    if (used == 0) {
        throw IoError(ErrorCode::InvalidValue, name,
                      "no detectable body: every channel is zero or negative");
    }
    return image;
}

// 3 × 3 in-plane mean: suppresses noise without blurring the skin across slices.
std::vector<float> smoothInPlane(const std::vector<float>& in, const Grid& g) {
    std::vector<float> out(in.size());
    for (std::int64_t k = 0; k < g.nz; ++k) {
        for (std::int64_t j = 0; j < g.ny; ++j) {
            for (std::int64_t i = 0; i < g.nx; ++i) {
                double sum = 0.0;
                int n = 0;
                for (std::int64_t dj = -1; dj <= 1; ++dj) {
                    for (std::int64_t di = -1; di <= 1; ++di) {
                        const std::int64_t x = i + di, y = j + dj;
                        if (x >= 0 && y >= 0 && x < g.nx && y < g.ny) {
                            sum += in[g.at(x, y, k)];
                            ++n;
                        }
                    }
                }
                out[g.at(i, j, k)] = static_cast<float>(sum / n);
            }
        }
    }
    return out;
}

// Otsu's threshold between air and tissue, with a check that the two classes really differ.
float bodyThreshold(const std::vector<float>& image, const std::string& name) {
    const auto [minIt, maxIt] = std::minmax_element(image.begin(), image.end());
    const double lo = *minIt;
    double hi = *maxIt;
    if (!(hi - lo > 1e-6 * std::max(1.0, std::abs(hi)))) {
        throw IoError(ErrorCode::InvalidValue, name, "no detectable body: the image is constant");
    }
    std::vector<float> sample = strided(image);
    const double clip = percentileInPlace(sample, 99.9);
    if (clip > lo) {
        hi = clip;
    }
    constexpr int kBins = 256;
    std::array<double, kBins> histogram{};
    const double width = (hi - lo) / kBins;
    for (float v : image) {
        const int b = std::clamp(static_cast<int>((v - lo) / width), 0, kBins - 1);
        histogram[static_cast<std::size_t>(b)] += 1.0;
    }
    const double total = static_cast<double>(image.size());
    double sumAll = 0.0;
    for (int b = 0; b < kBins; ++b) {
        sumAll += (b + 0.5) * histogram[static_cast<std::size_t>(b)];
    }
    double best = -1.0, w0 = 0.0, sum0 = 0.0;
    int bestBin = 0;
    for (int b = 0; b < kBins - 1; ++b) {
        w0 += histogram[static_cast<std::size_t>(b)];
        sum0 += (b + 0.5) * histogram[static_cast<std::size_t>(b)];
        const double w1 = total - w0;
        if (w0 <= 0.0 || w1 <= 0.0) {
            continue;
        }
        const double m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
        const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best) {
            best = between;
            bestBin = b;
        }
    }
    const float otsu = static_cast<float>(lo + (bestBin + 1) * width);

    // Otsu splits bright fat from everything else when fat dominates the tissue, which would
    // lose muscle and glandular tissue. The air class is better described by its own noise:
    // median and robust spread (MAD) of the non-zero voxels below Otsu's threshold (exact zeros
    // are padding, not noise). Tissue is what lies clearly above that noise.
    std::vector<float> air;
    double n1 = 0.0, s1 = 0.0;
    const std::size_t stride = std::max<std::size_t>(1, image.size() / 2000000);
    for (std::size_t i = 0; i < image.size(); i += stride) {
        const float v = image[i];
        if (v > otsu) {
            n1 += 1.0;
            s1 += v;
        } else if (v != 0.0f) {
            air.push_back(v);
        }
    }
    if (n1 < 1.0) {
        throw IoError(ErrorCode::InvalidValue, name,
                      "no detectable body: air and tissue cannot be told apart");
    }
    const double m1 = s1 / n1;
    if (air.size() < 1000) {
        return static_cast<float>(lo + 0.25 * (otsu - lo));  // noise-free background
    }
    const double median = percentileInPlace(air, 50.0);
    for (float& v : air) {
        v = static_cast<float>(std::abs(v - median));
    }
    const double sigma = 1.4826 * percentileInPlace(air, 50.0);
    if (m1 - median < kSeparability * sigma) {
        throw IoError(ErrorCode::InvalidValue, name,
                      "no detectable body: the image looks like noise only (tissue/air contrast " +
                          std::to_string((m1 - median) / std::max(sigma, 1e-30)) + " < " +
                          std::to_string(kSeparability) + " noise levels)");
    }
    return static_cast<float>(std::min<double>(otsu, median + kAirNoiseLevels * sigma));
}

// Per slice: everything not reachable from the slice border through air is body (this fills
// lungs and other dark structures inside the outline).
std::vector<std::uint8_t> fillOutline(const std::vector<std::uint8_t>& tissue, const Grid& g) {
    std::vector<std::uint8_t> body(tissue.size(), 1);
    std::vector<std::int64_t> stack;
    for (std::int64_t k = 0; k < g.nz; ++k) {
        auto seed = [&](std::int64_t i, std::int64_t j) {
            const std::size_t v = g.at(i, j, k);
            if (tissue[v] == 0 && body[v] == 1) {
                body[v] = 0;
                stack.push_back(i + g.nx * j);
            }
        };
        for (std::int64_t i = 0; i < g.nx; ++i) {
            seed(i, 0);
            seed(i, g.ny - 1);
        }
        for (std::int64_t j = 0; j < g.ny; ++j) {
            seed(0, j);
            seed(g.nx - 1, j);
        }
        while (!stack.empty()) {
            const std::int64_t p = stack.back();
            stack.pop_back();
            const std::int64_t i = p % g.nx, j = p / g.nx;
            if (i > 0)
                seed(i - 1, j);
            if (i + 1 < g.nx)
                seed(i + 1, j);
            if (j > 0)
                seed(i, j - 1);
            if (j + 1 < g.ny)
                seed(i, j + 1);
        }
    }
    return body;
}

// 6-connected components of `mask`; returns a label per voxel (0 = background) and sizes.
std::vector<std::int32_t> label(const std::vector<std::uint8_t>& mask, const Grid& g,
                                std::vector<std::size_t>& sizes) {
    std::vector<std::int32_t> labels(mask.size(), 0);
    sizes.assign(1, 0);
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < mask.size(); ++start) {
        if (mask[start] == 0 || labels[start] != 0) {
            continue;
        }
        const auto id = static_cast<std::int32_t>(sizes.size());
        sizes.push_back(0);
        labels[start] = id;
        stack.push_back(start);
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            ++sizes.back();
            const auto i = static_cast<std::int64_t>(v % static_cast<std::size_t>(g.nx));
            const auto j = static_cast<std::int64_t>((v / static_cast<std::size_t>(g.nx)) %
                                                     static_cast<std::size_t>(g.ny));
            const auto k = static_cast<std::int64_t>(v / static_cast<std::size_t>(g.nx * g.ny));
            const std::array<std::array<std::int64_t, 3>, 6> steps{
                {{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}}};
            for (const auto& s : steps) {
                const std::int64_t x = i + s[0], y = j + s[1], z = k + s[2];
                if (x < 0 || y < 0 || z < 0 || x >= g.nx || y >= g.ny || z >= g.nz) {
                    continue;
                }
                const std::size_t n = g.at(x, y, z);
                if (mask[n] != 0 && labels[n] == 0) {
                    labels[n] = id;
                    stack.push_back(n);
                }
            }
        }
    }
    return labels;
}

// Per slice, the first row (from anterior) where one run of body spans most of the slice's
// widest run: the front of the thorax. Breasts are two lobes, or narrower than the thorax.
std::int64_t chestWallRow(const std::vector<std::uint8_t>& body, const Grid& g) {
    std::vector<float> rows;
    for (std::int64_t k = 0; k < g.nz; ++k) {
        std::vector<std::int64_t> longest(static_cast<std::size_t>(g.ny), 0);
        std::int64_t widest = 0;
        for (std::int64_t j = 0; j < g.ny; ++j) {
            std::int64_t run = 0, best = 0;
            for (std::int64_t i = 0; i < g.nx; ++i) {
                run = body[g.at(i, j, k)] != 0 ? run + 1 : 0;
                best = std::max(best, run);
            }
            longest[static_cast<std::size_t>(j)] = best;
            widest = std::max(widest, best);
        }
        if (widest == 0) {
            continue;
        }
        for (std::int64_t j = 0; j < g.ny; ++j) {
            if (static_cast<double>(longest[static_cast<std::size_t>(j)]) >=
                kThoraxWidthFraction * static_cast<double>(widest)) {
                rows.push_back(static_cast<float>(j));
                break;
            }
        }
    }
    if (rows.empty()) {
        return -1;
    }
    return static_cast<std::int64_t>(
        std::lround(percentileInPlace(rows, kChestWallSlicePercentile)));
}

struct HeartFinding {
    std::int64_t row = -1;
    double volumeMl = 0.0;
};

// The heart (and great vessels): the largest strongly enhancing blob that crosses the body's
// midline and is larger than any breast lesion. Enhancement is the maximum of the four
// post-contrast phases minus the pre-contrast phase.
HeartFinding findHeart(const CanonicalChannels& channels, const std::vector<std::uint8_t>& body,
                       const Grid& g, std::int64_t midlineColumn, std::int64_t anteriorRow,
                       const PreprocessOptions& options) {
    const auto pre = channels[static_cast<std::size_t>(Channel::Pre)].voxels();
    std::vector<float> enhancement(body.size(), 0.0f);
    std::vector<float> inside, preInside;
    for (std::size_t v = 0; v < body.size(); ++v) {
        if (body[v] == 0) {
            continue;
        }
        float peak = channels[static_cast<std::size_t>(Channel::Post1)].voxels()[v];
        for (auto c : {Channel::Post2, Channel::Post3, Channel::Post4}) {
            peak = std::max(peak, channels[static_cast<std::size_t>(c)].voxels()[v]);
        }
        enhancement[v] = peak - pre[v];
        inside.push_back(enhancement[v]);
        preInside.push_back(pre[v]);
    }
    const double top = percentileInPlace(inside, 99.9);
    const double tissue = percentileInPlace(preInside, 99.0);
    const double threshold = std::max(0.4 * top, 0.25 * std::max(tissue, 0.0));
    if (!(threshold > 0.0)) {
        return {};
    }
    std::vector<std::uint8_t> strong(body.size(), 0);
    for (std::size_t v = 0; v < body.size(); ++v) {
        strong[v] = body[v] != 0 && enhancement[v] > threshold ? 1 : 0;
    }
    std::vector<std::size_t> sizes;
    const auto labels = label(strong, g, sizes);
    const double voxelMl = channels[0].geometry().spacing[0] * channels[0].geometry().spacing[1] *
                           channels[0].geometry().spacing[2] / 1000.0;
    // Which components cross the midline column, and their most anterior rows.
    std::vector<std::uint8_t> crosses(sizes.size(), 0);
    std::vector<std::int64_t> front(sizes.size(), g.ny);
    for (std::int64_t k = 0; k < g.nz; ++k) {
        for (std::int64_t j = 0; j < g.ny; ++j) {
            for (std::int64_t i = 0; i < g.nx; ++i) {
                const auto id = static_cast<std::size_t>(labels[g.at(i, j, k)]);
                if (id == 0) {
                    continue;
                }
                front[id] = std::min(front[id], j);
                if (i == midlineColumn) {
                    crosses[id] = 1;
                }
            }
        }
    }
    HeartFinding best;
    std::size_t bestSize = 0;
    for (std::size_t id = 1; id < sizes.size(); ++id) {
        const double ml = static_cast<double>(sizes[id]) * voxelMl;
        if (crosses[id] == 0 || ml < options.heartMinVolumeMl || sizes[id] <= bestSize ||
            front[id] <= anteriorRow) {
            continue;
        }
        bestSize = sizes[id];
        best = {front[id], ml};
    }
    return best;
}

}  // namespace

BodyAnalysis analyseBody(const CanonicalChannels& channels, const PreprocessOptions& options,
                         const std::string& name) {
    const Geometry& geometry = channels[0].geometry();
    const Grid g{geometry.size[0], geometry.size[1], geometry.size[2]};
    BodyAnalysis result;

    const auto smooth = smoothInPlane(detectionImage(channels, name), g);
    const float threshold = bodyThreshold(smooth, name);
    std::vector<std::uint8_t> tissue(smooth.size());
    for (std::size_t v = 0; v < smooth.size(); ++v) {
        tissue[v] = smooth[v] > threshold ? 1 : 0;
    }
    const auto filled = fillOutline(tissue, g);
    std::vector<std::size_t> sizes;
    const auto labels = label(filled, g, sizes);
    if (sizes.size() < 2) {
        throw IoError(ErrorCode::InvalidValue, name, "no detectable body: no tissue found");
    }
    const auto largest =
        static_cast<std::int32_t>(std::max_element(sizes.begin() + 1, sizes.end()) - sizes.begin());
    if (static_cast<double>(sizes[static_cast<std::size_t>(largest)]) <
        kMinBodyFraction * static_cast<double>(g.count())) {
        throw IoError(ErrorCode::InvalidValue, name,
                      "no detectable body: the tissue found is too small to be a body");
    }
    result.body.assign(g.count(), 0);
    std::int64_t anterior = g.ny, left = 0, right = g.nx - 1;
    std::size_t bodyVoxels = 0;
    for (std::int64_t k = 0; k < g.nz; ++k) {
        for (std::int64_t j = 0; j < g.ny; ++j) {
            for (std::int64_t i = 0; i < g.nx; ++i) {
                const std::size_t v = g.at(i, j, k);
                if (labels[v] == largest) {
                    result.body[v] = 1;
                    anterior = std::min(anterior, j);
                    right = std::min(right, i);
                    left = std::max(left, i);
                    ++bodyVoxels;
                }
            }
        }
    }
    // The midline halves the body's left-right extent (the lateral skin is symmetric; the
    // mass is not: the heart lies left, lungs open to a cut field of view are missing).
    const std::int64_t midline = (left + right) / 2;

    CropPlacement& p = result.placement;
    p.anteriorRow = anterior;
    p.midlineXmm = geometry.indexToPhysical({0.5 * static_cast<double>(left + right), 0.0, 0.0})[0];
    p.chestWallRow = chestWallRow(result.body, g);
    const auto heart = findHeart(channels, result.body, g, midline, anterior, options);
    p.heartRow = heart.row;

    const double rowMm = geometry.spacing[1];
    const auto rows = [&](double millimetres) {
        return static_cast<std::int64_t>(std::ceil(millimetres / rowMm - 1e-9));
    };
    std::int64_t limit = g.ny;
    if (p.chestWallRow >= 0) {
        limit = std::min(limit, p.chestWallRow + rows(options.chestWallMarginMm));
    }
    if (p.heartRow >= 0) {
        limit = std::min(limit, p.heartRow - rows(options.heartMarginMm));
    }
    const std::int64_t front = anterior - rows(options.skinMarginMm);
    std::int64_t first = std::min(front, limit - options.cropRows);
    first = std::clamp<std::int64_t>(first, 0, g.ny - options.cropRows);
    p.firstRow = first;
    const std::int64_t end = first + options.cropRows;
    // Starting at the skin margin, the crop does not reach the posterior limit.
    p.breastsDeeperThanCrop = limit < g.ny && front + options.cropRows < limit;

    auto& r = result.report;
    const auto rowText = [&](std::int64_t row) {
        return "row " + std::to_string(row) +
               " (y = " + mm(geometry.indexToPhysical({0.0, static_cast<double>(row), 0.0})[1]) +
               ")";
    };
    r.push_back("body: " + std::to_string(bodyVoxels) + " voxels; most anterior skin at " +
                rowText(anterior) + "; midline at x = " + mm(p.midlineXmm));
    r.push_back(p.chestWallRow >= 0
                    ? "chest wall (front of the thorax) at " + rowText(p.chestWallRow)
                    : std::string("chest wall: not found"));
    r.push_back(p.heartRow >= 0
                    ? "heart (enhancing, " + std::to_string(std::lround(heart.volumeMl)) +
                          " ml) from " + rowText(p.heartRow)
                    : std::string("heart: no large enhancing structure on the midline"));
    r.push_back("crop: rows " + std::to_string(first) + ".." + std::to_string(end - 1) + " of " +
                std::to_string(g.ny));
    if (p.breastsDeeperThanCrop) {
        r.push_back("warning: the breasts are deeper than " + std::to_string(options.cropRows) +
                    " rows: the anterior body is kept, the crop ends " +
                    mm(static_cast<double>(limit - end) * rowMm) +
                    " in front of the chest wall margin");
    } else if (first > front) {
        r.push_back("warning: the field of view leaves too little room in front of the skin: " +
                    mm(static_cast<double>(first - front) * rowMm) + " of the skin margin is lost");
    }
    if (end > limit && first == 0) {
        r.push_back("warning: too little air in front of the breasts: the crop reaches " +
                    mm(static_cast<double>(end - limit) * rowMm) + " further into the thorax");
    }
    if (p.heartRow >= 0 && end > p.heartRow) {
        r.push_back("warning: the detected heart reaches into the crop");
    }
    return result;
}

}  // namespace bmsc::io::detail
