#include "model/Kinetics.h"

#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bmsc::viewer {

namespace {

constexpr std::array<io::Channel, io::kDynamicChannelCount> kDynamic{
    io::Channel::Pre, io::Channel::Post1, io::Channel::Post2, io::Channel::Post3,
    io::Channel::Post4};

/// A pre signal this small against the post signals is no baseline: relative enhancement
/// above 99,900 % is not a measurement (and S_pre → 0 would divide by ~0).
constexpr double kMinBaselineFraction = 1e-3;

bool hasBaseline(double pre, double post1, double post4, double noiseFloor) {
    const double scale = std::max(std::abs(post1), std::abs(post4));
    return pre > noiseFloor && pre > kMinBaselineFraction * scale && pre > 0.0;
}

/// Number of indices of [c − r, c + r] inside [0, n).
int clippedCount(std::int64_t c, int r, std::int64_t n) {
    return static_cast<int>(std::min<std::int64_t>(c + r, n - 1) -
                            std::max<std::int64_t>(c - r, 0) + 1);
}

/// Row sums of one channel's slice over the neighbourhood, produced row by row: the slab of
/// 2·rk + 1 slices is summed once per slice (only when rk > 0), horizontal sums go into a
/// ring of 2·rj + 1 rows, and a row of box sums is the sum of its ring rows. The working set
/// is a few rows (L1/L2), so the map streams each input voxel once.
class BoxRows {
public:
    BoxRows(const float* channel, const io::Index3& size, const Neighbourhood& nb)
        : channel_(channel),
          nx_(size[0]),
          ny_(size[1]),
          nz_(size[2]),
          nb_(nb),
          ringRows_(2 * nb.radiusJ + 1),
          ring_(static_cast<std::size_t>(ringRows_ * nx_)),
          row_(static_cast<std::size_t>(nx_)) {
        if (nb.radiusK > 0) {
            slab_.resize(static_cast<std::size_t>(nx_ * ny_));
        }
    }

    void startSlice(std::int64_t k) {
        const std::size_t plane = static_cast<std::size_t>(nx_ * ny_);
        slice_ = channel_ + static_cast<std::size_t>(k) * plane;
        next_ = 0;
        if (nb_.radiusK > 0) {
            std::fill(slab_.begin(), slab_.end(), 0.0f);
            const std::int64_t k0 = std::max<std::int64_t>(0, k - nb_.radiusK);
            const std::int64_t k1 = std::min<std::int64_t>(nz_ - 1, k + nb_.radiusK);
            for (std::int64_t kk = k0; kk <= k1; ++kk) {
                const float* p = channel_ + static_cast<std::size_t>(kk) * plane;
                float* a = slab_.data();
                for (std::size_t n = 0; n < plane; ++n) {
                    a[n] += p[n];
                }
            }
            slice_ = slab_.data();
        }
    }

    /// Box sums of row j (rows must be asked for in order 0, 1, …).
    const float* row(std::int64_t j) {
        const std::int64_t j0 = std::max<std::int64_t>(0, j - nb_.radiusJ);
        const std::int64_t j1 = std::min<std::int64_t>(ny_ - 1, j + nb_.radiusJ);
        for (; next_ <= j1; ++next_) {
            horizontal(slice_ + next_ * nx_, ringRow(next_));
        }
        float* o = row_.data();
        std::copy(ringRow(j0), ringRow(j0) + nx_, o);
        for (std::int64_t jj = j0 + 1; jj <= j1; ++jj) {
            const float* h = ringRow(jj);
            for (std::int64_t i = 0; i < nx_; ++i) {
                o[i] += h[i];
            }
        }
        return o;
    }

private:
    float* ringRow(std::int64_t j) { return ring_.data() + (j % ringRows_) * nx_; }

    void horizontal(const float* p, float* h) const {
        std::copy(p, p + nx_, h);
        for (int d = -nb_.radiusI; d <= nb_.radiusI; ++d) {
            if (d == 0) {
                continue;
            }
            const std::int64_t lo = std::max<std::int64_t>(0, -d);
            const std::int64_t hi = std::min<std::int64_t>(nx_, nx_ - d);
            for (std::int64_t i = lo; i < hi; ++i) {
                h[i] += p[i + d];
            }
        }
    }

    const float* channel_;
    std::int64_t nx_, ny_, nz_;
    Neighbourhood nb_;
    std::int64_t ringRows_;
    std::vector<float> ring_;
    std::vector<float> row_;
    std::vector<float> slab_;
    const float* slice_ = nullptr;
    std::int64_t next_ = 0;
};

}  // namespace

InitialPhase classifyInitial(double enhancementPercent) noexcept {
    if (enhancementPercent < kSlowBelowPercent) {
        return InitialPhase::Slow;
    }
    return enhancementPercent > kFastAbovePercent ? InitialPhase::Fast : InitialPhase::Medium;
}

