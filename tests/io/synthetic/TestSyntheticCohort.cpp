// Synthetic cohorts on disk: the NIfTI cohort read back with Cohort::open + loadStudy equals
// the patients in memory, the same seed writes the same files, the DICOM layout, the CLI
// command (overwrite rules, errors) and cancellation that leaves nothing behind.
#include "CancelAfter.h"
#include "TestSupport.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/SyntheticCohort.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace bmsc::io;
namespace fs = std::filesystem;

namespace {

SyntheticOptions small(std::uint64_t seed, int patients = 2) {
    SyntheticOptions o;
    o.size = {64, 64, 8};
    o.seed = seed;
    o.patients = patients;
    return o;
}

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> entries(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool sameVoxels(const Volume& a, const Volume& b) {
    return a.geometry().sameGrid(b.geometry(), 1e-6) &&
           std::equal(a.voxels().begin(), a.voxels().end(), b.voxels().begin(), b.voxels().end());
}

// A Progress that asks to stop from the report that says `what` on.
class CancelAtReport final : public Progress {
public:
    explicit CancelAtReport(std::string what) : what_(std::move(what)) {}
    void report(double, std::string_view what) override { seen_ = seen_ || what == what_; }
    bool cancelled() const override { return seen_; }

private:
    std::string what_;
    bool seen_ = false;
};

}  // namespace

using bmsc::test::CancelAfter;

class TestSyntheticCohort : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void niftiCohortReadsBackAsInMemory() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("cohort"));
        const auto o = small(11);
        generateCohort(o, folder);
        QCOMPARE(entries(dir.path().toStdString()), std::vector<std::string>{"cohort"});

        const Cohort cohort = Cohort::open(folder);
        QCOMPARE(cohort.patients(), (std::vector<std::string>{"P0001", "P0002"}));
        QCOMPARE(cohort.breasts().size(), std::size_t{4});
        std::size_t lesionCount = 0;
        for (int p = 0; p < o.patients; ++p) {
            const SyntheticPatient patient = generateSyntheticPatient(o, p);
            for (const Side side : {Side::Left, Side::Right}) {
                const auto breast = cohort.breast(patient.patientId, side);
                QVERIFY(breast.has_value());
                QVERIFY(breast->label == patient.breastLabel(side));
                QCOMPARE(breast->extra.at("density"), patient.density);
                QCOMPARE(breast->extra.at("bpe"), patient.bpe);
            }
            const auto lesions = cohort.lesionsOf(patient.patientId);
            QCOMPARE(lesions.size(), patient.lesions.size());
            for (std::size_t i = 0; i < lesions.size(); ++i) {
                for (int a = 0; a < 3; ++a) {
                    QVERIFY(std::abs(lesions[i].position[static_cast<std::size_t>(a)] -
                                     patient.lesions[i].centre[static_cast<std::size_t>(a)]) <
                            1e-6);
                }
                QVERIFY(lesions[i].label == patient.lesions[i].label());
                QCOMPARE(lesions[i].extra.at("kind"),
                         std::string(lesionKindName(patient.lesions[i].kind)));
            }
            lesionCount += lesions.size();

            // loadStudy resamples T2 exactly as the generator's in-memory study does.
            const Study study = cohort.loadStudy(patient.patientId);
            for (const Channel c : kAllChannels) {
                QVERIFY2(sameVoxels(study.channel(c), patient.study.channel(c)),
                         std::string(channelName(c)).c_str());
            }
            QVERIFY(
                sameVoxels(readImage(folder / patient.patientId / "t2.nii.gz"), patient.t2Native));
            const auto& report = study.metadata.report;
            QVERIFY(std::any_of(report.begin(), report.end(), [](const std::string& line) {
                return line.rfind("t2:", 0) == 0 && line.find("resampled") != std::string::npos;
            }));
        }
        QCOMPARE(cohort.lesions().size(), lesionCount);
    }

    void sameSeedSameFiles() {
        QTemporaryDir dir;
        const fs::path a = bmsc::test::toPath(dir.filePath("a"));
        const fs::path b = bmsc::test::toPath(dir.filePath("b"));
        const fs::path c = bmsc::test::toPath(dir.filePath("c"));
        generateCohort(small(4, 3), a);
        generateCohort(small(4, 3), b);
        generateCohort(small(5, 3), c);
        for (const char* csv : {"cohort.csv", "lesions.csv"}) {
            QCOMPARE(slurp(a / csv), slurp(b / csv));
        }
        QVERIFY(sameVoxels(readImage(a / "P0003" / "post2.nii.gz"),
                           readImage(b / "P0003" / "post2.nii.gz")));
        QVERIFY(slurp(a / "lesions.csv") != slurp(c / "lesions.csv"));
        QVERIFY(!sameVoxels(readImage(a / "P0003" / "post2.nii.gz"),
                            readImage(c / "P0003" / "post2.nii.gz")));
    }

    void dicomCohortLayout() {
        QTemporaryDir dir;
        for (const bool oneSeries : {false, true}) {
            const fs::path folder =
                bmsc::test::toPath(dir.filePath(oneSeries ? "one" : "per-phase"));
            auto o = small(3, 1);
            o.size = {48, 48, 6};
            o.format = SyntheticFormat::Dicom;
            o.dynamicOneSeries = oneSeries;
            generateCohort(o, folder);
            const auto series = entries(folder / "P0001");
            const std::vector<std::string> expected =
                oneSeries ? std::vector<std::string>{"01_DYN", "02_T2_TSE"}
                          : std::vector<std::string>{"01_DYN_pre",   "02_DYN_post1", "03_DYN_post2",
                                                     "04_DYN_post3", "05_DYN_post4", "06_T2_TSE"};
            QCOMPARE(series, expected);
            QCOMPARE(entries(folder / "P0001" / series.front()).size(),
                     std::size_t(oneSeries ? 5 * 6 : 6));
            QCOMPARE(entries(folder / "P0001" / series.back()).size(),
                     static_cast<std::size_t>(syntheticT2Geometry(o).size[2]));
            QVERIFY(Cohort::open(folder).breasts().size() == 2);
        }
    }

    // A cancel leaves nothing behind, and its error names a place in the cohort asked for (or
    // none, while a patient is still being rendered), never the removed temporary folder.
    void cancellationLeavesNothing() {
        QTemporaryDir dir;
        const fs::path folder = bmsc::test::toPath(dir.filePath("cancelled"));
        // Within the first patient's rendering (3 reports): no file yet, no place.
        CancelAfter cancel(3);
        // Once P0002 is being written (into the temporary folder): its place in the cohort.
        CancelAtReport cancelWriting("writing P0002");
        const struct {
            Progress* progress;
            fs::path place;
        } cases[] = {{&cancel, {}}, {&cancelWriting, folder / "P0002"}};
        for (const auto& c : cases) {
            try {
                generateCohort(small(1, 3), folder, c.progress);
                QFAIL("generateCohort did not stop");
            } catch (const IoError& e) {
                QCOMPARE(e.code(), ErrorCode::Cancelled);
                QCOMPARE(e.path().string(), c.place.string());
            }
            QVERIFY(entries(dir.path().toStdString()).empty());
        }
    }

    void cliGenerates() {
        QTemporaryDir dir;
        const QString out = dir.filePath("cli");
        const QStringList base{"generate", "--patients", "2",  "--seed", "9",
                               "--size",   "48x48x6",    "-q", "--out",  out};
        auto r = bmsc::test::runCli(base);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("generated 2 patient"));
        QCOMPARE(Cohort::open(bmsc::test::toPath(out)).breasts().size(), std::size_t{4});

        // An existing cohort is replaced; a folder with other files needs --force.
        r = bmsc::test::runCli(base);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString other = dir.filePath("other");
        QDir().mkpath(other);
        std::ofstream(bmsc::test::toPath(other) / "notes.txt") << "keep me";
        QStringList args = base;
        args.last() = other;
        r = bmsc::test::runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(other.toUtf8()) && r.err.contains("--force"), r.err.constData());
        QVERIFY(fs::exists(bmsc::test::toPath(other) / "notes.txt"));
        r = bmsc::test::runCli(args + QStringList{"--force"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!fs::exists(bmsc::test::toPath(other) / "notes.txt"));
        QVERIFY(fs::exists(bmsc::test::toPath(other) / "cohort.csv"));

        // Bad arguments are refused with a reason.
        args = base;
        args[6] = "48x48";
        r = bmsc::test::runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("48x48"), r.err.constData());
        r = bmsc::test::runCli(base + QStringList{"--dynamic-one-series"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("dicom"), r.err.constData());
        r = bmsc::test::runCli(base + QStringList{"--malignant-fraction", "2"});
        QVERIFY(r.exitCode != 0);
    }
};

QTEST_GUILESS_MAIN(TestSyntheticCohort)
#include "TestSyntheticCohort.moc"
