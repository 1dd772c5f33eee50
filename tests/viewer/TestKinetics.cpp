// Kinetics of breast DCE-MRI without a window: curve values, the nine curve types with their
// boundaries, the neighbourhood at the edges, the no-baseline guard, and the kinetic map.
#include "CancelAfter.h"
#include "breastmsc/io/Error.h"
#include "model/Kinetics.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace bmsc;
using viewer::DelayedPhase;
using viewer::InitialPhase;

namespace {

/// Signals of pre, post1 … post4.
using Signals = std::array<float, io::kDynamicChannelCount>;

/// A study of 3×3×1 blocks side by side along i, block n uniform with `blocks[n]`; T2 is 1.
io::Study blockStudy(const std::vector<Signals>& blocks, std::int64_t depth = 1) {
    io::Geometry g;
    g.size = {static_cast<std::int64_t>(3 * blocks.size()), 3, depth};
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g, 1.0f);
        if (c != io::Channel::T2) {
            for (std::int64_t k = 0; k < depth; ++k) {
                for (std::int64_t j = 0; j < 3; ++j) {
                    for (std::int64_t i = 0; i < g.size[0]; ++i) {
                        v.at(i, j, k) =
                            blocks[static_cast<std::size_t>(i / 3)][static_cast<std::size_t>(c)];
                    }
                }
            }
        }
        study.setChannel(c, std::move(v));
    }
    return study;
}

/// pre 100, the given enhancement at post1 (%), the given change post1 → post4 (%, of post1);
/// post2 and post3 between.
Signals curveOf(float initialPercent, float delayedPercent) {
    const float early = 100.0f + initialPercent;
    const float late = early * (100.0f + delayedPercent) / 100.0f;
    return {100.0f, early, (2 * early + late) / 3, (early + 2 * late) / 3, late};
}

/// The centre voxel of block n (its 3×3 neighbourhood lies inside the block).
io::Index3 centreOf(std::size_t n) {
    return {static_cast<std::int64_t>(3 * n + 1), 1, 0};
}

struct Expected {
    Signals signal;
    InitialPhase initial;
    DelayedPhase delayed;
};

/// All nine classes, the middle of each range and every boundary of the standard terms.
std::vector<Expected> nineClasses() {
    return {
        {curveOf(30, 25), InitialPhase::Slow, DelayedPhase::Persistent},
        {curveOf(30, 0), InitialPhase::Slow, DelayedPhase::Plateau},
        {curveOf(30, -25), InitialPhase::Slow, DelayedPhase::Washout},
        {curveOf(75, 25), InitialPhase::Medium, DelayedPhase::Persistent},
        {curveOf(75, 0), InitialPhase::Medium, DelayedPhase::Plateau},
        {curveOf(75, -25), InitialPhase::Medium, DelayedPhase::Washout},
        {curveOf(150, 25), InitialPhase::Fast, DelayedPhase::Persistent},
        {curveOf(150, 0), InitialPhase::Fast, DelayedPhase::Plateau},
        {curveOf(150, -25), InitialPhase::Fast, DelayedPhase::Washout},
        // Boundaries: 50 % and 100 % are medium; +10 % and −10 % are plateau.
        {{100, 150, 160, 165, 165}, InitialPhase::Medium, DelayedPhase::Plateau},
        {{100, 200, 210, 215, 220}, InitialPhase::Medium, DelayedPhase::Plateau},
        {{100, 150, 140, 138, 135}, InitialPhase::Medium, DelayedPhase::Plateau},
        {{100, 149, 160, 165, 166}, InitialPhase::Slow, DelayedPhase::Persistent},
        {{100, 201, 190, 185, 180}, InitialPhase::Fast, DelayedPhase::Washout},
    };
}

}  // namespace

