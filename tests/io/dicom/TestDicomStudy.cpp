// readDicomStudy on synthetic studies written by pydicom (make_dicom_study.py): channel
// assignment by time, slice order by position, T2 resampling, the report, the overrides and
// the errors of incomplete or inconsistent studies.

#include "DicomTestSupport.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/StudyReader.h"

#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>

using namespace bmsc::io;
using namespace bmsc::test;
namespace fs = std::filesystem;

namespace {

Geometry geometryFromJson(const QJsonObject& o) {
    Geometry g;
    for (int a = 0; a < 3; ++a) {
        g.size[a] = o["size"].toArray()[a].toInteger();
        g.spacing[a] = o["spacing"].toArray()[a].toDouble();
        g.origin[a] = o["origin"].toArray()[a].toDouble();
    }
    for (int e = 0; e < 9; ++e) {
        g.direction[static_cast<std::size_t>(e)] = o["direction"].toArray()[e].toDouble();
    }
    return g;
}

float dynamicValue(int phase, std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<float>(1000 * phase + 7 * i + 3 * j + 11 * k - 100);
}

/// Number of voxels of `v` that differ from the dynamic phase's formula (slices [0, kEnd)).
std::size_t dynamicMismatches(const Volume& v, int phase, std::int64_t kEnd = -1) {
    const auto& s = v.geometry().size;
    std::size_t bad = 0;
    for (std::int64_t k = 0; k < (kEnd < 0 ? s[2] : kEnd); ++k) {
        for (std::int64_t j = 0; j < s[1]; ++j) {
            for (std::int64_t i = 0; i < s[0]; ++i) {
                bad += v.at(i, j, k) != dynamicValue(phase, i, j, k) ? 1 : 0;
            }
        }
    }
    return bad;
}

bool contains(const std::vector<std::string>& lines, const std::string& a,
              const std::string& b = {}) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
        return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
    });
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) {
        s += l + "\n";
    }
    return s;
}

class RecordingProgress : public Progress {
public:
    void report(double fraction, std::string_view) override {
        std::lock_guard lock(mutex_);
        fractions.push_back(fraction);
    }
    bool cancelled() const override {
        const int after = cancelAfter_;
        return after >= 0 && calls() > static_cast<std::size_t>(after);
    }
    std::size_t calls() const {
        std::lock_guard lock(mutex_);
        return fractions.size();
    }
    void cancelAfter(int n) { cancelAfter_ = n; }
    std::vector<double> fractions;

private:
    mutable std::mutex mutex_;
    std::atomic<int> cancelAfter_{-1};
};

}  // namespace

