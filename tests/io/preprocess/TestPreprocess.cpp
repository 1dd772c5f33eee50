// Preprocessing into the network geometry: exact round trips on the grid, lesion points,
// orientation invariance, crop placement on a phantom with a bright heart, normalisation,
// the JSON record, and bad input.
#include "BreastPhantom.h"
#include "ExpectIoError.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/PreprocessRecord.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>

using namespace bmsc::io;
using bmsc::test::BreastPhantom;
using bmsc::test::expectIoError;
using bmsc::test::PhantomSpec;

namespace {

PreprocessOptions smallOptions() {
    PreprocessOptions o;
    o.grid = {128, 128, 16};
    o.cropRows = 64;
    return o;
}

Vec3 centre(const Geometry& g, std::int64_t i, std::int64_t j, std::int64_t k) {
    return g.indexToPhysical(
        {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
}

// Fractions of the phantom's breast and heart voxels (on the study grid) that lie in a crop.
struct Coverage {
    double breast = 0.0;
    double heart = 0.0;
    std::size_t breastVoxels = 0;
    std::size_t heartVoxels = 0;
};

Coverage coverage(const BreastPhantom& phantom, const PreprocessTransform& t) {
    const Geometry& g = t.study;
    std::size_t breastIn = 0, heartIn = 0;
    Coverage c;
    for (std::int64_t k = 0; k < g.size[2]; ++k) {
        for (std::int64_t j = 0; j < g.size[1]; ++j) {
            for (std::int64_t i = 0; i < g.size[0]; ++i) {
                const Vec3 p = centre(g, i, j, k);
                const bool inside = pointToBreastVoxel(t, p).has_value();
                if (phantom.inBreast(p)) {
                    ++c.breastVoxels;
                    breastIn += inside ? 1 : 0;
                }
                if (phantom.inHeart(p) && phantom.inThorax(p)) {
                    ++c.heartVoxels;
                    heartIn += inside ? 1 : 0;
                }
            }
        }
    }
    c.breast = static_cast<double>(breastIn) / static_cast<double>(c.breastVoxels);
    c.heart = static_cast<double>(heartIn) / static_cast<double>(c.heartVoxels);
    return c;
}

double maxDifference(const Volume& a, const Volume& b) {
    double d = 0.0;
    for (std::size_t v = 0; v < a.voxels().size(); ++v) {
        d = std::max(d, static_cast<double>(std::abs(a.voxels()[v] - b.voxels()[v])));
    }
    return d;
}

}  // namespace

class TestPreprocess : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void canonicalGridOfACanonicalStudyIsItself();
    void cropSplitAndMapBackAreExactOnTheGrid();
    void breastVolumesOverlayTheStudy();
    void mapToStudyOnAnotherGrid();
    void lesionPointsRoundTrip();
    void sidesAgreeWithCohort();
    void orientationDoesNotChangeTheBreasts_data();
    void orientationDoesNotChangeTheBreasts();
    void orientationInvarianceWithInterpolation();
    void nearestLpsAxesUndoEveryReordering();
    void heartExcludedBreastsIncluded_data();
    void heartExcludedBreastsIncluded();
    void deepBreastsKeepTheAnteriorBody();
    void normalisationKeepsEnhancementRatios();
    void normalisationIsRobust();
    void recordRoundTrip();
    void posteriorWallClearedLesionInFrontKept();
    void badInput();
};

void TestPreprocess::canonicalGridOfACanonicalStudyIsItself() {
    const Geometry g = BreastPhantom::geometry({128, 128, 16});
    QVERIFY(canonicalGeometry(g, g.size).sameGrid(g, 1e-9));
    // Any signed permutation of the same box has the same canonical grid.
    const Geometry r = BreastPhantom::reoriented(g, {2, 0, 1}, {true, false, true});
    QVERIFY(!r.sameGrid(g, 1e-3));
    QVERIFY(canonicalGeometry(r, g.size).sameGrid(g, 1e-9));
    // A coarser grid covers the same box.
    const Geometry half = canonicalGeometry(g, {64, 64, 8});
    QCOMPARE(half.spacing[0], 2.0 * g.spacing[0]);
    QCOMPARE(half.indexToPhysical({-0.5, -0.5, -0.5})[0], g.indexToPhysical({-0.5, -0.5, -0.5})[0]);
}

void TestPreprocess::cropSplitAndMapBackAreExactOnTheGrid() {
    const BreastPhantom phantom;
    const Study study = phantom.makeStudy(BreastPhantom::geometry({128, 128, 16}));
    const PreprocessResult r = preprocess(study, smallOptions());
    const PreprocessTransform& t = r.transform;
    QVERIFY(t.canonical.sameGrid(study.geometry(), 1e-9));
    const std::int64_t first = t.cropFirstRow;
    QVERIFY(first > 0 && first + 64 <= 128);

    // Breast voxels are the (normalised) study voxels, bit for bit.
    for (Channel c : kAllChannels) {
        for (Side side : {Side::Left, Side::Right}) {
            const Volume& b = r.breast(side).channel(c);
            QCOMPARE(b.geometry().size, (Index3{64, 64, 16}));
            const std::int64_t x0 = side == Side::Left ? 64 : 0;
            for (std::int64_t k = 0; k < 16; ++k) {
                for (std::int64_t j = 0; j < 64; ++j) {
                    for (std::int64_t i = 0; i < 64; ++i) {
                        const float raw = study.channel(c).at(x0 + i, first + j, k);
                        if (b.at(i, j, k) != t.normalisation.apply(c, raw)) {
                            QFAIL(qPrintable(QString("channel %1 differs at %2,%3,%4")
                                                 .arg(int(c))
                                                 .arg(i)
                                                 .arg(j)
                                                 .arg(k)));
                        }
                    }
                }
            }
        }
    }

    // study → breast grids → study reproduces every voxel inside the crop; outside gets -1.
    const Volume& pre = study.channel(Channel::Pre);
    const Volume left = mapToBreast(pre, Side::Left, t);
    const Volume right = mapToBreast(pre, Side::Right, t);
    const Volume back = mapBreastsToStudy(left, right, t, Interpolation::Linear, -1.0f);
    std::size_t inside = 0;
    for (std::int64_t k = 0; k < 16; ++k) {
        for (std::int64_t j = 0; j < 128; ++j) {
            for (std::int64_t i = 0; i < 128; ++i) {
                const bool inCrop = j >= first && j < first + 64;
                const float expected = inCrop ? pre.at(i, j, k) : -1.0f;
                QCOMPARE(back.at(i, j, k), expected);
                inside += inCrop ? 1 : 0;
            }
        }
    }
    QCOMPARE(inside, std::size_t{128 * 64 * 16});

    // A float heat map on one breast grid maps to the study and back unchanged; the other
    // breast's half of the study stays at `outside`.
    Volume heat(t.breastGeometry(Side::Left));
    std::mt19937 random(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& v : heat.voxels()) {
        v = u(random);
    }
    const Volume onStudy = mapToStudy(heat, Side::Left, t);
    QCOMPARE(maxDifference(mapToBreast(onStudy, Side::Left, t), heat), 0.0);
    QCOMPARE(onStudy.at(10, first + 5, 3), 0.0f);  // right half
    QCOMPARE(onStudy.at(100, first + 5, 3), heat.at(36, 5, 3));
}

void TestPreprocess::breastVolumesOverlayTheStudy() {
    // On a grid that differs from the study's, each breast voxel still sits at the physical
    // place of the study it came from: a piecewise-constant region keeps its value.
    const BreastPhantom phantom(PhantomSpec{false, 0.0});
    const Study study = phantom.makeStudy(BreastPhantom::geometry({90, 100, 12}));
    PreprocessOptions o = smallOptions();
    o.normalise = false;
    const PreprocessResult r = preprocess(study, o);
    for (Side side : {Side::Left, Side::Right}) {
        const BreastImage& b = r.breast(side);
        QVERIFY(b.geometry.sameGrid(b.channel(Channel::Pre).geometry()));
        std::size_t checked = 0, agree = 0;
        for (std::int64_t k = 0; k < b.geometry.size[2]; k += 3) {
            for (std::int64_t j = 0; j < b.geometry.size[1]; j += 2) {
                for (std::int64_t i = 0; i < b.geometry.size[0]; i += 2) {
                    const Vec3 p = centre(b.geometry, i, j, k);
                    QVERIFY(sideOfPoint(r.transform, p) == side);
                    const Index3 s = study.geometry().physicalToNearestIndex(p);
                    if (!study.geometry().contains(s)) {
                        continue;
                    }
                    // Compare only where the study is constant around the point.
                    const float expected = phantom.signal(Channel::Pre, p);
                    if (std::abs(study.channel(Channel::Pre).at(s[0], s[1], s[2]) - expected) >
                        1e-3) {
                        continue;
                    }
                    ++checked;
                    agree +=
                        std::abs(b.channel(Channel::Pre).at(i, j, k) - expected) < 1e-3 ? 1 : 0;
                }
            }
        }
        QVERIFY(checked > 1000);
        QVERIFY2(static_cast<double>(agree) / static_cast<double>(checked) > 0.9,
                 qPrintable(QString("%1 of %2").arg(agree).arg(checked)));
    }
}

void TestPreprocess::mapToStudyOnAnotherGrid() {
    // Study and breast grids differ (interpolation): a heat map of ones on the left breast
    // covers exactly the study voxels inside the left crop, and 0 elsewhere.
    const BreastPhantom phantom;
    const Geometry g = BreastPhantom::reoriented(BreastPhantom::geometry({90, 100, 12}), {1, 0, 2},
                                                 {true, false, false});
    const PreprocessResult r = preprocess(phantom.makeStudy(g), smallOptions());
    const PreprocessTransform& t = r.transform;
    const Volume ones(t.breastGeometry(Side::Left), 1.0f);
    const Volume onStudy = mapToStudy(ones, Side::Left, t);
    QVERIFY(onStudy.geometry().sameGrid(g, 1e-9));
    std::size_t inside = 0, wrong = 0;
    for (std::int64_t k = 0; k < g.size[2]; ++k) {
        for (std::int64_t j = 0; j < g.size[1]; ++j) {
            for (std::int64_t i = 0; i < g.size[0]; ++i) {
                Side side = Side::Right;
                const bool in = pointToBreastVoxel(t, centre(g, i, j, k), &side).has_value() &&
                                side == Side::Left;
                inside += in ? 1 : 0;
                wrong += std::abs(onStudy.at(i, j, k) - (in ? 1.0f : 0.0f)) > 1e-5f ? 1 : 0;
            }
        }
    }
    QVERIFY(inside > 10000);
    QCOMPARE(wrong, std::size_t{0});
    // Both breasts at once: two different constants meet at the split.
    const Volume both = mapBreastsToStudy(ones, Volume(t.breastGeometry(Side::Right), 2.0f), t);
    std::array<int, 2> compared{0, 0};
    for (std::int64_t j = 40; j < 60; ++j) {  // across the split (axis 1 runs along x here)
        for (std::int64_t i = 0; i < g.size[0]; ++i) {
            const Vec3 p = centre(g, i, j, 6);
            if (pointToBreastVoxel(t, p).has_value()) {
                const bool left = sideOfPoint(t, p) == Side::Left;
                QCOMPARE(both.at(i, j, 6), left ? 1.0f : 2.0f);
                ++compared[left ? 0 : 1];
            }
        }
    }
    QVERIFY(compared[0] > 100 && compared[1] > 100);
}

void TestPreprocess::lesionPointsRoundTrip() {
    const BreastPhantom phantom;
    const Study study = phantom.makeStudy(BreastPhantom::geometry({128, 128, 16}));
    const PreprocessResult r = preprocess(study, smallOptions());
    const PreprocessTransform& t = r.transform;

    // The phantom's lesion: left breast, a voxel that enhances strongly.
    Side side = Side::Right;
    const Vec3 lesion = BreastPhantom::lesionCentre();
    const auto voxel = pointToBreastVoxel(t, lesion, &side);
    QVERIFY(voxel.has_value());
    QVERIFY(side == Side::Left);
    const auto& b = r.breast(Side::Left);
    const float enhancement = b.channel(Channel::Post1).at((*voxel)[0], (*voxel)[1], (*voxel)[2]) -
                              b.channel(Channel::Pre).at((*voxel)[0], (*voxel)[1], (*voxel)[2]);
    QVERIFY2(enhancement > 0.8f, qPrintable(QString::number(enhancement)));

    // Any point in the crop: point → breast voxel → point → the same study voxel.
    std::mt19937 random(11);
    std::uniform_real_distribution<double> x(-179.0, 179.0), z(-47.0, 47.0);
    const double y0 =
        t.canonical.indexToPhysical({0.0, static_cast<double>(t.cropFirstRow), 0.0})[1];
    std::uniform_real_distribution<double> y(y0, y0 + 63.0 * t.canonical.spacing[1]);
    for (int n = 0; n < 2000; ++n) {
        const Vec3 p{x(random), y(random), z(random)};
        Side s = Side::Left;
        const auto v = pointToBreastVoxel(t, p, &s);
        QVERIFY(v.has_value());
        QVERIFY(s == Cohort::sideOfPoint(study.geometry(), p));
        const Vec3 q =
            breastIndexToPoint(t, s,
                               {static_cast<double>((*v)[0]), static_cast<double>((*v)[1]),
                                static_cast<double>((*v)[2])});
        QCOMPARE(study.geometry().physicalToNearestIndex(q),
                 study.geometry().physicalToNearestIndex(p));
        // Continuous indices round-trip exactly.
        const Vec3 back = breastIndexToPoint(t, s, pointToBreastIndex(t, s, p));
        for (std::size_t a = 0; a < 3; ++a) {
            QVERIFY(std::abs(back[a] - p[a]) < 1e-9);
        }
    }
    // A point in front of the crop (far anterior air) is outside it.
    QVERIFY(!pointToBreastVoxel(t, {50.0, y0 - 20.0, 0.0}).has_value());
}

void TestPreprocess::sidesAgreeWithCohort() {
    const BreastPhantom phantom;
    const Geometry g = BreastPhantom::reoriented(BreastPhantom::geometry({128, 128, 16}), {1, 0, 2},
                                                 {true, true, false});
    const Study study = phantom.makeStudy(g);
    const PreprocessResult r = preprocess(study, smallOptions());
    for (Side side : {Side::Left, Side::Right}) {
        const Geometry& b = r.breast(side).geometry;
        for (std::int64_t i = 0; i < b.size[0]; ++i) {
            const Vec3 p = centre(b, i, b.size[1] / 2, b.size[2] / 2);
            QVERIFY(Cohort::sideOfPoint(g, p) == side);
            QCOMPARE(p[0] > r.transform.splitXmm(), side == Side::Left);
        }
    }
    // The patient's left breast is at +x in LPS.
    QVERIFY(r.breast(Side::Left).geometry.origin[0] > r.breast(Side::Right).geometry.origin[0]);
    QVERIFY(r.breast(Side::Left).geometry.origin[0] > 0.0);
}

// A study stored with its axes reordered or reversed comes back, voxel for voxel, as the study
// stored along LPS; an oblique one keeps its tilt with each axis on its nearest LPS axis.
void TestPreprocess::nearestLpsAxesUndoEveryReordering() {
    const BreastPhantom phantom;
    const Geometry g = BreastPhantom::geometry({64, 64, 8});
    const Study reference = phantom.makeStudy(g);
    QCOMPARE(withNearestLpsAxes(reference).metadata.report.size(),
             reference.metadata.report.size());  // already along LPS: untouched
    const std::array<std::array<int, 3>, 5> perms{
        {{0, 1, 2}, {0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0}}};
    const std::array<std::array<bool, 3>, 5> flips{{{true, false, false},
                                                    {false, true, true},
                                                    {false, false, false},
                                                    {true, false, true},
                                                    {true, true, false}}};
    for (std::size_t n = 0; n < perms.size(); ++n) {
        const Geometry r = BreastPhantom::reoriented(g, perms[n], flips[n]);
        QVERIFY(!r.sameGrid(g, 1e-3));
        const Study back = withNearestLpsAxes(phantom.makeStudy(r));
        QVERIFY2(back.geometry().sameGrid(g, 1e-6), back.geometry().describe().c_str());
        QVERIFY(back.metadata.report.back().find("reordered") != std::string::npos);
        for (Channel c : kAllChannels) {
            QCOMPARE(maxDifference(back.channel(c), reference.channel(c)), 0.0);
        }
    }
    // Oblique: rows and columns swapped and reversed, then turned 7° about z.
    Geometry oblique = BreastPhantom::reoriented(g, {1, 0, 2}, {true, false, false});
    const double a = 7.0 * std::numbers::pi / 180.0;
    const Mat3 d = oblique.direction;
    for (int c = 0; c < 3; ++c) {
        oblique.direction[0 + c] = std::cos(a) * d[0 + c] - std::sin(a) * d[3 + c];
        oblique.direction[3 + c] = std::sin(a) * d[0 + c] + std::cos(a) * d[3 + c];
    }
    const Study tilted = phantom.makeStudy(oblique);
    const Study back = withNearestLpsAxes(tilted);
    for (int axis = 0; axis < 3; ++axis) {
        QVERIFY(back.geometry().axisDirection(axis)[static_cast<std::size_t>(axis)] > 0.99);
    }
    // Same voxel centres, same values: every voxel of the result is one of the input's.
    const Geometry& to = back.geometry();
    for (std::int64_t k = 0; k < to.size[2]; k += 3) {
        for (std::int64_t j = 0; j < to.size[1]; j += 5) {
            for (std::int64_t i = 0; i < to.size[0]; i += 5) {
                const Vec3 at =
                    oblique.physicalToIndex(to.indexToPhysical({double(i), double(j), double(k)}));
                const Index3 src{std::llround(at[0]), std::llround(at[1]), std::llround(at[2])};
                for (int x = 0; x < 3; ++x) {
                    QVERIFY(std::abs(at[static_cast<std::size_t>(x)] -
                                     double(src[static_cast<std::size_t>(x)])) < 1e-6);
                }
                QCOMPARE(back.channel(Channel::Post1).at(i, j, k),
                         tilted.channel(Channel::Post1).at(src[0], src[1], src[2]));
            }
        }
    }
}

void TestPreprocess::orientationDoesNotChangeTheBreasts_data() {
    QTest::addColumn<int>("p0");
    QTest::addColumn<int>("p1");
    QTest::addColumn<int>("p2");
    QTest::addColumn<bool>("f0");
    QTest::addColumn<bool>("f1");
    QTest::addColumn<bool>("f2");
    QTest::newRow("flip x") << 0 << 1 << 2 << true << false << false;
    QTest::newRow("flip y and z") << 0 << 1 << 2 << false << true << true;
    QTest::newRow("swap x y") << 1 << 0 << 2 << false << false << false;
    QTest::newRow("sagittal-like, flipped") << 2 << 1 << 0 << true << false << true;
    QTest::newRow("cyclic, flipped") << 1 << 2 << 0 << true << true << false;
}

void TestPreprocess::orientationDoesNotChangeTheBreasts() {
    QFETCH(int, p0);
    QFETCH(int, p1);
    QFETCH(int, p2);
    QFETCH(bool, f0);
    QFETCH(bool, f1);
    QFETCH(bool, f2);
    const BreastPhantom phantom;
    const Geometry g = BreastPhantom::geometry({128, 128, 16});
    const Geometry r = BreastPhantom::reoriented(g, {p0, p1, p2}, {f0, f1, f2});
    const PreprocessResult a = preprocess(phantom.makeStudy(g), smallOptions());
    const PreprocessResult b = preprocess(phantom.makeStudy(r), smallOptions());
    QCOMPARE(b.transform.cropFirstRow, a.transform.cropFirstRow);
    for (Side side : {Side::Left, Side::Right}) {
        QVERIFY(a.breast(side).geometry.sameGrid(b.breast(side).geometry, 1e-6));
        for (Channel c : kAllChannels) {
            QVERIFY(maxDifference(a.breast(side).channel(c), b.breast(side).channel(c)) < 1e-4);
        }
    }
    // Left stays left: the lesion is in the left breast of the reoriented study too.
    Side side = Side::Right;
    const auto v = pointToBreastVoxel(b.transform, BreastPhantom::lesionCentre(), &side);
    QVERIFY(v && side == Side::Left);
    const auto& left = b.breast(Side::Left);
    QVERIFY(left.channel(Channel::Post1).at((*v)[0], (*v)[1], (*v)[2]) -
                left.channel(Channel::Pre).at((*v)[0], (*v)[1], (*v)[2]) >
            0.8f);
}

void TestPreprocess::orientationInvarianceWithInterpolation() {
    // The study's grid is not the canonical grid, so resampling interpolates; a flipped and
    // permuted copy must still give the same breasts within interpolation tolerance.
    const BreastPhantom phantom;
    const Geometry g = BreastPhantom::geometry({100, 90, 12});
    const Geometry r = BreastPhantom::reoriented(g, {1, 0, 2}, {true, false, true});
    const PreprocessResult a = preprocess(phantom.makeStudy(g), smallOptions());
    const PreprocessResult b = preprocess(phantom.makeStudy(r), smallOptions());
    QCOMPARE(b.transform.cropFirstRow, a.transform.cropFirstRow);
    for (Side side : {Side::Left, Side::Right}) {
        for (Channel c : kAllChannels) {
            const double d = maxDifference(a.breast(side).channel(c), b.breast(side).channel(c));
            QVERIFY2(
                d < 1e-3,
                qPrintable(QString("side %1 channel %2: %3").arg(int(side)).arg(int(c)).arg(d)));
        }
    }
}

void TestPreprocess::heartExcludedBreastsIncluded_data() {
    QTest::addColumn<bool>("round");
    QTest::addColumn<double>("minimumBreast");
    QTest::addColumn<double>("heartCentreY");
    QTest::addColumn<double>("rotationDegrees");
    QTest::newRow("block thorax") << false << 1.0 << 100.0 << 0.0;
    QTest::newRow("block thorax, oblique study") << false << 1.0 << 100.0 << 12.0;
    // The thorax reaches its full width only behind the front of the heart: the heart, not
    // the body outline, must limit the crop.
    QTest::newRow("round thorax, heart close to the chest wall") << true << 1.0 << 92.0 << 0.0;
}

void TestPreprocess::heartExcludedBreastsIncluded() {
    QFETCH(bool, round);
    QFETCH(double, minimumBreast);
    QFETCH(double, heartCentreY);
    QFETCH(double, rotationDegrees);
    PhantomSpec spec;
    spec.roundThorax = round;
    spec.heartCentreY = heartCentreY;
    const BreastPhantom phantom(spec);
    Geometry g = BreastPhantom::geometry({128, 128, 16});
    if (rotationDegrees != 0.0) {
        // The same grid turned about z around the field of view's centre (the origin).
        const double a = rotationDegrees * std::numbers::pi / 180.0;
        g.direction = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
        g.origin = {std::cos(a) * g.origin[0] - std::sin(a) * g.origin[1],
                    std::sin(a) * g.origin[0] + std::cos(a) * g.origin[1], g.origin[2]};
    }
    const Study study = phantom.makeStudy(g);
    const PreprocessResult r = preprocess(study, smallOptions());
    const Coverage c = coverage(phantom, r.transform);
    QVERIFY(c.breastVoxels > 5000);
    QVERIFY(c.heartVoxels > 1000);
    QString report;
    for (const auto& line : r.report) {
        report += "\n  " + QString::fromStdString(line);
    }
    QVERIFY2(c.breast >= minimumBreast, qPrintable(QString::number(c.breast) + report));
    QVERIFY2(c.heart == 0.0, qPrintable(QString::number(c.heart) + report));
    QVERIFY(r.transform.placement.heartRow > 0);
    if (round) {
        QVERIFY2(r.transform.placement.heartRow < r.transform.placement.chestWallRow + 4,
                 qPrintable(report));
    }
    QVERIFY(r.transform.placement.chestWallRow > r.transform.placement.anteriorRow);
    // The nipple (most anterior breast point) and the skin margin in front of it are kept.
    const Vec3 nipple{85.0, -59.0, 0.0};
    QVERIFY(phantom.inBreast(nipple));
    QVERIFY(pointToBreastVoxel(r.transform, nipple).has_value());
    QVERIFY(pointToBreastVoxel(r.transform, {85.0, -63.0, 0.0}).has_value());
    QVERIFY(!r.transform.placement.breastsDeeperThanCrop);

    // The same holds at a coarser grid than the study's (interpolated).
    PreprocessOptions coarse = smallOptions();
    coarse.grid = {96, 96, 16};
    coarse.cropRows = 48;
    const Coverage c2 = coverage(phantom, preprocess(study, coarse).transform);
    QVERIFY2(c2.breast >= minimumBreast - 0.01, qPrintable(QString::number(c2.breast)));
    QCOMPARE(c2.heart, 0.0);
}

void TestPreprocess::deepBreastsKeepTheAnteriorBody() {
    const BreastPhantom phantom;
    const Study study = phantom.makeStudy(BreastPhantom::geometry({128, 128, 16}));
    PreprocessOptions o = smallOptions();
    o.cropRows = 24;  // 67.5 mm: less than the 90 mm deep breasts
    const PreprocessResult r = preprocess(study, o);
    QVERIFY(r.transform.placement.breastsDeeperThanCrop);
    QVERIFY(pointToBreastVoxel(r.transform, {85.0, -59.0, 0.0}).has_value());
    bool reported = false;
    for (const auto& line : r.report) {
        reported = reported || line.find("deeper") != std::string::npos;
    }
    QVERIFY(reported);
    QCOMPARE(coverage(phantom, r.transform).heart, 0.0);
}

void TestPreprocess::normalisationKeepsEnhancementRatios() {
    const BreastPhantom phantom;
    const Study study = phantom.makeStudy(BreastPhantom::geometry({128, 128, 16}));
    const PreprocessResult r = preprocess(study, smallOptions());
    const IntensityNormalisation& n = r.transform.normalisation;
    QVERIFY(n.applied);
    QVERIFY(n.dynamicScale > 0.0 && n.t2Scale > 0.0);
    QVERIFY(std::abs(n.dynamicScale - n.t2Scale) > 1.0);  // T2 has its own scale
    // Background offset: the air level (Rician noise of sigma 6 has a median of about 7).
    QVERIFY2(n.dynamicOffset > 3.0 && n.dynamicOffset < 12.0,
             qPrintable(QString::number(n.dynamicOffset)));

    // One scale for all five dynamic channels: differences and ratios (after the common
    // offset) between phases are those of the raw data.
    const std::int64_t first = r.transform.cropFirstRow;
    const auto& left = r.breast(Side::Left);
    double fat = 0.0, fatT2 = 0.0;
    int fatCount = 0;
    for (std::int64_t k = 0; k < 16; ++k) {
        for (std::int64_t j = 0; j < 64; ++j) {
            for (std::int64_t i = 0; i < 64; ++i) {
                const float pre = study.channel(Channel::Pre).at(64 + i, first + j, k);
                for (Channel c : {Channel::Post1, Channel::Post2, Channel::Post3, Channel::Post4}) {
                    const float post = study.channel(c).at(64 + i, first + j, k);
                    const double normalisedDiff =
                        left.channel(c).at(i, j, k) - left.channel(Channel::Pre).at(i, j, k);
                    QVERIFY(std::abs(normalisedDiff * n.dynamicScale - (post - pre)) <
                            1e-3 * std::max(1.0, std::abs(double(post - pre))) + 1e-3);
                }
                const Vec3 p = centre(study.geometry(), 64 + i, first + j, k);
                if (phantom.inBreast(p) && !phantom.inLesion(p) &&
                    phantom.signal(Channel::Pre, p) == 300.0) {
                    fat += left.channel(Channel::Pre).at(i, j, k);
                    fatT2 += left.channel(Channel::T2).at(i, j, k);
                    ++fatCount;
                }
            }
        }
    }
    QVERIFY(fatCount > 1000);
    // Fat is the brightest breast tissue in both contrasts: close to, but below, 1.
    QVERIFY2(fat / fatCount > 0.85 && fat / fatCount < 1.0,
             qPrintable(QString::number(fat / fatCount)));
    QVERIFY2(fatT2 / fatCount > 0.85 && fatT2 / fatCount < 1.0,
             qPrintable(QString::number(fatT2 / fatCount)));
    // Undo gives back the raw intensity.
    const float raw = study.channel(Channel::Post2).at(70, first + 10, 8);
    QVERIFY(std::abs(n.undo(Channel::Post2, left.channel(Channel::Post2).at(6, 10, 8)) - raw) <
            1e-3f * raw);
}

void TestPreprocess::normalisationIsRobust() {
    const Geometry g = BreastPhantom::geometry({128, 128, 16});
    const PreprocessResult a = preprocess(BreastPhantom().makeStudy(g), smallOptions());
    // A different receiver gain gives the same normalised images.
    PhantomSpec bright;
    bright.gain = 3.7;
    const PreprocessResult b = preprocess(BreastPhantom(bright).makeStudy(g), smallOptions());
    QCOMPARE(b.transform.cropFirstRow, a.transform.cropFirstRow);
    for (Side side : {Side::Left, Side::Right}) {
        for (Channel c : kAllChannels) {
            QVERIFY(maxDifference(a.breast(side).channel(c), b.breast(side).channel(c)) < 1e-4);
        }
    }
    // A few hot voxels (spikes) barely move the scale; the run is deterministic.
    Study spiky = BreastPhantom().makeStudy(g);
    for (int s = 0; s < 30; ++s) {
        spiky.channel(Channel::Pre).at(90 + s % 10, 60 + s / 10, 8) = 1e5f;
    }
    const PreprocessResult c = preprocess(spiky, smallOptions());
    const PreprocessResult d = preprocess(spiky, smallOptions());
    QVERIFY(
        std::abs(c.transform.normalisation.dynamicScale / a.transform.normalisation.dynamicScale -
                 1.0) < 0.02);
    QCOMPARE(c.transform.normalisation.dynamicScale, d.transform.normalisation.dynamicScale);
    QCOMPARE(maxDifference(c.breast(Side::Left).channel(Channel::Pre),
                           d.breast(Side::Left).channel(Channel::Pre)),
             0.0);
}

void TestPreprocess::recordRoundTrip() {
    const Geometry g = BreastPhantom::reoriented(BreastPhantom::geometry({96, 96, 12}), {0, 1, 2},
                                                 {true, false, false});
    const PreprocessResult r = preprocess(BreastPhantom().makeStudy(g), smallOptions());
    QTemporaryDir dir;
    const auto file = std::filesystem::path(dir.path().toStdString()) / "preprocess.json";
    writePreprocessRecord(r.transform, r.report, file);
    const PreprocessTransform t = readPreprocessRecord(file);
    QVERIFY(t.study.sameGrid(r.transform.study, 1e-12));
    QVERIFY(t.canonical.sameGrid(r.transform.canonical, 1e-12));
    QCOMPARE(t.cropFirstRow, r.transform.cropFirstRow);
    QCOMPARE(t.cropRows, r.transform.cropRows);
    QCOMPARE(t.normalisation.dynamicScale, r.transform.normalisation.dynamicScale);
    QCOMPARE(t.normalisation.t2Offset, r.transform.normalisation.t2Offset);
    QCOMPARE(t.placement.heartRow, r.transform.placement.heartRow);
    for (Side side : {Side::Left, Side::Right}) {
        QVERIFY(t.breastGeometry(side).sameGrid(r.breast(side).geometry, 1e-12));
    }
    // A damaged record is refused with the file's name.
    {
        std::ofstream out(file);
        out << "{\"format\": \"breastmsc-preprocess\", \"version\": 1}";
    }
    expectIoError(ErrorCode::Corrupt, "preprocess.json", [&] { readPreprocessRecord(file); });
    expectIoError(ErrorCode::NotFound, "nothing.json",
                  [&] { readPreprocessRecord(file.parent_path() / "nothing.json"); });
}

void TestPreprocess::posteriorWallClearedLesionInFrontKept() {
    // A breast of 4 x 10 x 2 voxels: pre 0.5, post 0.6 (uptake 0.1); in column (1, *, 0) a wall
    // on the last two rows (uptake 2.5), in column (2, *, 1) a lesion at row 5 (uptake 2.0)
    // with rows 6-9 behind it not enhancing, and in column (3, *, 0) a wall reaching row 6.
    BreastImage b;
    b.geometry = Geometry{};
    b.geometry.size = {4, 10, 2};
    for (std::size_t c = 0; c < b.channels.size(); ++c) {
        b.channels[c] = Volume(b.geometry, c == 0 ? 0.5f : 0.6f);
    }
    const auto enhance = [&](std::int64_t i, std::int64_t j, std::int64_t k, float uptake) {
        for (std::size_t c = 1; c < b.channels.size(); ++c) {
            b.channels[c].at(i, j, k) = 0.5f + uptake;
        }
    };
    enhance(1, 8, 0, 2.5f);
    enhance(1, 9, 0, 2.5f);
    enhance(2, 5, 1, 2.0f);
    for (std::int64_t j = 6; j < 10; ++j) {
        enhance(3, j, 0, 1.0f);
    }
    BreastImage untouched = b;
    QCOMPARE(clearPosteriorWall(untouched, 0.0), std::int64_t{0});
    // Threshold 0.3 x 2.5 = 0.75: both walls go (2 + 4 voxels), the lesion and the rest stay.
    QCOMPARE(clearPosteriorWall(b, 0.3), std::int64_t{6});
    for (std::size_t c = 0; c < b.channels.size(); ++c) {
        QCOMPARE(b.channels[c].at(1, 9, 0), 0.0f);
        QCOMPARE(b.channels[c].at(1, 8, 0), 0.0f);
        QCOMPARE(b.channels[c].at(3, 6, 0), 0.0f);
        QCOMPARE(b.channels[c].at(1, 7, 0), c == 0 ? 0.5f : 0.6f);
    }
    QCOMPARE(b.channels[1].at(2, 5, 1), 2.5f);
    // Above 0.5 x 2.5 = 1.25 the weaker wall (uptake 1.0) is tissue, left in place.
    BreastImage strict = untouched;
    QCOMPARE(clearPosteriorWall(strict, 0.5), std::int64_t{2});
    QCOMPARE(strict.channels[1].at(3, 9, 0), 1.5f);

    // Through preprocess: said in the report, the options checked.
    const Study study = BreastPhantom().makeStudy(BreastPhantom::geometry({128, 128, 16}));
    PreprocessOptions o = smallOptions();
    o.posteriorWallFraction = 0.3;
    const auto report = preprocess(study, o).report;
    QVERIFY(std::any_of(report.begin(), report.end(), [](const std::string& line) {
        return line.find("enhancing wall behind it cleared") != std::string::npos;
    }));
    o.posteriorWallFraction = 1.0;
    expectIoError(ErrorCode::InvalidArgument, "posterior wall", [&] { preprocess(study, o); });
}

void TestPreprocess::badInput() {
    const Geometry g = BreastPhantom::geometry({64, 64, 8});
    const auto uniform = [&](float value) {
        Study s;
        s.metadata.source = "/data/uniform-study";
        for (Channel c : kAllChannels) {
            s.setChannel(c, Volume(g, value));
        }
        return s;
    };
    PreprocessOptions o;
    o.grid = {64, 64, 8};
    o.cropRows = 32;
    expectIoError(ErrorCode::InvalidValue, "/data/uniform-study",
                  [&] { preprocess(uniform(0.0f), o); });
    expectIoError(ErrorCode::InvalidValue, "/data/uniform-study",
                  [&] { preprocess(uniform(100.0f), o); });

    // Pure noise (an empty coil): no body.
    Study noise;
    noise.metadata.patientId = "NOISE";
    std::mt19937 random(3);
    std::normal_distribution<float> n(0.0f, 5.0f);
    for (Channel c : kAllChannels) {
        Volume v(g);
        for (float& x : v.voxels()) {
            x = std::hypot(n(random), n(random));
        }
        noise.setChannel(c, std::move(v));
    }
    expectIoError(ErrorCode::InvalidValue, "NOISE", [&] { preprocess(noise, o); });

    // A missing channel is named.
    Study partial = BreastPhantom().makeStudy(g);
    Study missing;
    missing.metadata.source = "/data/partial";
    for (Channel c : kAllChannels) {
        if (c != Channel::Post3) {
            missing.setChannel(c, partial.channel(c));
        }
    }
    expectIoError(ErrorCode::MissingChannel, "post3", [&] { preprocess(missing, o); });
    Study none;
    none.metadata.source = "/data/none";
    expectIoError(ErrorCode::MissingChannel, "/data/none", [&] { preprocess(none, o); });

    // NaN voxels and impossible options.
    Study nan = partial;
    nan.channel(Channel::T2).at(3, 3, 3) = NAN;
    expectIoError(ErrorCode::InvalidValue, "t2", [&] { preprocess(nan, o); });
    PreprocessOptions odd = o;
    odd.grid = {63, 64, 8};
    expectIoError(ErrorCode::InvalidArgument, "even", [&] { preprocess(partial, odd); });
    PreprocessOptions tall = o;
    tall.cropRows = 65;
    expectIoError(ErrorCode::InvalidArgument, "crop", [&] { preprocess(partial, tall); });
    // preprocess names the study and says the options are at fault; the check alone (what the
    // command line runs before reading anything) names no file.
    partial.metadata.source = "/data/partial";
    expectIoError(ErrorCode::InvalidArgument, "/data/partial: preprocessing options: the grid's x",
                  [&] { preprocess(partial, odd); });
    checkPreprocessOptions(o);
    try {
        checkPreprocessOptions(odd);
        QFAIL("an odd x size accepted");
    } catch (const IoError& e) {
        QVERIFY(e.path().empty());
        QVERIFY2(e.reason().rfind("the grid's x size must be even", 0) == 0, e.what());
    }
    // The phantom itself is fine at this size.
    QVERIFY(preprocess(partial, o).breast(Side::Left).channel(Channel::Pre).geometry().size ==
            (Index3{32, 32, 8}));
}

QTEST_GUILESS_MAIN(TestPreprocess)
#include "TestPreprocess.moc"
