// SliceRenderer::paint(): the view drawn on the CPU, without a VTK render pass.
//
// The same picture as the VTK pipeline (SliceRenderer.cpp), built the way VTK's image slice
// mapper builds it: the window/level maps the slice to 8-bit grey first, the grey texture is then
// interpolated bilinearly between voxel centres (clamped at the edges, each edge voxel drawn
// half a voxel wide); the overlay's lookup table gives RGBA per voxel, interpolated bilinearly
// (premultiplied, so that transparent voxels do not darken their neighbours) or, for the
// categorical kinetic map, by nearest voxel; it is blended over the grey with its opacity.
// Per output pixel the work is a few table lookups and integer multiply-adds, so a 1024 × 1024
// frame with an overlay takes 6–9 ms on one core, texts included (bench_viewer).
#include "render/SliceRenderer.h"

#include <QFont>
#include <QFontMetricsF>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace bmsc::viewer {

namespace {

/// Where each output pixel of one screen axis falls on the slice: the two voxels to interpolate
/// between, the weight of the second (0–256) and the nearest voxel; inside is false beyond the
/// half-voxel border of the grid.
struct AxisSamples {
    std::vector<std::int32_t> first, second, nearest;
    std::vector<std::int32_t> weight;
    std::vector<std::uint8_t> inside;
};

/// `pixels` samples at device pixel centres: voxel coordinate = (centre + sign · (pixel − mid)
/// · mmPerPixel) / spacing, pixel measured from the middle of the viewport.
AxisSamples sampleAxis(int pixels, double centreMm, int sign, double mmPerPixel, double spacing,
                       std::int64_t voxels, bool flipped) {
    AxisSamples s;
    const auto n = static_cast<std::size_t>(pixels);
    s.first.resize(n);
    s.second.resize(n);
    s.nearest.resize(n);
    s.weight.resize(n);
    s.inside.resize(n);
    const auto last = static_cast<std::int32_t>(voxels - 1);
    for (int p = 0; p < pixels; ++p) {
        // Screen y grows downwards, display "up" upwards: `flipped` turns the offset round.
        const double offset = (p + 0.5 - pixels / 2.0) * mmPerPixel * (flipped ? -1.0 : 1.0);
        const double u = (centreMm + sign * offset) / spacing;
        const auto q = static_cast<std::size_t>(p);
        s.inside[q] = u >= -0.5 && u < static_cast<double>(voxels) - 0.5 ? 1 : 0;
        const double lower = std::floor(u);
        const auto i = static_cast<std::int32_t>(std::clamp(lower, -1.0, double(last) + 1.0));
        s.first[q] = std::clamp(i, 0, last);
        s.second[q] = std::clamp(i + 1, 0, last);
        s.weight[q] = static_cast<std::int32_t>(std::lround((u - lower) * 256.0));
        s.nearest[q] = std::clamp(static_cast<std::int32_t>(std::floor(u + 0.5)), 0, last);
    }
    return s;
}

std::uint32_t lerp8(std::uint32_t a, std::uint32_t b, std::uint32_t w) {
    return a * (256 - w) + b * w;  // 0 … 255·256
}

/// Per-channel linear interpolation of two packed 8-bit ARGB words, weight `w` of `b` in
/// 0 … 256, two channels per multiply.
std::uint32_t lerpArgb(std::uint32_t a, std::uint32_t b, std::uint32_t w) {
    if (a == b) {
        return a;  // mostly both transparent, or inside one colour
    }
    const std::uint32_t keep = 256 - w;
    const std::uint32_t rb =
        (((a & 0x00ff00ffu) * keep + (b & 0x00ff00ffu) * w) >> 8) & 0x00ff00ffu;
    const std::uint32_t ag =
        (((a >> 8) & 0x00ff00ffu) * keep + ((b >> 8) & 0x00ff00ffu) * w) & 0xff00ff00u;
    return rb | ag;
}

}  // namespace