class TestKinetics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classifiesAtTheBoundaries() {
        QVERIFY(viewer::classifyInitial(49.99) == InitialPhase::Slow);
        QVERIFY(viewer::classifyInitial(50.0) == InitialPhase::Medium);
        QVERIFY(viewer::classifyInitial(100.0) == InitialPhase::Medium);
        QVERIFY(viewer::classifyInitial(100.01) == InitialPhase::Fast);
        QVERIFY(viewer::classifyInitial(-20.0) == InitialPhase::Slow);
        QVERIFY(viewer::classifyDelayed(10.01) == DelayedPhase::Persistent);
        QVERIFY(viewer::classifyDelayed(10.0) == DelayedPhase::Plateau);
        QVERIFY(viewer::classifyDelayed(-10.0) == DelayedPhase::Plateau);
        QVERIFY(viewer::classifyDelayed(-10.01) == DelayedPhase::Washout);
        QCOMPARE(viewer::initialPhaseName(InitialPhase::Fast), std::string_view("fast"));
        QCOMPARE(viewer::delayedPhaseName(DelayedPhase::Washout), std::string_view("washout"));
        QCOMPARE(viewer::kineticMapValue(DelayedPhase::Persistent), 1.0f);
        QCOMPARE(viewer::kineticMapValue(DelayedPhase::Plateau), 2.0f);
        QCOMPARE(viewer::kineticMapValue(DelayedPhase::Washout), 3.0f);
    }

    void curvesOfAllNineClasses() {
        const auto cases = nineClasses();
        std::vector<Signals> blocks;
        for (const auto& c : cases) {
            blocks.push_back(c.signal);
        }
        const io::Study study = blockStudy(blocks);
        for (std::size_t n = 0; n < cases.size(); ++n) {
            const auto curve = viewer::kineticCurve(study, centreOf(n));
            const QByteArray what = QByteArray("case ") + QByteArray::number(int(n));
            QVERIFY2(curve.ok(), what);
            QCOMPARE(curve.voxelCount, 9);
            QVERIFY2(curve.initial == cases[n].initial, what);
            QVERIFY2(curve.delayed == cases[n].delayed, what);
            const Signals& s = cases[n].signal;
            QCOMPARE(curve.enhancement[0], 0.0);
            for (std::size_t p = 1; p < s.size(); ++p) {
                QVERIFY(std::abs(curve.enhancement[p] - (s[p] - s[0]) * 100.0 / s[0]) < 1e-4);
            }
            QVERIFY(std::abs(curve.delayedChange - (s[4] - s[1]) * 100.0 / s[1]) < 1e-4);
        }
        // Known numbers: fast/washout block: +150 % at post1, −25 % from post1 to post4.
        const auto washout = viewer::kineticCurve(study, centreOf(8));
        QVERIFY(std::abs(washout.initialEnhancement - 150.0) < 1e-4);
        QVERIFY(std::abs(washout.delayedChange + 25.0) < 1e-4);
        QVERIFY(std::abs(washout.enhancement[4] - 87.5) < 1e-4);  // 187.5 of pre 100
    }

    void timeAxisFromThePhaseTimes() {
        io::Study study = blockStudy({curveOf(100, 0)});
        auto curve = viewer::kineticCurve(study, centreOf(0));
        QVERIFY(!curve.timeInSeconds);
        QCOMPARE(curve.time[4], 4.0);
        study.metadata.phaseTimes = {10.0, 80.0, 150.0, 220.0, 290.0};
        curve = viewer::kineticCurve(study, centreOf(0));
        QVERIFY(curve.timeInSeconds);
        QCOMPARE(curve.time[0], 0.0);
        QCOMPARE(curve.time[1], 70.0);
        QCOMPARE(curve.time[4], 280.0);
        study.metadata.phaseTimes[2] = NAN;  // one unknown time: phase numbers
        QVERIFY(!viewer::kineticCurve(study, centreOf(0)).timeInSeconds);
    }

    void neighbourhoodIsClippedAtTheEdges() {
        io::Study study = blockStudy({curveOf(100, 0), curveOf(100, 0)}, 3);
        // pre = 100 + i + 10 j + 100 k; post1 = 2 · pre.
        for (std::int64_t k = 0; k < 3; ++k) {
            for (std::int64_t j = 0; j < 3; ++j) {
                for (std::int64_t i = 0; i < 6; ++i) {
                    const float pre = static_cast<float>(100 + i + 10 * j + 100 * k);
                    study.channel(io::Channel::Pre).at(i, j, k) = pre;
                    study.channel(io::Channel::Post1).at(i, j, k) = 2 * pre;
                }
            }
        }
        // Corner: the 3×3 neighbourhood keeps the 2×2 voxels inside (no zero padding).
        auto corner = viewer::kineticCurve(study, {0, 0, 0});
        QCOMPARE(corner.voxelCount, 4);
        QCOMPARE(corner.signal[0], 105.5);
        QCOMPARE(corner.signal[1], 211.0);
        QCOMPARE(corner.initialEnhancement, 100.0);
        // Inside: all nine.
        auto inside = viewer::kineticCurve(study, {1, 1, 2});
        QCOMPARE(inside.voxelCount, 9);
        QCOMPARE(inside.signal[0], 311.0);
        // Far edge in i, 3×3×3 clipped in k too: i 4…5, j 1…2, k 1…2.
        auto edge = viewer::kineticCurve(study, {5, 2, 2}, viewer::Neighbourhood{1, 1, 1});
        QCOMPARE(edge.voxelCount, 8);
        QCOMPARE(edge.signal[0], 100.0 + 4.5 + 15.0 + 150.0);
        // Outside the grid: no data.
        QVERIFY(viewer::kineticCurve(study, {6, 0, 0}).status ==
                viewer::KineticCurve::Status::NoData);
        QVERIFY(viewer::kineticCurve(study, {-1, 0, 0}).status ==
                viewer::KineticCurve::Status::NoData);
    }

    void noBaselineRatherThanDividingByZero() {
        const io::Study study = blockStudy({{0, 80, 90, 95, 90},
                                            {0.00001f, 80, 90, 95, 90},
                                            {20, 40, 41, 42, 43},
                                            {-5, 40, 41, 42, 43}});
        for (std::size_t n = 0; n < 4; ++n) {
            const auto curve = viewer::kineticCurve(study, centreOf(n), {}, n == 2 ? 30.0 : 0.0);
            QVERIFY2(curve.status == viewer::KineticCurve::Status::NoBaseline,
                     QByteArray::number(int(n)));
            QCOMPARE(curve.enhancement[1], 0.0);
            QVERIFY(std::isfinite(curve.initialEnhancement));
        }
        // The same block above a lower floor is a measurement: +100 %.
        const auto above = viewer::kineticCurve(study, centreOf(2), {}, 10.0);
        QVERIFY(above.ok());
        QCOMPARE(above.initialEnhancement, 100.0);
        // A study without a post phase has no curve.
        io::Study partial;
        partial.setChannel(io::Channel::Pre, study.channel(io::Channel::Pre));
        QVERIFY(!viewer::hasDynamicPhases(partial));
        QVERIFY(viewer::kineticCurve(partial, {1, 1, 0}).status ==
                viewer::KineticCurve::Status::NoData);
        QVERIFY_THROWS_EXCEPTION(io::IoError, viewer::kineticMap(partial, {}));
    }

    void mapOfKnownClasses() {
        const auto cases = nineClasses();
        std::vector<Signals> blocks;
        for (const auto& c : cases) {
            blocks.push_back(c.signal);
        }
        blocks.push_back({5, 50, 50, 50, 50});  // air-like: +900 %, but background
        const io::Study study = blockStudy(blocks);
        viewer::KineticMapOptions options;  // 50 %
        options.noiseFloor = 10.0;
        const auto map = viewer::kineticMap(study, options);
        QVERIFY(map->geometry().sameGrid(study.geometry()));
        for (std::size_t n = 0; n < cases.size(); ++n) {
            const float expected = cases[n].initial == InitialPhase::Slow
                                       ? viewer::kMapNone
                                       : viewer::kineticMapValue(cases[n].delayed);
            const auto c = centreOf(n);
            QVERIFY2(map->at(c[0], c[1], c[2]) == expected, QByteArray::number(int(n)));
        }
        const auto air = centreOf(cases.size());
        QCOMPARE(map->at(air[0], air[1], air[2]), viewer::kMapNone);
        // Without a noise floor the air block is "enhancing" (that is what the floor is for).
        options.noiseFloor = 0.0;
        QCOMPARE(viewer::kineticMap(study, options)->at(air[0], air[1], air[2]),
                 viewer::kMapPlateau);
    }

    void thresholdDecidesWhatIsColoured() {
        const auto cases = nineClasses();
        std::vector<Signals> blocks;
        for (const auto& c : cases) {
            blocks.push_back(c.signal);
        }
        const io::Study study = blockStudy(blocks);
        auto coloured = [&](double threshold) {
            viewer::KineticMapOptions options;
            options.thresholdPercent = threshold;
            const auto map = viewer::kineticMap(study, options);
            int n = 0;
            for (std::size_t b = 0; b < cases.size(); ++b) {
                const auto c = centreOf(b);
                n += map->at(c[0], c[1], c[2]) != viewer::kMapNone ? 1 : 0;
            }
            return n;
        };
        // Block enhancements: 3× 30 %, 3× 75 %, 3× 150 %, 50, 100, 50, 49, 101 %.
        QCOMPARE(coloured(0.0), 14);
        QCOMPARE(coloured(50.0), 10);  // 50 % itself passes (≥)
        QCOMPARE(coloured(50.5), 8);
        QCOMPARE(coloured(100.5), 4);
        QCOMPARE(coloured(120.0), 3);
        QCOMPARE(coloured(500.0), 0);
    }

    void mapAgreesWithTheCurveEverywhere() {
        // Random signals: the map's class at every voxel (block edges mix neighbours) is the
        // class the panel's curve reports there, in-plane and with a 3×3×3 neighbourhood.
        io::Geometry g;
        g.size = {23, 17, 5};
        io::Study study;
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> pre(0.0f, 200.0f);
        std::uniform_real_distribution<float> gain(0.8f, 2.6f);
        io::Volume base(g);
        for (float& v : base.voxels()) {
            v = std::round(pre(rng));
        }
        study.setChannel(io::Channel::Pre, base);
        for (int p = 1; p <= 4; ++p) {
            io::Volume v(g);
            for (std::size_t n = 0; n < v.voxels().size(); ++n) {
                v.voxels()[n] = std::round(base.voxels()[n] * gain(rng));
            }
            study.setChannel(static_cast<io::Channel>(p), std::move(v));
        }
        study.setChannel(io::Channel::T2, base);
        for (const viewer::Neighbourhood nb :
             std::array<viewer::Neighbourhood, 3>{{{1, 1, 0}, {1, 1, 1}, {2, 0, 0}}}) {
            viewer::KineticMapOptions options;
            options.thresholdPercent = 60.0;
            options.noiseFloor = 40.0;
            options.neighbourhood = nb;
            const auto map = viewer::kineticMap(study, options);
            int checked = 0;
            int coloured = 0;
            for (std::int64_t k = 0; k < g.size[2]; ++k) {
                for (std::int64_t j = 0; j < g.size[1]; ++j) {
                    for (std::int64_t i = 0; i < g.size[0]; ++i) {
                        const auto c = viewer::kineticCurve(study, {i, j, k}, nb, 40.0);
                        const bool nearBound = std::abs(c.initialEnhancement - 60.0) < 1e-3 ||
                                               std::abs(std::abs(c.delayedChange) - 10.0) < 1e-3 ||
                                               std::abs(c.signal[0] - 40.0) < 1e-3;
                        if (nearBound) {
                            continue;
                        }
                        const float expected = c.ok() && c.initialEnhancement >= 60.0
                                                   ? viewer::kineticMapValue(c.delayed)
                                                   : viewer::kMapNone;
                        QCOMPARE(map->at(i, j, k), expected);
                        ++checked;
                        coloured += expected != viewer::kMapNone ? 1 : 0;
                    }
                }
            }
            QVERIFY(checked > 1900);
            QVERIFY(coloured > 100 && coloured < checked);  // both outcomes were tested
        }
    }

    void progressAndCancel() {
        const io::Study study = blockStudy({curveOf(100, 0)}, 8);
        struct Recorder final : io::Progress {
            std::vector<double> fractions;
            void report(double f, std::string_view) override { fractions.push_back(f); }
        } recorder;
        viewer::kineticMap(study, {}, &recorder);
        QCOMPARE(recorder.fractions.size(), std::size_t{8});  // one per slice
        QCOMPARE(recorder.fractions.back(), 1.0);
        test::CancelAfter cancel(3);
        try {
            viewer::kineticMap(study, {}, &cancel);
            QFAIL("not cancelled");
        } catch (const io::IoError& e) {
            QVERIFY(e.code() == io::ErrorCode::Cancelled);
        }
    }

    void noiseFloorSeparatesAirFromTissue() {
        // Half air (noise 0…20), half tissue (250…400).
        io::Geometry g;
        g.size = {64, 64, 4};
        io::Volume pre(g);
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> air(0.0f, 20.0f);
        std::uniform_real_distribution<float> tissue(250.0f, 400.0f);
        for (std::int64_t k = 0; k < 4; ++k) {
            for (std::int64_t j = 0; j < 64; ++j) {
                for (std::int64_t i = 0; i < 64; ++i) {
                    pre.at(i, j, k) = j < 32 ? air(rng) : tissue(rng);
                }
            }
        }
        io::Study study;
        study.setChannel(io::Channel::Pre, pre);
        const double floor = viewer::defaultNoiseFloor(study);
        QVERIFY2(floor > 20.0 && floor < 250.0, QByteArray::number(floor));
        QCOMPARE(viewer::defaultNoiseFloor(io::Study{}), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestKinetics)
#include "TestKinetics.moc"
