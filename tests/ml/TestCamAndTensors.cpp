// Volume ↔ tensor layout (z last) and class activation maps that explain the logits exactly.
#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/ClassActivationMap.h"
#include "breastmsc/ml/TensorConversion.h"

#include "TinyCohort.h"

#include <torch/torch.h>

#include <QtTest>

using namespace bmsc;
using namespace bmsc::ml;
using Triple = std::array<std::int64_t, 3>;

class TestCamAndTensors : public QObject {
    Q_OBJECT

    static void peakRows() {
        QTest::addColumn<bool>("peak");
        QTest::addColumn<bool>("curve");
        QTest::newRow("C5") << false << false;
        QTest::newRow("C5 and the stem's peak") << true << false;
        QTest::newRow("C5, the stem's peak and the curve there") << true << true;
    }

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(3); }

    void tensorLayoutIsXyzWithZLast() {
        io::Geometry g;
        g.size = {5, 4, 3};
        std::vector<io::Volume> channels;
        for (int c = 0; c < 2; ++c) {
            io::Volume v(g);
            for (std::int64_t k = 0; k < 3; ++k) {
                for (std::int64_t j = 0; j < 4; ++j) {
                    for (std::int64_t i = 0; i < 5; ++i) {
                        v.at(i, j, k) = static_cast<float>(1000 * c + 100 * i + 10 * j + k);
                    }
                }
            }
            channels.push_back(std::move(v));
        }
        const auto t = toTensor(channels);
        QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{2, 5, 4, 3}));
        QCOMPARE(t[1][4][3][2].item<float>(), 1432.0f);
        QCOMPARE(t[0][2][1][0].item<float>(), 210.0f);
        QVERIFY(t.is_contiguous());
        QCOMPARE(t.stride(3), std::int64_t{1});  // z is the fastest axis
        const io::Volume back = toVolume(t[1], g);
        QVERIFY(
            std::equal(back.voxels().begin(), back.voxels().end(), channels[1].voxels().begin()));
    }

    // Each CAM test also runs with the head reading the stem's peak (peak_features "stem") and
    // the curve at the peak (peak_curve): the map must explain the logits with the extra
    // channels as it does with C5 alone.
    void camExplainsTheLogitDifference_data() { peakRows(); }
    void camExplainsTheLogitDifference() {
        QFETCH(bool, peak);
        QFETCH(bool, curve);
        ResNet3dOptions options;
        options.width = 8;
        options.peakFeatures = peak ? PeakFeatures::Stem : PeakFeatures::None;
        options.peakCurve = curve;
        BreastClassifier model(options, HeadKind::WholeBreast);
        // A non-zero head bias, so that the test also covers the bias term.
        {
            torch::NoGradGuard g;
            model->fc()->bias.copy_(torch::tensor({0.3f, -0.2f}));
        }
        const auto input = torch::randn({1, 6, 128, 128, 16});
        const ActivationMap cam = classActivationMap(model, input);
        QCOMPARE(cam.map.sizes().vec(), (std::vector<std::int64_t>{128, 128, 16}));
        QCOMPARE(cam.coarse.sizes().vec(), (std::vector<std::int64_t>{4, 4, 4}));
        torch::NoGradGuard noGrad;
        const auto logits = model->forward(input);
        const double difference = (logits[0][1] - logits[0][0]).item<double>();
        QVERIFY2(
            std::abs(cam.coarse.mean().item<double>() - difference) < 1e-4,
            qPrintable(QString("%1 vs %2").arg(cam.coarse.mean().item<double>()).arg(difference)));
        const double p = torch::softmax(logits, 1)[0][1].item<double>();
        QVERIFY(std::abs(cam.malignancy - p) < 1e-6);
        // Upsampling keeps the mean (each coarse cell covers 32×32×4 fine voxels).
        QVERIFY(std::abs(cam.map.mean().item<double>() - difference) < 1e-3);
    }

    void windowedCamIsTheLesionHeadOnEachWindow_data() { peakRows(); }
    void windowedCamIsTheLesionHeadOnEachWindow() {
        // breast_pass "windows" with breast_pool "max": a cell per 32×32×4 window (stride
        // 16×16×2), each the Stage 1 head on that window; the breast logit is the top cell.
        QFETCH(bool, peak);
        QFETCH(bool, curve);
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.peakFeatures = peak ? PeakFeatures::Stem : PeakFeatures::None;
        options.peakCurve = curve;
        BreastClassifier model(options, HeadKind::Patch);
        QCOMPARE(model->fc()->weight.size(1),
                 std::int64_t{8 * 8 + (peak ? 8 : 0) + (curve ? 6 : 0)});
        model->eval();
        const auto input = torch::randn({1, 6, 64, 64, 16});
        torch::Tensor perWindow = torch::empty({3, 3, 7});
        {
            torch::NoGradGuard noGrad;
            using torch::indexing::Slice;
            for (int i = 0; i < 3; ++i) {
                for (int j = 0; j < 3; ++j) {
                    for (int k = 0; k < 7; ++k) {
                        const auto l = model->forward(
                            input.index({Slice(), Slice(), Slice(16 * i, 16 * i + 32),
                                         Slice(16 * j, 16 * j + 32), Slice(2 * k, 2 * k + 4)}));
                        perWindow[i][j][k] = (l[0][1] - l[0][0]).item<float>();
                    }
                }
            }
        }
        model->keepHead(HeadKind::WholeBreast);
        const ActivationMap cam = classActivationMap(model, input);
        QCOMPARE(cam.coarse.sizes().vec(), (std::vector<std::int64_t>{3, 3, 7}));
        QVERIFY(torch::allclose(cam.coarse, perWindow, 1e-4, 1e-4));
        torch::NoGradGuard noGrad;
        const auto logits = model->forward(input);
        QVERIFY(std::abs((logits[0][1] - logits[0][0]).item<double>() -
                         perWindow.max().item<double>()) < 1e-4);
        // On the breast grid: the corner windows' values at the corners (beyond the outermost
        // centres the nearest centre holds), and nothing outside the cells' range.
        QCOMPARE(cam.map.sizes().vec(), (std::vector<std::int64_t>{64, 64, 16}));
        QVERIFY(std::abs(cam.map[0][0][0].item<double>() - perWindow[0][0][0].item<double>()) <
                1e-5);
        QVERIFY(std::abs(cam.map[63][63][15].item<double>() - perWindow[2][2][6].item<double>()) <
                1e-5);
        QVERIFY(cam.map.max().item<double>() <= perWindow.max().item<double>() + 1e-5);
        QVERIFY(cam.map.min().item<double>() >= perWindow.min().item<double>() - 1e-5);

        // A denser CAM lattice (windows every 8 × 8 × 1): the same logits and coarse cells, a
        // map between the values of windows the training lattice skips; its own stride given
        // explicitly is the default map.
        const Triple dense{8, 8, 1};
        QCOMPARE(denseCamStride(model->options(), {64, 64, 16}), dense);
        QCOMPARE(denseCamStride(model->options(), {64, 64, 3}), (Triple{8, 8, 2}));
        QCOMPARE(denseCamStride(model->options(), {60, 64, 16}), (Triple{16, 8, 1}));
        QVERIFY(torch::equal(classActivationMap(model, input, 1, {16, 16, 2}).map, cam.map));
        const ActivationMap fine = classActivationMap(model, input, 1, dense);
        QVERIFY(torch::equal(fine.coarse, cam.coarse));
        QCOMPARE(fine.malignancy, cam.malignancy);
        QCOMPARE(fine.map.sizes().vec(), cam.map.sizes().vec());
        QVERIFY(!torch::allclose(fine.map, cam.map, 1e-3, 1e-3));
        auto denseWindows = torch::zeros({5, 5, 13});
        {
            torch::NoGradGuard noGrad;
            using torch::indexing::Slice;
            for (int i = 0; i < 5; ++i) {
                for (int j = 0; j < 5; ++j) {
                    const auto l =
                        model->features(input.index({Slice(), Slice(), Slice(8 * i, 8 * i + 32),
                                                     Slice(8 * j, 8 * j + 32), Slice()}),
                                        {32, 32, 1});
                    const auto logits = model->cellLogits(l);  // (1, 2, 13) over z
                    denseWindows[i][j] = (logits[0][1] - logits[0][0]);
                }
            }
        }
        QVERIFY(std::abs(fine.map[0][0][0].item<double>() - denseWindows[0][0][0].item<double>()) <
                1e-5);
        QVERIFY(std::abs(fine.map[63][0][15].item<double>() -
                         denseWindows[4][0][12].item<double>()) < 1e-5);
        QVERIFY(fine.map.max().item<double>() <= denseWindows.max().item<double>() + 1e-5);
        QVERIFY(fine.map.min().item<double>() >= denseWindows.min().item<double>() - 1e-5);
        QVERIFY(denseWindows.max().item<double>() >= perWindow.max().item<double>() - 1e-5);
    }

    void windowedCamKnowsTheMargin() {
        // A margin of 8 × 8 × 1 (ResNet3dOptions::breastMargin): 4 × 4 × 8 windows, the first
        // centred at voxel 8 in-plane, not 16; the map is linear between the centres where
        // they lie.
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.breastMargin = {8, 8, 1};
        BreastClassifier model(options, HeadKind::Patch);
        model->eval();
        const auto input = torch::randn({1, 6, 64, 64, 16});
        double corner = 0;  // the window at (−8, 40, −1), zero beyond the breast, run alone
        {
            torch::NoGradGuard noGrad;
            const auto l =
                model->forward(extractPatch(input[0], {-8, 40, -1}, {32, 32, 4}).unsqueeze(0));
            corner = (l[0][1] - l[0][0]).item<double>();
        }
        model->keepHead(HeadKind::WholeBreast);
        const ActivationMap cam = classActivationMap(model, input);
        QCOMPARE(cam.coarse.sizes().vec(), (std::vector<std::int64_t>{4, 4, 8}));
        QVERIFY(std::abs(corner - cam.coarse[0][3][0].item<double>()) < 1e-4);
        // Voxel 20 (centre 20.5) lies 12.5/16 of the way from window 0's centre (8) to window
        // 1's (24); voxel 0 and slice 0 are before the first centres, which hold there.
        const auto c = cam.coarse;
        const double u = 12.5 / 16.0;
        const double expected = (1 - u) * c[0][0][0].item<double>() + u * c[1][0][0].item<double>();
        QVERIFY(std::abs(cam.map[20][0][0].item<double>() - expected) < 1e-4);
        QVERIFY(std::abs(cam.map[0][0][0].item<double>() - c[0][0][0].item<double>()) < 1e-5);
        QVERIFY(std::abs(cam.map[63][63][15].item<double>() - c[3][3][7].item<double>()) < 1e-5);
        // The dense lattice keeps the margin: 2 × 8 + 64 − 32 = 48 is a multiple of 8.
        QCOMPARE(denseCamStride(model->options(), {64, 64, 16}), (Triple{8, 8, 1}));
        // Its first window is the training lattice's, at (−8, −8, −1): the same corner value.
        const auto fine = classActivationMap(model, input, 1, {8, 8, 1}).map;
        QVERIFY(std::abs(fine[0][0][0].item<double>() - c[0][0][0].item<double>()) < 1e-5);
        QVERIFY(!torch::allclose(fine, cam.map, 1e-3, 1e-3));
    }
};

QTEST_GUILESS_MAIN(TestCamAndTensors)
#include "TestCamAndTensors.moc"
