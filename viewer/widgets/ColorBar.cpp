#include "widgets/ColorBar.h"

#include "model/Kinetics.h"

#include <QEvent>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace bmsc::viewer {

namespace {

constexpr int kMargin = 4;
constexpr int kSwatch = 14;
constexpr int kBarHeight = 12;

QColor fromRgb(const std::array<double, 3>& rgb) {
    return QColor::fromRgbF(static_cast<float>(rgb[0]), static_cast<float>(rgb[1]),
                            static_cast<float>(rgb[2]));
}

QString number(double value) {
    const double magnitude = std::abs(value);
    return QString::number(value, 'f', magnitude >= 100 ? 0 : (magnitude >= 1 ? 1 : 2));
}

}  // namespace

ColorBar::ColorBar(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("colorBar"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    hide();
}

void ColorBar::setLayer(const OverlayLayer& layer) {
    colorMap_ = layer.colorMap;
    minimum_ = layer.threshold;
    maximum_ = layer.maximum;
    setVisible(layer.visible && layer.volume != nullptr);
    updateGeometry();
    update();
}

void ColorBar::setTitle(const QString& title) {
    title_ = title;
    updateGeometry();
    update();
}

QStringList ColorBar::labels() const {
    if (colorMap_ == ColorMap::Kinetic) {
        return {tr("persistent"), tr("plateau"), tr("washout")};
    }
    return {number(minimum_), number(maximum_)};
}

QColor ColorBar::colorAt(ColorMap map, double fraction) {
    // The tables of SliceRenderer::updateOverlayTable.
    if (map == ColorMap::Kinetic) {
        const int category = static_cast<int>(std::lround(fraction));
        return category == 1   ? fromRgb(kineticColor(DelayedPhase::Persistent))
               : category == 2 ? fromRgb(kineticColor(DelayedPhase::Plateau))
               : category == 3 ? fromRgb(kineticColor(DelayedPhase::Washout))
                               : QColor(Qt::transparent);
    }
    const double x = std::clamp(fraction, 0.0, 1.0);
    auto ramp = [](double v) { return std::clamp(v, 0.0, 1.0); };
    if (map == ColorMap::Hot) {
        const double s = 0.25 + 0.75 * x;
        return fromRgb({ramp(3.0 * s), ramp(3.0 * s - 1.0), ramp(3.0 * s - 2.0)});
    }
    return fromRgb({ramp(1.5 - std::abs(4.0 * x - 3.0)), ramp(1.5 - std::abs(4.0 * x - 2.0)),
                    ramp(1.5 - std::abs(4.0 * x - 1.0))});
}

int ColorBar::titleHeight() const {
    return title_.isEmpty() ? 0 : fontMetrics().height() + kMargin;
}

QSize ColorBar::sizeHint() const {
    const QFontMetrics fm = fontMetrics();
    int width = 0;
    if (colorMap_ == ColorMap::Kinetic) {
        for (const QString& t : labels()) {
            width += kSwatch + kMargin + fm.horizontalAdvance(t) + 4 * kMargin;
        }
    } else {
        width = 200;
    }
    return {std::max(width, fm.horizontalAdvance(title_)) + 2 * kMargin,
            minimumSizeHint().height()};
}

QSize ColorBar::minimumSizeHint() const {
    const QFontMetrics fm = fontMetrics();
    const int legend = colorMap_ == ColorMap::Kinetic ? std::max(kSwatch, fm.height())
                                                      : kBarHeight + kMargin / 2 + fm.height();
    return {100, titleHeight() + legend + 2 * kMargin};
}

void ColorBar::paintEvent(QPaintEvent* /*event*/) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::WindowText);
    const int x = kMargin;
    int top = kMargin;
    if (!title_.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(text);
        p.drawText(QRect(x, top, width() - 2 * kMargin, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, title_);
        p.setFont(font());
        top += titleHeight();
    }
    const QStringList texts = labels();
    if (colorMap_ == ColorMap::Kinetic) {
        // Three swatches, each with its label, spread over the width.
        const int line = std::max(kSwatch, fm.height());
        const int cell = std::max(1, (width() - 2 * kMargin) / 3);
        for (int n = 0; n < 3; ++n) {
            const int left = x + n * cell;
            const QRect swatch(left, top + (line - kSwatch) / 2, kSwatch, kSwatch);
            p.setPen(QPen(text, 1));
            p.setBrush(colorAt(ColorMap::Kinetic, n + 1));
            p.drawRoundedRect(swatch, 2, 2);
            p.setPen(text);
            p.drawText(QRect(swatch.right() + kMargin + 1, top, cell - kSwatch - kMargin, line),
                       Qt::AlignLeft | Qt::AlignVCenter, texts[n]);
        }
        return;
    }
    const QRect bar(x, top, std::max(1, width() - 2 * kMargin), kBarHeight);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int n = 0; n <= 16; ++n) {
        gradient.setColorAt(n / 16.0, colorAt(colorMap_, n / 16.0));
    }
    p.setPen(QPen(text, 1));
    p.setBrush(gradient);
    p.drawRect(bar);
    p.setPen(text);
    const QRect under(bar.left(), bar.bottom() + kMargin / 2, bar.width(), fm.height());
    p.drawText(under, Qt::AlignLeft | Qt::AlignTop, texts[0]);
    p.drawText(under, Qt::AlignRight | Qt::AlignTop, texts[1]);
}

void ColorBar::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::FontChange) {
        updateGeometry();
        update();
    }
    QWidget::changeEvent(event);
}

}  // namespace bmsc::viewer
