#pragma once
// A simple prone breast DCE-MRI phantom for the preprocessing tests, defined in physical LPS
// millimetres (+x patient left, +y posterior, +z superior) so that it can be sampled on any
// grid, in any orientation, with the same values at the same physical points (the noise is a
// hash of the position, not a random stream).
//
// Air (Rician noise), two breasts hanging anteriorly (fat with a glandular core, a lesion in
// the left breast), a pectoral muscle band, a thorax with two dark lungs and a strongly
// enhancing heart. Variant `roundThorax`: elliptical muscle and thorax outlines instead of
// blocks, so that the thorax widens gradually as in real anatomy and the front of the heart
// lies in front of the rows where the thorax reaches its full width (the heart, not the body
// outline, then limits the crop).

#include "breastmsc/io/Study.h"

#include <cmath>
#include <cstdint>

namespace bmsc::test {

using io::Channel;
using io::Geometry;
using io::Index3;
using io::Vec3;

struct PhantomSpec {
    bool roundThorax = false;
    double noise = 6.0;  ///< Rician noise level
    double gain = 1.0;   ///< multiplies every signal (receiver gain)
    double heartCentreY = 100.0;
    double heartRadius = 40.0;
};

class BreastPhantom {
public:
    explicit BreastPhantom(PhantomSpec spec = {}) : spec_(spec) {}

    // Field of view: 360 × 360 × 96 mm centred on the origin.
    static Geometry geometry(const Index3& size) {
        Geometry g;
        g.size = size;
        const Vec3 extent{360.0, 360.0, 96.0};
        for (std::size_t a = 0; a < 3; ++a) {
            g.spacing[a] = extent[a] / static_cast<double>(size[a]);
            g.origin[a] = -extent[a] / 2.0 + g.spacing[a] / 2.0;
        }
        return g;
    }

