// breastmsc-cli as a user runs it: exit codes, messages naming files, outputs.
#include "TestSupport.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/ImageFile.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <signal.h>

using namespace bmsc::io;
using bmsc::test::runCli;
namespace fs = std::filesystem;

namespace {

Study smallStudy() {
    Geometry g;
    g.size = {16, 12, 4};
    g.spacing = {2.0, 2.0, 3.0};
    g.origin = {-15.0, -20.0, 0.0};
    Study study;
    for (const Channel c : kAllChannels) {
        Volume v(g);
        for (std::size_t i = 0; i < v.voxels().size(); ++i) {
            v.voxels()[i] = static_cast<float>((i * 7 + static_cast<std::size_t>(c) * 13) % 100);
        }
        study.setChannel(c, std::move(v));
    }
    return study;
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helpListsCommands() {
        const auto r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* command : {"info", "generate", "convert", "preprocess"}) {
            QVERIFY2(r.out.contains(command), command);
        }
        QVERIFY2(r.out.contains("Exit status: 0 done, 1 error"), r.out);
    }

    void infoOnCohort() {
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        writeImageStudy(smallStudy(), root / "P1");
        std::ofstream(root / "cohort.csv") << "patient_id,side,label\nP1,left,malignant\n"
                                              "P1,right,benign\nP2,left,\n";
        std::ofstream(root / "lesions.csv") << "patient_id,x_mm,y_mm,z_mm,label\n"
                                               "P1,5,-10,3,malignant\n";
        // P2 has no study folder: info lists it and fails with a non-zero exit.
        auto r = runCli({"info", dir.path(), "--studies", "-q"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("breasts    3: 1 malignant, 1 benign, 1 unlabelled"), r.out);
        QVERIFY2(r.out.contains("16x12x4 ok"), r.out);
        QVERIFY2(r.err.contains("1 patient(s) have no readable study"), r.err);
        fs::remove(root / "cohort.csv");
        std::ofstream(root / "cohort.csv") << "patient_id,side,label\nP1,left,malignant\n";
        r = runCli({"info", dir.path(), "--studies", "-q"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("lesions    1: 1 malignant, 0 benign"), r.out);
    }

    void infoOnStudyAndBadPaths() {
        QTemporaryDir dir;
        writeImageStudy(smallStudy(), bmsc::test::toPath(dir.filePath("S")));
        auto r = runCli({"info", dir.filePath("S"), "-q"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("16×12×4 voxels"), r.out);
        QVERIFY2(r.out.contains("post4"), r.out);

        r = runCli({"info", dir.filePath("missing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("missing") && r.err.startsWith("error: "), r.err);

        fs::remove(bmsc::test::toPath(dir.filePath("S/post3.nii.gz")));
        r = runCli({"info", dir.filePath("S"), "-q"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("post3") && r.err.contains(dir.filePath("S").toUtf8()), r.err);

        fs::create_directory(bmsc::test::toPath(dir.filePath("empty")));
        std::ofstream(dir.filePath("empty/x.txt").toStdString()) << "not an image";
        r = runCli({"info", dir.filePath("empty"), "-q"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("neither channel files"), r.err);

        r = runCli({"info"});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, QByteArray("error: path is required\nSee 'breastmsc-cli info --help'.\n"));
    }

    void convertStudyAndCohort() {
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        writeImageStudy(smallStudy(), root / "in" / "P1", "nrrd");
        std::ofstream(root / "in" / "cohort.csv") << "patient_id,side,label,site\n"
                                                     "P1,left,malignant,A\nP1,right,benign,A\n";
        auto r = runCli({"convert", dir.filePath("in"), dir.filePath("out"), "-q"});
        QCOMPARE(r.exitCode, 0);
        const Cohort out = Cohort::open(root / "out");
        QCOMPARE(out.breasts().size(), std::size_t{2});
        QCOMPARE(out.breasts()[0].extra.at("site"), std::string("A"));
        QVERIFY(fs::exists(root / "out" / "P1" / "t2.nii.gz"));
        const Study a = out.loadStudy("P1");
        const Study b = smallStudy();
        for (const Channel c : kAllChannels) {
            QVERIFY(std::equal(a.channel(c).voxels().begin(), a.channel(c).voxels().end(),
                               b.channel(c).voxels().begin()));
        }
        r = runCli(
            {"convert", dir.filePath("in/P1"), dir.filePath("single"), "--format", "mha", "-q"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(fs::exists(root / "single" / "pre.mha"));
    }

    // train's first line says what will be trained, the head's peak inputs included (a config
    // may set them on any preset); a missing cohort is then named, and no run folder is left.
    void trainSaysWhatItTrains() {
        QTemporaryDir dir;
        const QString missing = dir.filePath("no-cohort");
        const QString config = dir.filePath("c2.json");
        std::ofstream(config.toStdString()) << R"({"preset": "demo-v2", "peak_features": "c2"})";
        const QString curveOnly = dir.filePath("curve-only.json");
        std::ofstream(curveOnly.toStdString()) << R"({"preset": "demo-v2", "peak_curve": true})";
        struct Row {
            QStringList args;
            const char* line;
        };
        const Row rows[] = {
            {{"--preset", "demo"},
             "(demo preset, width 16, head reads the stem's peak and the curve there, breasts "
             "96x96x24 less the wall behind, 5 folds) on "},
            {{"--preset", "demo-v4"},
             "(demo-v4 preset, width 16, head reads the stem's peak and the curve there, breasts "
             "96x96x24, 5 folds) on "},
            {{"--preset", "demo-v3"}, "(demo-v3 preset, width 16, head reads the stem's peak, "},
            {{"--preset", "demo-v2"}, "(demo-v2 preset, width 16, breasts "},
            {{"--config", config}, "(demo-v2 preset, width 16, head reads C2's peak, "},
            {{"--config", curveOnly},
             "(demo-v2 preset, width 16, head reads the curve at the peak, "},
        };
        for (const Row& row : rows) {
            auto r = runCli(
                QStringList{"train", "--cohort", missing, "--out", dir.filePath("run"), "-q"} +
                row.args);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.out.startsWith("training curriculum ") && r.out.contains(row.line), r.out);
            QVERIFY2(r.err.contains("not a cohort folder") && r.err.contains("no-cohort"), r.err);
            QVERIFY(!fs::exists(dir.filePath("run").toStdString()));
        }
    }

    // Without --out a run gets a folder of its own under runs/ in the working directory, named
    // by cohort, preset, mode and start time; --resume must name the run to continue.
    void trainWithoutOutPicksARunFolder() {
        QTemporaryDir dir;
        const QString previous = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path()));
        auto r =
            runCli({"train", "--cohort", dir.filePath("no-cohort") + "/", "--mode", "naive", "-q"});
        QVERIFY(QDir::setCurrent(previous));
        QCOMPARE(r.exitCode, 1);
        const QRegularExpression folder(
            "\nrun folder runs/no-cohort-demo-naive-20[0-9]{6}-[0-9]{6} \\(no --out given\\)\n");
        QVERIFY2(folder.match(r.out).hasMatch(), r.out);
        QVERIFY2(r.err.contains("not a cohort folder"), r.err);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{});
        r = runCli({"train", "--cohort", dir.filePath("no-cohort"), "--resume"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("error: --resume requires --out\n"), r.err);
    }

    // An error that concerns no file reads as its reason, with no placeholder for a path.
    void argumentErrorsReadAsTheirReason() {
        QTemporaryDir dir;
        const auto r = runCli({"generate", "--out", "", "--patients", "1", "-q"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err, QByteArray("error: no output folder given\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{});
    }

    // A command line the parser refuses reads like every other error and exits 2, apart from the
    // errors a command meets (1); --help and --version still exit 0.
    void usageErrorsExitTwo() {
        QTemporaryDir dir;
        auto r = runCli({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(
            r.err.startsWith("error: give a command; the commands are info, convert, generate, "
                             "preprocess") &&
                r.err.endsWith("\nSee 'breastmsc-cli --help'.\n"),
            r.err);
        r = runCli({"bogus"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("error: unknown command 'bogus'; the commands are info, "),
                 r.err);
        r = runCli({"generate", "--out", dir.filePath("c"), "--format", "bogus"});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, QByteArray("error: --format: bogus not in {nifti,dicom}\n"
                                   "See 'breastmsc-cli generate --help'.\n"));
        QVERIFY(!fs::exists(dir.filePath("c").toStdString()));
        // Numbers: a word is not called out of range, a negative row count is not taken as the
        // default, a fraction's open bound is kept; nothing is read or written.
        const struct {
            QStringList args;
            const char* message;
        } badOptions[] = {
            {{"generate", "--out", dir.filePath("c"), "--patients", "abc"},
             "error: --patients: 'abc' is not a whole number\n"},
            {{"generate", "--out", dir.filePath("c"), "-n", "0"},
             "error: --patients: 0 is not in [1, 99999]\n"},
            {{"generate", "--out", dir.filePath("c"), "--seed", "-1"},
             "error: --seed: -1 is not >= 0\n"},
            {{"generate", "--out", dir.filePath("c"), "--malignant-fraction", "nan"},
             "error: --malignant-fraction: 'nan' is not a number\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--crop-rows", "-5"},
             "error: --crop-rows: -5 is not in [1, 100000]\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--posterior-wall", "1"},
             "error: --posterior-wall: 1 is not in [0, 1)\n"},
            // Grids and devices are read at the command line too (they were refused only when
            // the command ran, with exit status 1).
            {{"generate", "--out", dir.filePath("c"), "--size", "192x192x"},
             "error: --size: '192x192x' is not a grid XxYxZ such as 192x192x24\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--grid", "64by64"},
             "error: --grid: '64by64' is not a grid XxYxZ such as 512x512x32\n"},
            // A grid the command cannot use, and rows the grid does not have, are refused
            // there too, in io's words (generateCohort and preprocess check the same).
            {{"generate", "--out", dir.filePath("c"), "--size", "16x16x4"},
             "error: --size: '16x16x4': the in-plane grid size must be between 32 and 2048 "
             "voxels\n"},
            {{"generate", "--out", dir.filePath("c"), "--size", "64x64x600"},
             "error: --size: '64x64x600': the number of slices must be between 4 and 512\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--grid", "0x64x16"},
             "error: --grid: '0x64x16': every grid size must be between 1 and 4096\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--grid", "64x64x16",
              "--crop-rows", "100"},
             "error: --crop-rows: 100 is more than the grid's 64 rows (its y size)\n"},
            {{"preprocess", dir.path(), "--out", dir.filePath("p"), "--demo", "--crop-rows", "200"},
             "error: --crop-rows: 200 is more than the grid's 128 rows (its y size)\n"},
            // Options that do not go together, or one missing.
            {{"train", "--out", dir.filePath("r"), "--preset", "demo"},
             "error: --cohort is required\n"},
            {{"generate", "--out", dir.filePath("c"), "--dynamic-one-series"},
             "error: --dynamic-one-series: needs --format dicom\n"},
            {{"predict", "--model", dir.path()},
             "error: give either --study DIR or --cohort DIR\n"},
            {{"cam", "--model", dir.path(), "--study", dir.path(), "--cohort", dir.path(), "--out",
              dir.filePath("m")},
             "error: give either --study DIR or --cohort DIR\n"},
            {{"cam", "--model", dir.path(), "--cohort", dir.path(), "--out", dir.filePath("m")},
             "error: --cohort: computes the CAM pointing score: add --pointing (maps are written "
             "per study with --study)\n"},
            {{"train", "--cohort", dir.path(), "--out", dir.filePath("r"), "--device", "gpu"},
             "error: --device: 'gpu' is not a device (cpu, cuda or cuda:N)\n"},
            {{"predict", "--model", dir.path(), "--study", dir.path(), "--device", "cuda:"},
             "error: --device: 'cuda:' is not a device (cpu, cuda or cuda:N)\n"},
            {{"cam", "--model", dir.path(), "--study", dir.path(), "--out", dir.filePath("m"),
              "--device", "cuda:-1"},
             "error: --device: 'cuda:-1' is not a device (cpu, cuda or cuda:N)\n"},
        };
        for (const auto& bad : badOptions) {
            r = runCli(bad.args);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.startsWith(bad.message), r.err);
        }
        QVERIFY(!fs::exists(dir.filePath("c").toStdString()));
        QVERIFY(!fs::exists(dir.filePath("p").toStdString()));
        QVERIFY(!fs::exists(dir.filePath("r").toStdString()));
        QVERIFY(!fs::exists(dir.filePath("m").toStdString()));
        r = runCli({"--version"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("breastmsc-cli "), r.out);
        r = runCli({"generate", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("--format"), r.out);
    }

    // SIGINT (Ctrl-C) and SIGTERM (kill, a batch scheduler's time limit) stop a long command
    // cleanly: it exits 128 + the signal's number and leaves no output folder, not even a
    // temporary one beside it.
    void signalsStopLongWorkCleanly() {
        for (const int signal : {SIGTERM, SIGINT}) {
            QTemporaryDir dir;
            QProcess cli;
            cli.setReadChannel(QProcess::StandardError);
            cli.start(QStringLiteral(BMSC_CLI_PATH),
                      {"generate", "--out", dir.filePath("c"), "--patients", "500"});
            QVERIFY(cli.waitForStarted(10000));
            // The first progress line says the handlers are in place and the work is under way.
            QVERIFY2(cli.waitForReadyRead(120000), "no progress from generate");
            QCOMPARE(::kill(static_cast<pid_t>(cli.processId()), signal), 0);
            QVERIFY2(cli.waitForFinished(120000), "generate did not stop");
            const QByteArray err = cli.readAllStandardError();
            QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
            QCOMPARE(cli.exitCode(), 128 + signal);
            const QByteArray stopped =
                signal == SIGTERM ? "stopped by SIGTERM\n" : "stopped by Ctrl-C (SIGINT)\n";
            QVERIFY2(err.contains("error: ") && err.endsWith(stopped), err);
            // The temporary folder is gone: the message never names it.
            QVERIFY2(!err.contains(".tmp"), err);
            QCOMPARE(
                QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                QStringList{});
        }
    }

#ifdef BMSC_CLI_WITH_ML
    // compare takes run folders in pairs, one pair per cohort; an odd count is refused before
    // any run is read, a run without predictions is named.
    void compareTakesRunsInPairs() {
        QTemporaryDir dir;
        const QString run = dir.filePath("run");
        fs::create_directories(run.toStdString());
        auto r = runCli({"compare", run, run, run});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("in pairs"), r.err);
        r = runCli({"compare", run, run});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("fold<k>/predictions.csv") && r.err.contains(run.toUtf8()), r.err);
    }

    // evaluate, predict and cam pointed at a folder that is no run say so and name it.
    void commandsOnSomethingNotARun() {
        QTemporaryDir dir;
        const QString empty = dir.filePath("empty");
        const QString missing = dir.filePath("missing");
        fs::create_directories(empty.toStdString());
        const struct {
            QStringList args;
            QString path;
            const char* reason;
        } cases[] = {
            {{"evaluate", empty}, empty, "not a training run (no config.json)\n"},
            {{"evaluate", missing}, missing, "no such folder\n"},
            {{"train", "--resume", "-o", empty}, empty, "not a training run (no config.json)\n"},
            {{"predict", "-m", empty, "--cohort", dir.path()},
             empty,
             "not a training run (no config.json)\n"},
            {{"cam", "-m", missing, "--cohort", dir.path(), "--pointing", "-o", dir.filePath("c")},
             missing,
             "no such model: expected a training run folder or a checkpoint file\n"},
        };
        for (const auto& c : cases) {
            const auto r = runCli(c.args);
            QCOMPARE(r.exitCode, 1);
            QCOMPARE(r.err, "error: " + c.path.toUtf8() + ": " + c.reason);
        }
        QVERIFY(!fs::exists(dir.filePath("c").toStdString()));

        // train --resume without --cohort takes the cohort from the run's run.json, and names
        // that file when it cannot.
        const QString run = dir.filePath("run");
        fs::create_directories(run.toStdString());
        const auto write = [&](const char* name, const char* text) {
            QFile file(run + "/" + name);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(text) >= 0);
        };
        write("config.json", R"({"preset": "demo"})");
        const QByteArray runJson = (run + "/run.json").toUtf8();
        auto r = runCli({"train", "--resume", "-o", run});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err, "error: " + runJson + ": missing\n");
        write("run.json", R"({"cohort": )");
        r = runCli({"train", "--resume", "-o", run});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: " + runJson + ": not valid JSON: "), r.err);
        write("run.json", R"({"cohort_hash": "0"})");
        r = runCli({"train", "--resume", "-o", run});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err, "error: " + runJson + ": records no cohort (\"cohort\": its folder)\n");
    }
#endif
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
