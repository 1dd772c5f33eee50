// The overlay as drawn over a MIP: the maximum along k of a continuous map, and the kinetic
// category of the voxel each MIP pixel comes from (the subtraction's brightest in its column).
#include "model/OverlayProjection.h"

#include <QtTest>

using namespace bmsc;

namespace {

io::Geometry grid() {
    io::Geometry g;
    g.size = {3, 2, 4};
    g.spacing = {1.0, 1.0, 2.5};
    g.origin = {10.0, 20.0, 30.0};
    return g;
}

}  // namespace

class TestOverlayProjection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void maximumAlongKIsOneSlice() {
        io::Volume v(grid(), 0.0f);
        v.at(1, 1, 3) = 7.0f;  // on the last slice only
        v.at(2, 0, 0) = -1.0f;
        v.at(2, 0, 2) = -0.5f;
        const auto p = viewer::OverlayProjection::maximumAlongK(v);
        QCOMPARE(p->geometry().size, (io::Index3{3, 2, 1}));
        QCOMPARE(p->geometry().origin, grid().origin);
        QCOMPARE(p->at(1, 1, 0), 7.0f);
        QCOMPARE(p->at(2, 0, 0), 0.0f);
        QCOMPARE(p->at(0, 0, 0), 0.0f);
    }

    void kineticCategoryComesFromBrightestVoxel() {
        io::Volume categories(grid(), 0.0f);
        io::Volume sub(grid(), 0.0f);
        // Column (0, 0): washout at k 1 but the subtraction is brightest at k 3 (persistent).
        categories.at(0, 0, 1) = 3.0f;
        categories.at(0, 0, 3) = 1.0f;
        sub.at(0, 0, 1) = 50.0f;
        sub.at(0, 0, 3) = 80.0f;
        // Column (1, 0): a tie between k 0 and k 2 takes the first, as brightestSlice does.
        categories.at(1, 0, 0) = 2.0f;
        categories.at(1, 0, 2) = 3.0f;
        sub.at(1, 0, 0) = 40.0f;
        sub.at(1, 0, 2) = 40.0f;
        const auto p = viewer::OverlayProjection::categoryAtBrightest(categories, sub);
        QCOMPARE(p->geometry().size, (io::Index3{3, 2, 1}));
        QCOMPARE(p->at(0, 0, 0), 1.0f);  // not the maximum label 3
        QCOMPARE(p->at(1, 0, 0), 2.0f);
        QCOMPARE(p->at(2, 1, 0), 0.0f);
    }

    void projectionIsCachedPerOverlay() {
        viewer::OverlayProjection projection;
        viewer::OverlayLayer layer;
        layer.volume = std::make_shared<const io::Volume>(grid(), 1.0f);
        const auto first = projection.project(layer, nullptr);
        QVERIFY(first != nullptr);
        QCOMPARE(projection.project(layer, nullptr), first);
        layer.volume = std::make_shared<const io::Volume>(grid(), 2.0f);
        const auto second = projection.project(layer, nullptr);
        QVERIFY(second != first);
        QCOMPARE(second->at(0, 0, 0), 2.0f);
        // The kinetic map needs a subtraction on its grid.
        layer.colorMap = viewer::ColorMap::Kinetic;
        QVERIFY(projection.project(layer, nullptr) == nullptr);
        const auto sub = std::make_shared<const io::Volume>(grid(), 0.0f);
        QCOMPARE(projection.project(layer, sub)->at(0, 0, 0), 2.0f);
    }
};

QTEST_GUILESS_MAIN(TestOverlayProjection)
#include "TestOverlayProjection.moc"
