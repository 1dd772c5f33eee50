#pragma once

#include "model/OverlayLayer.h"

#include <QColor>
#include <QStringList>
#include <QWidget>

namespace bmsc::viewer {

/// The legend of an overlay layer: for a continuous map (Hot, Jet) a gradient from the layer's
/// threshold to its maximum with both values written under it; for the categorical Kinetic map
/// three labelled swatches (persistent, plateau, washout). Colours are those SliceRenderer
/// draws. Shows itself only while the layer it was given is visible; holds no other state.
class ColorBar : public QWidget {
    Q_OBJECT

public:
    explicit ColorBar(QWidget* parent = nullptr);

    /// Describes `layer`; hidden while the layer has no volume or is not visible.
    void setLayer(const OverlayLayer& layer);
    /// A caption drawn above the legend ("Kinetic map", "CAM"); empty: none.
    void setTitle(const QString& title);

    ColorMap colorMap() const { return colorMap_; }
    /// The texts of the legend as drawn: swatch labels, or the min and max values.
    QStringList labels() const;
    /// The colour the legend draws at `fraction` (0…1) of a continuous map, or category
    /// 1…3 of the Kinetic map.
    static QColor colorAt(ColorMap map, double fraction);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    int titleHeight() const;

    ColorMap colorMap_ = ColorMap::Kinetic;
    double minimum_ = 0.0;
    double maximum_ = 1.0;
    QString title_;
};

}  // namespace bmsc::viewer
