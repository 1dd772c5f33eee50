// breastmsc-cli preprocess on a tiny study and a tiny cohort: the files it writes, their
// geometry, and that a failure leaves nothing half-written.
#include "BreastPhantom.h"
#include "TestSupport.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/PreprocessRecord.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bmsc::io;
using bmsc::test::BreastPhantom;
using bmsc::test::runCli;
namespace fs = std::filesystem;

namespace {

const QStringList kSmall{"--grid", "64x64x8", "--crop-rows", "32", "-q"};

void writePhantomStudy(const fs::path& folder) {
    writeImageStudy(BreastPhantom().makeStudy(BreastPhantom::geometry({64, 64, 8})), folder);
}

void expectPatientFolder(const fs::path& folder) {
    for (const char* side : {"left", "right"}) {
        for (Channel c : kAllChannels) {
            const fs::path file = folder / side / (std::string(channelName(c)) + ".nii.gz");
            QVERIFY2(fs::exists(file), file.c_str());
        }
    }
    QVERIFY(fs::exists(folder / "preprocess.json"));
    const PreprocessTransform t = readPreprocessRecord(folder / "preprocess.json");
    QCOMPARE(t.canonical.size, (Index3{64, 64, 8}));
    QCOMPARE(t.cropRows, std::int64_t{32});
    QVERIFY(t.normalisation.applied);
    // The written breast images carry the breast grids (they overlay the study).
    const Volume left = readImage(folder / "left" / "post1.nii.gz");
    const Volume right = readImage(folder / "right" / "t2.nii.gz");
    QVERIFY(left.geometry().sameGrid(t.breastGeometry(Side::Left), 1e-3));
    QVERIFY(right.geometry().sameGrid(t.breastGeometry(Side::Right), 1e-3));
    QCOMPARE(left.geometry().size, (Index3{32, 32, 8}));
}

// Everything under `folder`, to check that nothing temporary is left behind.
QStringList entries(const fs::path& folder) {
    QStringList names;
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
        return names;
    }
    for (const auto& e : fs::recursive_directory_iterator(folder)) {
        names << QString::fromStdString(fs::relative(e.path(), folder).string());
    }
    names.sort();
    return names;
}

}  // namespace

class TestPreprocessCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void study();
    void cohort();
    void failureLeavesNothingHalfWritten();
    void helpDocumentsTheLayout();
};

void TestPreprocessCli::study() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    writePhantomStudy(root / "P007");
    const auto r =
        runCli(QStringList{"preprocess", QString::fromStdString((root / "P007").string()), "--out",
                           QString::fromStdString((root / "out").string())} +
               kSmall);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.contains("P007: crop rows"));
    expectPatientFolder(root / "out" / "P007");
    QVERIFY(!fs::exists(root / "out" / "P007" / "lesions.csv"));
    QCOMPARE(entries(root / "out").size(), 2 * 6 + 2 + 1 + 1);  // files, side folders, json, id
}

void TestPreprocessCli::cohort() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    Cohort cohort = Cohort::create(root / "cohort");
    for (const char* id : {"A1", "B2"}) {
        cohort.breasts().push_back({id, Side::Left, Label::Malignant, {}});
        cohort.breasts().push_back({id, Side::Right, Label::Benign, {}});
        writePhantomStudy(root / "cohort" / id);
    }
    cohort.lesions().push_back({"A1", BreastPhantom::lesionCentre(), Label::Malignant, {}, 0});
    cohort.save();
    const auto r =
        runCli(QStringList{"preprocess", QString::fromStdString((root / "cohort").string()), "-o",
                           QString::fromStdString((root / "out").string())} +
               kSmall);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    expectPatientFolder(root / "out" / "A1");
    expectPatientFolder(root / "out" / "B2");
    const CsvTable lesions = CsvTable::read(root / "out" / "A1" / "lesions.csv");
    QCOMPARE(lesions.rowCount(), std::size_t{1});
    QCOMPARE(lesions.row(0)[*lesions.column("side")], std::string("left"));
    QCOMPARE(lesions.row(0)[*lesions.column("inside")], std::string("yes"));
    QCOMPARE(lesions.row(0)[*lesions.column("label")], std::string("malignant"));
    // The voxel it names is the lesion: strongly enhancing in the written images.
    const Index3 v{std::stoll(lesions.row(0)[1]), std::stoll(lesions.row(0)[2]),
                   std::stoll(lesions.row(0)[3])};
    const Volume pre = readImage(root / "out" / "A1" / "left" / "pre.nii.gz");
    const Volume post = readImage(root / "out" / "A1" / "left" / "post1.nii.gz");
    QVERIFY(post.at(v[0], v[1], v[2]) - pre.at(v[0], v[1], v[2]) > 0.5f);
    QVERIFY(!fs::exists(root / "out" / "B2" / "lesions.csv") ||
            CsvTable::read(root / "out" / "B2" / "lesions.csv").rowCount() == 0);
}

