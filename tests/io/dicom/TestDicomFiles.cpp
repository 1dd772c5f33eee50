// readDicomVolume / scanDicomFolder on real files written by other tools (shipped by
// python3-pydicom and python3-nibabel), compared with what pydicom reads from the same files.

#include "DicomTestSupport.h"
#include "ExpectIoError.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"

#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <map>

using namespace bmsc::io;
using namespace bmsc::test;
namespace fs = std::filesystem;

class TestDicomFiles : public QObject {
    Q_OBJECT

private:
    fs::path pydicomData_;
    fs::path nibabelData_;
    /// Per case: the files we read and pydicom's reading of the reference files.
    std::map<QString, std::pair<std::vector<fs::path>, QJsonObject>> cases_;

    fs::path pyd(const char* name) const { return pydicomData_ / name; }
    fs::path nib(const char* name) const { return nibabelData_ / name; }

    static QStringList args(const std::vector<fs::path>& files) {
        QStringList list;
        for (const auto& f : files) {
            list << QString::fromStdString(f.string());
        }
        return list;
    }

    /// Compares a volume with pydicom's reading: geometry to 1e-4, values exactly.
    static void compareWithPydicom(const Volume& volume, const QJsonObject& ref) {
        const Geometry& g = volume.geometry();
        const QJsonArray size = ref["size"].toArray();
        for (int a = 0; a < 3; ++a) {
            QCOMPARE(g.size[a], size[a].toInteger());
            QVERIFY2(std::abs(g.spacing[a] - ref["spacing"].toArray()[a].toDouble()) < 1e-4,
                     qPrintable(QStringLiteral("spacing[%1] %2").arg(a).arg(g.spacing[a])));
            QVERIFY2(std::abs(g.origin[a] - ref["origin"].toArray()[a].toDouble()) < 1e-4,
                     qPrintable(QStringLiteral("origin[%1] %2").arg(a).arg(g.origin[a])));
        }
        for (int e = 0; e < 9; ++e) {
            QVERIFY2(std::abs(g.direction[e] - ref["direction"].toArray()[e].toDouble()) < 1e-4,
                     qPrintable(QStringLiteral("direction[%1] %2").arg(e).arg(g.direction[e])));
        }
        const QJsonArray values = ref["values"].toArray();
        QCOMPARE(static_cast<qsizetype>(volume.voxels().size()), values.size());
        std::size_t mismatches = 0;
        std::size_t firstMismatch = 0;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (volume.voxels()[static_cast<std::size_t>(i)] !=
                static_cast<float>(values[i].toDouble())) {
                if (mismatches++ == 0) {
                    firstMismatch = static_cast<std::size_t>(i);
                }
            }
        }
        QVERIFY2(mismatches == 0,
                 qPrintable(QStringLiteral("%1 voxels differ from pydicom, first at %2: %3 vs %4")
                                .arg(mismatches)
                                .arg(firstMismatch)
                                .arg(volume.voxels()[firstMismatch])
                                .arg(values[static_cast<qsizetype>(firstMismatch)].toDouble())));
    }