class TestDicomStudy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir root_;

    std::map<QString, std::pair<fs::path, QJsonObject>> studies_;

    /// A study written by initTestCase (make_dicom_study.py) under `name`.
    std::pair<fs::path, QJsonObject> written(const char* name) const {
        const auto it = studies_.find(QLatin1String(name));
        return it == studies_.end() ? std::pair<fs::path, QJsonObject>{} : it->second;
    }

    static void expectError(const fs::path& folder, const StudyReadOptions& options, ErrorCode code,
                            const std::string& words) {
        try {
            readDicomStudy(folder, options);
            QFAIL("the study was read");
        } catch (const IoError& e) {
            QVERIFY2(e.code() == code, e.what());
            QVERIFY2(std::string(e.what()).find(folder.string()) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find(words) != std::string::npos, e.what());
        }
    }

    static void checkDynamicAndT2(const Study& study, const QJsonObject& info) {
        QVERIFY(study.complete());
        const Geometry expected = geometryFromJson(info["dynamic"].toObject());
        QVERIFY2(study.geometry().sameGrid(expected, 1e-4),
                 qPrintable(QString::fromStdString(study.geometry().describe() + " vs " +
                                                   expected.describe())));
        for (int p = 0; p < kDynamicChannelCount; ++p) {
            QCOMPARE(dynamicMismatches(study.channel(static_cast<Channel>(p)), p), std::size_t{0});
        }
        // T2: 2000 + 5 i' + 7 j' + 13 k' on its own grid; exact under linear interpolation
        // wherever the dynamic voxel lies inside the T2 voxel centres.
        const Geometry t2 = geometryFromJson(info["t2"].toObject());
        const Volume& v = study.channel(Channel::T2);
        const auto& s = v.geometry().size;
        int inside = 0;
        for (std::int64_t k = 0; k < s[2]; ++k) {
            for (std::int64_t j = 0; j < s[1]; ++j) {
                for (std::int64_t i = 0; i < s[0]; ++i) {
                    const Vec3 c = t2.physicalToIndex(
                        v.geometry().indexToPhysical({double(i), double(j), double(k)}));
                    bool in = true;
                    for (int a = 0; a < 3; ++a) {
                        in = in && c[a] >= 1e-6 && c[a] <= double(t2.size[a] - 1) - 1e-6;
                    }
                    if (!in) {
                        continue;
                    }
                    ++inside;
                    const double want = 2000 + 5 * c[0] + 7 * c[1] + 13 * c[2];
                    if (std::abs(v.at(i, j, k) - want) > 1e-2) {
                        QFAIL(qPrintable(QStringLiteral("T2 at (%1,%2,%3): %4, expected %5")
                                             .arg(i)
                                             .arg(j)
                                             .arg(k)
                                             .arg(v.at(i, j, k))
                                             .arg(want)));
                    }
                }
            }
        }
        QVERIFY2(inside > 1000, qPrintable(QString::number(inside)));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(root_.isValid());
        // All studies in one interpreter run: options of make_dicom_study.py per name.
        const std::map<QString, QStringList> jobs{
            {"five", {}},
            {"implicit", {"--syntax", "implicit"}},
            {"bigendian", {"--syntax", "bigendian"}},
            {"tpi", {"--mode", "single", "--temporal-key", "tpi"}},
            {"trigger", {"--mode", "single", "--temporal-key", "trigger"}},
            {"acq", {"--mode", "single", "--temporal-key", "acq"}},
            {"postgrid", {"--post-slices", "5"}},
            {"hiddenT2", {"--t2-description", "ax_pd_fs", "--t2-echo", "30"}},
            {"fourPhases", {"--phases", "4"}},
            {"threePositions", {"--mode", "single", "--phases", "3"}},
            {"noT2", {"--no-t2"}},
            {"dropFrame", {"--mode", "single", "--drop-frame"}},
            {"skipSlice", {"--skip-slice", "3"}},
            {"corrupt", {}},
            {"enhanced", {"--mode", "enhanced"}},
            {"extras", {"--extras"}},
        };
        QJsonObject batch;
        int seed = 0;
        for (const auto& [name, options] : jobs) {
            const QString folder = root_.path() + QLatin1Char('/') + name;
            batch[name] = QJsonArray::fromStringList(
                QStringList{"--out", folder, "--seed", QString::number(++seed)} + options);
        }
        QString error;
        const QJsonObject result = runDicomScript(
            "make_dicom_study.py",
            {"--batch", QString::fromUtf8(QJsonDocument(batch).toJson(QJsonDocument::Compact))},
            &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const auto& [name, options] : jobs) {
            QVERIFY2(result.contains(name), qPrintable(name));
            studies_[name] = {toPath(root_.path() + QLatin1Char('/') + name),
                              result[name].toObject()};
        }
    }

    void fiveSeries_data() {
        QTest::addColumn<QString>("syntax");
        QTest::newRow("explicit") << "five";
        QTest::newRow("implicit") << "implicit";
        QTest::newRow("big endian") << "bigendian";
    }

    void fiveSeries() {
        noThrow([&] {
            QFETCH(QString, syntax);
            const auto [folder, info] = written(qPrintable(syntax));
            const Study study = readDicomStudy(folder);
            checkDynamicAndT2(study, info);
            QCOMPARE(study.metadata.patientId, std::string("SYN-001"));
            QCOMPARE(study.metadata.studyInstanceUid, info["study"].toString().toStdString());
            QCOMPARE(study.metadata.studyDate, std::string("20240131"));
            QCOMPARE(study.metadata.description, std::string("MR BREAST DCE"));
            const QJsonArray times = info["phaseTimes"].toArray();
            for (int p = 0; p < kDynamicChannelCount; ++p) {
                QVERIFY2(std::abs(study.metadata.phaseTimes[static_cast<std::size_t>(p)] -
                                  times[p].toDouble()) < 1e-3,
                         qPrintable(QString::number(study.metadata.phaseTimes[p])));
            }
            // One report line per series, naming what it became.
            const auto& report = study.metadata.report;
            for (const auto& s : info["series"].toArray()) {
                const auto o = s.toObject();
                const std::string uid = o["uid"].toString().toStdString();
                const std::string role =
                    o["phase"].isString()
                        ? "t2"
                        : std::string(channelName(static_cast<Channel>(o["phase"].toInt())));
                QVERIFY2(contains(report, uid, "→ " + role), joined(report).c_str());
            }
            QVERIFY2(contains(report, "t2: ", "resampled"), joined(report).c_str());
            QVERIFY2(contains(report, "ordered by AcquisitionTime"), joined(report).c_str());
            QVERIFY2(!contains(report, "post1: ", "resampled"), joined(report).c_str());
        });
    }

    void otherSeriesAreNotTaken() {
        noThrow([&] {
            // A localizer, a subtraction series and a diffusion series (another grid), all
            // acquired before the pre phase: none may become a channel.
            const auto [folder, info] = written("extras");
            const Study study = readDicomStudy(folder);
            checkDynamicAndT2(study, info);
            const auto& report = study.metadata.report;
            QVERIFY2(contains(report, "'localizer'", "ignored: localizer"), joined(report).c_str());
            QVERIFY2(contains(report, "'dyn_sub_post1'", "ignored: subtraction"),
                     joined(report).c_str());
            QVERIFY2(contains(report, "'ep2d_diff_adc'", "not on the grid"),
                     joined(report).c_str());
            QCOMPARE(scanDicomFolder(folder).size(), std::size_t{9});
        });
    }

    void readStudyDispatchesToDicom() {
        noThrow([&] {
            const auto [folder, info] = written("five");
            QCOMPARE(detectStudyKind(folder), StudyKind::Dicom);
            checkDynamicAndT2(readStudy(folder), info);
        });
    }

    void oneSeriesWithTemporalPositions_data() {
        QTest::addColumn<QString>("key");
        QTest::newRow("TemporalPositionIdentifier") << "tpi";
        QTest::newRow("TriggerTime") << "trigger";
        QTest::newRow("AcquisitionTime") << "acq";
    }

    void oneSeriesWithTemporalPositions() {
        noThrow([&] {
            QFETCH(QString, key);
            const auto [folder, info] = written(qPrintable(key));
            const auto series = scanDicomFolder(folder);
            QCOMPARE(series.size(), std::size_t{2});
            const auto dynamic = std::find_if(series.begin(), series.end(), [](const auto& s) {
                return s.seriesDescription == "fl3d_dynamic";
            });
            QVERIFY(dynamic != series.end());
            QCOMPARE(dynamic->temporalPositions, 5);
            QCOMPARE(dynamic->files.size(), std::size_t{40});

            const Study study = readDicomStudy(folder);
            checkDynamicAndT2(study, info);
            QVERIFY2(std::abs(study.metadata.phaseTimes[4] - 345.0) < 1e-3,
                     qPrintable(QString::number(study.metadata.phaseTimes[4])));
            QVERIFY2(contains(study.metadata.report, "temporal position 5 → post4"),
                     joined(study.metadata.report).c_str());
        });
    }

    void enhancedMultiFrameFile() {
        noThrow([&] {
            // All five phases as shuffled frames of one enhanced MR file: geometry, rescale,
            // temporal index and times only in the functional group sequences.
            const auto [folder, info] = written("enhanced");
            const auto series = scanDicomFolder(folder);
            const auto dynamic = std::find_if(series.begin(), series.end(), [](const auto& s) {
                return s.seriesDescription == "fl3d_dynamic";
            });
            QVERIFY(dynamic != series.end());
            QCOMPARE(dynamic->files.size(), std::size_t{1});
            QCOMPARE(dynamic->frames, std::size_t{40});
            QCOMPARE(dynamic->temporalPositions, 5);

            const Study study = readDicomStudy(folder);
            checkDynamicAndT2(study, info);
            QVERIFY2(std::abs(study.metadata.phaseTimes[2] - 165.0) < 1e-3,
                     qPrintable(QString::number(study.metadata.phaseTimes[2])));
            try {
                readDicomVolume(dynamic->files);
                QFAIL("five phases were read as one volume");
            } catch (const IoError& e) {
                QCOMPARE(e.code(), ErrorCode::GeometryMismatch);
            }
        });
    }

    void postPhaseOnAnotherGridIsResampled() {
        noThrow([&] {
            const auto [folder, info] = written("postgrid");
            const Study study = readDicomStudy(folder);
            QVERIFY(study.complete());
            QCOMPARE(dynamicMismatches(study.channel(Channel::Post2), 2, 5), std::size_t{0});
            QCOMPARE(dynamicMismatches(study.channel(Channel::Post3), 3), std::size_t{0});
            QVERIFY2(contains(study.metadata.report, "post2: ", "resampled"),
                     joined(study.metadata.report).c_str());
        });
    }

    void overrides() {
        noThrow([&] {
            // A T2 that the rule cannot recognise: neither its name nor its echo time says T2.
            const auto [folder, info] = written("hiddenT2");
            expectError(folder, {}, ErrorCode::MissingChannel, "T2");

            StudyReadOptions byNumber;
            byNumber.t2Series = "2";
            checkDynamicAndT2(readDicomStudy(folder, byNumber), info);

            // Dynamic phases forced in reverse time order, by SeriesInstanceUID.
            StudyReadOptions reversed;
            const QJsonArray series = info["series"].toArray();
            std::string uids;
            for (int p = 4; p >= 0; --p) {
                uids += series[p].toObject()["uid"].toString().toStdString() + (p > 0 ? ", " : "");
            }
            reversed.dynamicSeries = uids;
            reversed.t2Series = series[5].toObject()["uid"].toString().toStdString();
            const Study study = readDicomStudy(folder, reversed);
            for (int c = 0; c < kDynamicChannelCount; ++c) {
                QCOMPARE(dynamicMismatches(study.channel(static_cast<Channel>(c)), 4 - c),
                         std::size_t{0});
            }
            QVERIFY2(contains(study.metadata.report, "dynamicSeries option"),
                     joined(study.metadata.report).c_str());

            StudyReadOptions unknown;
            unknown.t2Series = "99";
            expectError(folder, unknown, ErrorCode::InvalidArgument, "'99'");
            StudyReadOptions three;
            three.dynamicSeries = "5,3,8";
            expectError(folder, three, ErrorCode::InvalidArgument, "dynamicSeries");
        });
    }

    void missingPhaseIsAnError() {
        expectError(written("fourPhases").first, {}, ErrorCode::MissingChannel, "4 dynamic phase");
        expectError(written("threePositions").first, {}, ErrorCode::MissingChannel,
                    "3 dynamic phase");
    }

    void missingT2IsAnError() {
        expectError(written("noT2").first, {}, ErrorCode::MissingChannel, "no T2");
    }

    void unequalTemporalPositionsAreAnError() {
        expectError(written("dropFrame").first, {}, ErrorCode::GeometryMismatch,
                    "unequal numbers of frames");
    }

    void unevenSliceSpacingIsAnError() {
        expectError(written("skipSlice").first, {}, ErrorCode::GeometryMismatch,
                    "not evenly spaced");
    }

    void corruptFileInStudyIsNamed() {
        const auto [folder, info] = written("corrupt");
        QString error;
        const QJsonObject dirs = runDicomScript("dicom_reference.py", {"--datadirs"}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        fs::copy_file(jsonPath(dirs["pydicom"]) / "MR_truncated.dcm", folder / "IM9999");
        try {
            readDicomStudy(folder);
            QFAIL("a study with a truncated file was read");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::Corrupt);
            QCOMPARE(e.path(), folder / "IM9999");
        }
    }

    void progressAndCancellation() {
        noThrow([&] {
            const auto [folder, info] = written("five");
            RecordingProgress progress;
            readDicomStudy(folder, {}, &progress);
            QVERIFY(progress.fractions.size() > 40);
            QVERIFY(std::is_sorted(progress.fractions.begin(), progress.fractions.end()));
            QCOMPARE(progress.fractions.back(), 1.0);
            QVERIFY(progress.fractions.front() >= 0.0);

            for (int after : {0, 20, 60}) {
                RecordingProgress cancelling;
                cancelling.cancelAfter(after);
                try {
                    readDicomStudy(folder, {}, &cancelling);
                    QFAIL("cancellation was ignored");
                } catch (const IoError& e) {
                    QCOMPARE(e.code(), ErrorCode::Cancelled);
                }
            }
        });
    }
};

QTEST_GUILESS_MAIN(TestDicomStudy)
#include "TestDicomStudy.moc"
