#include "widgets/KineticPanel.h"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace bmsc::viewer {

namespace {

QColor classColor(DelayedPhase phase) {
    const auto rgb = kineticColor(phase);
    return QColor::fromRgbF(static_cast<float>(rgb[0]), static_cast<float>(rgb[1]),
                            static_cast<float>(rgb[2]));
}

QString signedPercent(double value) {
    const long rounded = std::lround(value);
    return (rounded > 0 ? QStringLiteral("+") : QString()) + QString::number(rounded) +
           QStringLiteral(" %");
}

/// The curve-type chip: the map's colour behind dark or light text, whichever reads better.
QString chipStyle(const QColor& background) {
    const QColor text = background.lightnessF() > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
    return QStringLiteral(
               "QLabel { background: %1; color: %2; border-radius: 4px; "
               "padding: 4px 10px; font-weight: bold; }")
        .arg(background.name(), text.name());
}

}  // namespace

KineticPanel::KineticPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("kineticPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    type_ = new QLabel(this);
    type_->setObjectName(QStringLiteral("kineticCurveType"));
    QFont big = type_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    type_->setFont(big);
    type_->setAlignment(Qt::AlignCenter);
    layout->addWidget(type_);

    details_ = new QLabel(this);
    details_->setObjectName(QStringLiteral("kineticCurveDetails"));
    details_->setWordWrap(true);
    layout->addWidget(details_);

    chart_ = new QChart();
    chart_->setTheme(QChart::ChartThemeDark);  // like the views: the colours read on black
    chart_->legend()->hide();
    chart_->setMargins(QMargins(2, 2, 6, 2));
    chart_->setBackgroundRoundness(0);

    auto guide = [this](QLineSeries*& series) {
        series = new QLineSeries(chart_);
        QPen pen(QColor(200, 200, 200, 150), 1, Qt::DashLine);
        series->setPen(pen);
        chart_->addSeries(series);
    };
    guide(guide50_);
    guide(guide100_);
    reference_ = new QLineSeries(chart_);
    reference_->setPen(QPen(QColor(190, 190, 190), 1.5, Qt::DotLine));
    chart_->addSeries(reference_);
    curve_ = new QLineSeries(chart_);
    chart_->addSeries(curve_);
    markers_ = new QScatterSeries(chart_);
    markers_->setMarkerSize(9);
    chart_->addSeries(markers_);

    axisX_ = new QValueAxis(chart_);
    axisY_ = new QValueAxis(chart_);
    axisY_->setTickType(QValueAxis::TicksDynamic);
    axisY_->setTickAnchor(0.0);
    axisY_->setLabelFormat(QStringLiteral("%.0f"));
    axisX_->setTickType(QValueAxis::TicksDynamic);
    axisX_->setTickAnchor(0.0);
    axisX_->setLabelFormat(QStringLiteral("%.0f"));
    chart_->addAxis(axisX_, Qt::AlignBottom);
    chart_->addAxis(axisY_, Qt::AlignLeft);
    for (QXYSeries* s :
         std::initializer_list<QXYSeries*>{guide50_, guide100_, reference_, curve_, markers_}) {
        s->attachAxis(axisX_);
        s->attachAxis(axisY_);
    }

    view_ = new QChartView(chart_, this);
    view_->setObjectName(QStringLiteral("kineticChart"));
    view_->setRenderHint(QPainter::Antialiasing);
    view_->setMinimumSize(240, 200);
    layout->addWidget(view_, 1);

    clear();
}

QString KineticPanel::initialName(InitialPhase phase) {
    switch (phase) {
        case InitialPhase::Slow:
            return tr("slow");
        case InitialPhase::Medium:
            return tr("medium");
        case InitialPhase::Fast:
            return tr("fast");
    }
    return {};
}

QString KineticPanel::delayedName(DelayedPhase phase) {
    switch (phase) {
        case DelayedPhase::Persistent:
            return tr("persistent");
        case DelayedPhase::Plateau:
            return tr("plateau");
        case DelayedPhase::Washout:
            return tr("washout");
    }
    return {};
}

void KineticPanel::clear() {
    shown_.reset();
    curve_->clear();
    markers_->clear();
    reference_->clear();
    retranslate();
    fitAxes();
}

