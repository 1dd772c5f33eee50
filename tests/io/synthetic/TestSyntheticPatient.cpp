// The synthetic patient in memory: determinism, the label rule, lesion placement, the kinetics
// measured in the generated volumes, the heart, the T2 grid, and that nothing but the lesions
// depends on the labels.
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Resample.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace bmsc::io;

namespace {

SyntheticOptions options(std::int64_t n, std::int64_t slices, std::uint64_t seed = 5) {
    SyntheticOptions o;
    o.size = {n, n, slices};
    o.seed = seed;
    return o;
}

bool sameVoxels(const Volume& a, const Volume& b) {
    return a.geometry().sameGrid(b.geometry(), 0.0) &&
           std::equal(a.voxels().begin(), a.voxels().end(), b.voxels().begin(), b.voxels().end());
}

/// Mean of the 3×3 in-plane neighbourhood of the voxel nearest to `p`.
double meanAround(const Volume& v, const Vec3& p) {
    const Index3 c = v.geometry().physicalToNearestIndex(p);
    double sum = 0.0;
    int n = 0;
    for (std::int64_t dj = -1; dj <= 1; ++dj) {
        for (std::int64_t di = -1; di <= 1; ++di) {
            const Index3 q{c[0] + di, c[1] + dj, c[2]};
            if (v.geometry().contains(q)) {
                sum += v.at(q[0], q[1], q[2]);
                ++n;
            }
        }
    }
    return n > 0 ? sum / n : 0.0;
}

}  // namespace

class TestSyntheticPatient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameSeedSameVoxels() {
        const auto o = options(64, 8);
        const SyntheticPatient a = generateSyntheticPatient(o, 0);
        const SyntheticPatient b = generateSyntheticPatient(o, 0);
        QCOMPARE(a.patientId, std::string("P0001"));
        for (const Channel c : kAllChannels) {
            QVERIFY2(sameVoxels(a.study.channel(c), b.study.channel(c)),
                     std::string(channelName(c)).c_str());
        }
        QVERIFY(sameVoxels(a.t2Native, b.t2Native));
        QCOMPARE(a.lesions.size(), b.lesions.size());
        for (std::size_t i = 0; i < a.lesions.size(); ++i) {
            QVERIFY(a.lesions[i].centre == b.lesions[i].centre);
        }
        QCOMPARE(a.study.metadata.studyInstanceUid, b.study.metadata.studyInstanceUid);