void SliceRenderer::rasterSlice(QImage& image) const {
    image.fill(Qt::black);
    if (study_ == nullptr || image.isNull()) {
        return;
    }
    const io::Volume& volume = shownVolume();
    const io::Geometry& g = volume.geometry();
    const auto axes = screenAxes();
    const auto a0 = static_cast<std::size_t>(axes[0][0]);
    const auto a1 = static_cast<std::size_t>(axes[1][0]);
    const auto n = static_cast<std::size_t>(axis_);
    const std::int64_t n0 = g.size[a0], n1 = g.size[a1];
    const std::array<std::int64_t, 3> stride{1, g.size[0], g.size[0] * g.size[1]};
    const std::int64_t base = slice_ * stride[n];

    // The slice, window/levelled to 8 bits (VTK: (value − (level − width/2)) · 255 / width).
    const double low = window_.center - window_.width / 2.0;
    const double scale = 255.0 / std::max(window_.width, 1e-12);
    std::vector<std::uint8_t> grey(static_cast<std::size_t>(n0 * n1));
    const auto voxels = volume.voxels();
    for (std::int64_t v = 0; v < n1; ++v) {
        for (std::int64_t u = 0; u < n0; ++u) {
            const float value =
                voxels[static_cast<std::size_t>(base + u * stride[a0] + v * stride[a1])];
            const double level = std::clamp((value - low) * scale + 0.5, 0.0, 255.0);
            grey[static_cast<std::size_t>(v * n0 + u)] =
                static_cast<std::uint8_t>(std::isfinite(level) ? level : 0.0);
        }
    }

    // The overlay as premultiplied ARGB per voxel (one 32-bit word, 0 = transparent), its
    // opacity folded into the alpha.
    const bool overlay = overlay_.visible && overlay_.volume != nullptr &&
                         overlay_.volume->geometry().size == g.size && overlay_.opacity > 0.0;
    const bool nearestOverlay = overlay_.colorMap == ColorMap::Kinetic;
    std::vector<std::uint32_t> colour;
    if (overlay) {
        const OverlayTable table = overlayTable(overlay_);
        const double opacity = std::clamp(overlay_.opacity, 0.0, 1.0);
        std::vector<std::uint32_t> entries;
        for (const auto& c : table.colours) {
            const double a = c[3] * opacity;
            auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(255.0 * v)); };
            entries.push_back(byte(a) << 24 | byte(c[0] * a) << 16 | byte(c[1] * a) << 8 |
                              byte(c[2] * a));
        }
        const auto count = static_cast<double>(entries.size());
        const double perUnit = count / (table.high - table.low);
        const auto values = overlay_.volume->voxels();
        colour.assign(grey.size(), 0u);
        for (std::int64_t v = 0; v < n1; ++v) {
            for (std::int64_t u = 0; u < n0; ++u) {
                const float value =
                    values[static_cast<std::size_t>(base + u * stride[a0] + v * stride[a1])];
                if (!(value >= table.low) || (!table.clampAbove && value > table.high)) {
                    continue;  // below the threshold, NaN, or beyond the categories
                }
                const double index = std::min((value - table.low) * perUnit, count - 1.0);
                colour[static_cast<std::size_t>(v * n0 + u)] =
                    entries[static_cast<std::size_t>(index)];
            }
        }
    }

    const int width = image.width(), height = image.height();
    const double mmPerPixel = 2.0 * parallelScale_ / height;
    const AxisSamples cols =
        sampleAxis(width, focal_[a0], axes[0][1], mmPerPixel, g.spacing[a0], n0, false);
    const AxisSamples rows =
        sampleAxis(height, focal_[a1], axes[1][1], mmPerPixel, g.spacing[a1], n1, true);

    for (int y = 0; y < height; ++y) {
        const auto yq = static_cast<std::size_t>(y);
        if (rows.inside[yq] == 0) {
            continue;
        }
        auto* line = reinterpret_cast<std::uint32_t*>(image.scanLine(y));
        const std::uint8_t* top = grey.data() + rows.first[yq] * n0;
        const std::uint8_t* bottom = grey.data() + rows.second[yq] * n0;
        const auto wy = static_cast<std::uint32_t>(rows.weight[yq]);
        const std::uint32_t* cTop = overlay ? colour.data() + rows.first[yq] * n0 : nullptr;
        const std::uint32_t* cBottom = overlay ? colour.data() + rows.second[yq] * n0 : nullptr;
        const std::uint32_t* cNear = overlay ? colour.data() + rows.nearest[yq] * n0 : nullptr;
        for (int x = 0; x < width; ++x) {
            const auto xq = static_cast<std::size_t>(x);
            if (cols.inside[xq] == 0) {
                continue;
            }
            const std::int32_t i0 = cols.first[xq], i1 = cols.second[xq];
            const auto wx = static_cast<std::uint32_t>(cols.weight[xq]);
            // Two lerps of 8 bits with 8-bit weights: 0 … 255 · 65536, rounded.
            const std::uint32_t g0 = lerp8(top[i0], top[i1], wx);
            const std::uint32_t g1 = lerp8(bottom[i0], bottom[i1], wx);
            const std::uint32_t value = (g0 * (256 - wy) + g1 * wy + 32768) >> 16;
            std::uint32_t pixel = value * 0x010101u;
            if (overlay) {
                const std::uint32_t c = nearestOverlay
                                            ? cNear[cols.nearest[xq]]
                                            : lerpArgb(lerpArgb(cTop[i0], cTop[i1], wx),
                                                       lerpArgb(cBottom[i0], cBottom[i1], wx), wy);
                if (c != 0) {
                    // Premultiplied "over": grey · (1 − alpha) + colour, per channel.
                    const std::uint32_t keep = 255 - (c >> 24);
                    const std::uint32_t scaled = (value * keep * 257 + 32896) >> 16;
                    pixel = (scaled * 0x010101u) + (c & 0x00ffffffu);
                }
            }
            line[x] = 0xff000000u | pixel;
        }
    }
}

