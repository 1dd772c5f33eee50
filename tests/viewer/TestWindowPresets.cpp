// Window/level presets and their memory per channel in the StudyDocument, and the MIP pane's
// API (the MIP of a subtraction with its own window, the brightest slice of a column).
// Model only: no window.
#include "model/StudyDocument.h"
#include "model/WindowPresets.h"

#include <QSignalSpy>
#include <QtTest>

using namespace bmsc;
using viewer::WindowPreset;

namespace {

/// 10×10×4 voxels; pre = i + 10·j (0…99), post1…post4 = pre + 50·phase except a bright
/// spot of post1 at (2, 3, 1), T2 = 2·pre.
std::shared_ptr<const io::Study> makeStudy() {
    io::Geometry g;
    g.size = {10, 10, 4};
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g);
        const int n = static_cast<int>(c);
        for (std::int64_t k = 0; k < 4; ++k) {
            for (std::int64_t j = 0; j < 10; ++j) {
                for (std::int64_t i = 0; i < 10; ++i) {
                    const auto pre = static_cast<float>(i + 10 * j);
                    v.at(i, j, k) =
                        c == io::Channel::T2 ? 2.0f * pre : pre + 50.0f * static_cast<float>(n);
                }
            }
        }
        if (c == io::Channel::Post1) {
            v.at(2, 3, 1) += 500.0f;
        }
        study.setChannel(c, std::move(v));
    }
    return std::make_shared<const io::Study>(std::move(study));
}

}  // namespace

class TestWindowPresets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void percentiles() {
        io::Geometry g;
        g.size = {101, 1, 1};
        io::Volume v(g);
        for (std::int64_t i = 0; i <= 100; ++i) {
            v.at(i, 0, 0) = static_cast<float>(1000 - 10 * i);  // 0 … 1000, reversed
        }
        auto w = viewer::percentileWindow(v, 0.0, 100.0);
        QCOMPARE(w.center, 500.0);
        QCOMPARE(w.width, 1000.0);
        w = viewer::percentileWindow(v, 50.0, 90.0);  // 500 … 900
        QCOMPARE(w.center, 700.0);
        QCOMPARE(w.width, 400.0);
        // Swapped bounds are put in order; a flat volume still has a positive width.
        QCOMPARE(viewer::percentileWindow(v, 90.0, 50.0).width, 400.0);
        io::Volume flat(g);
        QVERIFY(viewer::percentileWindow(flat, 1.0, 99.0).width > 0.0);
        // The automatic preset is the document's automatic window (1st - 99.5th percentile).
        const auto automatic = viewer::presetWindow(v, WindowPreset::Automatic);
        QCOMPARE(automatic.center, viewer::automaticWindow(v).center);
        QCOMPARE(automatic.width, viewer::automaticWindow(v).width);
        // Keys round-trip; unknown keys are none.
        for (const auto& info : viewer::windowPresets()) {
            QVERIFY(viewer::presetFromKey(info.key) == info.preset);
            QVERIFY(info.low < info.high);
        }
        QVERIFY(!viewer::presetFromKey("nonsense").has_value());
    }

    void presetsRememberedPerChannel() {
        viewer::StudyDocument doc;
        doc.setPreset("pre", WindowPreset::FullRange);  // as MainWindow restores from settings
        doc.setStudy(makeStudy());
        // pre opens with its remembered preset (0 … 99), post1 with the automatic window.
        QCOMPARE(doc.window(io::Channel::Pre).width, 99.0);
        QCOMPARE(doc.window(io::Channel::Pre).center, 49.5);
        const auto post1 = doc.study()->channel(io::Channel::Post1);
        QCOMPARE(doc.window(io::Channel::Post1).width, viewer::automaticWindow(post1).width);

        // Applying a preset changes what is shown and is remembered for that key only.
        doc.setChannel(io::Channel::T2);
        QSignalSpy changed(&doc, &viewer::StudyDocument::viewChanged);
        doc.applyPreset(WindowPreset::FullRange);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(doc.window(io::Channel::T2).width, 198.0);
        QVERIFY(doc.preset("t2") == WindowPreset::FullRange);
        QVERIFY(doc.preset("post2") == WindowPreset::Automatic);
        QCOMPARE(doc.displayKey(), std::string("t2"));

        // Subtractions have their own keys; a preset chosen on sub1 survives a new study.
        doc.showSubtraction(1);
        QCOMPARE(doc.displayKey(), std::string("sub1"));
        // Subtractions and MIPs default to the subtraction preset, acquired channels to the
        // automatic one.
        QVERIFY(doc.preset("sub1") == WindowPreset::Subtraction);
        QVERIFY(doc.preset("mip3") == WindowPreset::Subtraction);
        QVERIFY(doc.preset("post3") == WindowPreset::Automatic);
        doc.applyPreset(WindowPreset::HighContrast);
        QVERIFY(doc.preset("sub1") == WindowPreset::HighContrast);
        QVERIFY(doc.preset("sub2") == WindowPreset::Subtraction);
        const auto sub1 = doc.displayWindow();
        doc.setStudy(makeStudy());
        doc.showSubtraction(1);
        QCOMPARE(doc.displayWindow().center, sub1.center);
        QCOMPARE(doc.displayWindow().width, sub1.width);
        QCOMPARE(doc.window(io::Channel::T2).width, 198.0);  // t2's preset, re-applied
        doc.showSubtraction(1, true);
        QCOMPARE(doc.displayKey(), std::string("mip1"));
    }

    void mipPaneApi() {
        viewer::StudyDocument doc;
        QVERIFY(doc.mip(1) == nullptr);  // no study
        doc.setStudy(makeStudy());
        const auto mip = doc.mip(1);
        QVERIFY(mip != nullptr);
        QCOMPARE(mip->geometry().size[2], std::int64_t{1});
        QCOMPARE(mip->at(2, 3, 0), 550.0f);  // 50 + the spot
        // Its window was set when it was first computed, and is its own.
        // (the automatic window of a MIP that is 50 nearly everywhere centres on 50)
        QCOMPARE(doc.derivedWindow(1, true).center, 50.0);
        doc.setDerivedWindow(1, true, {7.0, 3.0});
        QCOMPARE(doc.derivedWindow(1, true).center, 7.0);
        QVERIFY(doc.derived() == viewer::StudyDocument::Derived::None);  // main view unchanged
        // Showing the MIP in the main view uses the same window (one per derived image).
        doc.showSubtraction(1, true);
        QCOMPARE(doc.displayWindow().center, 7.0);
        // Where a MIP pixel comes from: the spot's slice; elsewhere the first maximum.
        QCOMPARE(doc.brightestSlice(1, 2, 3), std::int64_t{1});
        QCOMPARE(doc.brightestSlice(1, 5, 5), std::int64_t{0});
        QCOMPARE(doc.brightestSlice(1, 50, 5), std::int64_t{0});  // outside
    }
};

QTEST_GUILESS_MAIN(TestWindowPresets)
#include "TestWindowPresets.moc"