private Q_SLOTS:
    void initTestCase() {
        QString error;
        const QJsonObject dirs = runDicomScript("dicom_reference.py", {"--datadirs"}, &error);
        QVERIFY2(
            error.isEmpty(),
            qPrintable("pydicom/nibabel are needed (python3-pydicom, python3-nibabel): " + error));
        pydicomData_ = jsonPath(dirs["pydicom"]);
        nibabelData_ = jsonPath(dirs["nibabel"]);
        QVERIFY2(fs::exists(pyd("MR_small.dcm")), "pydicom's test files are missing");
        QVERIFY2(fs::exists(nib("0.dcm")), "nibabel's test DICOM files are missing");

        // name → (files we read, files pydicom reads for the reference)
        const fs::path nicom =
            nibabelData_.parent_path().parent_path() / "nicom" / "tests" / "data";
        const std::map<QString, std::pair<std::vector<fs::path>, std::vector<fs::path>>> files{
            {"explicit little endian", {{pyd("MR_small.dcm")}, {}}},
            {"implicit VR", {{pyd("MR_small_implicit.dcm")}, {}}},
            {"big endian", {{pyd("MR_small_bigendian.dcm")}, {}}},
            {"big endian (expb)", {{pyd("MR_small_expb.dcm")}, {}}},
            {"padded", {{pyd("MR_small_padded.dcm")}, {}}},
            {"RLE", {{pyd("MR_small_RLE.dcm")}, {}}},
            {"CT rescale intercept", {{pyd("CT_small.dcm")}, {}}},
            {"multi-frame 32-bit", {{pyd("rtdose.dcm")}, {}}},
            {"multi-frame 32-bit big endian", {{pyd("rtdose_expb.dcm")}, {}}},
            // Two slices of a Siemens series, given in the wrong order on purpose.
            {"Siemens two slices", {{nib("1.dcm"), nib("0.dcm")}, {}}},
            {"decimal rescale slope", {{nicom / "decimal_rescale.dcm"}, {}}},
            // pydicom cannot decode JPEG-LS here; the file is a lossless copy of MR_small.dcm.
            {"JPEG-LS lossless", {{pyd("MR_small_jpeg_ls_lossless.dcm")}, {pyd("MR_small.dcm")}}},
        };
        QJsonObject batch;
        for (const auto& [name, pair] : files) {
            for (const auto& f : pair.first) {
                QVERIFY2(fs::exists(f), f.c_str());
            }
            batch[name] =
                QJsonArray::fromStringList(args(pair.second.empty() ? pair.first : pair.second));
        }
        const QJsonObject refs = runDicomScript(
            "dicom_reference.py",
            {"--batch", QString::fromUtf8(QJsonDocument(batch).toJson(QJsonDocument::Compact))},
            &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const auto& [name, pair] : files) {
            QVERIFY2(refs.contains(name), qPrintable(name));
            cases_[name] = {pair.first, refs[name].toObject()};
        }
    }

    void matchesPydicom_data() {
        QTest::addColumn<QString>("name");
        for (const auto& [name, c] : cases_) {
            QTest::newRow(qPrintable(name)) << name;
        }
    }

    void matchesPydicom() {
        QFETCH(QString, name);
        const auto& [files, reference] = cases_.at(name);
        noThrow([&] { compareWithPydicom(readDicomVolume(files), reference); });
    }

    void truncatedFileIsCorrupt() {
        const fs::path file = pyd("MR_truncated.dcm");
        try {
            readDicomVolume({file});
            QFAIL("a truncated file was read");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::Corrupt);
            QVERIFY2(std::string(e.what()).find("MR_truncated.dcm") != std::string::npos, e.what());
        }
    }

    // A lone DICOM file (info FILE, an overlay in the viewer) is read by the product's DICOM
    // reader, as a study is: ITK's GDCM reader, which read it before, aborted the process on
    // pydicom's RT dose files (an assertion inside GDCM) and printed GDCM's warnings.
    void loneDicomFilesReadLikeStudies() {
        const Volume ct = readImage(pyd("CT_small.dcm"));
        compareWithPydicom(ct, cases_.at("CT rescale intercept").second);
        for (const char* name : {"rtdose_1frame.dcm", "rtdose_rle_1frame.dcm"}) {
            const auto r = runCli({"info", QString::fromStdString(pyd(name).string())});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY2(r.out.contains("10×10×1 voxels"), r.out.constData());
            QCOMPARE(r.err, QByteArray());  // no GDCM warnings, nor DCMTK's log lines
        }
        // What the DICOM reader cannot decode is an error naming the file, as in a study.
        const auto r = runCli({"info", QString::fromStdString(pyd("693_J2KI.dcm").string())});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("693_J2KI.dcm: cannot decode the transfer syntax JPEG 2000"),
                 r.err.constData());
    }

    // Headers that claim more than a file can hold are refused from the header alone: before,
    // 65535 × 65535 rows and columns in a 39 kB file allocated 17 GB before failing, and 2^31 - 1
    // frames ended in std::bad_alloc, an error naming no file.
    void absurdHeadersAreRefusedBeforeAllocating() {
        QTemporaryDir dir;
        const auto r = bmsc::test::runPython(
            QStringLiteral("import pydicom, sys\n"
                           "for name, rows, frames in [('big', 65535, None),\n"
                           "                           ('frames', 512, 2**31 - 1)]:\n"
                           "    d = pydicom.dcmread(sys.argv[1])\n"
                           "    d.Rows = d.Columns = rows\n"
                           "    if frames: d.NumberOfFrames = frames\n"
                           "    d.save_as(sys.argv[2] + '/' + name + '.dcm')\n"),
            {QString::fromStdString(pyd("CT_small.dcm").string()), dir.path()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const fs::path big = bmsc::test::toPath(dir.filePath("big.dcm"));
        const fs::path frames = bmsc::test::toPath(dir.filePath("frames.dcm"));
        expectIoError(ErrorCode::InvalidValue,
                      "big.dcm: the header claims an absurd size of 65535×65535×1 voxels",
                      [&] { readDicomVolume({big}); });
        expectIoError(ErrorCode::Corrupt,
                      "frames.dcm: the header claims 2147483647 frames, more than the file's",
                      [&] { readImage(frames); });
        // In a folder, the scan names the file too.
        const fs::path folder = bmsc::test::toPath(dir.filePath("series"));
        fs::create_directories(folder);
        fs::copy_file(frames, folder / "frames.dcm");
        expectIoError(ErrorCode::Corrupt, "series/frames.dcm: the header claims 2147483647 frames",
                      [&] { scanDicomFolder(folder); });
    }

    void colourIsUnsupported() {
        try {
            readDicomVolume({pyd("SC_rgb_rle.dcm")});
            QFAIL("a colour image was read");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::Unsupported);
            QVERIFY2(std::string(e.what()).find("SC_rgb_rle.dcm") != std::string::npos, e.what());
        }
    }

    void folderWithoutDicomIsAnError() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = toPath(dir.path());
        fs::create_directories(folder / "sub");
        std::ofstream(folder / "notes.txt") << "hello\n";
        std::ofstream(folder / "sub" / "image.dcm") << "not really DICOM";
        try {
            scanDicomFolder(folder);
            QFAIL("a folder without DICOM images was accepted");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::NotReadable);
            QCOMPARE(e.path(), folder);
            QVERIFY2(std::string(e.what()).find(folder.string()) != std::string::npos, e.what());
        }
    }

    void scanGroupsSeriesInNestedFolders() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = toPath(dir.path());
        fs::create_directories(folder / "a" / "b" / "c");
        fs::create_directories(folder / "x");
        fs::copy_file(nib("0.dcm"), folder / "a" / "b" / "c" / "IM0001");
        fs::copy_file(nib("1.dcm"), folder / "x" / "whatever.bin");
        fs::copy_file(pyd("CT_small.dcm"), folder / "a" / "ct");
        fs::copy_file(pyd("MR_small_implicit.dcm"), folder / "mr");
        fs::copy_file(pyd("rtplan.dcm"), folder / "plan.dcm");  // DICOM, but no image
        std::ofstream(folder / "a" / "README") << "text";
        const auto series = scanDicomFolder(folder);
        QCOMPARE(series.size(), std::size_t{3});
        std::size_t siemens = 0;
        for (const auto& s : series) {
            if (s.seriesInstanceUid ==
                "1.3.12.2.1107.5.2.32.35119.2010011420292594820699190.0.0.0") {
                ++siemens;
                QCOMPARE(s.files.size(), std::size_t{2});
                QCOMPARE(s.temporalPositions, 1);
                QCOMPARE(s.rows, 256);
                // And the two files read as one volume.
                QCOMPARE(readDicomVolume(s.files).geometry().size[2], std::int64_t{2});
            } else {
                QCOMPARE(s.files.size(), std::size_t{1});
            }
        }
        QCOMPARE(siemens, std::size_t{1});
    }

    void truncatedFileInFolderIsCorrupt() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path folder = toPath(dir.path());
        fs::copy_file(pyd("MR_small.dcm"), folder / "good");
        fs::copy_file(pyd("MR_truncated.dcm"), folder / "broken");
        try {
            const auto series = scanDicomFolder(folder);
            // The header may parse; then the pixel read must fail, naming the file.
            for (const auto& s : series) {
                readDicomVolume(s.files);
            }
            QFAIL("the truncated file went unnoticed");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::Corrupt);
            QCOMPARE(e.path(), folder / "broken");
        }
    }
};

QTEST_GUILESS_MAIN(TestDicomFiles)
#include "TestDicomFiles.moc"
