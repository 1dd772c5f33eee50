// Stage 1 patch rules (offset bounds, labels, zero padding, background patches and hard
// negatives), epoch order, class balancing and the prefetching batch loader.
#include "breastmsc/ml/BatchLoader.h"
#include "breastmsc/ml/TrainingData.h"

#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <thread>

using namespace bmsc;
using namespace bmsc::ml;

class TestPatchSampling : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void offsetsStayWithinAQuarterPatch() {
        const Triple patch{64, 64, 4}, volume{128, 128, 16};
        const std::array<double, 3> lesion{60.4, 70.6, 7.2};  // rounds to (60, 71, 7)
        std::mt19937_64 rng(3);
        std::set<std::int64_t> seenX, seenZ;
        for (int i = 0; i < 2000; ++i) {
            const auto o = lesionPatchOrigin(lesion, patch, volume, &rng);
            const std::int64_t cx = o[0] + 32, cy = o[1] + 32, cz = o[2] + 2;
            QVERIFY(std::abs(cx - 60) <= 16);
            QVERIFY(std::abs(cy - 71) <= 16);
            QVERIFY(std::abs(cz - 7) <= 1);
            QVERIFY(insidePatch(lesion, o, patch));
            seenX.insert(cx - 60);
            seenZ.insert(cz - 7);
        }
        // Uniform over the whole range: every offset appears.
        QCOMPARE(seenX.size(), std::size_t(33));
        QCOMPARE(seenZ.size(), std::size_t(3));
        // Without a generator (evaluation) the patch is centred.
        const auto c = lesionPatchOrigin(lesion, patch, volume, nullptr);
        QCOMPARE(c, (Triple{28, 39, 5}));
    }

    void borderLesionsArePaddedWithZeros() {
        const Triple patch{64, 64, 4}, volume{64, 64, 16};
        auto t = torch::ones({2, 64, 64, 16});
        const std::array<double, 3> lesion{1.0, 62.0, 0.0};
        std::mt19937_64 rng(5);
        for (int i = 0; i < 200; ++i) {
            const auto o = lesionPatchOrigin(lesion, patch, volume, &rng);
            // The centre is clipped into the volume, the lesion stays inside the patch.
            QVERIFY(o[0] + 32 >= 0 && o[0] + 32 < 64);
            QVERIFY(o[2] + 2 >= 0 && o[2] + 2 < 16);
            QVERIFY(insidePatch(lesion, o, patch));
            const auto p = extractPatch(t, o, patch);
            QCOMPARE(p.sizes().vec(), (std::vector<std::int64_t>{2, 64, 64, 4}));
            // Exactly the voxels inside the volume are ones.
            std::int64_t inside = 1;
            for (int d = 0; d < 3; ++d) {
                const auto lo = std::max<std::int64_t>(0, o[d]);
                const auto hi = std::min<std::int64_t>(volume[d], o[d] + patch[d]);
                inside *= std::max<std::int64_t>(0, hi - lo);
            }
            QCOMPARE(p.sum().item<double>(), 2.0 * static_cast<double>(inside));
        }
    }

    void borderLesionsCanBeMovedInside() {
        // "patch_border": "shift": the same jittered patch moved into the breast, so no patch
        // reaches past it; a lesion away from the edge gets the very same patch.
        const Triple patch{32, 32, 4}, volume{96, 96, 24};
        const std::array<double, 3> edge{90.0, 93.0, 0.0}, middle{48.0, 40.0, 12.0};
        std::mt19937_64 a(7), b(7);
        std::set<std::int64_t> edgeOffsets;
        bool padded = false;
        for (int i = 0; i < 500; ++i) {
            const auto pad = lesionPatchOrigin(edge, patch, volume, &a, 0.25, false);
            const auto moved = lesionPatchOrigin(edge, patch, volume, &b, 0.25, true);
            for (int d = 0; d < 3; ++d) {
                QVERIFY(moved[d] >= 0 && moved[d] + patch[d] <= volume[d]);
                padded = padded || pad[d] < 0 || pad[d] + patch[d] > volume[d];
            }
            QVERIFY(insidePatch(edge, moved, patch));
            QCOMPARE(moved, (Triple{64, 64, 0}));  // the last window's place on both axes
            edgeOffsets.insert(93 - pad[1]);
        }
        QVERIFY(padded);                       // the authors' rule reaches past the breast here
        QVERIFY(*edgeOffsets.rbegin() <= 24);  // and keeps the lesion near the centre
        for (int i = 0; i < 200; ++i) {
            QCOMPARE(lesionPatchOrigin(middle, patch, volume, &a, 0.25, true),
                     lesionPatchOrigin(middle, patch, volume, &b, 0.25, false));
        }
        // A patch larger than the volume on an axis stays padded there.
        QCOMPARE(lesionPatchOrigin({5.0, 5.0, 1.0}, {32, 32, 4}, {16, 64, 2}, nullptr, 0.25, true),
                 (Triple{-11, 0, -1}));
    }

    void labelIsMalignantIfAMalignantCentreIsInside() {
        std::vector<BreastLesion> lesions(2);
        lesions[0].index = {10, 10, 2};
        lesions[0].label = io::Label::Benign;
        lesions[1].index = {50, 10, 2};
        lesions[1].label = io::Label::Malignant;
        const Triple patch{32, 32, 4};
        QCOMPARE(patchLabel(lesions, {0, 0, 0}, patch), 0);   // only the benign one
        QCOMPARE(patchLabel(lesions, {30, 0, 0}, patch), 1);  // only the malignant one
        QCOMPARE(patchLabel(lesions, {20, 0, 0}, patch), 1);  // [20, 52): both
        QCOMPARE(patchLabel(lesions, {51, 0, 0}, patch), 0);  // just past it
        QCOMPARE(patchLabel(lesions, {30, 0, 3}, patch), 0);  // z 3..6 misses z = 2
    }

    void cellTargetsMarkTheCellsOfMalignantCentres() {
        // A 64×64×16 demo breast in cells of 64×64×4 (the (2,2,1) pool) and of 32×32×4.
        std::vector<BreastLesion> lesions(3);
        lesions[0].index = {10, 12, 5};  // malignant, cell (0, 0, 1) of 32×32×4
        lesions[0].label = io::Label::Malignant;
        lesions[1].index = {50, 40, 13.6};  // benign: never a target
        lesions[1].label = io::Label::Benign;
        lesions[2].index = {40.4, 20, 15.4};  // malignant; z rounds to 15, the last slab
        lesions[2].label = io::Label::Malignant;
        const Triple size{64, 64, 16};
        const auto slabs = cellTargets(lesions, size, {64, 64, 4}, {});
        QCOMPARE(slabs.sizes().vec(), (std::vector<std::int64_t>{4}));
        QCOMPARE(slabs.scalar_type(), torch::kInt64);
        QVERIFY(torch::equal(slabs, torch::tensor({0, 1, 0, 1}, torch::kInt64)));
        const auto cells = cellTargets(lesions, size, {32, 32, 4}, {});
        QCOMPARE(cells.size(0), std::int64_t{16});
        // x slowest, z fastest: (0, 0, 1) → 1; (1, 0, 3) → (1·2 + 0)·4 + 3 = 11.
        auto expected = torch::zeros({16}, torch::kInt64);
        expected[1] = 1;
        expected[11] = 1;
        QVERIFY(torch::equal(cells, expected));
        // Mirrored left–right, as the item is: x → 63 − x moves both to the other column.
        AugmentationDraw mirror;
        mirror.flipX = true;
        expected.zero_();
        expected[(1 * 2 + 0) * 4 + 1] = 1;
        expected[(0 * 2 + 0) * 4 + 3] = 1;
        QVERIFY(torch::equal(cellTargets(lesions, size, {32, 32, 4}, mirror), expected));
        // A quarter turn about the centre (31.5, 31.5): (10, 12) → (51, 10), still cell x 1.
        AugmentationDraw quarter;
        quarter.angleRadians = M_PI / 2;
        const auto turned = augmentedPoint(quarter, 64, 64, {10, 12});
        QVERIFY(std::abs(turned[0] - 51.0) < 1e-9 && std::abs(turned[1] - 10.0) < 1e-9);
        // Scaled up, a centre near the border leaves the breast: no target.
        AugmentationDraw zoom;
        zoom.scale = 4.0;
        QVERIFY(torch::equal(cellTargets({lesions[0]}, size, {32, 32, 4}, zoom),
                             torch::zeros({16}, torch::kInt64)));
        // The pool's cells drop a partial last cell: a breast 80 wide has two 32-wide columns.
        std::vector<BreastLesion> edge(1);
        edge[0].index = {70, 5, 0};
        edge[0].label = io::Label::Malignant;
        QCOMPARE(cellTargets(edge, {80, 64, 16}, {32, 32, 4}, {}).sum().item<std::int64_t>(),
                 std::int64_t{0});
    }

    void backgroundPatchesHoldNoLesion() {
        std::vector<BreastLesion> lesions(1);
        lesions[0].index = {40, 40, 8};
        const Triple patch{32, 32, 4}, volume{64, 64, 16};
        std::mt19937_64 rng(9);
        for (int i = 0; i < 100; ++i) {
            const auto o = backgroundPatchOrigin(lesions, patch, volume, rng);
            QVERIFY(o.has_value());
            QVERIFY(!insidePatch(lesions[0].index, *o, patch));
            for (int d = 0; d < 3; ++d) {
                QVERIFY((*o)[d] >= 0 && (*o)[d] + patch[d] <= volume[d]);
            }
        }
        // A lesion in every possible patch: no background patch exists.
        std::vector<BreastLesion> crowded(1);
        crowded[0].index = {16, 16, 2};
        QVERIFY(!backgroundPatchOrigin(crowded, patch, Triple{32, 32, 4}, rng).has_value());
    }

    void hardNegativesFavourEnhancingBackground() {
        std::vector<BreastLesion> lesions(1);
        lesions[0].index = {56, 56, 14};
        const Triple patch{32, 32, 4}, volume{64, 64, 16};
        auto v = torch::zeros({6, volume[0], volume[1], volume[2]});
        // An enhancing spot (a vessel, say: post1 − pre = 5), and a brighter one that is as
        // bright before contrast (fat: post1 − pre = 0), placed so that a uniform patch holds
        // either equally often (about 8 %).
        const std::array<double, 3> vessel{16, 16, 6}, fat{48, 16, 6};
        v.index_put_({1, 16, 16, 6}, 5.0F);
        v.index_put_({0, 48, 16, 6}, 6.0F);
        v.index_put_({1, 48, 16, 6}, 6.0F);
        // One candidate is the uniform draw itself, from the same random numbers.
        std::mt19937_64 a(21), b(21);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(enhancingBackgroundOrigin(v, lesions, patch, a, 1),
                     backgroundPatchOrigin(lesions, patch, volume, b));
        }
        int uniformHits = 0, hardHits = 0, hardFat = 0;
        std::mt19937_64 rng(5);
        for (int i = 0; i < 400; ++i) {
            const auto u = enhancingBackgroundOrigin(v, lesions, patch, rng, 1);
            const auto h = enhancingBackgroundOrigin(v, lesions, patch, rng, 8);
            QVERIFY(u && h);
            QVERIFY(!insidePatch(lesions[0].index, *h, patch));
            uniformHits += insidePatch(vessel, *u, patch) ? 1 : 0;
            hardHits += insidePatch(vessel, *h, patch) ? 1 : 0;
            hardFat += insidePatch(fat, *h, patch) && !insidePatch(vessel, *h, patch) ? 1 : 0;
        }
        // Expected: uniform ≈ 33 of 400; the best of 8 ≈ 200 (1 − 0.92⁸); fat only by chance.
        const auto counts = QString("vessel %1 of 400 (uniform %2), fat %3")
                                .arg(hardHits)
                                .arg(uniformHits)
                                .arg(hardFat);
        QVERIFY2(uniformHits < 60, qPrintable(counts));
        QVERIFY2(hardHits > 140 && hardHits > 3 * uniformHits, qPrintable(counts));
        QVERIFY2(hardFat < 60, qPrintable(counts));
        // Nowhere to put a background patch: no origin, as for the uniform draw.
        std::vector<BreastLesion> crowded(1);
        crowded[0].index = {16, 16, 2};
        QVERIFY(!enhancingBackgroundOrigin(torch::zeros({6, 32, 32, 4}), crowded, patch, rng, 8)
                     .has_value());
    }

    void epochOrderShufflesAndBalances() {
        std::vector<Sample> samples(10);
        for (std::size_t i = 0; i < samples.size(); ++i) {
            samples[i].breast = i;
            samples[i].target = i < 2 ? 1 : 0;  // 2 positives, 8 negatives
        }
        const auto a = epochOrder(samples, false, 7);
        const auto b = epochOrder(samples, false, 7);
        const auto c = epochOrder(samples, false, 8);
        std::multiset<std::size_t> ids;
        bool same = true, differs = false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            ids.insert(a[i].breast);
            same = same && a[i].breast == b[i].breast;
            differs = differs || a[i].breast != c[i].breast;
        }
        QVERIFY(same);
        QVERIFY(differs);
        QCOMPARE(ids.size(), std::size_t(10));
        QCOMPARE(std::set<std::size_t>(ids.begin(), ids.end()).size(), std::size_t(10));
        const auto balanced = epochOrder(samples, true, 7);
        QCOMPARE(balanced.size(), samples.size());
        int positives = 0;
        for (const auto& s : balanced) {
            positives += s.target;
        }
        QCOMPARE(positives, 5);
    }

    void weightedOrderFavoursHardSamples() {
        // Sample 3's loss is 9 times the others': with half the draws by loss it should come
        // (0.5 × 9/18 + 0.5 × 1/10) = 30 % of the time, the others 7.8 % each.
        std::vector<double> losses(10, 1.0);
        losses[3] = 9.0;
        const std::size_t draws = 20000;
        const auto order = weightedOrder(losses, 0.5, draws, 11);
        QCOMPARE(order.size(), draws);
        QVERIFY(order == weightedOrder(losses, 0.5, draws, 11));
        QVERIFY(order != weightedOrder(losses, 0.5, draws, 12));
        std::vector<int> counts(10, 0);
        for (const auto i : order) {
            QVERIFY(i < losses.size());
            ++counts[i];
        }
        QVERIFY2(std::abs(counts[3] - 6000) < 300, qPrintable(QString::number(counts[3])));
        QVERIFY2(std::abs(counts[0] - 1556) < 150, qPrintable(QString::number(counts[0])));
        // Share 0, or losses that carry no weight (zero, NaN): uniform draws.
        const std::vector<std::pair<std::vector<double>, double>> flat{
            {losses, 0.0},
            {std::vector<double>(10, 0.0), 1.0},
            {std::vector<double>(10, std::nan("")), 1.0}};
        for (const auto& [w, share] : flat) {
            std::vector<int> uniform(10, 0);
            for (const auto i : weightedOrder(w, share, draws, 5)) {
                ++uniform[i];
            }
            for (const int c : uniform) {
                QVERIFY2(std::abs(c - 2000) < 200, qPrintable(QString::number(c)));
            }
        }
        QVERIFY(weightedOrder({}, 0.5, 0, 1).empty());
    }

    void loaderKeepsOrderAndPropagatesErrors() {
        std::atomic<int> calls{0};
        auto make = [&calls](std::size_t i) {
            ++calls;
            return std::make_pair(torch::full({1, 2, 2, 1}, static_cast<float>(i)),
                                  static_cast<int>(i % 2));
        };
        BatchLoader loader(10, 4, 3, make);
        QCOMPARE(loader.batches(), std::size_t(3));
        std::vector<float> seen;
        std::vector<std::int64_t> sizes;
        while (auto b = loader.next()) {
            sizes.push_back(b->inputs.size(0));
            for (std::int64_t k = 0; k < b->inputs.size(0); ++k) {
                seen.push_back(b->inputs[k].mean().item<float>());
                QCOMPARE(b->targets[k].item<std::int64_t>(),
                         static_cast<std::int64_t>(seen.back()) % 2);
            }
        }
        QCOMPARE(sizes, (std::vector<std::int64_t>{4, 4, 2}));
        for (std::size_t i = 0; i < seen.size(); ++i) {
            QCOMPARE(seen[i], static_cast<float>(i));
        }
        QCOMPARE(calls.load(), 10);
        QVERIFY(loader.waitSeconds() >= 0.0);

        for (int threads : {0, 2}) {
            BatchLoader failing(6, 2, threads, [](std::size_t i) {
                if (i == 3) {
                    throw std::runtime_error("item 3 is broken");
                }
                return std::make_pair(torch::zeros({1}), 0);
            });
            QVERIFY(failing.next().has_value());
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, failing.next());
        }
    }

    void ownParallelLoopsUseLibTorchsThreads() {
        // Augmentation and FusedAdam split their loops with at::parallel_for; built without
        // OpenMP they silently ran on one thread (until session 11).
        const int before = torch::get_num_threads();
        torch::set_num_threads(2);
        QCOMPARE(parallelLoopThreads(), 2);
        torch::set_num_threads(1);
        QCOMPARE(parallelLoopThreads(), 1);
        torch::set_num_threads(before);
    }

    void loaderThreadsLeaveTheCoresToLibTorchOnTheCpu() {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const int saved = at::get_num_threads();
        // Off the CPU the configured number stands.
        QCOMPARE(loaderThreadsFor(3, torch::Device(torch::kCUDA)), 3);
        QCOMPARE(loaderThreadsFor(0, torch::Device(torch::kCUDA)), 0);
        // On the CPU: at most the cores the intra-op threads leave.
        at::set_num_threads(cores);
        QCOMPARE(loaderThreadsFor(2, torch::kCPU), 0);
        at::set_num_threads(1);
        QCOMPARE(loaderThreadsFor(2, torch::kCPU), std::min(2, cores - 1));
        QCOMPARE(loaderThreadsFor(0, torch::kCPU), 0);
        at::set_num_threads(saved);
    }
};

QTEST_GUILESS_MAIN(TestPatchSampling)
#include "TestPatchSampling.moc"