DelayedPhase classifyDelayed(double changePercent) noexcept {
    if (changePercent > kPlateauBandPercent) {
        return DelayedPhase::Persistent;
    }
    return changePercent < -kPlateauBandPercent ? DelayedPhase::Washout : DelayedPhase::Plateau;
}

std::string_view initialPhaseName(InitialPhase phase) noexcept {
    switch (phase) {
        case InitialPhase::Slow:
            return "slow";
        case InitialPhase::Medium:
            return "medium";
        case InitialPhase::Fast:
            return "fast";
    }
    return "?";
}

std::string_view delayedPhaseName(DelayedPhase phase) noexcept {
    switch (phase) {
        case DelayedPhase::Persistent:
            return "persistent";
        case DelayedPhase::Plateau:
            return "plateau";
        case DelayedPhase::Washout:
            return "washout";
    }
    return "?";
}

float kineticMapValue(DelayedPhase phase) noexcept {
    switch (phase) {
        case DelayedPhase::Persistent:
            return kMapPersistent;
        case DelayedPhase::Plateau:
            return kMapPlateau;
        case DelayedPhase::Washout:
            return kMapWashout;
    }
    return kMapNone;
}

std::array<double, 3> kineticColor(DelayedPhase phase) noexcept {
    switch (phase) {
        case DelayedPhase::Persistent:
            return {0.15, 0.45, 1.0};
        case DelayedPhase::Plateau:
            return {1.0, 0.9, 0.1};
        case DelayedPhase::Washout:
            return {1.0, 0.1, 0.1};
    }
    return {0.5, 0.5, 0.5};
}

bool hasDynamicPhases(const io::Study& study) noexcept {
    return std::all_of(kDynamic.begin(), kDynamic.end(),
                       [&study](io::Channel c) { return study.hasChannel(c); });
}

bool phaseTimesUsable(const io::StudyMetadata& metadata) noexcept {
    const auto& t = metadata.phaseTimes;
    for (std::size_t p = 0; p < t.size(); ++p) {
        if (!std::isfinite(t[p]) || (p > 0 && !(t[p] > t[p - 1]))) {
            return false;
        }
    }
    return true;
}

KineticCurve kineticCurve(const io::Study& study, const io::Index3& voxel,
                          const Neighbourhood& neighbourhood, double noiseFloor) {
    KineticCurve curve;
    curve.voxel = voxel;
    if (phaseTimesUsable(study.metadata)) {
        curve.timeInSeconds = true;
        for (std::size_t p = 0; p < curve.time.size(); ++p) {
            curve.time[p] = study.metadata.phaseTimes[p] - study.metadata.phaseTimes[0];
        }
    }
    const io::Geometry& g = study.geometry();
    if (!hasDynamicPhases(study) || !g.contains(voxel)) {
        return curve;
    }
    const Neighbourhood& nb = neighbourhood;
    const std::int64_t i0 = std::max<std::int64_t>(0, voxel[0] - nb.radiusI);
    const std::int64_t i1 = std::min<std::int64_t>(g.size[0] - 1, voxel[0] + nb.radiusI);
    const std::int64_t j0 = std::max<std::int64_t>(0, voxel[1] - nb.radiusJ);
    const std::int64_t j1 = std::min<std::int64_t>(g.size[1] - 1, voxel[1] + nb.radiusJ);
    const std::int64_t k0 = std::max<std::int64_t>(0, voxel[2] - nb.radiusK);
    const std::int64_t k1 = std::min<std::int64_t>(g.size[2] - 1, voxel[2] + nb.radiusK);
    curve.voxelCount = static_cast<int>((i1 - i0 + 1) * (j1 - j0 + 1) * (k1 - k0 + 1));
    for (std::size_t p = 0; p < kDynamic.size(); ++p) {
        const io::Volume& v = study.channel(kDynamic[p]);
        double sum = 0.0;
        for (std::int64_t k = k0; k <= k1; ++k) {
            for (std::int64_t j = j0; j <= j1; ++j) {
                for (std::int64_t i = i0; i <= i1; ++i) {
                    sum += v.at(i, j, k);
                }
            }
        }
        curve.signal[p] = sum / curve.voxelCount;
    }
    const auto& s = curve.signal;
    if (!hasBaseline(s[0], s[1], s[4], noiseFloor)) {
        curve.status = KineticCurve::Status::NoBaseline;
        return curve;
    }
    curve.status = KineticCurve::Status::Ok;
    for (std::size_t p = 1; p < s.size(); ++p) {
        curve.enhancement[p] = (s[p] - s[0]) * 100.0 / s[0];  // exact at whole-number bounds
    }
    curve.initialEnhancement = curve.enhancement[1];
    curve.delayedChange = (s[4] - s[1]) * 100.0 / s[1];
    curve.initial = classifyInitial(curve.initialEnhancement);
    curve.delayed = classifyDelayed(curve.delayedChange);
    return curve;
}

