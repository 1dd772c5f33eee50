// Image files through ITK: real NIfTI files written by other tools compared with nibabel,
// format round trips, the six-channel image study, and bad input.
#include "TestSupport.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/StudyReader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace bmsc::io;
namespace fs = std::filesystem;

namespace {

fs::path nibabelData() {
    const auto r = bmsc::test::runPython(
        "import nibabel, os; print(os.path.join(os.path.dirname(nibabel.__file__), 'tests', "
        "'data'))");
    return fs::path(QString::fromUtf8(r.out).trimmed().toStdString());
}

struct Reference {
    std::vector<std::int64_t> shape;
    double affine[4][4];
    std::vector<double> voxels;
};

Reference nibabelReference(const fs::path& file, const QTemporaryDir& dir) {
    const QString raw = dir.filePath("ref.raw");
    const auto r =
        bmsc::test::runProgram(BMSC_PYTHON, {BMSC_TEST_SOURCE_DIR "/io/reference/nibabel_dump.py",
                                             QString::fromStdString(file.string()), raw});
    if (r.exitCode != 0) {
        qFatal("nibabel failed on %s: %s", file.c_str(), r.err.constData());
    }
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    Reference ref{};
    for (const auto v : json["shape"].toArray()) {
        ref.shape.push_back(v.toInteger());
    }
    const QJsonArray a = json["affine"].toArray();
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            ref.affine[i][j] = a[i].toArray()[j].toDouble();
        }
    }
    QFile f(raw);
    f.open(QIODevice::ReadOnly);
    const QByteArray bytes = f.readAll();
    ref.voxels.resize(static_cast<std::size_t>(bytes.size()) / sizeof(double));
    std::memcpy(ref.voxels.data(), bytes.constData(), bytes.size());
    return ref;
}

void compareGeometry(const Geometry& g, const Reference& ref) {
    for (int a = 0; a < 3; ++a) {
        QCOMPARE(g.size[a], ref.shape[a]);
        QVERIFY(std::abs(g.origin[a] - ref.affine[a][3]) < 1e-3);
        for (int c = 0; c < 3; ++c) {
            // affine[:3,:3] = direction · diag(spacing)
            const double mine = g.direction[3 * a + c] * g.spacing[c];
            QVERIFY2(std::abs(mine - ref.affine[a][c]) < 1e-3,
                     qPrintable(QString("affine[%1][%2]: %3 vs %4")
                                    .arg(a)
                                    .arg(c)
                                    .arg(mine)
                                    .arg(ref.affine[a][c])));
        }
    }
}

Geometry smallGrid() {
    Geometry g;
    g.size = {12, 10, 6};
    g.spacing = {0.7, 0.8, 3.0};
    g.origin = {-4.0, 20.0, -7.5};
    // A rotation about z by 30°: not axis aligned, so geometry bugs show.
    const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
    g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
    return g;
}

Volume randomVolume(const Geometry& g, unsigned seed) {
    Volume v(g);
    std::mt19937 rng(seed);
    for (float& x : v.voxels()) {
        x = static_cast<float>(rng() % 4000) - 500.0f;
    }
    return v;
}

template <typename F>
void expectError(F&& f, ErrorCode code, const std::string& named) {
    try {
        f();
        QFAIL("no error was raised");
    } catch (const IoError& e) {
        QVERIFY2(e.code() == code, e.what());
        QVERIFY2(std::string(e.what()).find(named) != std::string::npos, e.what());
    }
}

}  // namespace

class TestImageFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realNiftiMatchesNibabel_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("anatomical (big endian int16)") << "anatomical.nii";
        QTest::newRow("reoriented float32") << "reoriented_anat_moved.nii";
        QTest::newRow("standard uint8") << "standard.nii.gz";
    }

    void realNiftiMatchesNibabel() {
        QFETCH(QString, name);
        const fs::path file = nibabelData() / name.toStdString();
        QVERIFY2(fs::exists(file), file.c_str());
        QTemporaryDir dir;
        const Reference ref = nibabelReference(file, dir);
        const Volume v = readImage(file);
        compareGeometry(v.geometry(), ref);
        QCOMPARE(v.voxels().size(), ref.voxels.size());
        for (std::size_t i = 0; i < ref.voxels.size(); ++i) {
            if (static_cast<double>(v.voxels()[i]) != static_cast<float>(ref.voxels[i])) {
                QFAIL(qPrintable(QString("voxel %1: %2 vs nibabel %3")
                                     .arg(i)
                                     .arg(v.voxels()[i])
                                     .arg(ref.voxels[i])));
            }
        }
    }

    // nibabel stores float data as int16 with a scale slope and intercept: ITK reads such a file
    // as float and reports twice its size in bytes, which once made every uncompressed one read
    // as truncated. Both the plain and the gzip file must read as nibabel reads them, and a
    // truncated plain one must still be an error.
    void scaledIntegerNiftiMatchesNibabel() {
        QTemporaryDir dir;
        const QString plain = dir.filePath("scaled.nii"), zipped = dir.filePath("scaled.nii.gz");
        const auto r = bmsc::test::runPython(
            QStringLiteral(
                "import nibabel as nib, numpy as np, sys\n"
                "a = np.linspace(-50.5, 1234.25, 7 * 6 * 5, dtype=np.float32).reshape(7, 6, 5)\n"
                "im = nib.Nifti1Image(a, np.diag([-1.5, 1.25, 3.0, 1.0]))\n"
                "im.set_data_dtype(np.int16)\n"
                "for f in sys.argv[1:]:\n"
                "    nib.save(im, f)\n"
                "h = nib.load(sys.argv[1])\n"
                "assert h.get_data_dtype() == np.int16 and h.dataobj.slope != 1.0\n"),
            {plain, zipped});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const QString& name : {plain, zipped}) {
            const fs::path file = bmsc::test::toPath(name);
            const Reference ref = nibabelReference(file, dir);
            const Volume v = readImage(file);
            compareGeometry(v.geometry(), ref);
            QCOMPARE(v.voxels().size(), ref.voxels.size());
            for (std::size_t i = 0; i < ref.voxels.size(); ++i) {
                QVERIFY(std::abs(v.voxels()[i] - ref.voxels[i]) <= 1e-3 * std::abs(ref.voxels[i]));
            }
        }
        const fs::path file = bmsc::test::toPath(plain);
        fs::resize_file(file, fs::file_size(file) - 2);  // one int16 voxel short
        expectError([&] { readImage(file); }, ErrorCode::Corrupt, "scaled.nii");
    }

    void real4dNiftiMatchesNibabel() {
        const fs::path file = nibabelData() / "example4d.nii.gz";
        QTemporaryDir dir;
        const Reference ref = nibabelReference(file, dir);
        const auto series = readImageSeries(file);
        QCOMPARE(static_cast<std::int64_t>(series.size()), ref.shape[3]);
        std::size_t n = 0;
        for (const auto& v : series) {
            compareGeometry(v.geometry(), ref);
            for (const float x : v.voxels()) {
                QCOMPARE(static_cast<double>(x), ref.voxels[n++]);
            }
        }
        QCOMPARE(n, ref.voxels.size());
        expectError([&] { readImage(file); }, ErrorCode::Unsupported, "example4d.nii.gz");
        // An Analyze file ITK cannot read is one line naming it, without ITK's warnings.
        const QString analyze = QString::fromStdString((nibabelData() / "analyze.hdr").string());
        const auto a = bmsc::test::runCli({"info", analyze});
        QCOMPARE(a.exitCode, 1);
        QVERIFY2(a.err.startsWith("error: " + analyze.toUtf8() + ": ") && a.err.count('\n') == 1,
                 a.err.constData());
        // info describes the 4D file rather than refusing it: one line per time point.
        const auto r = bmsc::test::runCli({"info", QString::fromStdString(file.string())});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("time       2 points\n  t1     min ") &&
                     r.out.contains("\n  t2     min "),
                 r.out.constData());
    }

    void formatsRoundTripExactly_data() {
        QTest::addColumn<QString>("extension");
        QTest::newRow("nii.gz") << "nii.gz";
        QTest::newRow("nii") << "nii";
        QTest::newRow("nrrd") << "nrrd";
        QTest::newRow("mha") << "mha";
    }

    void formatsRoundTripExactly() {
        QFETCH(QString, extension);
        QTemporaryDir dir;
        const Volume v = randomVolume(smallGrid(), 3);
        const fs::path file = bmsc::test::toPath(dir.filePath("v." + extension));
        writeImage(v, file);
        const Volume back = readImage(file);
        QVERIFY(back.geometry().sameGrid(v.geometry(), 1e-5));
        QVERIFY(std::equal(v.voxels().begin(), v.voxels().end(), back.voxels().begin()));
    }

    void imageStudyRoundTripAndResampling() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("study"));
        Study study;
        for (const Channel c : kAllChannels) {
            study.setChannel(c, randomVolume(smallGrid(), static_cast<unsigned>(c)));
        }
        writeImageStudy(study, folder);
        const Study back = readStudy(folder);
        QVERIFY(back.complete());
        QVERIFY(back.geometry().sameGrid(study.geometry(), 1e-5));
        for (const Channel c : kAllChannels) {
            QVERIFY(std::equal(study.channel(c).voxels().begin(), study.channel(c).voxels().end(),
                               back.channel(c).voxels().begin()));
        }
        // A T2 on its own (coarser, shifted) grid is resampled onto the dynamic grid and the
        // report says so. A constant T2 stays that constant wherever it covers the grid.
        Geometry t2grid = smallGrid();
        t2grid.size = {6, 5, 4};
        t2grid.spacing = {1.4, 1.6, 4.5};
        writeImage(Volume(t2grid, 250.0f), folder / "t2.nii.gz");
        const Study resampled = readStudy(folder);
        QVERIFY(resampled.channel(Channel::T2).geometry().sameGrid(study.geometry(), 1e-5));
        QCOMPARE(resampled.channel(Channel::T2).at(0, 0, 0), 250.0f);
        bool reported = false;
        for (const auto& line : resampled.metadata.report) {
            reported = reported || (line.find("t2") != std::string::npos &&
                                    line.find("resampled") != std::string::npos);
        }
        QVERIFY(reported);
    }

    void missingChannelsAreNamed() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.path());
        writeImage(randomVolume(smallGrid(), 1), folder / "pre.nii.gz");
        writeImage(randomVolume(smallGrid(), 2), folder / "post1.nii.gz");
        expectError([&] { readStudy(folder); }, ErrorCode::MissingChannel,
                    "post2, post3, post4, t2");
    }

    void aCorruptChannelIsNamed() {
        // A broken channel file is reported with its name, whichever channel it is, and
        // nothing is returned half-read (kept from an attempt to read on two threads).
        for (const char* broken : {"post1", "post2"}) {
            QTemporaryDir dir;
            const fs::path folder = bmsc::test::toPath(dir.path());
            for (const Channel c : kAllChannels) {
                writeImage(randomVolume(smallGrid(), static_cast<unsigned>(c) + 1),
                           folder / (std::string(channelName(c)) + ".nii"));
            }
            const fs::path file = folder / (std::string(broken) + ".nii");
            fs::resize_file(file, fs::file_size(file) - 100);
            expectError([&] { readStudy(folder); }, ErrorCode::Corrupt,
                        std::string(broken) + ".nii");
        }
    }

    void absurdHeaderSize() {
        QTemporaryDir dir;
        const fs::path file = bmsc::test::toPath(dir.filePath("absurd.nii"));
        // Take a valid NIfTI-1 header and claim 30000 × 30000 × 30000 voxels.
        writeImage(randomVolume(smallGrid(), 1), file);
        {
            std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
            const std::int16_t dims[4] = {3, 30000, 30000, 30000};
            f.seekp(40);
            f.write(reinterpret_cast<const char*>(dims), sizeof dims);
        }
        expectError([&] { readImage(file); }, ErrorCode::InvalidValue, "absurd.nii");
    }

    void truncatedAndGarbageFiles() {
        QTemporaryDir dir;
        const fs::path file = bmsc::test::toPath(dir.filePath("cut.nii"));
        writeImage(randomVolume(smallGrid(), 1), file);
        fs::resize_file(file, fs::file_size(file) - 100);
        expectError([&] { readImage(file); }, ErrorCode::Corrupt, "cut.nii");
        const fs::path garbage = bmsc::test::toPath(dir.filePath("garbage.nii"));
        std::ofstream(garbage) << "this is not an image";
        try {
            readImage(garbage);
            QFAIL("no error");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("garbage.nii") != std::string::npos, e.what());
        }
        expectError([&] { readImage(dir.filePath("none.nii").toStdString()); }, ErrorCode::NotFound,
                    "none.nii");
    }

    void nanVoxelsRejected() {
        QTemporaryDir dir;
        Volume v = randomVolume(smallGrid(), 1);
        v.at(3, 4, 2) = std::numeric_limits<float>::quiet_NaN();
        const fs::path file = bmsc::test::toPath(dir.filePath("nan.nrrd"));
        writeImage(v, file);
        expectError([&] { readImage(file); }, ErrorCode::InvalidValue, "nan.nrrd");
        v.at(3, 4, 2) = std::numeric_limits<float>::infinity();
        writeImage(v, file);
        expectError([&] { readImage(file); }, ErrorCode::InvalidValue, "nan.nrrd");
    }

    void failedStudyWriteLeavesNothing() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("partial"));
        Study study;  // only two channels: writing the third fails
        study.setChannel(Channel::Pre, randomVolume(smallGrid(), 1));
        study.setChannel(Channel::Post1, randomVolume(smallGrid(), 2));
        expectError([&] { writeImageStudy(study, folder); }, ErrorCode::MissingChannel, "");
        QVERIFY(!fs::exists(folder));
        int entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path().toStdString())) {
            ++entries;
        }
        QCOMPARE(entries, 0);
    }
};

QTEST_GUILESS_MAIN(TestImageFile)
#include "TestImageFile.moc"
