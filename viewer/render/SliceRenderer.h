#pragma once

#include "breastmsc/io/Study.h"
#include "model/OverlayLayer.h"
#include "model/SliceImage.h"

#include <QImage>

#include <vtkActor.h>
#include <vtkImageData.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkImageStack.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QPainter;
class vtkRenderWindow;

namespace bmsc::viewer {

/// Draws one slice of one channel of a study, window/levelled, with an optional colour-mapped
/// overlay, the crosshair, corner texts and orientation labels — in two ways that show the same
/// picture: through its VTK pipeline into any vtkRenderWindow (a Qt widget's GL surface or an
/// offscreen one in tests), or on the CPU with paint() into any QPainter (SliceRaster.cpp). The
/// second needs no OpenGL: under a software rasteriser (Mesa llvmpipe, remote X) a 1024 × 1024
/// frame takes 6–11 ms instead of 43–70 ms (doc/RESULTS.md). Knows nothing of Qt widgets.
///
/// Display space: the image stays on its index grid, scaled by the voxel spacing (world =
/// index · spacing, origin dropped, direction not applied). Slices are therefore always the
/// grid's own planes — no resampling, voxels stay crisp and picking is exact — and they have
/// their physical aspect. The direction matrix decides only which way each screen axis runs
/// (radiological convention: patient's right on the left of axial and coronal views, anterior
/// up in axial views, superior up in coronal and sagittal views, anterior on the left of
/// sagittal views) and the orientation labels, which always tell the truth for oblique grids.
class SliceRenderer {
public:
    explicit SliceRenderer(ViewAxis axis = ViewAxis::Axial);
    ~SliceRenderer();
    SliceRenderer(const SliceRenderer&) = delete;
    SliceRenderer& operator=(const SliceRenderer&) = delete;

    /// Adds this renderer to `window` (which may hold others, e.g. in a 1×3 layout).
    void attach(vtkRenderWindow* window);
    vtkRenderer* renderer() const;

    /// Shows `channel` of `study` (null: nothing). The voxels are shared, not copied: the
    /// renderer keeps the study alive. Switching channels of the same study is a pointer swap.
    void setStudy(std::shared_ptr<const io::Study> study);
    void setChannel(io::Channel channel);
    /// Shows `volume` instead of a channel (a subtraction on the study grid, or a one-slice MIP
    /// with the study's in-plane grid); null: back to the channel. Shared, not copied.
    void setDisplayVolume(std::shared_ptr<const io::Volume> volume);
    void setWindow(const WindowLevel& window);
    /// Index along the view's slice axis, clamped to the grid.
    void setSlice(std::int64_t slice);
    std::int64_t slice() const { return slice_; }
    std::int64_t sliceCount() const;
    ViewAxis axis() const { return axis_; }

    /// The overlay layer (volume must be on the study grid, else it is hidden).
    void setOverlay(const OverlayLayer& overlay);
    void clearOverlay();

    /// The linked crosshair through `voxel` (its in-plane coordinates), or none.
    void setCrosshair(std::optional<io::Index3> voxel);

    /// Text in the top-left corner (channel, slice) and the bottom-left corner (window).
    void setInfoText(const std::string& topLeft, const std::string& bottomLeft = {});

    /// Device pixels per logical pixel of the window drawn into (Qt's devicePixelRatio: 2 on a
    /// 200 % screen). The render window is sized in device pixels, so the letters, corner
    /// texts and crosshair are drawn this many times larger to keep their size on screen.
    /// Viewport sizes and positions given to the other calls stay in logical pixels.
    void setPixelRatio(double ratio);
    double pixelRatio() const { return pixelRatio_; }

    /// Fits the whole slice into a viewport of `width` × `height` pixels (aspect only); zoom
    /// and pan stay as they are (resetView() drops them).
    void fitToViewport(int width, int height);

    /// Camera on top of the fit: `zoom` 1 shows the whole slice, 2 half of it; `pan` moves the
    /// view centre by (right, up) display millimetres. voxelAt follows both exactly.
    double zoom() const { return zoom_; }
    std::array<double, 2> pan() const { return pan_; }
    /// Multiplies the zoom by `factor` (clamped to 0.25…32 overall) keeping the point under
    /// pixel (x, y) of a `width` × `height` viewport where it is.
    void zoomAbout(double factor, double x, double y, int width, int height);
    /// Moves the image with the mouse: by (dx, dy) pixels (y down) of a viewport `height` high.
    void panBy(double dx, double dy, int height);
    /// Back to the fitted view (zoom 1, no pan). A study on another grid does this too.
    void resetView();

