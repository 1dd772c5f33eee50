// Augmentation and patch extraction: exact identities, flips, 90° rotations, zero borders,
// windows.
#include "breastmsc/ml/Augmentation.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace bmsc::ml;

class TestAugmentation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void identityAndFlips() {
        const auto t = torch::rand({2, 9, 7, 3});
        QVERIFY(torch::equal(augment(t, {}), t));
        AugmentationDraw flip;
        flip.flipX = true;
        QVERIFY(torch::equal(augment(t, flip), t.flip({1})));
        flip.flipY = true;
        QVERIFY(torch::equal(augment(t, flip), t.flip({1, 2})));
    }

    void quarterTurnIsAPermutation() {
        // On a square grid a 90° rotation about the centre moves voxels onto voxels.
        const auto t = torch::rand({1, 8, 8, 2});
        AugmentationDraw quarter;
        quarter.angleRadians = M_PI / 2;
        const auto r = augment(t, quarter);
        QVERIFY(torch::allclose(r, t.rot90(1, {1, 2}), 1e-5, 1e-5) ||
                torch::allclose(r, t.rot90(-1, {1, 2}), 1e-5, 1e-5));
        // Four quarter turns are the identity.
        auto back = t;
        for (int i = 0; i < 4; ++i) {
            back = augment(back, quarter);
        }
        QVERIFY(torch::allclose(back, t, 1e-5, 1e-5));
    }

    void rotationKeepsAConstantInsideAndZeroOutside() {
        const auto t = torch::ones({1, 32, 32, 2});
        AugmentationDraw d;
        d.angleRadians = 15.0 * M_PI / 180.0;
        const auto r = augment(t, d);
        QCOMPARE(r[0][16][16][0].item<float>(), 1.0f);  // centre: interpolated ones
        QCOMPARE(r[0][0][0][1].item<float>(), 0.0f);    // corner: rotated in from outside
        QVERIFY(r.max().item<float>() <= 1.0f + 1e-6f);
        d.scale = 0.5;  // zoom out: the border region is zero
        const auto z = augment(t, d);
        QCOMPARE(z[0][2][16][0].item<float>(), 0.0f);
    }

    void windowIsTheCropOfTheWholeBitForBit() {
        const auto t = torch::rand({3, 24, 20, 4});
        for (const bool flipX : {false, true}) {
            for (const bool flipY : {false, true}) {
                AugmentationDraw d;
                d.flipX = flipX;
                d.flipY = flipY;
                d.angleRadians = -0.21;
                d.scale = 0.85;
                using torch::indexing::Slice;
                const auto whole = augment(t, d);
                const auto window = augmentWindow(t, d, {5, 3}, {16, 10});
                QCOMPARE(window.sizes().vec(), (std::vector<std::int64_t>{3, 16, 10, 4}));
                QVERIFY(window.is_contiguous());
                QVERIFY(torch::equal(window, whole.index({Slice(), Slice(5, 21), Slice(3, 13)})));
                QVERIFY(torch::equal(augmentWindow(t, d, {0, 0}, {24, 20}), whole));
            }
        }
        bool threw = false;
        try {
            augmentWindow(t, {}, {10, 0}, {16, 20});  // x 10..26 leaves the 24-voxel volume
        } catch (const c10::Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void augmentedPointFollowsTheImage() {
        // A smooth blob at a known point: after augment() its centre of mass is where
        // augmentedPoint() sends the point (what Stage 2's lesion-supervised cells rely on).
        const std::int64_t X = 40, Y = 34;
        const std::array<double, 2> centre{11.3, 21.6};
        const auto xs = torch::arange(X, torch::kDouble).view({X, 1});
        const auto ys = torch::arange(Y, torch::kDouble).view({1, Y});
        const auto blob =
            torch::exp(-((xs - centre[0]).pow(2) + (ys - centre[1]).pow(2)) / (2.0 * 2.0 * 2.0))
                .to(torch::kFloat32)
                .view({1, X, Y, 1})
                .repeat({1, 1, 1, 2})
                .contiguous();
        for (const bool flipX : {false, true}) {
            for (const bool flipY : {false, true}) {
                for (const double angle : {0.0, 0.26, -0.4}) {
                    AugmentationDraw d;
                    d.flipX = flipX;
                    d.flipY = flipY;
                    d.angleRadians = angle;
                    d.scale = angle > 0 ? 1.1 : 0.9;
                    const auto out = augment(blob, d).select(3, 0).select(0, 0).to(torch::kDouble);
                    const double mass = out.sum().item<double>();
                    const std::array<double, 2> seen{(out * xs).sum().item<double>() / mass,
                                                     (out * ys).sum().item<double>() / mass};
                    const auto moved = augmentedPoint(d, X, Y, centre);
                    const auto where =
                        QString("flips %1 %2 angle %3: image (%4, %5), point (%6, %7)")
                            .arg(flipX)
                            .arg(flipY)
                            .arg(angle)
                            .arg(seen[0])
                            .arg(seen[1])
                            .arg(moved[0])
                            .arg(moved[1]);
                    QVERIFY2(
                        std::abs(seen[0] - moved[0]) < 0.15 && std::abs(seen[1] - moved[1]) < 0.15,
                        qPrintable(where));
                }
            }
        }
        // The identity leaves a point where it is.
        const auto same = augmentedPoint({}, X, Y, centre);
        QCOMPARE(same[0], centre[0]);
        QCOMPARE(same[1], centre[1]);
    }

    void drawsStayInRangeAndAreReproducible() {
        AugmentationOptions o;
        o.minScale = 0.8;
        o.maxScale = 1.1;
        std::mt19937_64 a(5), b(5);
        int flips = 0;
        for (int i = 0; i < 200; ++i) {
            const auto d = drawAugmentation(o, a);
            const auto e = drawAugmentation(o, b);
            QCOMPARE(d.angleRadians, e.angleRadians);
            QVERIFY(std::abs(d.angleRadians) <= 15.0 * M_PI / 180.0);
            QVERIFY(d.scale >= 0.8 && d.scale <= 1.1);
            QVERIFY(!d.flipY);  // the paper's default mirrors left-right only
            flips += d.flipX;
        }
        QVERIFY(flips > 60 && flips < 140);
    }

    void uptakeScaleMovesThePostPhasesOnly() {
        // Channels pre, post1–post4, T2: post' = pre + u·(post − pre), pre and T2 kept.
        const auto t = torch::rand({6, 9, 7, 3});
        AugmentationDraw d;
        d.uptakeScale = 2.0;
        d.flipX = true;
        const auto out = augment(t, d);
        const auto flipped = t.flip({1});
        QVERIFY(torch::equal(out[0], flipped[0]));
        QVERIFY(torch::equal(out[5], flipped[5]));
        for (int c = 1; c <= 4; ++c) {
            QVERIFY(torch::allclose(out[c] - out[0], 2.0 * (flipped[c] - flipped[0]), 1e-5, 1e-6));
        }
        // Fewer channels than pre + four phases: nothing to scale.
        const auto two = torch::rand({2, 9, 7, 3});
        QVERIFY(torch::equal(augment(two, d), two.flip({1})));
    }

    void uptakeDrawsAreLogUniformAndOptional() {
        AugmentationOptions on;
        on.minUptakeScale = 0.5;
        on.maxUptakeScale = 2.0;
        const AugmentationOptions off;
        std::mt19937_64 a(7), b(7);
        int above = 0;
        for (int i = 0; i < 400; ++i) {
            const auto d = drawAugmentation(on, a);
            QVERIFY(d.uptakeScale >= 0.5 && d.uptakeScale <= 2.0);
            above += d.uptakeScale > 1.0;
        }
        QVERIFY(above > 160 && above < 240);  // log-uniform: half above 1
        // Off, no number is drawn for it: the other draws follow as before the setting existed.
        std::mt19937_64 c(7), reference(7);
        const auto d = drawAugmentation(off, c);
        QCOMPARE(d.uptakeScale, 1.0);
        reference();  // flipX
        reference();  // angle
        reference();  // scale
        QCOMPARE(c(), reference());
        std::mt19937_64 e(7);
        QCOMPARE(drawAugmentation(on, e).angleRadians, drawAugmentation(off, b).angleRadians);
    }

    void droppedUptakeLeavesPreAndT2Alone() {
        // u = 0: every post-contrast phase becomes the pre-contrast image, T2 is kept.
        const auto t = torch::rand({6, 9, 7, 3});
        AugmentationDraw d;
        d.uptakeScale = 0.0;
        const auto out = augment(t, d);
        for (int c = 1; c <= 4; ++c) {
            QVERIFY(torch::equal(out[c], t[0]));
        }
        QVERIFY(torch::equal(out[0], t[0]));
        QVERIFY(torch::equal(out[5], t[5]));

        // Drawn with the given probability, after (and beside) the uptake scale.
        AugmentationOptions drop;
        drop.dropUptake = 0.3;
        drop.minUptakeScale = 0.5;
        drop.maxUptakeScale = 2.0;
        std::mt19937_64 rng(11);
        int dropped = 0;
        for (int i = 0; i < 1000; ++i) {
            const auto draw = drawAugmentation(drop, rng);
            QVERIFY(draw.uptakeScale == 0.0 ||
                    (draw.uptakeScale >= 0.5 && draw.uptakeScale <= 2.0));
            dropped += draw.uptakeScale == 0.0;
        }
        QVERIFY2(dropped > 250 && dropped < 350, qPrintable(QString::number(dropped)));
        // At 0 (off) no number is drawn for it; on, exactly one after the uptake scale's.
        AugmentationOptions noDrop = drop;
        noDrop.dropUptake = 0.0;
        std::mt19937_64 a(5), before(5);
        (void)drawAugmentation(noDrop, a);
        for (int i = 0; i < 4; ++i) {
            before();  // flipX, angle, scale, uptake scale
        }
        QCOMPARE(a(), before());
        std::mt19937_64 c(5), reference(5);
        (void)drawAugmentation(drop, c);
        (void)drawAugmentation(noDrop, reference);
        reference();  // the drop's own draw
        QCOMPARE(c(), reference());
    }

    void patchesArePaddedWithZeros() {
        const auto t = torch::arange(2 * 10 * 10 * 4, torch::kFloat32).view({2, 10, 10, 4}) + 1;
        const auto inside = extractPatch(t, {2, 3, 0}, {4, 4, 4});
        QVERIFY(torch::equal(inside, t.slice(1, 2, 6).slice(2, 3, 7)));
        const auto corner = extractPatch(t, {-2, 8, 1}, {4, 4, 4});
        QCOMPARE(corner[0][0][0][0].item<float>(), 0.0f);  // x = -2: outside
        QCOMPARE(corner[1][2][1][0].item<float>(), t[1][0][9][1].item<float>());
        QCOMPARE(corner[0][2][2][0].item<float>(), 0.0f);  // y = 10: outside
        QCOMPARE(corner[0][2][0][3].item<float>(), 0.0f);  // z = 4: outside
        QVERIFY(torch::equal(extractPatch(t, {20, 0, 0}, {4, 4, 4}), torch::zeros({2, 4, 4, 4})));
    }
};

QTEST_GUILESS_MAIN(TestAugmentation)
#include "TestAugmentation.moc"