void KineticPanel::setCurve(const KineticCurve& curve, bool pinned) {
    shown_ = curve;
    pinned_ = pinned;
    curve_->clear();
    markers_->clear();
    if (curve.ok()) {
        const QColor color = classColor(curve.delayed);
        curve_->setPen(QPen(color, 3));
        markers_->setColor(color);
        markers_->setBorderColor(color.darker(160));
        for (std::size_t p = 0; p < curve.time.size(); ++p) {
            curve_->append(curve.time[p], curve.enhancement[p]);
            markers_->append(curve.time[p], curve.enhancement[p]);
        }
    }
    retranslate();
    fitAxes();
}

void KineticPanel::setReference(const std::optional<KineticCurve>& reference) {
    reference_->clear();
    if (reference && reference->ok()) {
        for (std::size_t p = 0; p < reference->time.size(); ++p) {
            reference_->append(reference->time[p], reference->enhancement[p]);
        }
    }
    fitAxes();
}

QString KineticPanel::curveTypeText() const {
    return type_->text();
}

QList<QPointF> KineticPanel::points() const {
    return curve_->points();
}

void KineticPanel::retranslate() {
    const bool seconds = shown_ && shown_->timeInSeconds;
    axisX_->setTitleText(seconds ? tr("time after the pre-contrast phase (s)")
                                 : tr("phase (0 = pre)"));
    axisY_->setTitleText(tr("relative enhancement (%)"));
    if (!shown_) {
        type_->setText(QString());
        type_->setStyleSheet(QString());
        details_->setText(
            tr("Open a study and point at a lesion: the curve under the mouse "
               "is shown; a click sets the crosshair, whose curve stays when the "
               "mouse leaves the image."));
        return;
    }
    const KineticCurve& c = *shown_;
    const QString where = tr("%1 (%2, %3, %4), mean of %n voxel(s)", nullptr, c.voxelCount)
                              .arg(pinned_ ? tr("Crosshair") : tr("Mouse"))
                              .arg(c.voxel[0])
                              .arg(c.voxel[1])
                              .arg(c.voxel[2]);
    switch (c.status) {
        case KineticCurve::Status::Ok:
            type_->setText(tr("%1 / %2").arg(initialName(c.initial), delayedName(c.delayed)));
            type_->setStyleSheet(chipStyle(classColor(c.delayed)));
            details_->setText(
                where + QLatin1Char('\n') +
                tr("initial %1 at post1, delayed %2 from post1 to post4")
                    .arg(signedPercent(c.initialEnhancement), signedPercent(c.delayedChange)));
            break;
        case KineticCurve::Status::NoBaseline:
            type_->setText(tr("no baseline"));
            type_->setStyleSheet(chipStyle(QColor(110, 110, 110)));
            details_->setText(where + QLatin1Char('\n') +
                              tr("pre-contrast signal %1 is background: no relative "
                                 "enhancement")
                                  .arg(c.signal[0], 0, 'f', 0));
            break;
        case KineticCurve::Status::NoData:
            type_->setText(QString());
            type_->setStyleSheet(QString());
            details_->setText(tr("No dynamic phases at this point."));
            break;
    }
}

void KineticPanel::fitAxes() {
    const bool seconds = shown_ && shown_->timeInSeconds;
    double x0 = 0.0;
    double x1 = 4.0;
    double y0 = 0.0;
    double y1 = 150.0;
    for (const QLineSeries* s : {curve_, reference_}) {
        for (const QPointF& p : s->points()) {
            x1 = std::max(x1, p.x());
            y0 = std::min(y0, p.y());
            y1 = std::max(y1, p.y());
        }
    }
    const double span = x1 - x0;
    // A step of 50 % up to the usual ranges, coarser for steep curves: at most 8 intervals,
    // so that the labels keep their room (13 labels of 100 % at ~1000 % were elided to "…").
    double step = 50.0;
    for (const double nice : {100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0}) {
        if ((y1 - y0 + 25.0) / step <= 8.0) {
            break;
        }
        step = nice;
    }
    axisX_->setRange(x0 - 0.04 * span, x1 + 0.04 * span);
    axisX_->setTickInterval(seconds ? (span > 400 ? 120.0 : 60.0) : 1.0);
    // The bottom on a 50 % line (not a whole coarse step below zero), the top on a tick.
    axisY_->setRange(std::floor((y0 - 10.0) / 50.0) * 50.0, std::ceil((y1 + 15.0) / step) * step);
    axisY_->setTickInterval(step);
    guide50_->replace(QList<QPointF>{{x0 - span, 50.0}, {x1 + span, 50.0}});
    guide100_->replace(QList<QPointF>{{x0 - span, 100.0}, {x1 + span, 100.0}});
}

void KineticPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

}  // namespace bmsc::viewer
