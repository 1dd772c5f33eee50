// The network of NETWORK.md: exact parameter count, C5 shapes, Stage 1 → Stage 2 head swap,
// and that it can learn (one batch over-fitted).
#include "breastmsc/ml/ResNet3d.h"

#include "TinyCohort.h"

#include <torch/torch.h>

#include <ATen/autocast_mode.h>

#include <QtTest>

using namespace bmsc::ml;
namespace F = torch::nn::functional;

namespace {

/// Same architecture, other input options: give `to` the weights of `from`.
void copyParameters(const torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard noGrad;
    const auto source = from.parameters();
    auto target = to.parameters();
    QCOMPARE(target.size(), source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        target[i].copy_(source[i]);
    }
}

}  // namespace

class TestResNet3d : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(1);
        torch::set_num_threads(2);
    }

    void parameterCountMatchesThePaper_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<qint64>("count");
        // NETWORK.md: 2,658,170 for width 18; the other widths show the count is sharp.
        QTest::newRow("18 (paper)") << 18 << qint64{2658170};
        QTest::newRow("16") << 16 << qint64{2103970};
        QTest::newRow("20") << 20 << qint64{3277082};
        QTest::newRow("24") << 24 << qint64{4709042};
        QTest::newRow("32") << 32 << qint64{8349506};
    }

    void parameterCountMatchesThePaper() {
        QFETCH(int, width);
        QFETCH(qint64, count);
        ResNet3dOptions options;
        options.width = width;
        BreastClassifier patch(options, HeadKind::Patch);
        QCOMPARE(parameterCount(*patch), count);
        BreastClassifier breast(options, HeadKind::WholeBreast);
        QCOMPARE(parameterCount(*breast), count);
    }

    void batchNormKeepsTheCountAndTakesSmallPatches() {
        ResNet3dOptions options;
        options.norm = NormKind::Batch;
        BreastClassifier model(options, HeadKind::Patch);
        QCOMPARE(parameterCount(*model), qint64{2658170});  // no affine parameters either way
        model->train();
        // A 32×32×4 patch ends as one C5 voxel, which the patch head takes as it is.
        const auto logits = model->forward(torch::randn({4, 6, 32, 32, 4}));
        QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{4, 2}));
        // Batch norm keeps each sample's level: different inputs give different logits
        // (instance norm of a one-voxel map would make them all equal).
        QVERIFY(!torch::allclose(logits[0], logits[1]));
    }

    void headStartsNearZeroLogits() {
        // NETWORK.md's Kaiming fan-out on the 144 → 2 head gives first logits of several units;
        // the fan-in head (default) starts near zero, i.e. a first loss near ln 2.
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({8, 6, 64, 64, 4});
        BreastClassifier fanIn(ResNet3dOptions{}, HeadKind::Patch);
        fanIn->eval();
        ResNet3dOptions paper;
        paper.headInit = HeadInit::KaimingFanOut;
        BreastClassifier fanOut(paper, HeadKind::Patch);
        fanOut->eval();
        const double small = fanIn->forward(x).abs().max().item<double>();
        const double large = fanOut->forward(x).abs().max().item<double>();
        QVERIFY2(small < 1.0, qPrintable(QString::number(small)));
        QVERIFY2(large > 2.0 * small, qPrintable(QString("%1 vs %2").arg(large).arg(small)));
    }

    void c5ShapesFollowTheStrides() {
        BreastClassifier model(ResNet3dOptions{}, HeadKind::Patch);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto patch = model->features(torch::randn({2, 6, 64, 64, 4}));
        QCOMPARE(patch.sizes().vec(), (std::vector<std::int64_t>{2, 144, 2, 2, 1}));
        QCOMPARE(model->forward(torch::randn({2, 6, 64, 64, 4})).sizes().vec(),
                 (std::vector<std::int64_t>{2, 2}));
        // A whole breast at the paper's size: 144 × 8×8×8.
        const auto breast = model->features(torch::randn({1, 6, 256, 256, 32}));
        QCOMPARE(breast.sizes().vec(), (std::vector<std::int64_t>{1, 144, 8, 8, 8}));
    }

    void stageTwoKeepsTheBackbone() {
        BreastClassifier model(ResNet3dOptions{}, HeadKind::Patch);
        const auto stemBefore = model->backbone()->parameters()[0].clone();
        const auto fcBefore = model->fc()->weight.clone();
        model->resetHead(HeadKind::WholeBreast);
        QVERIFY(torch::equal(model->backbone()->parameters()[0], stemBefore));
        QVERIFY(!torch::equal(model->fc()->weight, fcBefore));
        QCOMPARE(parameterCount(*model), qint64{2658170});
        model->eval();
        torch::NoGradGuard noGrad;
        const auto logits = model->forward(torch::randn({1, 6, 128, 128, 16}));
        QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{1, 2}));
    }

    void subtractionInputIsTheSameNetworkOnSubtractedPhases() {
        // InputKind::Subtractions is a fixed map of the input: with the same weights, the
        // network on phases equals the phase network on (pre, post − pre, T2) computed by hand.
        ResNet3dOptions options;
        options.width = 8;
        torch::manual_seed(3);
        BreastClassifier phases(options, HeadKind::Patch);
        options.input = InputKind::Subtractions;
        BreastClassifier subtractions(options, HeadKind::Patch);
        QCOMPARE(parameterCount(*subtractions), parameterCount(*phases));
        copyParameters(*phases, *subtractions);
        phases->eval();
        subtractions->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::rand({2, 6, 64, 64, 4});
        auto manual = x.clone();
        for (int c = 1; c <= 4; ++c) {
            manual.select(1, c) -= x.select(1, 0);
        }
        QVERIFY(torch::allclose(subtractions->forward(x), phases->forward(manual), 1e-5, 1e-6));
        QVERIFY(!torch::allclose(subtractions->forward(x), phases->forward(x), 1e-3, 1e-3));
    }

    void kineticsInputHoldsTheCurvesShape() {
        // InputKind::Kinetics: pre, post1 − pre, post2 − pre, post4 − pre, the relative washout
        // (post4 − post1)·e/(|e| + ε)² with e = post1 − pre, T2 — values checked on voxels
        // computed by hand: a washing-out lesion of strong and of weak uptake (the same relative
        // washout up to the guard), and a voxel that does not enhance (no washout signal).
        const float eps = static_cast<float>(kKineticsEpsilon);
        // Voxels along x: {pre, post1, post2, post3, post4, T2}.
        const std::vector<std::array<float, 6>> voxels{{0.3f, 0.8f, 0.75f, 0.7f, 0.6f, 0.2f},
                                                       {0.3f, 0.42f, 0.41f, 0.4f, 0.372f, 0.2f},
                                                       {0.3f, 0.3f, 0.31f, 0.32f, 0.33f, 0.9f}};
        auto x = torch::zeros({1, 6, 3, 1, 1});
        for (std::int64_t v = 0; v < 3; ++v) {
            for (std::int64_t c = 0; c < 6; ++c) {
                x.index_put_({0, c, v, 0, 0}, voxels[v][c]);
            }
        }
        const auto k = ResNet3dBackboneImpl::transformInput(InputKind::Kinetics, x);
        QCOMPARE(k.sizes().vec(), x.sizes().vec());
        for (std::int64_t v = 0; v < 3; ++v) {
            const auto& p = voxels[v];
            const float e = p[1] - p[0];
            const std::array<float, 6> expected{
                p[0],
                e,
                p[2] - p[0],
                p[4] - p[0],
                (p[4] - p[1]) * e / ((std::abs(e) + eps) * (std::abs(e) + eps)),
                p[5]};
            for (std::int64_t c = 0; c < 6; ++c) {
                QVERIFY(std::abs(k.index({0, c, v, 0, 0}).item<float>() - expected[c]) < 1e-5f);
            }
        }
        // Strong and weak uptake, both washing out by 25–40 % of it: both clearly negative,
        // the weak one not 4× smaller as its absolute washout is; no uptake: zero.
        const float strong = k.index({0, 4, 0, 0, 0}).item<float>();
        const float weak = k.index({0, 4, 1, 0, 0}).item<float>();
        QVERIFY(strong < -0.3f && weak < -0.1f);
        QVERIFY(weak / strong > 0.3f);
        QCOMPARE(k.index({0, 4, 2, 0, 0}).item<float>(), 0.0f);
        // A network on it keeps the parameter count of NETWORK.md.
        ResNet3dOptions options;
        options.input = InputKind::Kinetics;
        BreastClassifier model(options, HeadKind::WholeBreast);
        QCOMPARE(parameterCount(*model), qint64{2658170});
    }

    void channelScalingIsTheSameNetworkOnScaledInput() {
        // InputScaling::Channel multiplies each input channel (after the subtraction transform)
        // by a buffer: no parameters, and with the same weights the scaled network equals the
        // plain one on (pre, post − pre, T2) · scale computed by hand.
        ResNet3dOptions options;
        options.width = 8;
        options.input = InputKind::Subtractions;
        torch::manual_seed(4);
        BreastClassifier plain(options, HeadKind::Patch);
        options.inputScaling = InputScaling::Channel;
        BreastClassifier scaled(options, HeadKind::Patch);
        QCOMPARE(parameterCount(*scaled), parameterCount(*plain));
        copyParameters(*plain, *scaled);
        QVERIFY(scaled->named_buffers().contains("backbone.input_scale"));
        QVERIFY(!plain->named_buffers().contains("backbone.input_scale"));
        plain->eval();
        scaled->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::rand({2, 6, 64, 64, 4});
        // Ones by default: the same network.
        QVERIFY(torch::allclose(scaled->forward(x), plain->forward(x), 1e-6, 1e-7));
        const auto factors = torch::tensor({1.0f, 40.0f, 30.0f, 25.0f, 20.0f, 2.0f});
        scaled->backbone()->setInputScale(factors);
        auto manual = ResNet3dBackboneImpl::transformInput(InputKind::Subtractions, x);
        manual = manual * factors.reshape({1, 6, 1, 1, 1});
        options.input = InputKind::Phases;
        options.inputScaling = InputScaling::None;
        BreastClassifier phases(options, HeadKind::Patch);
        copyParameters(*plain, *phases);
        phases->eval();
        QVERIFY(torch::allclose(scaled->forward(x), phases->forward(manual), 1e-4, 1e-5));
        QVERIFY(!torch::allclose(scaled->forward(x), plain->forward(x), 1e-3, 1e-3));
        // Wrong count, zero or NaN factors, and a network built without the setting.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 scaled->backbone()->setInputScale(torch::ones({5})));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            scaled->backbone()->setInputScale(torch::tensor({1.f, 0.f, 1.f, 1.f, 1.f, 1.f})));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            scaled->backbone()->setInputScale(torch::tensor({1.f, NAN, 1.f, 1.f, 1.f, 1.f})));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 plain->backbone()->setInputScale(torch::ones({6})));
        QVERIFY(torch::equal(scaled->backbone()->inputScale().reshape({-1}), factors));
    }

    void keptHeadAveragesThePatchHeadOverTheBreast() {
        // Stage 2 with the Stage 1 head (stage2_head "stage1"): the weights stay, and the
        // whole-breast logit is the mean of the head over the C5 positions.
        BreastClassifier model(ResNet3dOptions{}, HeadKind::Patch);
        const auto fcBefore = model->fc()->weight.clone();
        model->keepHead(HeadKind::WholeBreast);
        QVERIFY(model->headKind() == HeadKind::WholeBreast);
        QVERIFY(torch::equal(model->fc()->weight, fcBefore));
        model->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 6, 128, 128, 16});
        const auto c5 = model->features(x);  // 1 × 144 × 4 × 4 × 4
        const auto perPosition = model->fc()->forward(c5);
        const auto expected = perPosition.mean({2, 3, 4});
        QVERIFY(torch::allclose(model->classify(c5), expected, 1e-5, 1e-6));
    }

    void tiledBreastIsItsPatchesPutTogether() {
        // breastTile: every C5 cell of the breast is the C5 map of the patch it lies in, as
        // Stage 1 saw it; the one-pass map differs (the cells see the breast around them).
        BreastClassifier model(bmsc::test::windowedNet({32, 32, 4}, BreastPool::Average),
                               HeadKind::Patch);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 6, 64, 96, 8});
        QCOMPARE(model->features(x).sizes().vec(), (std::vector<std::int64_t>{2, 64, 2, 3, 2}));
        const auto onePass = model->features(x);  // a patch head never tiles
        model->keepHead(HeadKind::WholeBreast);
        const auto tiled = model->features(x);
        QCOMPARE(tiled.sizes().vec(), (std::vector<std::int64_t>{2, 64, 2, 3, 2}));
        using torch::indexing::Slice;
        for (int i = 0; i < 2; ++i) {
            for (int j = 0; j < 3; ++j) {
                for (int k = 0; k < 2; ++k) {
                    const auto tile =
                        x.index({Slice(), Slice(), Slice(32 * i, 32 * i + 32),
                                 Slice(32 * j, 32 * j + 32), Slice(4 * k, 4 * k + 4)});
                    const auto cell = tiled.index(
                        {Slice(), Slice(), Slice(i, i + 1), Slice(j, j + 1), Slice(k, k + 1)});
                    QVERIFY(torch::allclose(cell, model->backbone()->forward(tile), 1e-4, 1e-5));
                }
            }
        }
        QVERIFY(!torch::allclose(tiled, onePass, 1e-2, 1e-2));
    }

    void peakFeaturesAreTheMapsMaximumOverEachCell() {
        // PeakFeatures::Stem: C5's channels as without it, then w more — the stem's output at
        // its maximum over each cell's input region; the backbone is the same, the head reads
        // w more inputs (w × 2 weights).
        ResNet3dOptions paper;
        paper.peakFeatures = PeakFeatures::C2;
        QCOMPARE(parameterCount(*BreastClassifier(paper, HeadKind::Patch)),
                 qint64{2658170 + 18 * 2});
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.peakFeatures = PeakFeatures::Stem;
        BreastClassifier model(options, HeadKind::WholeBreast);
        auto plainOptions = options;
        plainOptions.peakFeatures = PeakFeatures::None;
        BreastClassifier plain(plainOptions, HeadKind::WholeBreast);
        copyParameters(*model->backbone(), *plain->backbone());
        model->eval();
        plain->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 6, 48, 64, 8});
        const auto cells = model->features(x);  // windows 2 × 3 × 3
        QCOMPARE(cells.sizes().vec(), (std::vector<std::int64_t>{1, 9 * 8, 2, 3, 3}));
        using torch::indexing::Slice;
        QVERIFY(
            torch::allclose(cells.index({Slice(), Slice(0, 64)}), plain->features(x), 1e-5, 1e-6));
        // The stem by hand: convolution, batch norm at its initial running statistics (mean 0,
        // variance 1), leaky ReLU; its maximum over the window at (16, 32, 2).
        const auto weight = model->backbone()->named_parameters()["stem.0.weight"];
        const auto window = x.index({Slice(), Slice(), Slice(16, 48), Slice(32, 64), Slice(2, 6)});
        const auto stem = F::leaky_relu(
            F::conv3d(window, weight, F::Conv3dFuncOptions().stride({2, 2, 1}).padding(3)) /
                std::sqrt(1.0 + 1e-5),
            F::LeakyReLUFuncOptions().negative_slope(0.01));
        const auto expected = stem.amax({2, 3, 4}).flatten();
        const auto got = cells.index({0, Slice(64, 72), 1, 2, 1});
        QVERIFY2(
            torch::allclose(got, expected, 1e-4, 1e-5),
            qPrintable(
                QString("max difference %1").arg((got - expected).abs().max().item<double>())));
        // A one-pass breast (the patch head's path): one cell per C5 position, w peak channels
        // each (the shape only; the values are the window's, checked above), and an input of
        // no whole number of C5 positions refused.
        BreastClassifier patch(options, HeadKind::Patch);
        patch->eval();
        const auto whole =
            patch->features(x.index({Slice(), Slice(), Slice(0, 32), Slice(0, 64), Slice()}));
        QCOMPARE(whole.sizes().vec(), (std::vector<std::int64_t>{1, 72, 1, 2, 2}));
        const auto misfit = torch::randn({1, 6, 40, 64, 8});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, patch->features(misfit));
        // The logits read the peak: a head that weighs only the peak channels, for the
        // malignant class, gives their sum.
        const auto one = x.index({Slice(), Slice(), Slice(0, 32), Slice(0, 32), Slice(0, 4)});
        patch->fc()->weight.zero_();
        patch->fc()->weight.index_put_({1, Slice(64, 72)}, 1.0);
        const auto logits = patch->forward(one);
        QVERIFY(torch::allclose(logits[0][1] - patch->fc()->bias[1],
                                patch->features(one).index({0, Slice(64, 72)}).sum(), 1e-4, 1e-5));
    }

    void peakCurveIsTheInputAtTheMostEnhancingVoxel() {
        // peakCurve: C5's channels as without it, then the input's channels (transformed and
        // scaled as the backbone reads them) at the voxel of each cell's region where
        // post1 − pre is highest; the backbone is the same, the head reads C more inputs.
        ResNet3dOptions paper;
        paper.peakCurve = true;
        QCOMPARE(parameterCount(*BreastClassifier(paper, HeadKind::Patch)),
                 qint64{2658170 + 6 * 2});
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.input = InputKind::Subtractions;
        options.inputScaling = InputScaling::Channel;
        options.peakCurve = true;
        BreastClassifier model(options, HeadKind::WholeBreast);
        model->backbone()->setInputScale(torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 0.5}));
        auto plainOptions = options;
        plainOptions.peakCurve = false;
        BreastClassifier plain(plainOptions, HeadKind::WholeBreast);
        copyParameters(*model->backbone(), *plain->backbone());
        plain->backbone()->setInputScale(model->backbone()->inputScale());
        model->eval();
        plain->eval();
        torch::NoGradGuard noGrad;
        using torch::indexing::Slice;
        auto x = torch::rand({1, 6, 48, 64, 8});
        // The strongest uptake at (30, 50, 4): post1 well above pre there, and a curve of known
        // values (pre 1, subtractions 5, 4, 3, 2, T2 7).
        const std::vector<float> voxel{1.0F, 6.0F, 5.0F, 4.0F, 3.0F, 7.0F};
        for (std::int64_t c = 0; c < 6; ++c) {
            x.index_put_({0, c, 30, 50, 4}, voxel[static_cast<std::size_t>(c)]);
        }
        const auto cells = model->features(x);  // windows 2 × 3 × 3, from (16i, 16j, 2k)
        QCOMPARE(cells.sizes().vec(), (std::vector<std::int64_t>{1, 64 + 6, 2, 3, 3}));
        QVERIFY(
            torch::allclose(cells.index({Slice(), Slice(0, 64)}), plain->features(x), 1e-5, 1e-6));
        const auto scaled = torch::tensor({1.0F, 5.0F * 2, 4.0F * 3, 3.0F * 4, 2.0F * 5, 3.5F});
        // Windows holding the voxel: x from 16 (i = 1), y from 32 (j = 2), z from 2 (k = 1) or
        // 4 (k = 2).
        for (std::int64_t k : {1, 2}) {
            const auto got = cells.index({0, Slice(64, 70), 1, 2, k});
            QVERIFY2(torch::allclose(got, scaled, 1e-5, 1e-6), qPrintable(QString::number(k)));
        }
        // A window without it: the curve at its own most enhancing voxel, found by hand.
        const auto window = x.index({0, Slice(), Slice(0, 32), Slice(0, 32), Slice(0, 4)});
        const auto uptake = window[1] - window[0];
        const auto at = uptake.flatten().argmax().item<std::int64_t>();
        const auto i = at / (32 * 4), j = at / 4 % 32, l = at % 4;
        const auto v = window.index({Slice(), i, j, l});
        const auto expected = torch::cat({v.index({Slice(0, 1)}), v.index({Slice(1, 5)}) - v[0],
                                          v.index({Slice(5, 6)})}) *
                              model->backbone()->inputScale().flatten();
        QVERIFY(torch::allclose(cells.index({0, Slice(64, 70), 0, 0, 0}), expected, 1e-5, 1e-6));
        // A one-pass input (the patch head's path): one curve per C5 position (32 × 32 × 4
        // voxels); an input of no whole number of them refused.
        BreastClassifier patch(options, HeadKind::Patch);
        patch->backbone()->setInputScale(model->backbone()->inputScale());
        patch->eval();
        const auto whole =
            patch->features(x.index({Slice(), Slice(), Slice(0, 32), Slice(32, 64), Slice()}));
        QCOMPARE(whole.sizes().vec(), (std::vector<std::int64_t>{1, 70, 1, 1, 2}));
        QVERIFY(torch::allclose(whole.index({0, Slice(64, 70), 0, 0, 1}), scaled, 1e-5, 1e-6));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 patch->features(torch::rand({1, 6, 40, 64, 8})));
        // The logits read the curve: a head that weighs only the uptake at the peak.
        const auto one = x.index({Slice(), Slice(), Slice(16, 48), Slice(32, 64), Slice(4, 8)});
        patch->fc()->weight.zero_();
        patch->fc()->weight.index_put_({1, 65}, 1.0);
        const auto logits = patch->forward(one);
        QVERIFY(torch::allclose(logits[0][1] - patch->fc()->bias[1], scaled[1], 1e-5, 1e-6));
    }

    void maxPoolTakesTheMostMalignantCell() {
        // breastPool Max: the logits of the cell whose malignant − benign logit is largest,
        // with the gradient reaching the network through that cell only.
        auto options = bmsc::test::windowedNet({32, 32, 4}, BreastPool::Max);
        BreastClassifier model(options, HeadKind::WholeBreast);
        model->eval();
        const auto c5 = torch::randn({3, 64, 2, 2, 4});
        const auto perCell = model->fc()->forward(c5).flatten(2);  // 3 × 2 × 16
        const auto logits = model->classify(c5);
        QCOMPARE(logits.sizes().vec(), (std::vector<std::int64_t>{3, 2}));
        for (int n = 0; n < 3; ++n) {
            const auto margin = perCell[n][1] - perCell[n][0];
            const auto best = margin.argmax().item<std::int64_t>();
            QVERIFY(torch::allclose(logits[n], perCell[n].select(1, best)));
            QVERIFY(logits[n][1].item<double>() - logits[n][0].item<double>() >=
                    margin.max().item<double>() - 1e-6);
        }
        // Average (the paper) is the mean over the cells, a different number.
        options.breastPool = BreastPool::Average;
        BreastClassifier average(options, HeadKind::WholeBreast);
        average->fc()->weight.data().copy_(model->fc()->weight.data());
        average->fc()->bias.data().copy_(model->fc()->bias.data());
        QVERIFY(torch::allclose(average->classify(c5), perCell.mean(2), 1e-5, 1e-6));
        QVERIFY(!torch::allclose(average->classify(c5), logits, 1e-3, 1e-3));
        // One pass over the breast: cells of 2×2×1 C5 positions averaged (the (2,2,1) pool),
        // or with cellPool {1, 1, 1} (a 32×32×4 patch's C5 map) every position its own cell.
        options.breastTile = {0, 0, 0};
        options.breastStride = {0, 0, 0};
        options.breastPool = BreastPool::Max;
        for (const bool single : {false, true}) {
            options.cellPool = single ? std::array<std::int64_t, 3>{1, 1, 1}
                                      : std::array<std::int64_t, 3>{2, 2, 1};
            BreastClassifier onePass(options, HeadKind::WholeBreast);
            onePass->eval();
            const auto cells = single ? c5 : torch::avg_pool3d(c5, {2, 2, 1}, {2, 2, 1});
            const auto heads = onePass->fc()->forward(cells).flatten(2);
            QCOMPARE(heads.size(2), std::int64_t{single ? 16 : 4});
            QVERIFY(torch::allclose(onePass->cellLogits(c5), heads));
            QVERIFY(onePass->cellSize() == (single ? std::array<std::int64_t, 3>{32, 32, 4}
                                                   : std::array<std::int64_t, 3>{64, 64, 4}));
            const auto margin = heads.select(1, 1) - heads.select(1, 0);
            const auto out = onePass->classify(c5);
            for (int n = 0; n < 3; ++n) {
                QVERIFY(torch::allclose(
                    out[n], heads[n].select(1, margin[n].argmax().item<std::int64_t>())));
            }
        }
    }

    void directOneDnnConvolutionEqualsTheModule() {
        // convolve() sends dense fp32 CPU inference convolutions to oneDNN itself: the same
        // values as the module's own forward, for a strided block convolution, a 1×1×1
        // projection and a stride-1 one; with gradients (training) and under bf16 autocast it
        // leaves the module to the dispatcher.
        torch::manual_seed(3);
        for (const auto& [kernel, stride, padding] :
             {std::tuple<int, int, int>{3, 2, 1}, {1, 2, 0}, {3, 1, 1}}) {
            torch::nn::Conv3d c(torch::nn::Conv3dOptions(18, 36, kernel)
                                    .stride(stride)
                                    .padding(padding)
                                    .bias(false));
            const auto x = torch::randn({1, 18, 16, 16, 8});
            torch::Tensor direct, reference;
            {
                torch::NoGradGuard inference;
                direct = convolve(c, x);
                reference = c->forward(x);
            }
            QCOMPARE(direct.sizes(), reference.sizes());
            QVERIFY(torch::allclose(direct, reference, 1e-4, 1e-4));
            QVERIFY(!torch::equal(direct, reference));  // another kernel: not bit-identical
            // Training: the module's own path, gradients and all.
            const auto trained = convolve(c, x.clone().requires_grad_(true));
            QVERIFY(trained.requires_grad());
            QVERIFY(torch::equal(trained, c->forward(x)));
        }
        torch::nn::Conv3d c(torch::nn::Conv3dOptions(18, 36, 3).padding(1).bias(false));
        const auto x = torch::randn({1, 18, 16, 16, 8});
        torch::NoGradGuard inference;
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
        const auto underAutocast = convolve(c, x);
        at::autocast::set_cpu_enabled(false);
        at::autocast::clear_cache();
        QCOMPARE(underAutocast.scalar_type(), torch::kBFloat16);
    }

    void tapsThatReadOnlyPaddingAreCut() {
        // convolve() drops kernel taps that read only zero padding for every output — the
        // outer taps of an axis one voxel long, the first tap of a stride-2 axis two voxels
        // long — and gives the module's values and both gradients (the cut taps' is zero), in
        // training and in inference; where every tap reads data it cuts nothing.
        struct Case {
            std::vector<std::int64_t> shape;
            std::vector<std::int64_t> stride;
            bool cut;
        };
        const std::vector<Case> cases{
            {{4, 32, 1, 1, 1}, {1, 1, 1}, true},  {{4, 32, 2, 2, 1}, {1, 1, 1}, true},
            {{1, 32, 1, 3, 2}, {1, 1, 1}, true},  {{4, 32, 2, 2, 2}, {2, 2, 2}, true},
            {{2, 32, 2, 3, 5}, {2, 2, 2}, true},  {{4, 32, 4, 4, 2}, {2, 2, 2}, true},
            {{2, 32, 4, 4, 4}, {2, 2, 2}, false}, {{2, 32, 3, 2, 2}, {1, 1, 1}, false},
        };
        torch::manual_seed(4);
        for (const auto& k : cases) {
            torch::nn::Conv3d c(
                torch::nn::Conv3dOptions(32, 32, 3).stride(k.stride).padding(1).bias(false));
            const auto x = torch::randn(k.shape).requires_grad_(true);
            const auto y = convolve(c, x);
            const auto expected = c->forward(x);
            QCOMPARE(y.sizes(), expected.sizes());
            QVERIFY(torch::allclose(y, expected, 1e-5, 1e-5));
            bool narrowed = false;
            for (const auto& edge : y.grad_fn()->next_edges()) {
                // The cut is one autograd node (KernelTaps), whose backward fills one zero
                // kernel, not a chain of narrows with a zero tensor each.
                narrowed |=
                    edge.function && edge.function->name().find("KernelTaps") != std::string::npos;
            }
            QCOMPARE(narrowed, k.cut);
            const auto upstream = torch::randn_like(y);
            const auto grads = torch::autograd::grad({y}, {x, c->weight}, {upstream});
            const auto reference = torch::autograd::grad({expected}, {x, c->weight}, {upstream});
            QVERIFY(torch::allclose(grads[0], reference[0], 1e-5, 1e-5));
            QVERIFY(torch::allclose(grads[1], reference[1], 1e-5, 1e-5));
            QVERIFY(reference[1].abs().sum().item<double>() > 0.0);
            torch::NoGradGuard inference;
            QVERIFY(torch::allclose(convolve(c, x), expected, 1e-5, 1e-5));
        }
    }

    void slabConvolutionEqualsConv3d() {
        // convolveSlab() folds a thin input's slices into the channels of a 2D convolution:
        // the same values and both gradients as LibTorch's 3D convolution, for the c2 blocks of
        // a 64×64×4 patch, a stride-2 axis in z, the stem's 7×7×7 kernel over 4 and 3 slices
        // (taps that meet only padding), and a single slice.
        struct Case {
            std::vector<std::int64_t> shape, weight, stride, padding;
        };
        const std::vector<Case> cases{
            {{2, 5, 16, 16, 4}, {7, 5, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}},
            {{2, 5, 17, 16, 3}, {4, 5, 3, 3, 3}, {2, 2, 2}, {1, 1, 1}},
            {{2, 6, 32, 32, 4}, {8, 6, 7, 7, 7}, {2, 2, 1}, {3, 3, 3}},
            {{1, 6, 21, 18, 3}, {8, 6, 7, 7, 7}, {2, 2, 1}, {3, 3, 3}},
            {{3, 4, 16, 16, 1}, {5, 4, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}},
        };
        torch::manual_seed(6);
        for (const auto& k : cases) {
            const auto x = torch::randn(k.shape).requires_grad_(true);
            const auto w = torch::randn(k.weight).mul_(0.1).requires_grad_(true);
            const auto y = convolveSlab(x, w, k.stride, k.padding);
            const auto expected = at::conv3d(x, w, torch::Tensor(), k.stride, k.padding);
            QCOMPARE(y.sizes(), expected.sizes());
            QVERIFY(y.is_contiguous());
            QVERIFY(torch::allclose(y, expected, 1e-5, 1e-5));
            const auto upstream = torch::randn_like(y);
            const auto grads = torch::autograd::grad({y}, {x, w}, {upstream});
            const auto reference = torch::autograd::grad({expected}, {x, w}, {upstream});
            QVERIFY(torch::allclose(grads[0], reference[0], 1e-4, 1e-5));
            QVERIFY(torch::allclose(grads[1], reference[1], 1e-4, 1e-4));
            QVERIFY(reference[1].abs().sum().item<double>() > 0.0);
        }
        // Where it is used: thin inputs of the paper patch's size (not the demo patch's),
        // kernels deeper than one tap, fp32 without autocast.
        const auto w3 = torch::zeros({18, 18, 3, 3, 3});
        const std::vector<std::int64_t> one{1, 1, 1}, two{2, 2, 2};
        QVERIFY(slabPays(torch::zeros({4, 18, 16, 16, 4}), w3, one, one));
        QVERIFY(!slabPays(torch::zeros({4, 18, 16, 16, 8}), w3, one, one));
        QVERIFY(!slabPays(torch::zeros({4, 18, 8, 8, 4}), w3, one, one));
        const auto stem = torch::zeros({18, 6, 7, 7, 7});
        const std::vector<std::int64_t> stemStride{2, 2, 1}, stemPadding{3, 3, 3};
        QVERIFY(slabPays(torch::zeros({4, 6, 64, 64, 4}), stem, stemStride, stemPadding));
        QVERIFY(!slabPays(torch::zeros({4, 6, 32, 32, 4}), stem, stemStride, stemPadding));
        QVERIFY(!slabPays(torch::zeros({4, 18, 16, 16, 4}), w3, two, one));
        QVERIFY(!slabPays(torch::zeros({4, 18, 16, 16, 4}), torch::zeros({18, 18, 1, 1, 1}), one,
                          std::vector<std::int64_t>{0, 0, 0}));
        QVERIFY(!slabPays(torch::zeros({4, 18, 16, 16, 4}, torch::kDouble), w3.to(torch::kDouble),
                          one, one));
        // And convolve() takes it there: the module's values and gradients.
        torch::nn::Conv3d c(torch::nn::Conv3dOptions(18, 18, 3).padding(1).bias(false));
        const auto x = torch::randn({4, 18, 16, 16, 4}).requires_grad_(true);
        const auto y = convolve(c, x);
        QVERIFY(torch::allclose(y, c->forward(x), 1e-5, 1e-5));
        const auto grads = torch::autograd::grad({y.sum()}, {x, c->weight});
        const auto expected = torch::autograd::grad({c->forward(x).sum()}, {x, c->weight});
        QVERIFY(torch::allclose(grads[0], expected[0], 1e-4, 1e-5));
        QVERIFY(torch::allclose(grads[1], expected[1], 1e-4, 1e-4));
    }

    void stemWeightGradientByCorrelationEqualsAutograd() {
        // convolveStem() computes the stem's weight gradient as a correlation of input and
        // output gradient: the same forward values and the same gradient as the module under
        // autograd, for the stem's own shape and stride, for odd sizes where the last strided
        // tap leaves input voxels unused, and for patches a few slices deep (Z ≤ 4), whose
        // correlation stacks the output slices as channels.
        torch::manual_seed(5);
        for (const auto& shape : {std::vector<std::int64_t>{2, 6, 32, 32, 8},
                                  std::vector<std::int64_t>{3, 6, 21, 18, 5},
                                  std::vector<std::int64_t>{2, 6, 32, 32, 4},
                                  std::vector<std::int64_t>{3, 6, 21, 18, 3},
                                  std::vector<std::int64_t>{2, 6, 16, 16, 1}}) {
            torch::nn::Conv3d c(
                torch::nn::Conv3dOptions(6, 16, 7).stride({2, 2, 1}).padding(3).bias(false));
            const auto x = torch::randn(shape);
            const auto upstream = torch::randn_like(c->forward(x));

            const auto y = convolveStem(c, x);
            QVERIFY(y.requires_grad());
            QVERIFY(y.grad_fn()->name().find("StemConvolution") != std::string::npos);
            QVERIFY(torch::allclose(y, c->forward(x), 1e-5, 1e-5));
            const auto fast = torch::autograd::grad({y}, {c->weight}, {upstream})[0];
            const auto reference =
                torch::autograd::grad({c->forward(x)}, {c->weight}, {upstream})[0];
            QCOMPARE(fast.sizes(), c->weight.sizes());
            const double scale = reference.abs().max().item<double>();
            QVERIFY(scale > 1.0);
            QVERIFY2((fast - reference).abs().max().item<double>() < 1e-5 * scale,
                     "weight gradient differs from autograd's");
        }
        // An input that needs its own gradient takes the module's path: both gradients.
        torch::nn::Conv3d c(
            torch::nn::Conv3dOptions(6, 16, 7).stride({2, 2, 1}).padding(3).bias(false));
        const auto x = torch::randn({1, 6, 16, 16, 4}).requires_grad_(true);
        const auto y = convolveStem(c, x);
        QVERIFY(y.grad_fn()->name().find("StemConvolution") == std::string::npos);
        const auto grads = torch::autograd::grad({y.sum()}, {x, c->weight});
        const auto expected = torch::autograd::grad({c->forward(x).sum()}, {x, c->weight});
        QVERIFY(torch::allclose(grads[0], expected[0]));
        QVERIFY(torch::allclose(grads[1], expected[1]));
    }

    void overfitsOneBatch() {
        torch::manual_seed(7);  // its own draw, whatever the tests before it used
        ResNet3dOptions options;
        options.width = 8;
        BreastClassifier model(options, HeadKind::Patch);
        torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
        const auto x = torch::randn({4, 6, 64, 64, 4});
        const auto y = torch::tensor({0, 1, 0, 1}, torch::kLong);
        double first = 0.0;
        double last = 0.0;
        for (int step = 0; step < 30; ++step) {
            adam.zero_grad();
            const auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
            loss.backward();
            adam.step();
            (step == 0 ? first : last) = loss.item<double>();
        }
        QVERIFY2(last < 0.05 && last < first / 10.0,
                 qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    }
};

QTEST_GUILESS_MAIN(TestResNet3d)
#include "TestResNet3d.moc"
