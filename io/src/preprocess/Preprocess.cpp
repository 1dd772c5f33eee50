// Study → canonical grid → crop → left/right breasts → normalisation, and the way back.
#include "breastmsc/io/Preprocess.h"

#include "PreprocessDetail.h"
#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cmath>

namespace bmsc::io {
namespace {

std::string studyName(const Study& study) {
    if (!study.metadata.source.empty()) {
        return study.metadata.source;
    }
    if (!study.metadata.patientId.empty()) {
        return "study of patient '" + study.metadata.patientId + "'";
    }
    return "study";
}

void checkStudy(const Study& study, const std::string& name) {
    std::string missing;
    for (Channel c : kAllChannels) {
        if (!study.hasChannel(c)) {
            missing += (missing.empty() ? "" : ", ") + std::string(channelName(c));
        }
    }
    if (!missing.empty()) {
        throw IoError(ErrorCode::MissingChannel, name,
                      "cannot preprocess: missing channel(s) " + missing);
    }
    const Geometry& g = study.geometry();
    if (g.voxelCount() == 0) {
        throw IoError(ErrorCode::InvalidValue, name, "cannot preprocess an empty image");
    }
    for (Channel c : kAllChannels) {
        for (float v : study.channel(c).voxels()) {
            if (!std::isfinite(v)) {
                throw IoError(
                    ErrorCode::InvalidValue, name,
                    "the " + std::string(channelName(c)) + " channel holds NaN or infinite voxels");
            }
        }
    }
}

std::size_t sideIndex(Side side) {
    return side == Side::Left ? 0 : 1;
}

Volume withBreastGeometry(const Volume& volume, Side side, const PreprocessTransform& t) {
    const Geometry target = t.breastGeometry(side);
    if (volume.geometry().size != target.size) {
        throw IoError(ErrorCode::GeometryMismatch, {},
                      "a volume of " + volume.geometry().describe() +
                          " is not on the breast grid " + target.describe());
    }
    Volume copy = volume;
    copy.setGeometry(target);
    return copy;
}

}  // namespace

void checkPreprocessOptions(const PreprocessOptions& o) {
    const auto bad = [](const std::string& why) {
        throw IoError(ErrorCode::InvalidArgument, {}, why);
    };
    for (std::size_t a = 0; a < 3; ++a) {
        if (o.grid[a] < 1 || o.grid[a] > 4096) {
            bad("every grid size must be between 1 and 4096");
        }
    }
    if (o.grid[0] < 2 || o.grid[0] % 2 != 0) {
        bad("the grid's x size must be even (two breasts of x/2 columns)");
    }
    if (o.cropRows < 1 || o.cropRows > o.grid[1]) {
        bad("the crop rows must be between 1 and the grid's y size");
    }
    if (!(o.normalisationPercentile > 0.0 && o.normalisationPercentile <= 100.0)) {
        bad("the normalisation percentile must be in (0, 100]");
    }
    if (!(o.skinMarginMm >= 0.0) || !(o.chestWallMarginMm >= 0.0) || !(o.heartMarginMm >= 0.0) ||
        !(o.heartMinVolumeMl >= 0.0)) {
        bad("margins and volumes must not be negative");
    }
    if (!(o.posteriorWallFraction >= 0.0 && o.posteriorWallFraction < 1.0)) {
        bad("the posterior wall fraction must be in [0, 1)");
    }
}

Geometry PreprocessTransform::breastGeometry(Side side) const {
    Geometry g = canonical;
    const std::int64_t half = canonical.size[0] / 2;
    g.size = {half, cropRows, canonical.size[2]};
    const double firstColumn = side == Side::Left ? static_cast<double>(half) : 0.0;
    g.origin = canonical.indexToPhysical({firstColumn, static_cast<double>(cropFirstRow), 0.0});
    return g;
}

double PreprocessTransform::splitXmm() const {
    return canonical.indexToPhysical(
        {(static_cast<double>(canonical.size[0]) - 1.0) / 2.0, 0.0, 0.0})[0];
}

PreprocessResult preprocess(const Study& study, const PreprocessOptions& options,
                            Progress* progress) {
    const std::string name = studyName(study);
    try {
        checkPreprocessOptions(options);
    } catch (const IoError& e) {
        throw IoError(e.code(), name, "preprocessing options: " + e.reason());
    }
    checkStudy(study, name);
    const auto report = [&](double f, const char* what) {
        if (progress != nullptr) {
            progress->report(f, what);
        }
        throwIfCancelled(progress, name.c_str());
    };

    PreprocessResult result;
    PreprocessTransform& t = result.transform;
    t.study = study.geometry();
    t.canonical = canonicalGeometry(study.geometry(), options.grid);
    t.cropRows = options.cropRows;
    result.report.push_back("study grid: " + t.study.describe());
    result.report.push_back("canonical grid: " + t.canonical.describe());

    detail::CanonicalChannels canonical;
    for (std::size_t c = 0; c < kAllChannels.size(); ++c) {
        report(0.6 * static_cast<double>(c) / kChannelCount, "resampling");
        canonical[c] = mapBetweenGrids(study.channel(kAllChannels[c]), t.canonical);
    }
    report(0.6, "finding the body and the chest wall");
    auto body = detail::analyseBody(canonical, options, name);
    t.placement = body.placement;
    t.cropFirstRow = body.placement.firstRow;
    result.report.insert(result.report.end(), body.report.begin(), body.report.end());

    report(0.8, "normalising");
    if (options.normalise) {
        t.normalisation =
            detail::estimateNormalisation(canonical, body.body, t.cropFirstRow, t.cropRows,
                                          options.normalisationPercentile, name);
        result.report.push_back(
            "normalisation: dynamic (x - " + std::to_string(t.normalisation.dynamicOffset) +
            ") / " + std::to_string(t.normalisation.dynamicScale) + ", t2 (x - " +
            std::to_string(t.normalisation.t2Offset) + ") / " +
            std::to_string(t.normalisation.t2Scale) + " (percentile " +
            std::to_string(options.normalisationPercentile) + " of the tissue in the crop)");
    } else {
        t.normalisation.percentile = options.normalisationPercentile;
        result.report.push_back("normalisation: none (raw intensities)");
    }

    const std::int64_t half = t.canonical.size[0] / 2;
    for (Side side : {Side::Left, Side::Right}) {
        BreastImage& breast = result.breasts[sideIndex(side)];
        breast.side = side;
        breast.geometry = t.breastGeometry(side);
        const std::int64_t x0 = side == Side::Left ? half : 0;
        for (std::size_t c = 0; c < kAllChannels.size(); ++c) {
            const Channel channel = kAllChannels[c];
            Volume out(breast.geometry);
            const Volume& in = canonical[c];
            for (std::int64_t k = 0; k < breast.geometry.size[2]; ++k) {
                for (std::int64_t j = 0; j < breast.geometry.size[1]; ++j) {
                    for (std::int64_t i = 0; i < breast.geometry.size[0]; ++i) {
                        out.at(i, j, k) =
                            t.normalisation.apply(channel, in.at(x0 + i, t.cropFirstRow + j, k));
                    }
                }
            }
            breast.channels[c] = std::move(out);
        }
    }
    if (options.posteriorWallFraction > 0) {
        for (BreastImage& breast : result.breasts) {
            const auto cleared = clearPosteriorWall(breast, options.posteriorWallFraction);
            result.report.push_back(
                std::string(breast.side == Side::Left ? "left" : "right") +
                " breast: " + std::to_string(cleared) +
                " voxels of the enhancing wall behind it cleared (uptake above " +
                std::to_string(options.posteriorWallFraction) +
                " of the breast's highest, joined to the crop's last row)");
        }
    }
    result.report.push_back(
        "split at x = " + std::to_string(t.splitXmm()) +
        " mm (grid centre); body midline at x = " + std::to_string(t.placement.midlineXmm) + " mm");
    report(1.0, "done");
    return result;
}

std::int64_t clearPosteriorWall(BreastImage& breast, double fraction) {
    if (!(fraction > 0)) {
        return 0;
    }
    const Volume& pre = breast.channel(Channel::Pre);
    const Volume& post1 = breast.channel(Channel::Post1);
    const auto& n = breast.geometry.size;
    float highest = 0;
    for (std::int64_t k = 0; k < n[2]; ++k) {
        for (std::int64_t j = 0; j < n[1]; ++j) {
            for (std::int64_t i = 0; i < n[0]; ++i) {
                highest = std::max(highest, post1.at(i, j, k) - pre.at(i, j, k));
            }
        }
    }
    if (!(highest > 0)) {
        return 0;
    }
    const auto threshold = static_cast<float>(fraction * highest);
    std::int64_t cleared = 0;
    for (std::int64_t k = 0; k < n[2]; ++k) {
        for (std::int64_t i = 0; i < n[0]; ++i) {
            for (std::int64_t j = n[1] - 1; j >= 0; --j) {
                if (!(post1.at(i, j, k) - pre.at(i, j, k) > threshold)) {
                    break;
                }
                for (Volume& channel : breast.channels) {
                    channel.at(i, j, k) = 0.0f;
                }
                ++cleared;
            }
        }
    }
    return cleared;
}

Volume mapToStudy(const Volume& breastGridVolume, Side side, const PreprocessTransform& t,
                  Interpolation interpolation, float outside) {
    return mapBetweenGrids(withBreastGeometry(breastGridVolume, side, t), t.study, interpolation,
                           outside);
}

Volume mapBreastsToStudy(const Volume& left, const Volume& right, const PreprocessTransform& t,
                         Interpolation interpolation, float outside) {
    Volume out = mapToStudy(left, Side::Left, t, interpolation, outside);
    const Volume fromRight = mapToStudy(right, Side::Right, t, interpolation, outside);
    const Geometry& g = t.study;
    for (std::int64_t k = 0; k < g.size[2]; ++k) {
        for (std::int64_t j = 0; j < g.size[1]; ++j) {
            for (std::int64_t i = 0; i < g.size[0]; ++i) {
                const Vec3 p = g.indexToPhysical(
                    {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
                if (sideOfPoint(t, p) == Side::Right) {
                    out.at(i, j, k) = fromRight.at(i, j, k);
                }
            }
        }
    }
    return out;
}

Volume mapToBreast(const Volume& studyGridVolume, Side side, const PreprocessTransform& t,
                   Interpolation interpolation, float outside) {
    return mapBetweenGrids(studyGridVolume, t.breastGeometry(side), interpolation, outside);
}

Side sideOfPoint(const PreprocessTransform& t, const Vec3& point) {
    return Cohort::sideOfPoint(t.study, point);
}

Vec3 pointToBreastIndex(const PreprocessTransform& t, Side side, const Vec3& point) {
    return t.breastGeometry(side).physicalToIndex(point);
}

std::optional<Index3> pointToBreastVoxel(const PreprocessTransform& t, const Vec3& point,
                                         Side* sideOut) {
    const Side side = sideOfPoint(t, point);
    if (sideOut != nullptr) {
        *sideOut = side;
    }
    const Geometry g = t.breastGeometry(side);
    const Vec3 c = g.physicalToIndex(point);
    Index3 index{};
    for (std::size_t a = 0; a < 3; ++a) {
        const auto n = static_cast<double>(g.size[a]);
        if (!(c[a] >= -0.5 && c[a] <= n - 0.5)) {
            return std::nullopt;
        }
        index[a] = std::clamp<std::int64_t>(std::llround(c[a]), 0, g.size[a] - 1);
    }
    return index;
}

Vec3 breastIndexToPoint(const PreprocessTransform& t, Side side, const Vec3& index) {
    return t.breastGeometry(side).indexToPhysical(index);
}

}  // namespace bmsc::io