double defaultNoiseFloor(const io::Study& study) {
    if (!study.hasChannel(io::Channel::Pre)) {
        return 0.0;
    }
    const auto voxels = study.channel(io::Channel::Pre).voxels();
    if (voxels.empty()) {
        return 0.0;
    }
    const std::size_t stride = std::max<std::size_t>(1, voxels.size() / 200000);
    std::vector<float> sample;
    sample.reserve(voxels.size() / stride + 1);
    for (std::size_t n = 0; n < voxels.size(); n += stride) {
        sample.push_back(voxels[n]);
    }
    const auto at = static_cast<std::ptrdiff_t>(0.98 * static_cast<double>(sample.size() - 1));
    std::nth_element(sample.begin(), sample.begin() + at, sample.end());
    return std::max(0.0, 0.1 * static_cast<double>(sample[static_cast<std::size_t>(at)]));
}

std::shared_ptr<io::Volume> kineticMap(const io::Study& study, const KineticMapOptions& options,
                                       io::Progress* progress) {
    const std::string source = study.metadata.source;
    if (!hasDynamicPhases(study)) {
        throw io::IoError(io::ErrorCode::InvalidArgument, source,
                          "a kinetic map needs the pre-contrast and all four post-contrast phases");
    }
    const Neighbourhood& nb = options.neighbourhood;
    if (nb.radiusI < 0 || nb.radiusJ < 0 || nb.radiusK < 0) {
        throw io::IoError(io::ErrorCode::InvalidArgument, source,
                          "kinetic neighbourhood radii must not be negative");
    }
    const io::Geometry& g = study.geometry();
    const std::int64_t nx = g.size[0];
    const std::int64_t ny = g.size[1];
    const std::int64_t nz = g.size[2];
    const std::size_t plane = static_cast<std::size_t>(nx * ny);
    auto map = std::make_shared<io::Volume>(g);

    // Only pre, post1 and the last phase decide the class.
    std::array<BoxRows, 3> rows{
        BoxRows(study.channel(io::Channel::Pre).voxels().data(), g.size, nb),
        BoxRows(study.channel(io::Channel::Post1).voxels().data(), g.size, nb),
        BoxRows(study.channel(io::Channel::Post4).voxels().data(), g.size, nb)};
    std::vector<float> countI(static_cast<std::size_t>(nx));
    for (std::int64_t i = 0; i < nx; ++i) {
        countI[static_cast<std::size_t>(i)] = static_cast<float>(clippedCount(i, nb.radiusI, nx));
    }
    // Everything is compared as sums × constants (no division): the count cancels out of the
    // ratios, and whole-number boundaries (50 %, ±10 %) are exact.
    const auto threshold = static_cast<float>(options.thresholdPercent);
    const auto band = static_cast<float>(kPlateauBandPercent);
    const auto floor = static_cast<float>(options.noiseFloor);
    const auto minFraction = static_cast<float>(kMinBaselineFraction);

    for (std::int64_t k = 0; k < nz; ++k) {
        io::throwIfCancelled(progress, source.c_str());
        for (BoxRows& r : rows) {
            r.startSlice(k);
        }
        const int countK = clippedCount(k, nb.radiusK, nz);
        float* out = map->voxels().data() + static_cast<std::size_t>(k) * plane;
        for (std::int64_t j = 0; j < ny; ++j) {
            const float countJK = static_cast<float>(clippedCount(j, nb.radiusJ, ny) * countK);
            const std::size_t row = static_cast<std::size_t>(j * nx);
            const float* s0 = rows[0].row(j);
            const float* s1 = rows[1].row(j);
            const float* s4 = rows[2].row(j);
            float* o = out + row;
            for (std::int64_t i = 0; i < nx; ++i) {
                const float pre = s0[i];
                const float early = s1[i];
                const float late = s4[i];
                const float count = countI[static_cast<std::size_t>(i)] * countJK;
                const float scale = std::max(std::abs(early), std::abs(late));
                // Bitwise & and plain selects, no short-circuit: the loop vectorises.
                const bool baseline =
                    (pre > floor * count) & (pre > minFraction * scale) & (pre > 0.0f);
                const bool enhancing = (early - pre) * 100.0f >= threshold * pre;
                const float change = (late - early) * 100.0f;
                float cls = change > band * early ? kMapPersistent : kMapPlateau;
                cls = change < -band * early ? kMapWashout : cls;
                o[i] = baseline & enhancing ? cls : kMapNone;
            }
        }
        if (progress != nullptr) {
            progress->report(static_cast<double>(k + 1) / static_cast<double>(nz), "kinetic map");
        }
    }
    return map;
}

}  // namespace bmsc::viewer
