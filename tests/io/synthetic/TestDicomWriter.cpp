// The DICOM writer: both layouts validated by dciodvfy (no errors) and read back with pydicom
// (voxels, geometry, timing, UIDs), float voxels on an oblique grid within the quantisation,
// deterministic UIDs, and failures that leave nothing behind.
#include "CancelAfter.h"
#include "TestSupport.h"
#include "breastmsc/io/DicomWriter.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>

using namespace bmsc::io;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> filesUnder(const fs::path& folder) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(folder)) {
        if (e.is_regular_file()) {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Runs dciodvfy on every file; returns the error lines (and counts warnings).
QStringList dciodvfyErrors(const fs::path& folder, int& files, std::set<QString>& warnings) {
    QStringList errors;
    files = 0;
    for (const auto& file : filesUnder(folder)) {
        const auto r = bmsc::test::runProgram(QStringLiteral(BMSC_DCIODVFY),
                                              {QString::fromStdString(file.string())});
        if (r.exitCode < 0) {
            errors << "cannot run dciodvfy (package dicom3tools): " + QString(r.err);
            break;
        }
        ++files;
        const QString text = QString::fromUtf8(r.out + r.err);
        for (const QString& line : text.split('\n')) {
            if (line.startsWith("Error")) {
                errors << QString::fromStdString(file.filename().string()) + ": " + line;
            } else if (line.startsWith("Warning")) {
                warnings.insert(line);
            }
        }
    }
    return errors;
}

class Manifest {
public:
    Manifest(const QTemporaryDir& dir, const std::string& patientId, const std::string& studyUid)
        : dir_(dir) {
        root_["patient_id"] = QString::fromStdString(patientId);
        root_["study_uid"] = QString::fromStdString(studyUid);
    }
    void addSeries(const QString& description, const std::vector<const Volume*>& volumes, double te,
                   double tr, double tolerance, bool exact) {
        QJsonObject s;
        s["description"] = description;
        s["te"] = te;
        s["tr"] = tr;
        s["tolerance"] = tolerance;
        s["exact"] = exact;
        QJsonArray vs;
        for (const Volume* v : volumes) {
            const QString raw = dir_.filePath(QString("vol%1.raw").arg(count_++));
            std::ofstream out(raw.toStdString(), std::ios::binary);
            out.write(reinterpret_cast<const char*>(v->voxels().data()),
                      static_cast<std::streamsize>(v->voxels().size() * sizeof(float)));
            const Geometry& g = v->geometry();
            QJsonObject o;
            o["raw"] = raw;
            o["size"] = QJsonArray{qint64(g.size[0]), qint64(g.size[1]), qint64(g.size[2])};
            o["spacing"] = QJsonArray{g.spacing[0], g.spacing[1], g.spacing[2]};
            o["origin"] = QJsonArray{g.origin[0], g.origin[1], g.origin[2]};
            QJsonArray d;
            for (const double x : g.direction) {
                d.append(x);
            }
            o["direction"] = d;
            vs.append(o);
        }
        s["volumes"] = vs;
        series_.append(s);
    }
    QString write() {
        root_["series"] = series_;
        const QString path = dir_.filePath(QString("manifest%1.json").arg(count_++));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QJsonDocument(root_).toJson());
        return path;
    }

private:
    const QTemporaryDir& dir_;
    QJsonObject root_;
    QJsonArray series_;
    int count_ = 0;
};

bmsc::test::ProcessResult verify(const fs::path& folder, const QString& manifest) {
    return bmsc::test::runProgram(QStringLiteral(BMSC_SYNTH_PYTHON),
                                  {QStringLiteral(BMSC_SYNTH_SCRIPTS "/verify_dicom.py"),
                                   QString::fromStdString(folder.string()), manifest});
}

SyntheticPatient smallPatient() {
    SyntheticOptions o;
    o.size = {48, 48, 6};
    o.seed = 17;
    return generateSyntheticPatient(o, 0);
}

}  // namespace

