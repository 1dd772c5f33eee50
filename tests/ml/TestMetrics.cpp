// Metrics against scikit-learn (AUROC to 1e-9, the ROC curve), threshold metrics, the
// bootstrap interval and fold statistics.
#include "TestSupport.h"
#include "breastmsc/ml/Metrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace bmsc::ml;

namespace {

std::vector<double> doubles(const QJsonArray& a) {
    std::vector<double> v;
    for (const auto x : a) {
        v.push_back(x.toDouble());
    }
    return v;
}

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void agreesWithScikitLearn() {
        const auto r =
            bmsc::test::runProgram(BMSC_PYTHON, {BMSC_TEST_SOURCE_DIR "/ml/sklearn_metrics.py"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray cases = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(cases.size(), 4);
        for (const auto c : cases) {
            const QJsonObject o = c.toObject();
            const auto scores = doubles(o["scores"].toArray());
            std::vector<int> labels;
            for (const auto l : o["labels"].toArray()) {
                labels.push_back(l.toInt());
            }
            const double expected = o["auroc"].toDouble();
            QVERIFY2(
                std::abs(auroc(scores, labels) - expected) < 1e-9,
                qPrintable(QString("%1 vs sklearn %2").arg(auroc(scores, labels)).arg(expected)));
            const RocCurve curve = rocCurve(scores, labels);
            const auto fpr = doubles(o["fpr"].toArray());
            const auto tpr = doubles(o["tpr"].toArray());
            QCOMPARE(curve.fpr.size(), fpr.size());
            for (std::size_t i = 0; i < fpr.size(); ++i) {
                QVERIFY(std::abs(curve.fpr[i] - fpr[i]) < 1e-12);
                QVERIFY(std::abs(curve.tpr[i] - tpr[i]) < 1e-12);
            }
        }
    }

    void handComputedCases() {
        QCOMPARE(auroc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
        QCOMPARE(auroc({0.5, 0.5}, {0, 1}), 0.5);
        QVERIFY(std::isnan(auroc({0.2, 0.3}, {1, 1})));
        const auto m = binaryMetrics({0.9, 0.6, 0.4, 0.2, 0.7}, {1, 0, 1, 0, 1});
        QCOMPARE(m.accuracy, 0.6);
        QCOMPARE(m.sensitivity, 2.0 / 3.0);
        QCOMPARE(m.specificity, 0.5);
        const auto ms = meanStd({0.8, 0.9, 1.0});
        QVERIFY(std::abs(ms.mean - 0.9) < 1e-12);
        QVERIFY(std::abs(ms.std - 0.1) < 1e-12);
    }

    void interpolationOnACommonGrid() {
        const RocCurve c{{0.0, 0.0, 0.5, 1.0}, {0.0, 0.5, 1.0, 1.0}};
        const auto t = interpolateTpr(c, {0.0, 0.25, 0.5, 0.75, 1.0});
        QCOMPARE(t, (std::vector<double>{0.5, 0.75, 1.0, 1.0, 1.0}));
    }

    void bootstrapIntervalContainsTheEstimate() {
        std::vector<double> s;
        std::vector<int> l;
        for (int i = 0; i < 200; ++i) {
            l.push_back(i % 2);
            s.push_back(std::sin(i * 12.9898) * 0.5 + (i % 2) * 0.6);
        }
        const double a = auroc(s, l);
        const Interval ci = bootstrapAurocCi(s, l, 500, 0.95, 7);
        QVERIFY(ci.low < a && a < ci.high);
        QVERIFY(ci.high - ci.low > 0.02 && ci.high - ci.low < 0.3);
        const Interval again = bootstrapAurocCi(s, l, 500, 0.95, 7);
        QCOMPARE(again.low, ci.low);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "TestMetrics.moc"
