#pragma once

#include "model/Kinetics.h"

#include <QWidget>

#include <optional>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace bmsc::viewer {

/// The time–intensity curve of breast DCE-MRI (Qt Charts): relative enhancement in % of pre,
/// post1 … post4 against seconds after the pre-contrast phase (or phase numbers), with guide
/// lines at 50 % and 100 % (slow / medium / fast), and the curve type written above it in the
/// standard terms ("fast / washout"), coloured like the kinetic map. Shows what it is given:
/// the controller decides which voxel (the hovered one, or the crosshair's).
class KineticPanel : public QWidget {
    Q_OBJECT

public:
    explicit KineticPanel(QWidget* parent = nullptr);

    /// Shows `curve`; `pinned` says it is the crosshair's voxel (else the one under the mouse).
    void setCurve(const KineticCurve& curve, bool pinned);
    /// The crosshair's curve drawn faintly for comparison while another voxel is shown; none:
    /// hidden.
    void setReference(const std::optional<KineticCurve>& reference);
    /// No study: an empty chart and a hint.
    void clear();

    /// "fast / washout", "no baseline", or empty: the curve-type label's text.
    QString curveTypeText() const;
    QChart* chart() const { return chart_; }
    /// The curve's points as drawn (x: seconds or phase, y: %).
    QList<QPointF> points() const;

    /// Translated names, as the panel writes them.
    static QString initialName(InitialPhase phase);
    static QString delayedName(DelayedPhase phase);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void fitAxes();

    QLabel* type_ = nullptr;
    QLabel* details_ = nullptr;
    QChartView* view_ = nullptr;
    QChart* chart_ = nullptr;
    QLineSeries* curve_ = nullptr;
    QScatterSeries* markers_ = nullptr;
    QLineSeries* reference_ = nullptr;
    QLineSeries* guide50_ = nullptr;
    QLineSeries* guide100_ = nullptr;
    QValueAxis* axisX_ = nullptr;
    QValueAxis* axisY_ = nullptr;
    std::optional<KineticCurve> shown_;
    bool pinned_ = false;
};

}  // namespace bmsc::viewer