void TestPreprocessCli::failureLeavesNothingHalfWritten() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    // A study without its T2 channel.
    writePhantomStudy(root / "broken");
    fs::remove(root / "broken" / "t2.nii.gz");
    const auto r =
        runCli(QStringList{"preprocess", QString::fromStdString((root / "broken").string()),
                           "--out", QString::fromStdString((root / "out").string())} +
               kSmall);
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("broken"), r.err.constData());
    QVERIFY2(entries(root / "out").isEmpty(), qPrintable(entries(root / "out").join(", ")));

    // An all-air study: no body; the error names the study, nothing is written.
    Study air;
    for (Channel c : kAllChannels) {
        air.setChannel(c, Volume(BreastPhantom::geometry({64, 64, 8}), 0.0f));
    }
    writeImageStudy(air, root / "air");
    const auto a = runCli(QStringList{"preprocess", QString::fromStdString((root / "air").string()),
                                      "--out", QString::fromStdString((root / "out").string())} +
                          kSmall);
    QVERIFY(a.exitCode != 0);
    QVERIFY2(a.err.contains("air") && a.err.contains("no detectable body"), a.err.constData());
    QVERIFY(entries(root / "out").isEmpty());

    // A cohort whose second patient is broken: the first is complete, the second absent;
    // with --keep-going the run continues and still fails at the end.
    Cohort cohort = Cohort::create(root / "cohort");
    cohort.breasts().push_back({"good", Side::Left, Label::Benign, {}});
    cohort.breasts().push_back({"bad", Side::Left, Label::Benign, {}});
    cohort.breasts().push_back({"late", Side::Left, Label::Benign, {}});
    writePhantomStudy(root / "cohort" / "good");
    writeImageStudy(air, root / "cohort" / "bad");
    writePhantomStudy(root / "cohort" / "late");
    cohort.save();
    const QString out2 = QString::fromStdString((root / "out2").string());
    const auto c =
        runCli(QStringList{"preprocess", QString::fromStdString((root / "cohort").string()),
                           "--out", out2} +
               kSmall);
    QVERIFY(c.exitCode != 0);
    QVERIFY2(c.err.contains("bad"), c.err.constData());
    expectPatientFolder(root / "out2" / "good");
    QVERIFY(!fs::exists(root / "out2" / "bad"));
    QVERIFY(!fs::exists(root / "out2" / "late"));
    QCOMPARE(entries(root / "out2").filter("tmp").size(), 0);
    const auto k =
        runCli(QStringList{"preprocess", QString::fromStdString((root / "cohort").string()),
                           "--out", out2, "--keep-going"} +
               kSmall);
    QVERIFY(k.exitCode != 0);
    QVERIFY2(k.err.contains("1 patient(s) failed: bad"), k.err.constData());
    expectPatientFolder(root / "out2" / "late");
    QVERIFY(!fs::exists(root / "out2" / "bad"));

    // Bad options are refused.
    const auto g =
        runCli({"preprocess", QString::fromStdString((root / "cohort" / "good").string()), "--out",
                out2, "--grid", "63x64x8", "-q"});
    QCOMPARE(g.exitCode, 2);  // refused at the command line, before the study is read
    QVERIFY2(g.err.startsWith("error: --grid: '63x64x8': the grid's x size must be even"),
             g.err.constData());
    const auto f =
        runCli({"preprocess", QString::fromStdString((root / "cohort" / "good").string()), "--out",
                out2, "--grid", "64by64", "-q"});
    QCOMPARE(f.exitCode, 2);  // a command-line error: nothing was read
    QVERIFY2(f.err.contains("512x512x32"), f.err.constData());
}

void TestPreprocessCli::helpDocumentsTheLayout() {
    const auto r = runCli({"preprocess", "--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("<patient_id>/left/<channel>.nii.gz"));
    QVERIFY(r.out.contains("--crop-rows"));
    QVERIFY(r.out.contains("--grid"));
}

QTEST_GUILESS_MAIN(TestPreprocessCli)
#include "TestPreprocessCli.moc"
