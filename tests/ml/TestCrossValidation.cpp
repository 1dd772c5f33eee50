// Patient-level, stratified cross-validation: the invariants the paper's protocol needs.
#include "breastmsc/ml/CrossValidation.h"

#include <QtTest>

#include <algorithm>
#include <map>
#include <set>

using namespace bmsc::ml;

class TestCrossValidation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void invariants() {
        std::vector<std::string> patients;
        std::vector<int> strata;
        for (int i = 0; i < 103; ++i) {
            patients.push_back("P" + std::to_string(i));
            strata.push_back(i % 4 == 0 ? 0 : 1);  // 26 benign, 77 malignant patients
        }
        const auto folds = crossValidationFolds(patients, strata, 5, 0.2, 42);
        QCOMPARE(folds.size(), std::size_t{5});
        std::map<std::string, int> timesTested;
        for (const auto& f : folds) {
            std::set<std::string> seen;
            for (const auto* subset : {&f.train, &f.validation, &f.test}) {
                for (const auto& id : *subset) {
                    QVERIFY2(seen.insert(id).second, id.c_str());  // in one subset only
                }
            }
            QCOMPARE(seen.size(), patients.size());  // and every patient in some subset
            for (const auto& id : f.test) {
                ++timesTested[id];
            }
            // 64 / 16 / 20 %.
            QVERIFY(f.test.size() == 20 || f.test.size() == 21);
            QVERIFY(f.validation.size() >= 15 && f.validation.size() <= 18);
            // Stratified: each test fold holds 5 or 6 of the 26 benign patients.
            int benign = 0;
            for (const auto& id : f.test) {
                benign += std::stoi(id.substr(1)) % 4 == 0;
            }
            QVERIFY2(benign == 5 || benign == 6, qPrintable(QString::number(benign)));
        }
        QCOMPARE(timesTested.size(), patients.size());
        for (const auto& [id, n] : timesTested) {
            QCOMPARE(n, 1);
        }
    }

    void deterministicForASeed() {
        std::vector<std::string> p;
        std::vector<int> s;
        for (int i = 0; i < 40; ++i) {
            p.push_back("X" + std::to_string(i));
            s.push_back(i % 2);
        }
        const auto a = crossValidationFolds(p, s, 5, 0.2, 3);
        const auto b = crossValidationFolds(p, s, 5, 0.2, 3);
        const auto c = crossValidationFolds(p, s, 5, 0.2, 4);
        QCOMPARE(a[2].test, b[2].test);
        QCOMPARE(a[2].validation, b[2].validation);
        QVERIFY(a[0].test != c[0].test || a[1].test != c[1].test);
    }

    // validation_fraction 0 (no validation set): the same test folds, and the patients that
    // would have validated train instead.
    void withoutValidationTheTestFoldsStay() {
        std::vector<std::string> p;
        std::vector<int> s;
        for (int i = 0; i < 40; ++i) {
            p.push_back("X" + std::to_string(i));
            s.push_back(i % 3 == 0);
        }
        const auto with = crossValidationFolds(p, s, 5, 0.2, 1);
        const auto without = crossValidationFolds(p, s, 5, 0.0, 1);
        for (std::size_t f = 0; f < with.size(); ++f) {
            QCOMPARE(without[f].test, with[f].test);
            QVERIFY(without[f].validation.empty());
            QVERIFY(!with[f].validation.empty());
            auto expected = with[f].train;
            expected.insert(expected.end(), with[f].validation.begin(), with[f].validation.end());
            std::sort(expected.begin(), expected.end());
            QCOMPARE(without[f].train, expected);
        }
    }

    void badInput() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 crossValidationFolds({"a", "b"}, {0, 1}, 5));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            crossValidationFolds({"a", "a", "b", "c", "d"}, {0, 1, 0, 1, 0}, 2));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, crossValidationFolds({"a"}, {}, 2));
    }
};

QTEST_GUILESS_MAIN(TestCrossValidation)
#include "TestCrossValidation.moc"
