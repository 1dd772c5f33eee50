#pragma once
// Private: the continuous anatomy and physics of one synthetic patient. Everything is defined
// in LPS millimetres, so any grid (the dynamic one, the T2 one, any size) samples the same
// patient. Rendering adds the bias field, gain and Rician noise.

#include "SyntheticRandom.h"
#include "breastmsc/io/Progress.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <array>
#include <vector>

namespace bmsc::io::synthetic {

/// Noise-free signal at one point: the five dynamic phases and T2.
struct Signal {
    std::array<double, kDynamicChannelCount> dynamic{};
    double t2 = 0.0;
};

class BreastPhantom {
public:
    /// Draws a patient from `seed`; `labels` ([left, right]) decide which lesions it gets.
    BreastPhantom(const SyntheticOptions& options, std::uint64_t seed,
                  const std::array<Label, 2>& labels);

    const std::vector<SyntheticLesion>& lesions() const noexcept { return lesionInfo_; }
    const std::array<double, kDynamicChannelCount>& phaseTimes() const noexcept { return times_; }
    Vec3 heartCentre() const noexcept { return heart_.centre; }
    const std::string& density() const noexcept { return densityName_; }
    const std::string& bpe() const noexcept { return bpeName_; }

    /// The five dynamic phases on `grid` (identity direction), with bias, gain and noise,
    /// rounded to integers as a scanner stores magnitude images.
    std::array<Volume, kDynamicChannelCount> renderDynamic(const Geometry& grid,
                                                           Progress* progress) const;
    /// The T2 image on `grid`.
    Volume renderT2(const Geometry& grid, Progress* progress) const;

    /// Noise-free signal at a point (no bias, gain or noise).
    Signal evaluate(const Vec3& p) const;

private:
    struct Ellipsoid {
        Vec3 centre{0, 0, 0};
        Vec3 axes{1, 1, 1};
    };
    struct Breast {
        Vec3 centre{0, 0, 0};  ///< on the chest wall, slightly inside the thorax
        double halfWidth = 50, depth = 70, posterior = 30, halfHeight = 60;
        ValueNoise shape;
    };
    struct Wave {
        Vec3 direction{1, 0, 0};
        double frequency = 2, phase = 0, amplitude = 0;
    };
    struct Spicule {
        Vec3 direction{1, 0, 0};
        double cosWidth = 0.99;  ///< cosine of the half-angle
        double length = 0;       ///< beyond the core, in units of the core radius
    };
    struct Lesion {
        Vec3 centre{0, 0, 0};
        Mat3 rotation{1, 0, 0, 0, 1, 0, 0, 0, 1};  ///< rows: the lesion's axes in LPS
        Vec3 axes{1, 1, 1};                        ///< semi-axes, mm
        double radius = 1;                         ///< mean semi-axis, mm
        double edgeMm = 0.8;
        double pre = 300, t2 = 300;
        bool rim = false;
        double textureAmount = 0;
        std::vector<Wave> waves;
        std::vector<Spicule> spicules;
        std::array<double, kDynamicChannelCount> enhancement{};
        ValueNoise texture;
    };
    struct Curves {  ///< relative enhancement of each tissue at each phase
        std::array<double, kDynamicChannelCount> skin{}, fat{}, muscle{}, marrow{}, lung{}, blood{},
            myocardium{}, bpe{};
    };

    void drawAnatomy(Random& rng);
    void drawLesions(Random& rng, const std::array<Label, 2>& labels);
    bool placeLesion(Random& rng, Side side, double diameter, Vec3& centre) const;
    Lesion makeLesion(Random& rng, SyntheticLesionKind kind, const Vec3& centre, double diameter,
                      SyntheticLesion& info) const;

    double thoraxSurfaceY(double x) const noexcept;
    double thoraxDistance(double x, double y) const noexcept;
    double breastDistance(const Breast& b, const Vec3& p, double* rho) const noexcept;
    /// Soft membership (0…1) of `p` in a lesion and the relative radius there.
    double lesionMembership(const Lesion& l, const Vec3& p, double* relativeRadius) const;

    void renderGrid(const Geometry& grid, bool dynamic, std::vector<Volume>& out,
                    Progress* progress) const;

    SyntheticOptions options_;
    std::uint64_t seed_;
    std::array<double, kDynamicChannelCount> times_{};

    // Anatomy.
    double chestWallY_ = -15;  ///< anterior thorax surface at the midline
    double thoraxHalfWidth_ = 150, thoraxHalfDepth_ = 130;
    double skinMm_ = 2, fatMm_ = 10, muscleMm_ = 12, ribMm_ = 10, ribPeriodMm_ = 28;
    std::array<Breast, 2> breasts_;  ///< [left (+x), right (−x)]
    Ellipsoid heart_;
    Vec3 aorta_{0, 0, 0};
    double aortaRadius_ = 13;
    ValueNoise fgt1_, fgt2_, fgt3_, bpeField_, muscleField_, fatTexture_;
    double fgtThreshold_ = 0;
    std::string densityName_, bpeName_;
    Curves curves_;

    // Lesions.
    std::vector<Lesion> lesions_;
    std::vector<SyntheticLesion> lesionInfo_;

    // Acquisition.
    double gainDynamic_ = 1, gainT2_ = 1, sigmaDynamic_ = 12, sigmaT2_ = 12;
    std::array<Wave, 3> biasDynamic_{}, biasT2_{};
};

}  // namespace bmsc::io::synthetic
