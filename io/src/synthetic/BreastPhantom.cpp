#include "BreastPhantom.h"

#include "breastmsc/io/Error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numbers>
#include <thread>

namespace bmsc::io::synthetic {
namespace {

constexpr double kPi = std::numbers::pi;

double smoothstep(double e0, double e1, double x) noexcept {
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

Signal tissue(double pre, const std::array<double, kDynamicChannelCount>& curve, double t2) {
    Signal s;
    for (std::size_t p = 0; p < s.dynamic.size(); ++p) {
        s.dynamic[p] = pre * (1.0 + curve[p]);
    }
    s.t2 = t2;
    return s;
}

/// a + (b − a)·w, channel by channel.
void blend(Signal& a, const Signal& b, double w) {
    if (w <= 0.0) {
        return;
    }
    for (std::size_t p = 0; p < a.dynamic.size(); ++p) {
        a.dynamic[p] += (b.dynamic[p] - a.dynamic[p]) * w;
    }
    a.t2 += (b.t2 - a.t2) * w;
}

Vec3 randomUnit(Random& rng) {
    for (;;) {
        const Vec3 v{rng.normal(), rng.normal(), rng.normal()};
        const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (n > 1e-6) {
            return {v[0] / n, v[1] / n, v[2] / n};
        }
    }
}

Mat3 randomRotation(Random& rng) {
    double q[4];
    double n = 0.0;
    while (n < 1e-6) {
        n = 0.0;
        for (double& c : q) {
            c = rng.normal();
            n += c * c;
        }
    }
    n = std::sqrt(n);
    const double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
    return {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),     2 * (x * z + y * w),
            2 * (x * y + z * w),     1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w),     2 * (y * z + x * w),     1 - 2 * (x * x + y * y)};
}

double dot(const Vec3& a, const Vec3& b) noexcept {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

template <typename F>
std::array<double, kDynamicChannelCount> curveOf(const std::array<double, kDynamicChannelCount>& t,
                                                 F f) {
    std::array<double, kDynamicChannelCount> e{};
    for (std::size_t p = 0; p < t.size(); ++p) {
        e[p] = p == 0 ? 0.0 : f(t[p]);
    }
    return e;
}

}  // namespace

BreastPhantom::BreastPhantom(const SyntheticOptions& options, std::uint64_t seed,
                             const std::array<Label, 2>& labels)
    : options_(options), seed_(seed) {
    // Separate streams: the anatomy and the acquisition never depend on the labels.
    Random anatomy(hashCombine(seed, 1));
    drawAnatomy(anatomy);
    Random lesions(hashCombine(seed, 2));
    drawLesions(lesions, labels);
}

void BreastPhantom::drawAnatomy(Random& rng) {
    const double interval = std::round(rng.uniform(60.0, 80.0));
    for (std::size_t p = 0; p < times_.size(); ++p) {
        times_[p] = interval * static_cast<double>(p);
    }
    const double half = options_.fieldOfViewMm / 2.0;
    const double scale = options_.fieldOfViewMm / 320.0;
    // The chest wall lies 28-48 mm in front of the field of view's centre, so that the
    // paper's crop (the anterior half of the rows) holds the whole breast, its lateral base
    // included, and the thorax with the heart fills the posterior half.
    chestWallY_ = rng.uniform(-48.0, -28.0) * scale;
    thoraxHalfWidth_ = rng.uniform(138.0, 152.0) * scale;
    thoraxHalfDepth_ = rng.uniform(115.0, 140.0) * scale;
    skinMm_ = rng.uniform(1.5, 2.5);
    fatMm_ = rng.uniform(6.0, 14.0);
    muscleMm_ = rng.uniform(8.0, 15.0);
    ribMm_ = rng.uniform(8.0, 12.0);
    ribPeriodMm_ = rng.uniform(24.0, 32.0);

    const double cxLeft = rng.uniform(70.0, 90.0) * scale;
    const double cxRight = -cxLeft * rng.uniform(0.95, 1.05);
    const Vec3 base{rng.uniform(50.0, 70.0) * scale, rng.uniform(55.0, 115.0) * scale,
                    rng.uniform(55.0, 80.0) * scale};
    const double cz = rng.uniform(-10.0, 10.0) * scale;
    for (int s = 0; s < 2; ++s) {
        Breast& b = breasts_[static_cast<std::size_t>(s)];
        const double cx = s == 0 ? cxLeft : cxRight;
        // Asymmetry: the right breast differs by up to 10 % along each axis.
        const double f0 = s == 0 ? 1.0 : rng.uniform(0.9, 1.1);
        const double f1 = s == 0 ? 1.0 : rng.uniform(0.9, 1.1);
        const double f2 = s == 0 ? 1.0 : rng.uniform(0.9, 1.1);
        b.halfWidth =
            std::min({base[0] * f0, std::abs(cx) - 6.0, thoraxHalfWidth_ - 4.0 - std::abs(cx)});
        b.centre = {cx, thoraxSurfaceY(cx) + rng.uniform(4.0, 8.0),
                    cz + rng.uniform(-3.0, 3.0) * scale};
        b.depth = std::min(base[1] * f1, b.centre[1] + half - 12.0);
        b.posterior = 0.5 * b.depth;
        b.halfHeight = base[2] * f2;
        b.shape = ValueNoise(hashCombine(seed_, 100 + static_cast<std::uint64_t>(s)), 30.0);
    }

    const double interior = chestWallY_ + skinMm_ + fatMm_ + muscleMm_ + ribMm_;
    heart_.axes = {rng.uniform(50.0, 62.0) * scale, rng.uniform(40.0, 50.0) * scale,
                   rng.uniform(50.0, 65.0) * scale};
    heart_.centre = {rng.uniform(15.0, 35.0) * scale,
                     interior + heart_.axes[1] + rng.uniform(5.0, 15.0) * scale,
                     rng.uniform(-35.0, -10.0) * scale};
    aorta_ = {-rng.uniform(10.0, 25.0) * scale, heart_.centre[1] + rng.uniform(-5.0, 10.0), 0.0};
    aortaRadius_ = rng.uniform(11.0, 15.0) * scale;

    fgt1_ = ValueNoise(hashCombine(seed_, 11), 14.0);
    fgt2_ = ValueNoise(hashCombine(seed_, 12), 6.0);
    fgt3_ = ValueNoise(hashCombine(seed_, 13), 2.8);
    bpeField_ = ValueNoise(hashCombine(seed_, 14), 15.0);
    muscleField_ = ValueNoise(hashCombine(seed_, 15), 25.0);
    fatTexture_ = ValueNoise(hashCombine(seed_, 16), 4.0);

    static constexpr std::array<const char*, 4> kDensity{"a", "b", "c", "d"};
    static constexpr std::array<double, 4> kThreshold{0.38, 0.16, -0.02, -0.2};
    const int density = rng.pick(std::array<double, 4>{0.1, 0.4, 0.4, 0.1});
    densityName_ = kDensity[static_cast<std::size_t>(density)];
    fgtThreshold_ = kThreshold[static_cast<std::size_t>(density)];

    static constexpr std::array<const char*, 4> kBpe{"minimal", "mild", "moderate", "marked"};
    static constexpr std::array<double, 4> kBpeAmplitude{0.04, 0.14, 0.32, 0.65};
    const int bpe = rng.pick(std::array<double, 4>{0.3, 0.35, 0.23, 0.12});
    bpeName_ = kBpe[static_cast<std::size_t>(bpe)];
    const double bpeAmplitude =
        kBpeAmplitude[static_cast<std::size_t>(bpe)] * rng.uniform(0.8, 1.2);
    const double bpeTau = rng.uniform(120.0, 300.0);
    const double bloodPeak = rng.uniform(2.5, 4.0);

    const auto& t = times_;
    curves_.skin = curveOf(t, [](double s) { return 0.25 * (1 - std::exp(-s / 150)); });
    curves_.fat = curveOf(t, [](double s) { return 0.03 * s / 280; });
    curves_.muscle = curveOf(t, [](double s) { return 0.3 * (1 - std::exp(-s / 120)); });
    curves_.marrow = curveOf(t, [](double s) { return 0.15 * (1 - std::exp(-s / 100)); });
    curves_.lung = curveOf(t, [](double s) { return 0.1 * (1 - std::exp(-s / 60)); });
    curves_.blood = curveOf(t, [&](double s) {
        return bloodPeak * (1 - std::exp(-s / 6)) * (0.5 + 0.5 * std::exp(-s / 90));
    });
    curves_.myocardium = curveOf(t, [](double s) {
        return 0.8 * (1 - std::exp(-s / 25)) * (0.7 + 0.3 * std::exp(-s / 200));
    });
    curves_.bpe = curveOf(t, [&](double s) { return bpeAmplitude * (1 - std::exp(-s / bpeTau)); });

    gainDynamic_ = rng.uniform(0.75, 1.35);
    gainT2_ = rng.uniform(0.75, 1.35);
    sigmaDynamic_ = rng.uniform(8.0, 18.0);
    sigmaT2_ = rng.uniform(8.0, 18.0);
    for (auto* field : {&biasDynamic_, &biasT2_}) {
        for (Wave& w : *field) {
            w.direction = randomUnit(rng);
            w.frequency = 2.0 * kPi / rng.uniform(250.0, 500.0);
            w.phase = rng.uniform(0.0, 2.0 * kPi);
            w.amplitude = rng.uniform(0.04, 0.08);
        }
    }
}

void BreastPhantom::drawLesions(Random& rng, const std::array<Label, 2>& labels) {
    for (const Side side : {Side::Left, Side::Right}) {
        std::vector<SyntheticLesionKind> kinds;
        if (labels[side == Side::Left ? 0 : 1] == Label::Malignant) {
            const int n = 1 + rng.pick(std::array<double, 3>{0.65, 0.25, 0.10});
            kinds.push_back(SyntheticLesionKind::Malignant);
            for (int i = 1; i < n; ++i) {
                kinds.push_back(rng.chance(0.5)   ? SyntheticLesionKind::Malignant
                                : rng.chance(0.6) ? SyntheticLesionKind::Benign
                                                  : SyntheticLesionKind::Cyst);
            }
        } else {
            const int n = rng.pick(std::array<double, 4>{0.40, 0.35, 0.18, 0.07});
            for (int i = 0; i < n; ++i) {
                kinds.push_back(rng.chance(0.65) ? SyntheticLesionKind::Benign
                                                 : SyntheticLesionKind::Cyst);
            }
        }
        for (const SyntheticLesionKind kind : kinds) {
            // One size distribution for every kind: size alone must not reveal the label.
            double diameter = 3.0 + 12.0 * std::pow(rng.uniform(), 1.4);
            Vec3 centre{};
            bool placed = placeLesion(rng, side, diameter, centre);
            while (!placed && diameter > 3.0) {
                diameter = std::max(3.0, diameter * 0.8);
                placed = placeLesion(rng, side, diameter, centre);
            }
            if (!placed) {
                if (kind == SyntheticLesionKind::Malignant) {
                    throw IoError(ErrorCode::InvalidArgument, {},
                                  "cannot place a lesion in the synthetic breast (the field of "
                                  "view is too small)");
                }
                continue;
            }
            SyntheticLesion info;
            info.side = side;
            lesions_.push_back(makeLesion(rng, kind, centre, diameter, info));
            lesionInfo_.push_back(info);
        }
    }
}

bool BreastPhantom::placeLesion(Random& rng, Side side, double diameter, Vec3& centre) const {
    const Breast& b = breasts_[side == Side::Left ? 0 : 1];
    const double r = diameter / 2.0;
    const double halfFov = options_.fieldOfViewMm / 2.0;
    const double halfCoverage = options_.coverageMm / 2.0;
    for (int attempt = 0; attempt < 300; ++attempt) {
        Vec3 u{rng.uniform(-1.0, 1.0), -rng.uniform(), rng.uniform(-1.0, 1.0)};
        if (dot(u, u) > 1.0) {
            continue;
        }
        const Vec3 p{b.centre[0] + 0.9 * u[0] * b.halfWidth, b.centre[1] + 0.9 * u[1] * b.depth,
                     b.centre[2] + 0.9 * u[2] * b.halfHeight};
        const bool inside =
            std::abs(p[2]) <= halfCoverage - r - 1.5 && std::abs(p[0]) <= halfFov - r - 2.0 &&
            std::abs(p[1]) <= halfFov - r - 2.0 && breastDistance(b, p, nullptr) <= -(r + 3.0) &&
            p[1] <= thoraxSurfaceY(p[0]) - (r + 2.0) &&
            (side == Side::Left ? p[0] > 2.0 : p[0] < -2.0);
        if (!inside) {
            continue;
        }
        const bool overlaps = std::any_of(lesions_.begin(), lesions_.end(), [&](const Lesion& l) {
            const Vec3 d{p[0] - l.centre[0], p[1] - l.centre[1], p[2] - l.centre[2]};
            return std::sqrt(dot(d, d)) < r + 1.6 * l.radius + 2.0;
        });
        if (!overlaps) {
            centre = p;
            return true;
        }
    }
    return false;
}

BreastPhantom::Lesion BreastPhantom::makeLesion(Random& rng, SyntheticLesionKind kind,
                                                const Vec3& centre, double diameter,
                                                SyntheticLesion& info) const {
    Lesion l;
    l.centre = centre;
    l.radius = diameter / 2.0;
    l.rotation = randomRotation(rng);
    l.texture = ValueNoise(rng.bits(), 2.5);
    const bool malignant = kind == SyntheticLesionKind::Malignant;
    const bool cyst = kind == SyntheticLesionKind::Cyst;
    if (malignant) {
        l.axes = {1.0, rng.uniform(0.75, 1.0), rng.uniform(0.6, 1.0)};
    } else if (cyst) {
        l.axes = {1.0, rng.uniform(0.8, 1.0), rng.uniform(0.7, 1.0)};
    } else {
        l.axes = {1.0, rng.uniform(0.6, 0.9), rng.uniform(0.5, 0.85)};
    }
    // Scale the semi-axes so that their geometric mean is the radius.
    const double g = std::cbrt(l.axes[0] * l.axes[1] * l.axes[2]);
    for (double& a : l.axes) {
        a *= l.radius / g;
    }
    const int waves = malignant ? 5 : cyst ? 0 : 3;
    for (int w = 0; w < waves; ++w) {
        l.waves.push_back({randomUnit(rng), static_cast<double>(rng.integer(2, malignant ? 5 : 3)),
                           rng.uniform(0.0, 2.0 * kPi),
                           malignant ? rng.uniform(0.04, 0.09) : rng.uniform(0.01, 0.04)});
    }
    if (malignant && rng.chance(0.7)) {
        const int n = rng.integer(4, 12);
        for (int s = 0; s < n; ++s) {
            l.spicules.push_back(
                {randomUnit(rng), std::cos(rng.uniform(0.10, 0.22)), rng.uniform(0.5, 1.6)});
        }
    }
    l.edgeMm = malignant ? 1.4 : cyst ? 0.5 : 0.7;
    l.textureAmount = malignant ? 0.12 : cyst ? 0.02 : 0.05;
    l.rim = malignant ? l.radius >= 3.5 && rng.chance(0.45) : !cyst && rng.chance(0.05);

    // Kinetics: overlapping classes (some benign fast/washout, some malignant slow).
    double amplitude = 0.0, kIn = 0.0, kOut = 0.0;
    if (!cyst) {
        const std::array<double, 3> shares = malignant ? std::array<double, 3>{0.62, 0.26, 0.12}
                                                       : std::array<double, 3>{0.15, 0.27, 0.58};
        const int curve = rng.pick(shares);
        const bool fast = rng.chance(malignant ? 0.8 : 0.25);
        kIn = fast ? rng.uniform(0.02, 0.08) : rng.uniform(0.004, 0.018);
        amplitude = malignant ? rng.uniform(1.0, 2.3) : rng.uniform(0.5, 1.6);
        kOut = curve == 0   ? rng.uniform(0.0015, 0.0035)
               : curve == 1 ? rng.uniform(-0.0003, 0.0003)
                            : rng.uniform(-0.0025, -0.0008);
    }
    for (std::size_t p = 1; p < l.enhancement.size(); ++p) {
        const double t = times_[p];
        l.enhancement[p] = amplitude * (1.0 - std::exp(-kIn * t)) * std::exp(-kOut * t);
    }
    if (malignant) {
        l.pre = rng.uniform(260.0, 360.0);
        l.t2 = rng.chance(0.85) ? rng.uniform(160.0, 280.0) : rng.uniform(500.0, 800.0);
    } else if (cyst) {
        l.pre = rng.uniform(120.0, 200.0);
        l.t2 = rng.uniform(1000.0, 1500.0);
    } else {
        l.pre = rng.uniform(270.0, 370.0);
        l.t2 = rng.chance(0.7) ? rng.uniform(450.0, 850.0) : rng.uniform(200.0, 320.0);
    }

    info.centre = centre;
    info.kind = kind;
    info.diameterMm = diameter;
    info.amplitude = amplitude;
    info.kIn = kIn;
    info.kOut = kOut;
    info.intendedEnhancement = l.enhancement;
    // The curve type as a radiologist would call it: late phase against the first post phase.
    const double early = l.enhancement[1];
    const double change = early > 1e-9 ? (l.enhancement[4] - early) / early : 0.0;
    info.curve = cyst            ? KineticCurve::None
                 : change < -0.1 ? KineticCurve::Washout
                 : change > 0.1  ? KineticCurve::Persistent
                                 : KineticCurve::Plateau;
    return l;
}

double BreastPhantom::thoraxSurfaceY(double x) const noexcept {
    const double q = std::min(1.0, std::abs(x) / thoraxHalfWidth_);
    return chestWallY_ + thoraxHalfDepth_ * (1.0 - std::sqrt(1.0 - q * q));
}

double BreastPhantom::thoraxDistance(double x, double y) const noexcept {
    const double qx = x / thoraxHalfWidth_;
    const double qy = (y - (chestWallY_ + thoraxHalfDepth_)) / thoraxHalfDepth_;
    const double rho = std::sqrt(qx * qx + qy * qy);
    if (rho < 1e-6) {
        return -thoraxHalfDepth_;
    }
    const double gx = qx / thoraxHalfWidth_, gy = qy / thoraxHalfDepth_;
    return (rho - 1.0) * rho / std::sqrt(gx * gx + gy * gy);
}

double BreastPhantom::breastDistance(const Breast& b, const Vec3& p,
                                     double* rhoOut) const noexcept {
    const double ay = p[1] < b.centre[1] ? b.depth : b.posterior;
    const double qx = (p[0] - b.centre[0]) / b.halfWidth;
    const double qy = (p[1] - b.centre[1]) / ay;
    const double qz = (p[2] - b.centre[2]) / b.halfHeight;
    const double rho0 = std::sqrt(qx * qx + qy * qy + qz * qz);
    if (rhoOut != nullptr) {
        *rhoOut = rho0;
    }
    if (rho0 > 1.5) {
        return 1e3;
    }
    if (rho0 < 1e-6) {
        return -std::min({b.halfWidth, ay, b.halfHeight});
    }
    const double rho = rho0 * (1.0 + 0.05 * b.shape(p[0], p[1], p[2]));
    const double gx = qx / b.halfWidth, gy = qy / ay, gz = qz / b.halfHeight;
    return (rho - 1.0) * rho0 / std::sqrt(gx * gx + gy * gy + gz * gz);
}

double BreastPhantom::lesionMembership(const Lesion& l, const Vec3& p,
                                       double* relativeRadius) const {
    const Vec3 d{p[0] - l.centre[0], p[1] - l.centre[1], p[2] - l.centre[2]};
    const double reach = 2.7 * l.axes[0] + 2.0 * l.edgeMm;
    if (std::abs(d[0]) > reach || std::abs(d[1]) > reach || std::abs(d[2]) > reach) {
        return 0.0;
    }
    const auto& r = l.rotation;
    const Vec3 q{(r[0] * d[0] + r[3] * d[1] + r[6] * d[2]) / l.axes[0],
                 (r[1] * d[0] + r[4] * d[1] + r[7] * d[2]) / l.axes[1],
                 (r[2] * d[0] + r[5] * d[1] + r[8] * d[2]) / l.axes[2]};
    const double rho = std::sqrt(dot(q, q));
    if (rho < 1e-9) {
        *relativeRadius = 0.0;
        return 1.0;
    }
    const Vec3 u{q[0] / rho, q[1] / rho, q[2] / rho};
    double surface = 1.0;
    for (const Wave& w : l.waves) {
        surface += w.amplitude * std::cos(w.frequency * kPi * dot(u, w.direction) + w.phase);
    }
    for (const Spicule& s : l.spicules) {
        const double c = dot(u, s.direction);
        if (c > s.cosWidth) {
            surface = std::max(surface, 1.0 + s.length * (c - s.cosWidth) / (1.0 - s.cosWidth));
        }
    }
    *relativeRadius = rho;
    const double distanceMm = (rho - surface) * l.radius;
    return std::clamp(0.5 - distanceMm / l.edgeMm, 0.0, 1.0);
}

Signal BreastPhantom::evaluate(const Vec3& p) const {
    const double x = p[0], y = p[1], z = p[2];
    const double dT = thoraxDistance(x, y);
    double rhoL = 0.0, rhoR = 0.0;
    const double dL = breastDistance(breasts_[0], p, &rhoL);
    const double dR = breastDistance(breasts_[1], p, &rhoR);
    const double dBody = std::min({dT, dL, dR});
    if (dBody > 1.0) {
        return {};
    }
    Signal inner;
    if (dT < 1.0) {  // chest wall layers and thorax
        const double depth = -dT;
        const double muscleEnd = fatMm_ + muscleMm_ * (1.0 + 0.25 * muscleField_(x, y, z));
        const double ribEnd = muscleEnd + ribMm_;
        inner = tissue(800.0, curves_.fat, 560.0);
        blend(inner, tissue(270.0, curves_.muscle, 120.0),
              smoothstep(fatMm_ - 0.7, fatMm_ + 0.7, depth));
        if (depth > muscleEnd - 1.0) {
            // Ribs: oblique bands along the chest wall; the sternum at the midline.
            const double yc = chestWallY_ + thoraxHalfDepth_;
            const double angle = std::atan2(x / thoraxHalfWidth_, (yc - y) / thoraxHalfDepth_);
            const double band =
                std::cos(2.0 * kPi * (0.8 * angle * thoraxHalfWidth_ + z) / ribPeriodMm_);
            // Rounded cross-sections: marrow in the middle of the layer, cortex (dark) around.
            const double across = 1.0 - std::abs(2.0 * (depth - muscleEnd) / ribMm_ - 1.0);
            const double marrow =
                (std::abs(x) < 14.0 ? 0.9
                                    : smoothstep(0.1, 0.6, band) * 0.9 *
                                          (1.0 - smoothstep(1.6, 2.0, std::abs(angle)))) *
                smoothstep(0.15, 0.5, across);
            Signal rib = tissue(270.0, curves_.muscle, 120.0);
            blend(rib, tissue(450.0, curves_.marrow, 400.0), marrow);
            blend(inner, rib, smoothstep(muscleEnd - 0.7, muscleEnd + 0.7, depth));
        }
        if (depth > ribEnd - 1.0) {
            Signal deep = tissue(18.0, curves_.lung, 12.0);  // lungs
            blend(deep, tissue(750.0, curves_.fat, 520.0),
                  (1.0 - smoothstep(14.0, 20.0, std::abs(x - 0.3 * heart_.centre[0]))) *
                      (1.0 - smoothstep(heart_.centre[1] - 10.0, heart_.centre[1] + 10.0, y)));
            const double ar = std::hypot(x - aorta_[0], y - aorta_[1]);
            blend(deep, tissue(230.0, curves_.blood, 50.0),
                  std::clamp(0.5 - (ar - aortaRadius_), 0.0, 1.0));
            const double hx = (x - heart_.centre[0]) / heart_.axes[0];
            const double hy = (y - heart_.centre[1]) / heart_.axes[1];
            const double hz = (z - heart_.centre[2]) / heart_.axes[2];
            const double hr = std::sqrt(hx * hx + hy * hy + hz * hz);
            if (hr < 1.1) {
                Signal heart = tissue(280.0, curves_.myocardium, 130.0);
                blend(heart, tissue(230.0, curves_.blood, 50.0), 1.0 - smoothstep(0.68, 0.76, hr));
                blend(deep, heart, 1.0 - smoothstep(0.97, 1.03, hr));
            }
            blend(inner, deep, smoothstep(ribEnd - 0.7, ribEnd + 0.7, depth));
        }
    }
    if (dT > -1.0) {  // breast parenchyma in front of the chest wall
        const bool left = dL < dR;
        const double rho = left ? rhoL : rhoR;
        const double dB = left ? dL : dR;
        const double f = 0.6 * fgt1_(x, y, z) + 0.3 * fgt2_(x, y, z) + 0.15 * fgt3_(x, y, z) +
                         0.5 * (0.55 - rho);
        const double fgt = smoothstep(fgtThreshold_ - 0.08, fgtThreshold_ + 0.08, f) *
                           smoothstep(skinMm_ + 2.0, skinMm_ + 7.0, -dB);
        Signal breast = tissue(800.0 * (1.0 + 0.03 * fatTexture_(x, y, z)), curves_.fat, 560.0);
        if (fgt > 0.0) {
            const double modulation = std::clamp(1.0 + 0.9 * bpeField_(x, y, z), 0.1, 2.2);
            std::array<double, kDynamicChannelCount> bpe = curves_.bpe;
            for (double& e : bpe) {
                e *= modulation;
            }
            blend(breast,
                  tissue(300.0 * (1.0 + 0.05 * fgt3_(y, z, x)), bpe,
                         240.0 * (1.0 + 0.08 * fgt2_(z, x, y))),
                  fgt);
        }
        if (dT >= 1.0) {
            inner = breast;
        } else {
            blend(inner, breast, smoothstep(-1.0, 1.0, dT));
        }
    }
    // Skin over the whole body surface, then the partial volume with the air outside.
    blend(inner, tissue(420.0, curves_.skin, 330.0),
          smoothstep(-skinMm_ - 0.6, -skinMm_ + 0.6, dBody));
    for (const Lesion& l : lesions_) {
        double rel = 0.0;
        const double m = lesionMembership(l, p, &rel);
        if (m <= 0.0) {
            continue;
        }
        const double tex = 1.0 + l.textureAmount * l.texture(x, y, z);
        double weight = l.rim ? 0.5 + 0.7 * std::min(1.0, rel * rel) : 1.0;
        if (rel > 1.0) {
            weight *= 0.7;  // spicules enhance less than the core
        }
        Signal s;
        for (std::size_t ph = 0; ph < s.dynamic.size(); ++ph) {
            s.dynamic[ph] = l.pre * tex * (1.0 + l.enhancement[ph] * weight);
        }
        s.t2 = l.t2 * tex;
        blend(inner, s, m);
    }
    Signal out;
    blend(out, inner, std::clamp(0.5 - dBody, 0.0, 1.0));
    return out;
}

void BreastPhantom::renderGrid(const Geometry& grid, bool dynamic, std::vector<Volume>& out,
                               Progress* progress) const {
    const std::size_t channels = dynamic ? kDynamicChannelCount : 1;
    out.assign(channels, Volume(grid));
    const double gain = dynamic ? gainDynamic_ : gainT2_;
    const double sigma = (dynamic ? sigmaDynamic_ : sigmaT2_) * gain;
    const auto& bias = dynamic ? biasDynamic_ : biasT2_;
    const std::int64_t nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];

