// PNG writing and axial slice figures: a valid PNG (checked by Python's zlib), the
// radiological orientation for any voxel order, the overlay blended only where it is nonzero.
#include "TestSupport.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/PngFile.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/SliceFigure.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace bmsc;
using namespace bmsc::io;
namespace fs = std::filesystem;

namespace {

/// 20 × 10 × 3 voxels, spacing (1, 2, 3), identity direction, zero but for one bright voxel at
/// the patient's left (high x) and anterior (low y).
Volume phantom() {
    Geometry g;
    g.size = {20, 10, 3};
    g.spacing = {1, 2, 3};
    g.origin = {-10, 0, 0};
    Volume v(g, 0.0f);
    v.at(18, 1, 1) = 100.0f;
    v.at(2, 8, 1) = 50.0f;
    return v;
}

const char* kDecode = R"(
import sys, zlib, struct
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, chunks = 8, b"", []
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
    chunks.append(kind)
    if kind == b"IHDR":
        w, h, depth, colour = struct.unpack(">IIBB", body[:10])
    if kind == b"IDAT":
        idat += body
    pos += 12 + n
assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
raw = zlib.decompress(idat)
assert len(raw) == h * (1 + 3 * w)
print(w, h, depth, colour, " ".join(str(b) for b in raw[1:7]), raw[(1 + 3 * w) * (h - 1) + 3 * w])
)";

}  // namespace

class TestSliceFigure : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pngIsValid() {
        QTemporaryDir dir;
        RgbImage image(5, 3);
        image.at(0, 0)[0] = 255;  // red top-left
        image.at(0, 0)[2] = 7;
        image.at(1, 0)[1] = 200;
        image.at(4, 2)[2] = 99;  // last byte of the last row
        const fs::path file = test::toPath(dir.path()) / "x.png";
        writePng(image, file);
        const auto r = test::runPython(kDecode, {QString::fromStdString(file.string())});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("5 3 8 2 255 0 7 0 200 0 99"));
    }

    void pngBadInput() {
        QTemporaryDir dir;
        const fs::path root = test::toPath(dir.path());
        try {
            writePng(RgbImage(), root / "empty.png");
            QFAIL("an empty image was written");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::InvalidArgument);
        }
        RgbImage bad(4, 4);
        bad.pixels.resize(10);
        QVERIFY_THROWS_EXCEPTION(IoError, writePng(bad, root / "bad.png"));
        try {
            writePng(RgbImage(2, 2), root / "no" / "such" / "folder.png");
            QFAIL("written into a missing folder");
        } catch (const IoError& e) {
            QCOMPARE(e.code(), ErrorCode::WriteFailed);
            QVERIFY(std::string(e.what()).find("folder.png") != std::string::npos);
        }
        QVERIFY(!fs::exists(root / "empty.png") && !fs::exists(root / "bad.png"));
    }

    void hotColours() {
        QCOMPARE(hotColour(0.0), (std::array<std::uint8_t, 3>{0, 0, 0}));
        QCOMPARE(hotColour(1.0), (std::array<std::uint8_t, 3>{255, 255, 255}));
        QCOMPARE(hotColour(1.0 / 3.0), (std::array<std::uint8_t, 3>{255, 0, 0}));
        QCOMPARE(hotColour(-5.0), hotColour(0.0));
    }

    void radiologicalOrientation() {
        const Volume v = phantom();
        const auto z = axialSlicePositions(v.geometry());
        QCOMPARE(z, (std::vector<double>{0.0, 3.0, 6.0}));
        SliceFigureOptions o;
        o.greyLow = 0;
        o.greyHigh = 100;
        const auto image = renderAxialSlice(v, nullptr, 3.0, o);
        QCOMPARE(image.width, std::int64_t(20));
        QCOMPARE(image.height, std::int64_t(10));
        // Patient's left on the image's right, anterior at the top.
        QCOMPARE(int(image.at(18, 1)[0]), 255);
        QCOMPARE(int(image.at(2, 8)[0]), 128);
        QCOMPARE(int(image.at(1, 1)[0]), 0);
        QCOMPARE(int(image.at(18, 8)[0]), 0);
        // Enlarged by repeating pixels: factor 3 for at least 50 pixels.
        o.minimumSide = 50;
        const auto large = renderAxialSlice(v, nullptr, 3.0, o);
        o.minimumSide = 0;
        QCOMPARE(large.width, std::int64_t(60));
        QCOMPARE(large.height, std::int64_t(30));
        QCOMPARE(int(large.at(18 * 3 + 2, 1 * 3 + 1)[0]), 255);
        QCOMPARE(int(large.at(18 * 3 + 3, 1 * 3 + 1)[0]), 0);

        // The same physical image stored in another voxel order (x and y reversed, z first)
        // gives the same picture.
        Geometry g;
        g.size = {3, 10, 20};
        g.spacing = {3, 2, 1};
        g.origin = {9, 18, 0};
        g.direction = {0, 0, -1, 0, -1, 0, 1, 0, 0};
        const Volume flipped = mapBetweenGrids(v, g, Interpolation::Nearest);
        QCOMPARE(flipped.at(1, 8, 1), 100.0f);
        QCOMPARE(flipped.at(1, 1, 17), 50.0f);
        const auto z2 = axialSlicePositions(g);
        QCOMPARE(z2, z);
        const auto again = renderAxialSlice(flipped, nullptr, 3.0, o);
        QCOMPARE(again.width, image.width);
        QCOMPARE(again.height, image.height);
        QVERIFY(again.pixels == image.pixels);
    }

    void overlayOnlyWhereNonzero() {
        const Volume v = phantom();
        Volume overlay(v.geometry(), 0.0f);
        overlay.at(5, 5, 1) = 2.0f;
        overlay.at(6, 5, 1) = 1.0f;
        SliceFigureOptions o;
        o.greyLow = 0;
        o.greyHigh = 100;
        o.overlayLow = 0.0;
        o.overlayHigh = 2.0;
        o.overlayOpacity = 1.0;
        o.marker = Vec3{-10 + 12, 2 * 2, 3};
        const auto plain = renderAxialSlice(v, nullptr, 3.0, o);
        const auto blended = renderAxialSlice(v, &overlay, 3.0, o);
        QCOMPARE(int(blended.at(5, 5)[0]), 255);  // full opacity, top of the map: white
        QCOMPARE(int(blended.at(5, 5)[2]), 255);
        QCOMPARE(int(blended.at(6, 5)[0]), 128);  // half: blended half-way to hot(0.5)
        int changed = 0;
        for (std::int64_t y = 0; y < plain.height; ++y) {
            for (std::int64_t x = 0; x < plain.width; ++x) {
                changed += plain.at(x, y)[0] != blended.at(x, y)[0] ? 1 : 0;
            }
        }
        QCOMPARE(changed, 2);
        // The marker: a cyan cross around (12, 2), its centre left clear.
        QCOMPARE(int(plain.at(13, 2)[2]), 255);
        QCOMPARE(int(plain.at(13, 2)[0]), 0);
        QCOMPARE(int(plain.at(12, 3)[1]), 255);
        QCOMPARE(int(plain.at(12, 2)[1]), 0);
    }
};

QTEST_GUILESS_MAIN(TestSliceFigure)
#include "TestSliceFigure.moc"