        // Another seed, or another patient, is another image.
        for (const SyntheticPatient& other :
             {generateSyntheticPatient(options(64, 8, 6), 0), generateSyntheticPatient(o, 1)}) {
            const auto va = a.study.channel(Channel::Pre).voxels();
            const auto vb = other.study.channel(Channel::Pre).voxels();
            std::size_t differ = 0;
            for (std::size_t i = 0; i < va.size(); ++i) {
                differ += va[i] != vb[i] ? 1 : 0;
            }
            QVERIFY2(differ > va.size() / 2, qPrintable(QString::number(differ)));
            QVERIFY(a.study.metadata.studyInstanceUid != other.study.metadata.studyInstanceUid);
        }
    }

    void anatomyIsDefinedInMillimetres() {
        // Lesions and labels do not depend on the grid: a bigger grid samples the same patient.
        const SyntheticPatient small = generateSyntheticPatient(options(48, 6), 3);
        const SyntheticPatient large = generateSyntheticPatient(options(96, 12), 3);
        QCOMPARE(small.lesions.size(), large.lesions.size());
        for (std::size_t i = 0; i < small.lesions.size(); ++i) {
            QVERIFY(small.lesions[i].centre == large.lesions[i].centre);
        }
        QVERIFY(small.breastLabels == large.breastLabels);
        QVERIFY(small.heartCentre == large.heartCentre);
        const Geometry& g = large.study.geometry();
        QVERIFY(std::abs(g.spacing[0] - 320.0 / 96.0) < 1e-3);
        QCOMPARE(g.spacing[2], 96.0 / 12.0);
        // Centred on the origin, identity direction (LPS).
        QVERIFY(std::abs(g.indexToPhysical({47.5, 47.5, 5.5})[0]) < 1e-9);
        QCOMPARE(g.direction, (Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}));
    }

    void labelsFollowTheMalignantLesions() {
        const auto o = options(48, 6, 21);
        int malignant = 0, breasts = 0, emptyBenign = 0, benignWithLesion = 0;
        for (int p = 0; p < 25; ++p) {
            const SyntheticPatient patient = generateSyntheticPatient(o, p);
            QVERIFY(patient.breastLabels == syntheticBreastLabels(o, p));
            for (const Side side : {Side::Left, Side::Right}) {
                const Label label = patient.breastLabel(side);
                QVERIFY(label == Label::Malignant || label == Label::Benign);
                int lesions = 0;
                bool anyMalignant = false;
                for (const auto& l : patient.lesions) {
                    if (l.side == side) {
                        ++lesions;
                        anyMalignant = anyMalignant || l.kind == SyntheticLesionKind::Malignant;
                        QVERIFY(l.diameterMm >= 3.0 && l.diameterMm <= 15.0);
                    }
                }
                QVERIFY(lesions <= 3);
                QCOMPARE(label == Label::Malignant, anyMalignant);
                malignant += label == Label::Malignant ? 1 : 0;
                ++breasts;
                if (label == Label::Benign) {
                    (lesions == 0 ? emptyBenign : benignWithLesion) += 1;
                }
            }
        }
        const double fraction = static_cast<double>(malignant) / breasts;
        QVERIFY2(std::abs(fraction - 0.4) <= 0.05, qPrintable(QString::number(fraction)));
        QVERIFY(emptyBenign > 0);
        QVERIFY(benignWithLesion > 0);

        for (const double share : {0.0, 1.0}) {
            auto all = o;
            all.malignantFraction = share;
            for (int p = 0; p < 5; ++p) {
                const auto labels = syntheticBreastLabels(all, p);
                const Label expected = share > 0.5 ? Label::Malignant : Label::Benign;
                QVERIFY(labels[0] == expected && labels[1] == expected);
            }
        }
    }

    void lesionsLieInTheBreastInsideTheImage() {
        const auto o = options(96, 12, 8);
        int checked = 0;
        for (int p = 0; p < 12; ++p) {
            const SyntheticPatient patient = generateSyntheticPatient(o, p);
            const Geometry& g = patient.study.geometry();
            for (const auto& l : patient.lesions) {
                QVERIFY(g.contains(g.physicalToNearestIndex(l.centre)));
                QCOMPARE(Cohort::sideOfPoint(g, l.centre), l.side);
                // In front of the chest: well anterior of the heart, in the anterior half.
                QVERIFY(l.centre[1] < patient.heartCentre[1] - 30.0);
                QVERIFY(l.centre[1] < 20.0);
                // Body tissue, not air (air is the Rician noise floor, tens at most).
                const double pre = meanAround(patient.study.channel(Channel::Pre), l.centre);
                QVERIFY2(pre > 80.0, qPrintable(QString::number(pre)));
                ++checked;
            }
        }
        QVERIFY(checked >= 8);
    }

    void kineticsInTheVolumesFollowTheModel() {
        const auto o = options(128, 16, 2);
        struct Sums {
            double early = 0, washout = 0, t2 = 0;
            int n = 0;
        };
        Sums malignant, benign, cyst, washoutCurve, persistentCurve;
        int agree = 0, solid = 0;
        double heartRatio = 1e9;
        for (int p = 0; p < 24; ++p) {
            const SyntheticPatient patient = generateSyntheticPatient(o, p);
            const Study& s = patient.study;
            heartRatio =
                std::min(heartRatio, meanAround(s.channel(Channel::Post1), patient.heartCentre) /
                                         meanAround(s.channel(Channel::Pre), patient.heartCentre));
            for (const auto& l : patient.lesions) {
                if (l.diameterMm < 6.0) {
                    continue;  // partial volume dominates small lesions on 6 mm slices
                }
                std::array<double, kDynamicChannelCount> v{};
                for (int c = 0; c < kDynamicChannelCount; ++c) {
                    v[static_cast<std::size_t>(c)] =
                        meanAround(s.channel(static_cast<Channel>(c)), l.centre);
                }
                const double early = (v[1] - v[0]) / v[0];
                const double washout = (v[4] - v[1]) / v[0];  // late change, relative to pre
                Sums& sums = l.kind == SyntheticLesionKind::Malignant ? malignant
                             : l.kind == SyntheticLesionKind::Benign  ? benign
                                                                      : cyst;
                sums.early += early;
                sums.washout += washout;
                sums.t2 += meanAround(s.channel(Channel::T2), l.centre) /
                           meanAround(s.channel(Channel::Pre), l.centre);
                ++sums.n;
                if (l.curve == KineticCurve::Washout || l.curve == KineticCurve::Persistent) {
                    Sums& byCurve =
                        l.curve == KineticCurve::Washout ? washoutCurve : persistentCurve;
                    byCurve.washout += washout;
                    ++byCurve.n;
                }
                if (l.kind != SyntheticLesionKind::Cyst) {
                    const double intended = l.intendedEnhancement[4] - l.intendedEnhancement[1];
                    agree += (intended < 0) == (v[4] - v[1] < 0) ? 1 : 0;
                    ++solid;
                }
            }
        }
        QVERIFY2(malignant.n >= 8 && benign.n >= 6 && cyst.n >= 2,
                 qPrintable(QString("%1 %2 %3").arg(malignant.n).arg(benign.n).arg(cyst.n)));
        const auto mean = [](double sum, int n) { return sum / n; };
        const QString report = QString(
                                   "early M %1 B %2 C %3; late M %4 B %5; T2/pre M %6 C %7; "
                                   "late washout-type %8 persistent-type %9")
                                   .arg(mean(malignant.early, malignant.n))
                                   .arg(mean(benign.early, benign.n))
                                   .arg(mean(cyst.early, cyst.n))
                                   .arg(mean(malignant.washout, malignant.n))
                                   .arg(mean(benign.washout, benign.n))
                                   .arg(mean(malignant.t2, malignant.n))
                                   .arg(mean(cyst.t2, cyst.n))
                                   .arg(mean(washoutCurve.washout, washoutCurve.n))
                                   .arg(mean(persistentCurve.washout, persistentCurve.n));
        qInfo("%s; curve sign agrees in %d of %d; heart post1/pre >= %.2f", qPrintable(report),
              agree, solid, heartRatio);
        // Malignant: fast wash-in, then washout on average; benign: slower and persistent.
        QVERIFY2(mean(malignant.early, malignant.n) > mean(benign.early, benign.n),
                 qPrintable(report));
        QVERIFY2(mean(malignant.early, malignant.n) > 0.4, qPrintable(report));
        QVERIFY2(mean(malignant.washout, malignant.n) < mean(benign.washout, benign.n),
                 qPrintable(report));
        QVERIFY2(mean(benign.washout, benign.n) > 0.1, qPrintable(report));
        // Each intended curve type shows in the volumes: signal falls after the first
        // post-contrast phase for washout lesions and rises for persistent ones.
        QVERIFY(washoutCurve.n >= 3 && persistentCurve.n >= 3);
        QVERIFY2(mean(washoutCurve.washout, washoutCurve.n) < -0.05, qPrintable(report));
        QVERIFY2(mean(persistentCurve.washout, persistentCurve.n) > 0.1, qPrintable(report));
        // Cysts do not enhance and are bright on T2.
        QVERIFY2(std::abs(mean(cyst.early, cyst.n)) < 0.15, qPrintable(report));
        QVERIFY2(mean(cyst.t2, cyst.n) > 2.0 * mean(malignant.t2, malignant.n), qPrintable(report));
        QVERIFY(agree >= 0.7 * solid);
        // The blood pool enhances strongly in every patient.
        QVERIFY2(heartRatio > 2.0, qPrintable(QString::number(heartRatio)));
    }

    void t2HasItsOwnGrid() {
        const auto o = options(64, 8);
        const SyntheticPatient p = generateSyntheticPatient(o, 0);
        const Geometry& t2 = p.t2Native.geometry();
        QVERIFY(!t2.sameGrid(p.study.geometry(), 1e-3));
        QVERIFY(t2.sameGrid(syntheticT2Geometry(o), 1e-9));
        QVERIFY(t2.spacing[2] > p.study.geometry().spacing[2]);
        QVERIFY(sameVoxels(p.study.channel(Channel::T2),
                           resampleToGrid(p.t2Native, p.study.geometry())));
        // Every dynamic voxel centre lies inside the T2 block: no zeros from extrapolation.
        const auto resampled = p.study.channel(Channel::T2).voxels();
        QVERIFY(std::count(resampled.begin(), resampled.end(), 0.0f) <
                static_cast<long>(resampled.size() / 100));

        auto same = o;
        same.t2OwnGrid = false;
        const SyntheticPatient q = generateSyntheticPatient(same, 0);
        QVERIFY(q.t2Native.geometry().sameGrid(q.study.geometry(), 0.0));
        QVERIFY(sameVoxels(q.t2Native, q.study.channel(Channel::T2)));
    }

    void onlyTheLesionsDependOnTheLabels() {
        // The same patient drawn benign and malignant: anatomy, noise, gain and bias are
        // identical; voxels differ only near lesions.
        auto benignOptions = options(64, 8, 13);
        benignOptions.malignantFraction = 0.0;
        auto malignantOptions = benignOptions;
        malignantOptions.malignantFraction = 1.0;
        const SyntheticPatient b = generateSyntheticPatient(benignOptions, 4);
        const SyntheticPatient m = generateSyntheticPatient(malignantOptions, 4);
        QVERIFY(m.breastLabels[0] == Label::Malignant && b.breastLabels[0] == Label::Benign);
        QVERIFY(b.heartCentre == m.heartCentre);
        QCOMPARE(b.density, m.density);
        QCOMPARE(b.bpe, m.bpe);
        const Volume& vb = b.study.channel(Channel::Post1);
        const Volume& vm = m.study.channel(Channel::Post1);
        const Geometry& g = vb.geometry();
        std::size_t differ = 0;
        for (std::int64_t k = 0; k < g.size[2]; ++k) {
            for (std::int64_t j = 0; j < g.size[1]; ++j) {
                for (std::int64_t i = 0; i < g.size[0]; ++i) {
                    if (vb.at(i, j, k) == vm.at(i, j, k)) {
                        continue;
                    }
                    ++differ;
                    const Vec3 p = g.indexToPhysical(
                        {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
                    double nearest = 1e9;
                    for (const auto* patient : {&b, &m}) {
                        for (const auto& l : patient->lesions) {
                            nearest =
                                std::min(nearest, std::hypot(p[0] - l.centre[0], p[1] - l.centre[1],
                                                             p[2] - l.centre[2]));
                        }
                    }
                    QVERIFY2(nearest < 3.0 * 15.0,
                             qPrintable(QString("voxel %1,%2,%3 differs %4 mm from any lesion")
                                            .arg(i)
                                            .arg(j)
                                            .arg(k)
                                            .arg(nearest)));
                }
            }
        }
        QVERIFY(differ > 0);
        QVERIFY(differ < g.voxelCount() / 10);
    }

    void meaninglessOptionsAreRejected() {
        auto bad = options(64, 8);
        bad.size = {8, 8, 8};
        QVERIFY_THROWS_EXCEPTION(IoError, generateSyntheticPatient(bad, 0));
        bad = options(64, 8);
        bad.malignantFraction = 1.5;
        QVERIFY_THROWS_EXCEPTION(IoError, generateSyntheticPatient(bad, 0));
        bad = options(64, 8);
        bad.patients = 0;
        QVERIFY_THROWS_EXCEPTION(IoError, generateSyntheticPatient(bad, 0));
        QVERIFY_THROWS_EXCEPTION(IoError, generateSyntheticPatient(options(64, 8), -1));
        // The check the command line runs on --size is the generator's own.
        checkSyntheticOptions(options(64, 8));
        bad = options(64, 8);
        bad.size = {64, 64, 3};
        try {
            checkSyntheticOptions(bad);
            QFAIL("3 slices accepted");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::InvalidArgument);
            QVERIFY(e.path().empty());
            QCOMPARE(e.reason(), std::string("the number of slices must be between 4 and 512"));
        }

        QVERIFY((parseGridSize("512x512x32") == Index3{512, 512, 32}));
        QVERIFY((parseGridSize("64X48x8") == Index3{64, 48, 8}));
        for (const char* text : {"", "512", "512x512", "512x512x", "axbxc", "1x2x3x4", "5x5x5 "}) {
            try {
                parseGridSize(text);
                QFAIL(text);
            } catch (const IoError& e) {
                QCOMPARE(e.code(), ErrorCode::InvalidArgument);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSyntheticPatient)
#include "TestSyntheticPatient.moc"