    // The bias field along a row: cos(B + i·δ) = cos B·cos iδ − sin B·sin iδ, with cos iδ and
    // sin iδ tabulated once, so that a voxel costs no trigonometry.
    const Vec3 step{grid.direction[0] * grid.spacing[0], grid.direction[3] * grid.spacing[0],
                    grid.direction[6] * grid.spacing[0]};
    std::array<std::vector<double>, 3> cosStep, sinStep;
    for (std::size_t m = 0; m < bias.size(); ++m) {
        const double delta = bias[m].frequency * dot(step, bias[m].direction);
        for (std::int64_t i = 0; i < nx; ++i) {
            cosStep[m].push_back(std::cos(delta * static_cast<double>(i)));
            sinStep[m].push_back(std::sin(delta * static_cast<double>(i)));
        }
    }

    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    auto work = [&](bool reporter) {
        for (std::int64_t k = next++; k < nz && !stop; k = next++) {
            // One noise stream per slice: identical voxels whatever the number of threads.
            Random noise(hashCombine(
                seed_, (dynamic ? 0x100000ULL : 0x200000ULL) + static_cast<std::uint64_t>(k)));
            for (std::int64_t j = 0; j < ny; ++j) {
                const Vec3 rowStart =
                    grid.indexToPhysical({0.0, static_cast<double>(j), static_cast<double>(k)});
                std::array<double, 3> cosB{}, sinB{};
                for (std::size_t m = 0; m < bias.size(); ++m) {
                    const double b =
                        bias[m].frequency * dot(rowStart, bias[m].direction) + bias[m].phase;
                    cosB[m] = std::cos(b);
                    sinB[m] = std::sin(b);
                }
                for (std::int64_t i = 0; i < nx; ++i) {
                    const auto ui = static_cast<std::size_t>(i);
                    const double di = static_cast<double>(i);
                    const Vec3 p{rowStart[0] + di * step[0], rowStart[1] + di * step[1],
                                 rowStart[2] + di * step[2]};
                    const Signal s = evaluate(p);
                    double logBias = 0.0;
                    for (std::size_t m = 0; m < bias.size(); ++m) {
                        logBias += bias[m].amplitude *
                                   (cosB[m] * cosStep[m][ui] - sinB[m] * sinStep[m][ui]);
                    }
                    const double scale = gain * std::exp(logBias);
                    for (std::size_t c = 0; c < channels; ++c) {
                        const double clean = scale * (dynamic ? s.dynamic[c] : s.t2);
                        const double re = clean + sigma * noise.normal();
                        const double im = sigma * noise.normal();
                        // Magnitudes are ≥ 0: adding ½ and truncating rounds them.
                        out[c].at(i, j, k) = static_cast<float>(static_cast<std::int32_t>(
                            std::min(65535.0, std::sqrt(re * re + im * im) + 0.5)));
                    }
                }
            }
            const std::int64_t finished = ++done;
            if (reporter && progress != nullptr) {
                if (progress->cancelled()) {
                    stop = true;
                }
                progress->report(static_cast<double>(finished) / static_cast<double>(nz),
                                 dynamic ? "dynamic phases" : "T2");
            }
        }
    };
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads && static_cast<std::int64_t>(t) < nz; ++t) {
        helpers.emplace_back(work, false);
    }
    work(true);
    for (auto& h : helpers) {
        h.join();
    }
    if (stop) {
        throwIfCancelled(progress, "");  // no file yet: the message is the reason alone
    }
}

std::array<Volume, kDynamicChannelCount> BreastPhantom::renderDynamic(const Geometry& grid,
                                                                      Progress* progress) const {
    std::vector<Volume> volumes;
    renderGrid(grid, true, volumes, progress);
    std::array<Volume, kDynamicChannelCount> out;
    for (std::size_t c = 0; c < out.size(); ++c) {
        out[c] = std::move(volumes[c]);
    }
    return out;
}

Volume BreastPhantom::renderT2(const Geometry& grid, Progress* progress) const {
    std::vector<Volume> volumes;
    renderGrid(grid, false, volumes, progress);
    return std::move(volumes.front());
}

}  // namespace bmsc::io::synthetic