    /// The same voxels stored with index axis a along original axis perm[a], flipped where
    /// flip[a]: the direction matrix becomes a signed permutation, the physical box is kept.
    static Geometry reoriented(const Geometry& g, std::array<int, 3> perm,
                               std::array<bool, 3> flip) {
        Geometry r;
        Vec3 originIndex{0.0, 0.0, 0.0};
        r.direction = {0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (std::size_t a = 0; a < 3; ++a) {
            const auto b = static_cast<std::size_t>(perm[a]);
            r.size[a] = g.size[b];
            r.spacing[a] = g.spacing[b];
            r.direction[3 * b + a] = flip[a] ? -1.0 : 1.0;
            originIndex[b] = flip[a] ? static_cast<double>(g.size[b] - 1) : 0.0;
        }
        r.origin = g.indexToPhysical(originIndex);
        return r;
    }

    // Regions (LPS mm).
    bool inBreast(const Vec3& p) const {
        if (spec_.roundThorax && p[1] >= 38.0) {
            return false;  // hanging breasts leave air between their base and the curved chest
        }
        return (inBreastEllipsoid(p, 85.0) || inBreastEllipsoid(p, -85.0)) && !inMuscle(p) &&
               !inThorax(p);
    }
    bool inLeftBreast(const Vec3& p) const { return inBreast(p) && p[0] > 0.0; }
    bool inHeart(const Vec3& p) const {
        return sq(p[0] - 15.0) + sq(p[1] - spec_.heartCentreY) + sq(p[2]) < sq(spec_.heartRadius);
    }
    bool inMuscle(const Vec3& p) const {
        if (spec_.roundThorax) {
            return sq(p[0] / 175.0) + sq((p[1] - 155.0) / 125.0) < 1.0 && !inThorax(p);
        }
        return p[1] >= 30.0 && p[1] < 45.0 && std::abs(p[0]) <= 150.0;
    }
    bool inThorax(const Vec3& p) const {
        if (spec_.roundThorax) {
            return sq(p[0] / 160.0) + sq((p[1] - 155.0) / 110.0) < 1.0;
        }
        return p[1] >= 45.0 && std::abs(p[0]) <= 160.0;
    }
    bool inLung(const Vec3& p) const {
        return inThorax(p) && !inHeart(p) &&
               (sq((std::abs(p[0]) - 80.0) / 50.0) + sq((p[1] - 130.0) / 45.0) < 1.0);
    }
    static Vec3 lesionCentre() { return {85.0, -5.0, 0.0}; }
    bool inLesion(const Vec3& p) const {
        const Vec3 c = lesionCentre();
        return sq(p[0] - c[0]) + sq(p[1] - c[1]) + sq(p[2] - c[2]) < sq(8.0);
    }

    /// Noise-free signal of a channel at a point.
    double signal(Channel c, const Vec3& p) const {
        const int k = static_cast<int>(c);  // 0 pre, 1..4 post, 5 T2
        const bool t2 = c == Channel::T2;
        const double post = (k >= 1 && k <= 4) ? 1.0 : 0.0;
        double s = 0.0;
        if (inHeart(p) && inThorax(p)) {
            static constexpr double kHeart[] = {180, 880, 780, 680, 630, 60};
            s = kHeart[k];
        } else if (inLung(p)) {
            s = t2 ? 10.0 : 15.0;
        } else if (inThorax(p)) {
            s = t2 ? 110.0 : 130.0 + 20.0 * post;
        } else if (inMuscle(p)) {
            s = t2 ? 70.0 : 110.0 + 25.0 * post;
        } else if (inBreast(p)) {
            if (inLesion(p)) {
                static constexpr double kLesion[] = {140, 490, 470, 440, 420, 220};
                s = kLesion[k];
            } else if (inGland(p)) {
                s = t2 ? 180.0 : 150.0 + 10.0 * k * post;
            } else {
                s = t2 ? 260.0 : 300.0;
            }
        }
        return s * spec_.gain;
    }

    /// Signal with Rician noise that depends only on the position and the channel.
    float value(Channel c, const Vec3& p) const {
        const double s = signal(c, p);
        const double n1 = spec_.noise * spec_.gain * gaussian(p, 2 * static_cast<int>(c));
        const double n2 = spec_.noise * spec_.gain * gaussian(p, 2 * static_cast<int>(c) + 1);
        return static_cast<float>(std::sqrt(sq(s + n1) + sq(n2)));
    }

    io::Study makeStudy(const Geometry& g, const std::string& patientId = "P001") const {
        io::Study study;
        study.metadata.patientId = patientId;
        for (Channel c : io::kAllChannels) {
            io::Volume v(g);
            for (std::int64_t k = 0; k < g.size[2]; ++k) {
                for (std::int64_t j = 0; j < g.size[1]; ++j) {
                    for (std::int64_t i = 0; i < g.size[0]; ++i) {
                        v.at(i, j, k) = value(
                            c, g.indexToPhysical({static_cast<double>(i), static_cast<double>(j),
                                                  static_cast<double>(k)}));
                    }
                }
            }
            study.setChannel(c, std::move(v));
        }
        return study;
    }

private:
    static double sq(double v) { return v * v; }
    bool inBreastEllipsoid(const Vec3& p, double cx) const {
        return sq((p[0] - cx) / 60.0) + sq((p[1] - 40.0) / 100.0) + sq(p[2] / 45.0) < 1.0;
    }
    bool inGland(const Vec3& p) const {
        const double cx = p[0] > 0 ? 85.0 : -85.0;
        return sq((p[0] - cx) / 35.0) + sq((p[1] - 20.0) / 50.0) + sq(p[2] / 25.0) < 1.0;
    }
    // A standard normal deviate from a hash of the position (rounded to 1 µm) and a stream.
    static double gaussian(const Vec3& p, int stream) {
        std::uint64_t h = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(stream + 1);
        for (double v : p) {
            h ^= static_cast<std::uint64_t>(std::llround(v * 1000.0)) + 0x9E3779B97F4A7C15ull +
                 (h << 6) + (h >> 2);
            h = mix(h);
        }
        double sum = 0.0;
        for (int i = 0; i < 4; ++i) {
            h = mix(h + static_cast<std::uint64_t>(i));
            sum += static_cast<double>(h >> 11) / 9007199254740992.0;
        }
        return (sum - 2.0) * std::sqrt(3.0);  // 4 uniforms: mean 2, variance 1/3
    }
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    PhantomSpec spec_;
};

}  // namespace bmsc::test
