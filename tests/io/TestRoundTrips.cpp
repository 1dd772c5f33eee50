// The data layer end to end: a synthetic study written as DICOM (both layouts) and read back by
// the DICOM reader is the study that was generated; lesion points land on the same voxels; and
// the preprocessing crop of generated anatomy holds every lesion and excludes the heart.
#include "TestSupport.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/DicomWriter.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace bmsc::io;

namespace {

SyntheticOptions smallOptions() {
    SyntheticOptions o;
    o.size = {96, 96, 16};
    o.seed = 11;
    return o;
}

// Largest |a − b| over all voxels, and the value range of `a` (for the quantisation bound).
std::pair<double, double> maxDifference(const Volume& a, const Volume& b) {
    double worst = 0.0;
    const auto [lo, hi] = std::minmax_element(a.voxels().begin(), a.voxels().end());
    for (std::size_t i = 0; i < a.voxels().size(); ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(a.voxels()[i]) - b.voxels()[i]));
    }
    return {worst, static_cast<double>(*hi - *lo)};
}

}  // namespace

class TestRoundTrips : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dicomWriteThenReadIsTheSameStudy_data() {
        QTest::addColumn<bool>("oneSeries");
        QTest::newRow("series per phase") << false;
        QTest::newRow("one dynamic series") << true;
    }

    void dicomWriteThenReadIsTheSameStudy() {
        QFETCH(bool, oneSeries);
        const SyntheticOptions options = smallOptions();
        const SyntheticPatient patient = generateSyntheticPatient(options, 3);
        QTemporaryDir dir;
        const auto folder = bmsc::test::toPath(dir.filePath("study"));
        DicomWriteOptions write;
        write.layout =
            oneSeries ? DicomDynamicLayout::OneSeries : DicomDynamicLayout::SeriesPerPhase;
        write.uidSeed = 5;
        writeDicomStudy(patient.study, folder, write, &patient.t2Native);

        const Study back = readDicomStudy(folder);
        QVERIFY(back.geometry().sameGrid(patient.study.geometry(), 1e-4));
        QCOMPARE(back.metadata.patientId, patient.patientId);
        for (const Channel c : kAllChannels) {
            const auto [diff, range] = maxDifference(patient.study.channel(c), back.channel(c));
            // 16-bit storage: within half a quantisation step of the value range (plus float
            // rounding); T2 additionally passes the same linear resampling on both sides.
            const double bound = range / 65535.0 * (c == Channel::T2 ? 1.0 : 0.5) + 1e-3;
            QVERIFY2(diff <= bound, qPrintable(QString("%1: max difference %2 > %3")
                                                   .arg(channelName(c).data())
                                                   .arg(diff)
                                                   .arg(bound)));
        }
        for (int p = 1; p < kDynamicChannelCount; ++p) {
            QVERIFY(std::abs(back.metadata.phaseTimes[p] - patient.study.metadata.phaseTimes[p]) <
                    1.01);  // DICOM times are stored to the second here
        }
        // Lesion points are physical: the same voxel in the generated and the read study.
        for (const auto& lesion : patient.lesions) {
            QCOMPARE(back.geometry().physicalToNearestIndex(lesion.centre),
                     patient.study.geometry().physicalToNearestIndex(lesion.centre));
        }
    }

    void dicomCohortConvertsToTheNiftiCohort() {
        QTemporaryDir dir;
        SyntheticOptions options = smallOptions();
        options.patients = 2;
        generateCohort(options, bmsc::test::toPath(dir.filePath("nifti")));
        options.format = SyntheticFormat::Dicom;
        generateCohort(options, bmsc::test::toPath(dir.filePath("dicom")));
        const auto r =
            bmsc::test::runCli({"convert", dir.filePath("dicom"), dir.filePath("converted"), "-q"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Cohort a = Cohort::open(bmsc::test::toPath(dir.filePath("nifti")));
        const Cohort b = Cohort::open(bmsc::test::toPath(dir.filePath("converted")));
        QCOMPARE(b.patients(), a.patients());
        QCOMPARE(b.lesions().size(), a.lesions().size());
        for (const auto& id : a.patients()) {
            const Study sa = a.loadStudy(id);
            const Study sb = b.loadStudy(id);
            QVERIFY(sa.geometry().sameGrid(sb.geometry(), 1e-4));
            const auto [diff, range] =
                maxDifference(sa.channel(Channel::Post2), sb.channel(Channel::Post2));
            QVERIFY(diff <= range / 65535.0 + 1e-3);
        }
    }

    void cropHoldsLesionsAndExcludesTheHeart() {
        // The generator's default grid and the demo preprocessing, as the demo training uses.
        SyntheticOptions options;
        options.seed = 1;
        int lesions = 0;
        for (int index = 0; index < 24; ++index) {
            const SyntheticPatient patient = generateSyntheticPatient(options, index);
            PreprocessOptions pre = PreprocessOptions::demo();
            const PreprocessResult result = preprocess(patient.study, pre);
            for (const auto& lesion : patient.lesions) {
                Side side{};
                const auto voxel = pointToBreastVoxel(result.transform, lesion.centre, &side);
                QVERIFY2(voxel.has_value(), qPrintable(QString("%1: lesion at y %2 mm cut off")
                                                           .arg(patient.patientId.c_str())
                                                           .arg(lesion.centre[1])));
                QVERIFY(side == lesion.side);
                ++lesions;
            }
            QVERIFY2(!pointToBreastVoxel(result.transform, patient.heartCentre).has_value(),
                     patient.patientId.c_str());
        }
        QVERIFY(lesions >= 10);  // the check above ran on a fair number of lesions
    }
};

QTEST_GUILESS_MAIN(TestRoundTrips)
#include "TestRoundTrips.moc"
