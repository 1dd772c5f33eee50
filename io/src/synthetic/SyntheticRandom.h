#pragma once
// Private: portable random numbers for the synthetic generator. The standard distributions
// (std::normal_distribution, std::uniform_real_distribution) are implementation-defined, so
// the generator draws only raw 64-bit words from std::mt19937_64 (whose sequence the standard
// fixes) and turns them into numbers here.

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

namespace bmsc::io::synthetic {

/// SplitMix64 finaliser: a good 64-bit mixer for hashing seeds and lattice coordinates.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

constexpr std::uint64_t hashCombine(std::uint64_t a, std::uint64_t b) noexcept {
    return mix64(a ^ mix64(b + 0x632BE59BD9B4E019ULL));
}

/// Uniform and normal numbers from a mt19937_64, identical on every platform.
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}

    std::uint64_t bits() { return engine_(); }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Integer in [lo, hi].
    int integer(int lo, int hi) {
        return lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
    }
    bool chance(double p) { return uniform() < p; }
    /// Standard normal: Marsaglia's polar form of Box–Muller (no trigonometry; the second
    /// value of each pair is kept for the next call).
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        double u = 0.0, v = 0.0, s = 0.0;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        hasSpare_ = true;
        return u * f;
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }
    /// Picks an index with the given (unnormalised) weights.
    template <typename Weights>
    int pick(const Weights& weights) {
        double total = 0.0;
        for (const double w : weights) {
            total += w;
        }
        double u = uniform() * total;
        int i = 0;
        for (const double w : weights) {
            if (u < w) {
                return i;
            }
            u -= w;
            ++i;
        }
        return i - 1;
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0.0;
    bool hasSpare_ = false;
};

/// Smooth value noise in physical space: random values on a cubic lattice of `cellMm`,
/// hashed from the seed (so no storage and independent of any voxel grid), interpolated with
/// a quintic fade. Range about [−1, 1], mean 0.
class ValueNoise {
public:
    ValueNoise() = default;
    ValueNoise(std::uint64_t seed, double cellMm) : seed_(seed), inverseCell_(1.0 / cellMm) {}

    double operator()(double x, double y, double z) const noexcept {
        x *= inverseCell_;
        y *= inverseCell_;
        z *= inverseCell_;
        const double fx = std::floor(x), fy = std::floor(y), fz = std::floor(z);
        const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy),
                   iz = static_cast<std::int64_t>(fz);
        const double tx = fade(x - fx), ty = fade(y - fy), tz = fade(z - fz);
        double c[2][2];
        for (int dz = 0; dz < 2; ++dz) {
            for (int dy = 0; dy < 2; ++dy) {
                const double a = lattice(ix, iy + dy, iz + dz);
                const double b = lattice(ix + 1, iy + dy, iz + dz);
                c[dz][dy] = a + (b - a) * tx;
            }
        }
        const double y0 = c[0][0] + (c[0][1] - c[0][0]) * ty;
        const double y1 = c[1][0] + (c[1][1] - c[1][0]) * ty;
        return y0 + (y1 - y0) * tz;
    }

private:
    static double fade(double t) noexcept { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); }
    double lattice(std::int64_t x, std::int64_t y, std::int64_t z) const noexcept {
        const std::uint64_t h =
            mix64(seed_ ^ (static_cast<std::uint64_t>(x) * 0x9E3779B97F4A7C15ULL) ^
                  (static_cast<std::uint64_t>(y) * 0xC2B2AE3D27D4EB4FULL) ^
                  (static_cast<std::uint64_t>(z) * 0x165667B19E3779F9ULL));
        return static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0;
    }

    std::uint64_t seed_ = 0;
    double inverseCell_ = 1.0;
};

}  // namespace bmsc::io::synthetic

namespace bmsc::io::synthetic {

/// A UUID-derived DICOM UID ("2.25." + a 38-digit number) computed from two words, so that
/// generated studies have stable, valid, practically unique UIDs.
inline std::string deterministicUid(std::uint64_t a, std::uint64_t b) {
    const std::uint64_t h1 = hashCombine(a, b);
    const std::uint64_t h2 = hashCombine(h1, 0x5D1C0FFEEULL);
    // 19 digits without a leading zero, then 19 digits (< 10^38 < 2^128).
    const std::uint64_t high = 1000000000000000000ULL + h1 % 9000000000000000000ULL;
    std::string low = std::to_string(h2 % 10000000000000000000ULL);
    low.insert(0, 19 - low.size(), '0');
    return "2.25." + std::to_string(high) + low;
}

}  // namespace bmsc::io::synthetic