using bmsc::test::CancelAfter;

class TestDicomWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void generatedStudyInBothLayouts() {
        const SyntheticPatient patient = smallPatient();
        const Study& study = patient.study;
        for (const auto layout :
             {DicomDynamicLayout::SeriesPerPhase, DicomDynamicLayout::OneSeries}) {
            const bool one = layout == DicomDynamicLayout::OneSeries;
            QTemporaryDir dir;
            const fs::path folder = bmsc::test::toPath(dir.filePath("study"));
            DicomWriteOptions options;
            options.layout = layout;
            options.uidSeed = 42;
            writeDicomStudy(study, folder, options, &patient.t2Native);

            Manifest manifest(dir, patient.patientId, study.metadata.studyInstanceUid);
            std::vector<const Volume*> dynamic;
            for (int c = 0; c < kDynamicChannelCount; ++c) {
                dynamic.push_back(&study.channel(static_cast<Channel>(c)));
                if (!one) {
                    manifest.addSeries("DYN " + QString::fromStdString(std::string(
                                                    channelName(static_cast<Channel>(c)))),
                                       {dynamic.back()}, 4, 8, 0, true);
                }
            }
            if (one) {
                manifest.addSeries("DYN pre+post1-4", dynamic, 4, 8, 0, true);
            }
            manifest.addSeries("T2 TSE", {&patient.t2Native}, 100, 5000, 0, true);
            const auto r = verify(folder, manifest.write());
            QVERIFY2(r.exitCode == 0 && r.out.contains("ALL OK"), (r.out + r.err).constData());

            int files = 0;
            std::set<QString> warnings;
            const QStringList errors = dciodvfyErrors(folder, files, warnings);
            QVERIFY2(errors.isEmpty(), qPrintable(errors.mid(0, 10).join('\n')));
            QCOMPARE(files, static_cast<int>(5 * 6 + patient.t2Native.geometry().size[2]));
            for (const QString& w : warnings) {
                qInfo("dciodvfy: %s", qPrintable(w));
            }
        }
    }

    void floatVoxelsOnAnObliqueGrid() {
        Geometry g;
        g.size = {20, 16, 5};
        g.spacing = {1.1, 0.9, 2.5};
        g.origin = {-10.0, 20.0, 5.0};
        // Rotated 30° about z, then tilted 10° about x: columns are the axis directions.
        const double a = std::numbers::pi / 6, b = std::numbers::pi / 18;
        const double rz[9] = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
        const double rx[9] = {1, 0, 0, 0, std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b)};
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                double s = 0;
                for (int k = 0; k < 3; ++k) {
                    s += rx[3 * r + k] * rz[3 * k + c];
                }
                g.direction[static_cast<std::size_t>(3 * r + c)] = s;
            }
        }
        Study study;
        study.metadata.patientId = "OBLIQUE-1";
        float lo = 1e9f, hi = -1e9f;
        for (const Channel c : kAllChannels) {
            Volume v(g);
            std::size_t n = 0;
            for (float& x : v.voxels()) {
                x = static_cast<float>(600.0 * std::sin(0.37 * static_cast<double>(n++)) +
                                       200.0 * static_cast<int>(c) + 0.123);
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
            study.setChannel(c, std::move(v));
        }
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("oblique"));
        writeDicomStudy(study, folder);

        Manifest manifest(dir, "OBLIQUE-1", "");
        for (const Channel c : kAllChannels) {
            float clo = 1e9f, chi = -1e9f;
            for (const float x : study.channel(c).voxels()) {
                clo = std::min(clo, x);
                chi = std::max(chi, x);
            }
            const DicomRescale rescale = chooseDicomRescale(clo, chi, false);
            QVERIFY(rescale.slope < (chi - clo) / 65535.0 * 1.001);
            const QString name = c == Channel::T2
                                     ? "T2 TSE"
                                     : "DYN " + QString::fromStdString(std::string(channelName(c)));
            manifest.addSeries(name, {&study.channel(c)}, c == Channel::T2 ? 100 : 4,
                               c == Channel::T2 ? 5000 : 8, rescale.slope * 0.5 + 1e-4, false);
        }
        const auto r = verify(folder, manifest.write());
        QVERIFY2(r.exitCode == 0 && r.out.contains("ALL OK"), (r.out + r.err).constData());
        int files = 0;
        std::set<QString> warnings;
        const QStringList errors = dciodvfyErrors(folder, files, warnings);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.mid(0, 10).join('\n')));
        QCOMPARE(files, 6 * 5);
    }

    void uidsAreDeterministicOnlyWithASeed() {
        const SyntheticPatient patient = smallPatient();
        QTemporaryDir dir;
        const fs::path a = bmsc::test::toPath(dir.filePath("a"));
        const fs::path b = bmsc::test::toPath(dir.filePath("b"));
        const fs::path c = bmsc::test::toPath(dir.filePath("c"));
        DicomWriteOptions seeded;
        seeded.uidSeed = 7;
        writeDicomStudy(patient.study, a, seeded);
        writeDicomStudy(patient.study, b, seeded);
        Study anonymous = patient.study;
        anonymous.metadata.studyInstanceUid.clear();
        writeDicomStudy(anonymous, c);
        const auto fa = filesUnder(a), fb = filesUnder(b), fc = filesUnder(c);
        QCOMPARE(fa.size(), fb.size());
        QCOMPARE(fa.size(), fc.size());
        for (std::size_t i = 0; i < fa.size(); ++i) {
            QCOMPARE(fa[i].lexically_relative(a), fb[i].lexically_relative(b));
            QVERIFY2(slurp(fa[i]) == slurp(fb[i]), fa[i].c_str());
        }
        QVERIFY(slurp(fa.front()) != slurp(fc.front()));
    }

    void failuresLeaveNothingBehind() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("study"));
        Study partial;
        partial.setChannel(Channel::Pre, Volume(Geometry{{8, 8, 2}}, 1.0f));
        try {
            writeDicomStudy(partial, folder);
            QFAIL("a study without post-contrast phases was written");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::MissingChannel);
        }
        QVERIFY(!fs::exists(folder));

        // Cancelled half-way: an existing study folder stays as it was, no temporaries remain.
        fs::create_directories(folder);
        std::ofstream(folder / "old.txt") << "old";
        const SyntheticPatient patient = smallPatient();
        CancelAfter cancel(10);
        try {
            writeDicomStudy(patient.study, folder, {}, nullptr, &cancel);
            QFAIL("the write was not cancelled");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::Cancelled);
        }
        QCOMPARE(filesUnder(dir.path().toStdString()), std::vector<fs::path>{folder / "old.txt"});
    }

    void rescaleChoice() {
        DicomRescale r = chooseDicomRescale(0.0f, 1000.0f, true);
        QCOMPARE(r.slope, 1.0);
        QCOMPARE(r.intercept, 0.0);
        r = chooseDicomRescale(-1024.0f, 3000.0f, true);
        QCOMPARE(r.slope, 1.0);
        QCOMPARE(r.intercept, -1024.0);
        r = chooseDicomRescale(-100.0f, 70000.0f, true);  // integers, but too wide for 16 bits
        QVERIFY(r.slope > 1.0);
        QVERIFY((70000.0 - r.intercept) / r.slope <= 65535.0);
        r = chooseDicomRescale(-5.5f, 3.25f, false);
        QVERIFY(std::abs(r.intercept + 5.5) < 1e-9);
        QVERIFY((3.25 - r.intercept) / r.slope <= 65535.0);
        QVERIFY(r.slope < 8.75 / 65535.0 * 1.0001);
        r = chooseDicomRescale(2.5f, 2.5f, false);  // constant
        QCOMPARE(r.slope, 1.0);
        QCOMPARE(r.intercept, 2.5);
    }
};

QTEST_GUILESS_MAIN(TestDicomWriter)
#include "TestDicomWriter.moc"