void SliceRenderer::paintCrosshair(QPainter& painter, int width, int height) const {
    if (!crosshair_ || study_ == nullptr || height <= 0) {
        return;
    }
    const io::Geometry& g = grid();
    const auto axes = screenAxes();
    const double perPixel = millimetresPerPixel(height);
    // Logical screen position of index coordinate `index` along screen axis `s` (0 right, 1 up).
    auto screen = [&](int s, double index) {
        const auto a = static_cast<std::size_t>(axes[static_cast<std::size_t>(s)][0]);
        const double offset =
            axes[static_cast<std::size_t>(s)][1] * (index * g.spacing[a] - focal_[a]) / perPixel;
        return s == 0 ? width / 2.0 + offset : height / 2.0 - offset;
    };
    const auto a0 = static_cast<std::size_t>(axes[0][0]);
    const auto a1 = static_cast<std::size_t>(axes[1][0]);
    const double x = screen(0, static_cast<double>((*crosshair_)[a0]));
    const double y = screen(1, static_cast<double>((*crosshair_)[a1]));
    const double left = screen(0, -0.5), right = screen(0, static_cast<double>(g.size[a0]) - 0.5);
    const double up = screen(1, -0.5), down = screen(1, static_cast<double>(g.size[a1]) - 0.5);
    QPen pen(QColor::fromRgbF(0.3f, 0.9f, 0.4f, 0.8f));
    pen.setWidthF(1.0);  // one logical pixel: pixelRatio() device pixels, as the VTK lines
    painter.save();
    painter.setPen(pen);
    painter.drawLine(QPointF(std::min(left, right), y), QPointF(std::max(left, right), y));
    painter.drawLine(QPointF(x, std::min(up, down)), QPointF(x, std::max(up, down)));
    painter.restore();
}