    /// Voxel under pixel (x, y) of a `width` × `height` viewport, y from the top; none when
    /// outside the grid or without a study. Pure camera arithmetic: needs no rendering.
    std::optional<io::Index3> voxelAt(double x, double y, int width, int height) const;

    /// The labels shown at the right and top edges of the view (e.g. "L", "A").
    std::array<std::string, 4> orientationLabels() const;  ///< left, right, top, bottom

    /// Draws the view into `painter` over a `width` × `height` (logical pixels) viewport at the
    /// painter's origin, on the CPU (no VTK render pass): the same picture as the VTK pipeline
    /// — bilinear grey image with the window applied before interpolation (as VTK's texture),
    /// the overlay (nearest for the kinetic map), crosshair and texts — at pixelRatio() device
    /// pixels per logical pixel. SliceRaster.cpp.
    void paint(QPainter& painter, int width, int height) const;
    /// paint() into a fresh image of the viewport's device pixels (devicePixelRatio set).
    QImage renderImage(int width, int height) const;

private:
    const io::Volume& shownVolume() const;
    const io::Geometry& grid() const { return shownVolume().geometry(); }
    void rebuildGeometry();
    void updateChannelArray();
    void updateSlice();
    void updateOverlayTable();
    void placeCamera();
    void updateCrosshair();
    /// Moves the top and bottom orientation letters off the corner texts where a narrow
    /// viewport would make them overlap (below the caption, above the window text).
    void layoutText();
    /// Screen right and up as signed index axes: {axis, sign}.
    std::array<std::array<int, 2>, 2> screenAxes() const;
    /// Display millimetres per logical pixel of a viewport `height` high (camera's parallel scale).
    double millimetresPerPixel(int height) const { return 2.0 * parallelScale_ / height; }
    /// The overlay's colour table, shared by the VTK lookup table and paint(): `colours` span
    /// [low, high) evenly; values below `low` are transparent, above `high` the last colour
    /// (or transparent when !clampAbove).
    struct OverlayTable {
        double low = 0.0, high = 1.0;
        bool clampAbove = true;
        std::vector<std::array<double, 4>> colours;  ///< RGBA in [0, 1]
    };
    static OverlayTable overlayTable(const OverlayLayer& overlay);
    /// The grey image and overlay of paint(), into `image` (device pixels, black background).
    void rasterSlice(QImage& image) const;
    void paintCrosshair(QPainter& painter, int width, int height) const;
    void paintTexts(QPainter& painter, int width, int height) const;

    /// Font sizes in logical pixels (multiplied by the pixel ratio when drawn).
    static constexpr int kLetterSize = 18;
    static constexpr int kCornerSize = 14;

    ViewAxis axis_;
    std::shared_ptr<const io::Study> study_;
    io::Channel channel_ = io::Channel::Pre;
    std::shared_ptr<const io::Volume> display_;
    std::int64_t slice_ = 0;
    OverlayLayer overlay_;
    double aspect_ = 1.0;                ///< viewport width / height
    std::array<int, 2> viewport_{0, 0};  ///< width, height in logical pixels (fitToViewport)
    double pixelRatio_ = 1.0;            ///< device pixels per logical pixel
    double zoom_ = 1.0;
    std::array<double, 2> pan_{0.0, 0.0};  ///< view centre offset, display mm (right, up)
    std::optional<io::Index3> crosshair_;
    WindowLevel window_;
    std::string topLeftText_, bottomLeftText_;
    // The camera, also kept here so that picking and paint() need no VTK: focal point (display
    // mm) and parallel scale (half the viewport height in display mm).
    std::array<double, 3> focal_{0.0, 0.0, 0.0};
    double parallelScale_ = 1.0;
    mutable QImage frame_;  ///< paint()'s pixels, kept between frames of the same size

    vtkNew<vtkRenderer> renderer_;
    vtkNew<vtkImageData> image_;
    vtkNew<vtkImageSliceMapper> mapper_;
    vtkNew<vtkImageSlice> slice3d_;
    vtkNew<vtkImageData> overlayImage_;
    vtkNew<vtkImageSliceMapper> overlayMapper_;
    vtkNew<vtkImageSlice> overlaySlice_;
    vtkNew<vtkLookupTable> overlayTable_;
    vtkNew<vtkImageStack> stack_;
    std::array<vtkNew<vtkTextActor>, 4> labels_;  ///< left, right, top, bottom
    vtkNew<vtkPolyData> crosshairLines_;
    vtkNew<vtkActor> crosshairActor_;
    vtkNew<vtkTextActor> topLeft_;
    vtkNew<vtkTextActor> bottomLeft_;
};

}  // namespace bmsc::viewer
