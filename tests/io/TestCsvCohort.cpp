// The cohort format (COHORT-FORMAT.md): CSV parsing, validation with file:line errors, extra
// columns kept, atomic rewrite.
#include "TestSupport.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <new>
#include <sstream>

using namespace bmsc::io;
namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

std::string readText(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Expects `f` to throw IoError with `code`, a message naming `file` and, if given, `line`.
template <typename F>
void expectError(F&& f, ErrorCode code, const fs::path& file, int line = 0) {
    try {
        f();
        QFAIL("no error was raised");
    } catch (const IoError& e) {
        QCOMPARE(errorCodeName(e.code()), errorCodeName(code));
        QVERIFY2(std::string(e.what()).find(file.filename().string()) != std::string::npos,
                 e.what());
        if (line > 0) {
            QCOMPARE(e.line(), line);
            QVERIFY2(
                std::string(e.what()).find(":" + std::to_string(line) + ":") != std::string::npos,
                e.what());
        }
    }
}

}  // namespace

class TestCsvCohort : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void errorMessages() {
        // A file's error names it (and the line); one that concerns no file is its reason alone.
        const IoError inFile(ErrorCode::MalformedCsv, "cohort/lesions.csv", "bad x_mm", 7);
        QCOMPARE(std::string(inFile.what()), std::string("cohort/lesions.csv:7: bad x_mm"));
        const IoError noFile(ErrorCode::InvalidArgument, {}, "unknown preset 'x'");
        QCOMPARE(std::string(noFile.what()), std::string("unknown preset 'x'"));
        QCOMPARE(noFile.reason(), std::string("unknown preset 'x'"));
    }

    void csvQuotingRoundTrip() {
        QTemporaryDir dir;
        const fs::path file = bmsc::test::toPath(dir.path()) / "t.csv";
        writeText(file,
                  "\xEF\xBB\xBF"
                  "a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n4,\"multi\nline\",6\n");
        const CsvTable t = CsvTable::read(file);
        QCOMPARE(t.header().size(), std::size_t{3});
        QCOMPARE(t.header()[0], std::string("a"));
        QCOMPARE(t.rowCount(), std::size_t{2});
        QCOMPARE(t.row(0)[1], std::string("x, \"y\""));
        QCOMPARE(t.row(1)[1], std::string("multi\nline"));
        QCOMPARE(t.lineOf(1), 4);
        const fs::path copy = bmsc::test::toPath(dir.path()) / "copy.csv";
        t.write(copy);
        const CsvTable back = CsvTable::read(copy);
        QCOMPARE(back.row(0), t.row(0));
        QCOMPARE(back.row(1), t.row(1));
    }

    void csvMalformed() {
        QTemporaryDir dir;
        const fs::path file = bmsc::test::toPath(dir.path()) / "bad.csv";
        writeText(file, "a,b\n1,2\n3\n");
        expectError([&] { CsvTable::read(file); }, ErrorCode::MalformedCsv, file, 3);
        writeText(file, "a,b\n1,\"open\n");
        expectError([&] { CsvTable::read(file); }, ErrorCode::MalformedCsv, file, 2);
        writeText(file, "");
        expectError([&] { CsvTable::read(file); }, ErrorCode::MalformedCsv, file);
        writeText(file, std::string("a,b\n1,\0\n", 8));
        expectError([&] { CsvTable::read(file); }, ErrorCode::MalformedCsv, file);
        expectError([&] { CsvTable::read(file.parent_path() / "none.csv"); }, ErrorCode::NotFound,
                    "none.csv");
    }

    void cohortReadsLabelsLesionsAndKeepsExtras() {
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        writeText(root / "cohort.csv",
                  "patient_id,side,label,birads,split\n"
                  "P1,left,malignant,5,train\nP1,right,benign,2,train\n"
                  "P2,left,,,test\nP2,right,Benign,1,test\n");
        writeText(root / "lesions.csv",
                  "patient_id,x_mm,y_mm,z_mm,label,note\n"
                  "P1,12.5,-40,3e1,malignant,\"spiculated, 9 mm\"\nP2,-20,-35,0,benign,\n");
        Cohort cohort = Cohort::open(root);
        QCOMPARE(cohort.patients(), (std::vector<std::string>{"P1", "P2"}));
        QCOMPARE(cohort.breasts().size(), std::size_t{4});
        QVERIFY(cohort.breast("P1", Side::Left)->label == Label::Malignant);
        QVERIFY(cohort.breast("P2", Side::Left)->label == Label::Unlabelled);
        QVERIFY(cohort.breast("P2", Side::Right)->label == Label::Benign);
        QCOMPARE(cohort.breast("P1", Side::Left)->extra.at("birads"), std::string("5"));
        const auto lesions = cohort.lesionsOf("P1");
        QCOMPARE(lesions.size(), std::size_t{1});
        QCOMPARE(lesions[0].position[2], 30.0);
        QCOMPARE(lesions[0].sourceLine, 2);
        QCOMPARE(lesions[0].extra.at("note"), std::string("spiculated, 9 mm"));

        cohort.breasts()[2].label = Label::Malignant;
        cohort.save();
        const Cohort back = Cohort::open(root);
        QVERIFY(back.breast("P2", Side::Left)->label == Label::Malignant);
        QCOMPARE(back.breast("P1", Side::Right)->extra.at("split"), std::string("train"));
        QCOMPARE(back.lesionsOf("P1")[0].extra.at("note"), std::string("spiculated, 9 mm"));
        QVERIFY(readText(root / "cohort.csv").rfind("patient_id,side,label,birads,split\n", 0) ==
                0);
        // No temporary files are left behind by the atomic rewrite.
        int files = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(root)) {
            ++files;
        }
        QCOMPARE(files, 2);
    }

    void cohortRejectsBadRows_data() {
        QTest::addColumn<QString>("cohortCsv");
        QTest::addColumn<QString>("lesionsCsv");
        QTest::addColumn<QString>("badFile");
        QTest::addColumn<int>("line");
        const QString okCohort = "patient_id,side,label\nP1,left,benign\n";
        QTest::newRow("bad side") << "patient_id,side,label\nP1,left,benign\nP1,middle,benign\n"
                                  << ""
                                  << "cohort.csv" << 3;
        QTest::newRow("bad label") << "patient_id,side,label\nP1,left,cancer\n"
                                   << ""
                                   << "cohort.csv" << 2;
        QTest::newRow("duplicate breast")
            << "patient_id,side,label\nP1,left,benign\nP1,left,malignant\n"
            << ""
            << "cohort.csv" << 3;
        QTest::newRow("bad id") << "patient_id,side,label\n../etc,left,benign\n"
                                << ""
                                << "cohort.csv" << 2;
        QTest::newRow("missing column") << "patient_id,label\nP1,benign\n"
                                        << ""
                                        << "cohort.csv" << 1;
        QTest::newRow("short row") << "patient_id,side,label\nP1,left\n"
                                   << ""
                                   << "cohort.csv" << 2;
        QTest::newRow("lesion nan")
            << okCohort << "patient_id,x_mm,y_mm,z_mm,label\nP1,1,nan,3,benign\n"
            << "lesions.csv" << 2;
        QTest::newRow("lesion text") << okCohort
                                     << "patient_id,x_mm,y_mm,z_mm,label\nP1,1,2,3,benign\n"
                                        "P1,1,2mm,3,benign\n"
                                     << "lesions.csv" << 3;
        QTest::newRow("lesion unlabelled")
            << okCohort << "patient_id,x_mm,y_mm,z_mm,label\nP1,1,2,3,\n"
            << "lesions.csv" << 2;
        QTest::newRow("lesion empty coordinate")
            << okCohort << "patient_id,x_mm,y_mm,z_mm,label\nP1,,2,3,benign\n"
            << "lesions.csv" << 2;
    }

    void cohortRejectsBadRows() {
        QFETCH(QString, cohortCsv);
        QFETCH(QString, lesionsCsv);
        QFETCH(QString, badFile);
        QFETCH(int, line);
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        writeText(root / "cohort.csv", cohortCsv.toStdString());
        if (!lesionsCsv.isEmpty()) {
            writeText(root / "lesions.csv", lesionsCsv.toStdString());
        }
        expectError([&] { Cohort::open(root); }, ErrorCode::MalformedCsv,
                    root / badFile.toStdString(), line);
    }

    void missingCohortFile() {
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        expectError([&] { Cohort::open(root); }, ErrorCode::NotFound, root / "cohort.csv");
        expectError([&] { Cohort::open(root / "nope"); }, ErrorCode::NotFound, root / "nope");
    }

    void lesionOutsideImageNamesTheRow() {
        QTemporaryDir dir;
        const fs::path root = bmsc::test::toPath(dir.path());
        writeText(root / "cohort.csv", "patient_id,side,label\nP1,left,benign\n");
        writeText(root / "lesions.csv",
                  "patient_id,x_mm,y_mm,z_mm,label\nP1,5,5,5,benign\nP1,500,5,5,malignant\n");
        const Cohort cohort = Cohort::open(root);
        Geometry g;
        g.size = {20, 20, 10};
        expectError([&] { cohort.checkLesionsInside("P1", g); }, ErrorCode::InvalidValue,
                    root / "lesions.csv", 3);
    }

    void sideOfPointFollowsLps() {
        Geometry g;
        g.size = {100, 80, 10};
        g.origin = {-50, -40, 0};
        QVERIFY(Cohort::sideOfPoint(g, {20, 0, 0}) == Side::Left);  // +x: patient's left
        QVERIFY(Cohort::sideOfPoint(g, {-20, 0, 0}) == Side::Right);
        g.direction = {-1, 0, 0, 0, 1, 0, 0, 0, 1};  // index axis flipped: physics unchanged
        g.origin = {49, -40, 0};
        QVERIFY(Cohort::sideOfPoint(g, {20, 0, 0}) == Side::Left);
    }

    void atomicWriteLeavesOldFileOnFailure() {
        QTemporaryDir dir;
        const fs::path file = bmsc::test::toPath(dir.path()) / "keep.txt";
        writeText(file, "old");
        expectError(
            [&] {
                writeFileAtomically(file, [](std::ostream& out) {
                    out << "partial";
                    throw std::runtime_error("disk full");
                });
            },
            ErrorCode::WriteFailed, file);
        QCOMPARE(readText(file), std::string("old"));
        int files = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(file.parent_path())) {
            ++files;
        }
        QCOMPARE(files, 1);
        // Running out of memory inside a write says so in words, not as "std::bad_alloc".
        try {
            writeFileAtomically(file, [](std::ostream&) { throw std::bad_alloc(); });
            QFAIL("no error was raised");
        } catch (const IoError& e) {
            QCOMPARE(e.reason(),
                     std::string("out of memory (the work needs more than this machine could "
                                 "give)"));
        }
        QCOMPARE(readText(file), std::string("old"));
    }

    // A folder write that fails inside its temporary folder names the file's place in the
    // target (the temporary folder is gone when the message is read) and keeps the old folder.
    void atomicFolderWriteNamesTheTarget() {
        QTemporaryDir dir;
        const fs::path target = bmsc::test::toPath(dir.path()) / "cohort";
        fs::create_directory(target);
        writeText(target / "cohort.csv", "old");
        const fs::path outside = bmsc::test::toPath(dir.path()) / "elsewhere.csv";
        const struct {
            fs::path (*where)(const fs::path& temporary, const fs::path& outside);
            fs::path expected;
        } cases[] = {
            {[](const fs::path& t, const fs::path&) { return t / "P0002" / "pre.nii.gz"; },
             target / "P0002" / "pre.nii.gz"},
            {[](const fs::path& t, const fs::path&) { return t; }, target},
            {[](const fs::path&, const fs::path& o) { return o; }, outside},
        };
        for (const auto& c : cases) {
            fs::path temporary;
            try {
                writeFolderAtomically(target, [&](const fs::path& folder) {
                    temporary = folder;
                    writeText(folder / "cohort.csv", "new");
                    throw IoError(ErrorCode::Cancelled, c.where(folder, outside), "cancelled", 7);
                });
                QFAIL("no error was raised");
            } catch (const IoError& e) {
                QCOMPARE(errorCodeName(e.code()), errorCodeName(ErrorCode::Cancelled));
                QCOMPARE(e.path().string(), c.expected.string());
                QCOMPARE(e.line(), 7);
                QCOMPARE(e.reason(), std::string("cancelled"));
            }
            QVERIFY(!temporary.empty() && !fs::exists(temporary));
            QCOMPARE(readText(target / "cohort.csv"), std::string("old"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCsvCohort)
#include "TestCsvCohort.moc"
