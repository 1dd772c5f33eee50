// Intensity normalisation that keeps the relative enhancement between the dynamic phases.
//
// offset = median of the channel outside the body (the air/background level, ~0 for magnitude
// images; exact zeros, i.e. padding, are left out); scale = the p-th percentile (default 99th) of
// (channel − offset) over the body voxels inside the crop rows. The five dynamic channels share the
// offset and scale of the pre-contrast channel, so post_k / pre and (post_k − pre) / pre are
// unchanged; T2 gets its own. A percentile of many voxels is insensitive to noise and to a few
// outliers, and the whole computation is deterministic (no sampling).
#include "PreprocessDetail.h"
#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cmath>

namespace bmsc::io::detail {

double percentileInPlace(std::vector<float>& values, double p) {
    if (values.empty()) {
        return NAN;
    }
    const double position =
        std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(position));
    const double fraction = position - static_cast<double>(lower);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                     values.end());
    const double a = values[lower];
    if (fraction <= 0.0 || lower + 1 >= values.size()) {
        return a;
    }
    const double b =
        *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lower) + 1, values.end());
    return a + fraction * (b - a);
}

namespace {

std::pair<double, double> offsetAndScale(const Volume& channel,
                                         const std::vector<std::uint8_t>& body,
                                         std::int64_t firstRow, std::int64_t rows,
                                         double percentile, const std::string& name,
                                         Channel which) {
    const auto v = channel.voxels();
    const Index3& size = channel.geometry().size;
    std::vector<float> air, tissue;
    for (std::int64_t k = 0; k < size[2]; ++k) {
        for (std::int64_t j = 0; j < size[1]; ++j) {
            const bool inCrop = j >= firstRow && j < firstRow + rows;
            for (std::int64_t i = 0; i < size[0]; ++i) {
                const std::size_t o = channel.offset(i, j, k);
                if (body[o] == 0) {
                    if (v[o] != 0.0f) {  // exact zeros are padding (oblique corners), not air
                        air.push_back(v[o]);
                    }
                } else if (inCrop) {
                    tissue.push_back(v[o]);
                }
            }
        }
    }
    const double offset = air.empty() ? 0.0 : percentileInPlace(air, 50.0);
    for (float& t : tissue) {
        t = static_cast<float>(t - offset);
    }
    const double scale = percentileInPlace(tissue, percentile);
    if (!(scale > 0.0) || !std::isfinite(scale)) {
        throw IoError(ErrorCode::InvalidValue, name,
                      "cannot normalise the " + std::string(channelName(which)) +
                          " channel: its tissue signal is not above the background");
    }
    return {offset, scale};
}

}  // namespace

IntensityNormalisation estimateNormalisation(const CanonicalChannels& channels,
                                             const std::vector<std::uint8_t>& body,
                                             std::int64_t firstRow, std::int64_t rows,
                                             double percentile, const std::string& name) {
    IntensityNormalisation n;
    n.percentile = percentile;
    n.applied = true;
    std::tie(n.dynamicOffset, n.dynamicScale) =
        offsetAndScale(channels[static_cast<std::size_t>(Channel::Pre)], body, firstRow, rows,
                       percentile, name, Channel::Pre);
    std::tie(n.t2Offset, n.t2Scale) =
        offsetAndScale(channels[static_cast<std::size_t>(Channel::T2)], body, firstRow, rows,
                       percentile, name, Channel::T2);
    return n;
}

}  // namespace bmsc::io::detail