void SliceRenderer::paintTexts(QPainter& painter, int width, int height) const {
    if (width <= 0 || height <= 0) {
        return;
    }
    // DejaVu Sans (fonts-dejavu-core, on every Debian desktop): one named font, so that the
    // picture does not depend on which fonts a machine substitutes for VTK's Arial.
    QFont corner(QStringLiteral("DejaVu Sans"));
    corner.setPixelSize(kCornerSize);
    QFont letter(QStringLiteral("DejaVu Sans"));
    letter.setPixelSize(kLetterSize);
    const QColor colour = QColor::fromRgbF(1.0f, 0.85f, 0.2f);
    const double shadow = 1.0 / pixelRatio_;  // VTK's shadow: one device pixel right and down
    auto text = [&](const QFont& font, const QRectF& box, int flags, const std::string& s) {
        if (s.empty()) {
            return;
        }
        const QString q = QString::fromStdString(s);
        painter.setFont(font);
        painter.setPen(Qt::black);
        painter.drawText(box.translated(shadow, shadow), flags, q);
        painter.setPen(colour);
        painter.drawText(box, flags, q);
    };
    const double w = width, h = height;
    const double inset = 0.01;
    text(corner, QRectF(inset * w, inset * h, w, h), Qt::AlignLeft | Qt::AlignTop, topLeftText_);
    text(corner, QRectF(inset * w, 0, w, (1.0 - inset) * h), Qt::AlignLeft | Qt::AlignBottom,
         bottomLeftText_);
    if (study_ == nullptr) {
        return;
    }
    const auto names = orientationLabels();
    // As layoutText(): a top (bottom) letter that would reach into the corner text, with 8
    // pixels to spare, moves below (above) it.
    const QFontMetricsF cornerMetrics(corner), letterMetrics(letter);
    auto shift = [&](const std::string& cornerText, const std::string& name) {
        const double cornerWidth =
            cornerText.empty()
                ? 0.0
                : cornerMetrics.horizontalAdvance(QString::fromStdString(cornerText));
        const double letterWidth = letterMetrics.horizontalAdvance(QString::fromStdString(name));
        const bool clash = cornerWidth > 0 && inset * w + cornerWidth + 8 > (w - letterWidth) / 2.0;
        return clash ? cornerMetrics.height() + 4.0 : 0.0;
    };
    const double top = inset * h + shift(topLeftText_, names[2]);
    const double bottom = (1.0 - inset) * h - shift(bottomLeftText_, names[3]);
    text(letter, QRectF(inset * w, 0, w, h), Qt::AlignLeft | Qt::AlignVCenter, names[0]);
    text(letter, QRectF(0, 0, (1.0 - inset) * w, h), Qt::AlignRight | Qt::AlignVCenter, names[1]);
    text(letter, QRectF(0, top, w, h), Qt::AlignHCenter | Qt::AlignTop, names[2]);
    text(letter, QRectF(0, 0, w, bottom), Qt::AlignHCenter | Qt::AlignBottom, names[3]);
}

void SliceRenderer::paint(QPainter& painter, int width, int height) const {
    if (width <= 0 || height <= 0) {
        return;
    }
    const QSize device(static_cast<int>(std::lround(width * pixelRatio_)),
                       static_cast<int>(std::lround(height * pixelRatio_)));
    if (frame_.size() != device) {
        frame_ = QImage(device, QImage::Format_RGB32);
    }
    frame_.setDevicePixelRatio(pixelRatio_);
    rasterSlice(frame_);
    painter.drawImage(QPointF(0, 0), frame_);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paintCrosshair(painter, width, height);
    paintTexts(painter, width, height);
}

QImage SliceRenderer::renderImage(int width, int height) const {
    QImage image(static_cast<int>(std::lround(std::max(width, 1) * pixelRatio_)),
                 static_cast<int>(std::lround(std::max(height, 1) * pixelRatio_)),
                 QImage::Format_RGB32);
    image.setDevicePixelRatio(pixelRatio_);
    QPainter painter(&image);
    paint(painter, width, height);
    painter.end();
    return image;
}

}  // namespace bmsc::viewer
