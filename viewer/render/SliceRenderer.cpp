#include "render/SliceRenderer.h"

#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkImageProperty.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>

#include <algorithm>
#include <cmath>

namespace bmsc::viewer {

namespace {

int axisIndex(ViewAxis axis) {
    return static_cast<int>(axis);
}

/// The anatomical letter of an LPS direction: its dominant component's sign.
std::string letterOf(const io::Vec3& v) {
    int c = 0;
    for (int a = 1; a < 3; ++a) {
        if (std::abs(v[static_cast<std::size_t>(a)]) > std::abs(v[static_cast<std::size_t>(c)])) {
            c = a;
        }
    }
    static constexpr const char* positive[] = {"L", "P", "S"};
    static constexpr const char* negative[] = {"R", "A", "I"};
    return v[static_cast<std::size_t>(c)] >= 0 ? positive[c] : negative[c];
}

/// Wraps the voxels of `volume` (x fastest, as VTK's point order) without copying.
void wrapVoxels(vtkImageData* image, const io::Volume& volume) {
    auto* array = vtkFloatArray::SafeDownCast(image->GetPointData()->GetScalars());
    if (array == nullptr) {
        vtkNew<vtkFloatArray> fresh;
        image->GetPointData()->SetScalars(fresh);
        array = fresh;
    }
    const auto voxels = volume.voxels();
    // save = 1: VTK never frees or writes these voxels; the study owns them.
    array->SetArray(const_cast<float*>(voxels.data()), static_cast<vtkIdType>(voxels.size()), 1);
    array->Modified();
    image->Modified();
}

void setGrid(vtkImageData* image, const io::Geometry& g) {
    image->SetDimensions(static_cast<int>(g.size[0]), static_cast<int>(g.size[1]),
                         static_cast<int>(g.size[2]));
    image->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
    image->SetOrigin(0.0, 0.0, 0.0);
}

/// Width and height in pixels of `text` as drawn (72 dpi: font size in pixels); 0 when empty.
std::array<int, 2> textSize(vtkTextActor* text) {
    const char* input = text->GetInput();
    vtkTextRenderer* renderer = vtkTextRenderer::GetInstance();
    int box[4] = {0, 0, 0, 0};
    if (input == nullptr || *input == '\0' || renderer == nullptr ||
        !renderer->GetBoundingBox(text->GetTextProperty(), input, box, 72)) {
        return {0, 0};
    }
    return {box[1] - box[0] + 1, box[3] - box[2] + 1};
}

void styleText(vtkTextActor* text, double x, double y, int hJustify, int vJustify, int size) {
    text->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    text->SetPosition(x, y);
    vtkTextProperty* p = text->GetTextProperty();
    p->SetFontFamilyToArial();
    p->SetFontSize(size);
    p->SetColor(1.0, 0.85, 0.2);
    p->SetShadow(1);
    p->SetJustification(hJustify);
    p->SetVerticalJustification(vJustify);
}

}  // namespace

SliceRenderer::SliceRenderer(ViewAxis axis) : axis_(axis) {
    renderer_->SetBackground(0.0, 0.0, 0.0);
    renderer_->GetActiveCamera()->ParallelProjectionOn();

    for (vtkImageSliceMapper* m : {mapper_.Get(), overlayMapper_.Get()}) {
        m->SetOrientation(axisIndex(axis_));
        m->SliceFacesCameraOff();
        m->SliceAtFocalPointOff();
        m->BorderOn();  // edge voxels drawn whole: each spans ±½ spacing around its centre
    }
    mapper_->SetInputData(image_);
    slice3d_->SetMapper(mapper_);
    slice3d_->GetProperty()->SetInterpolationTypeToLinear();
    slice3d_->GetProperty()->SetLayerNumber(0);

    overlayMapper_->SetInputData(overlayImage_);
    overlaySlice_->SetMapper(overlayMapper_);
    vtkImageProperty* op = overlaySlice_->GetProperty();
    op->SetLookupTable(overlayTable_);
    op->UseLookupTableScalarRangeOn();
    op->SetLayerNumber(1);
    overlaySlice_->VisibilityOff();

    stack_->AddImage(slice3d_);
    stack_->AddImage(overlaySlice_);
    stack_->SetActiveLayer(0);
    stack_->VisibilityOff();
    renderer_->AddViewProp(stack_);

    styleText(labels_[0], 0.01, 0.5, VTK_TEXT_LEFT, VTK_TEXT_CENTERED, kLetterSize);
    styleText(labels_[1], 0.99, 0.5, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED, kLetterSize);
    styleText(labels_[2], 0.5, 0.99, VTK_TEXT_CENTERED, VTK_TEXT_TOP, kLetterSize);
    styleText(labels_[3], 0.5, 0.01, VTK_TEXT_CENTERED, VTK_TEXT_BOTTOM, kLetterSize);
    styleText(topLeft_, 0.01, 0.99, VTK_TEXT_LEFT, VTK_TEXT_TOP, kCornerSize);
    styleText(bottomLeft_, 0.01, 0.01, VTK_TEXT_LEFT, VTK_TEXT_BOTTOM, kCornerSize);
    for (auto& label : labels_) {
        renderer_->AddViewProp(label);
    }
    vtkNew<vtkPolyDataMapper> lineMapper;
    lineMapper->SetInputData(crosshairLines_);
    crosshairActor_->SetMapper(lineMapper);
    crosshairActor_->GetProperty()->SetColor(0.3, 0.9, 0.4);
    crosshairActor_->GetProperty()->SetOpacity(0.8);
    crosshairActor_->GetProperty()->SetLineWidth(1.0);
    crosshairActor_->VisibilityOff();
    renderer_->AddViewProp(crosshairActor_);
    renderer_->AddViewProp(topLeft_);
    renderer_->AddViewProp(bottomLeft_);
}

SliceRenderer::~SliceRenderer() = default;

void SliceRenderer::attach(vtkRenderWindow* window) {
    window->AddRenderer(renderer_);
}

vtkRenderer* SliceRenderer::renderer() const {
    return renderer_.Get();
}

void SliceRenderer::setStudy(std::shared_ptr<const io::Study> study) {
    const bool sameGrid = study != nullptr && study_ != nullptr &&
                          study->geometry().size == study_->geometry().size &&
                          study->geometry().spacing == study_->geometry().spacing;
    study_ = std::move(study);
    display_ = nullptr;
    if (study_ == nullptr || !study_->complete()) {
        study_ = nullptr;
        stack_->VisibilityOff();
        for (auto& label : labels_) {
            label->SetInput("");
        }
        return;
    }
    if (!sameGrid) {
        slice_ = study_->geometry().size[static_cast<std::size_t>(axisIndex(axis_))] / 2;
        zoom_ = 1.0;
        pan_ = {0.0, 0.0};
    }
    rebuildGeometry();
}

void SliceRenderer::rebuildGeometry() {
    setGrid(image_, grid());
    updateChannelArray();
    stack_->VisibilityOn();
    const auto names = orientationLabels();
    for (std::size_t n = 0; n < 4; ++n) {
        labels_[n]->SetInput(names[n].c_str());
    }
    layoutText();
    setOverlay(overlay_);  // re-checks the grid
    updateSlice();
    placeCamera();
    updateCrosshair();
}

const io::Volume& SliceRenderer::shownVolume() const {
    return display_ != nullptr ? *display_ : study_->channel(channel_);
}

void SliceRenderer::updateChannelArray() {
    if (study_ == nullptr) {
        return;
    }
    int dims[3];
    image_->GetDimensions(dims);
    const io::Index3& size = grid().size;
    const bool regrid = dims[0] != size[0] || dims[1] != size[1] || dims[2] != size[2];
    if (regrid) {
        setGrid(image_, grid());
    }
    wrapVoxels(image_, shownVolume());
    if (regrid) {
        setOverlay(overlay_);  // hidden when it no longer fits the grid
        setSlice(slice_);      // re-clamped, camera re-placed
    }
}

void SliceRenderer::setDisplayVolume(std::shared_ptr<const io::Volume> volume) {
    if (volume != nullptr &&
        (study_ == nullptr || volume->geometry().size[0] != study_->geometry().size[0] ||
         volume->geometry().size[1] != study_->geometry().size[1])) {
        volume = nullptr;  // not on the study's in-plane grid: show the channel
    }
    if (volume != display_) {
        display_ = std::move(volume);
        updateChannelArray();
    }
}

void SliceRenderer::setChannel(io::Channel channel) {
    if (channel != channel_) {
        channel_ = channel;
        updateChannelArray();
    }
}

void SliceRenderer::setWindow(const WindowLevel& window) {
    window_ = window;
    vtkImageProperty* p = slice3d_->GetProperty();
    p->SetColorWindow(window.width);
    p->SetColorLevel(window.center);
}

void SliceRenderer::setCrosshair(std::optional<io::Index3> voxel) {
    crosshair_ = voxel;
    updateCrosshair();
}

void SliceRenderer::updateCrosshair() {
    if (!crosshair_ || study_ == nullptr) {
        crosshairActor_->VisibilityOff();
        return;
    }
    const io::Geometry& g = grid();
    const auto axes = screenAxes();
    const int n = axisIndex(axis_);
    // Just in front of the slice (towards the camera), so that the lines are never hidden.
    double plane[3] = {0, 0, 0};
    plane[n] = static_cast<double>(slice_) * g.spacing[static_cast<std::size_t>(n)];
    const double* position = renderer_->GetActiveCamera()->GetPosition();
    const double lift = 0.25 * g.spacing[static_cast<std::size_t>(n)];
    plane[n] += position[n] > plane[n] ? lift : -lift;

    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    for (int line = 0; line < 2; ++line) {
        const int along = axes[static_cast<std::size_t>(line)][0];  // the line runs along this axis
        const int across = axes[static_cast<std::size_t>(1 - line)][0];
        const auto ua = static_cast<std::size_t>(along);
        const auto uc = static_cast<std::size_t>(across);
        double a[3] = {plane[0], plane[1], plane[2]};
        double b[3] = {plane[0], plane[1], plane[2]};
        a[along] = -0.5 * g.spacing[ua];
        b[along] = (static_cast<double>(g.size[ua]) - 0.5) * g.spacing[ua];
        a[across] = b[across] = static_cast<double>((*crosshair_)[uc]) * g.spacing[uc];
        const vtkIdType ids[2] = {points->InsertNextPoint(a), points->InsertNextPoint(b)};
        lines->InsertNextCell(2, ids);
    }
    crosshairLines_->SetPoints(points);
    crosshairLines_->SetLines(lines);
    crosshairLines_->Modified();
    crosshairActor_->VisibilityOn();
}

std::int64_t SliceRenderer::sliceCount() const {
    return study_ == nullptr ? 0 : grid().size[static_cast<std::size_t>(axisIndex(axis_))];
}

void SliceRenderer::setSlice(std::int64_t slice) {
    slice_ = std::clamp<std::int64_t>(slice, 0, std::max<std::int64_t>(0, sliceCount() - 1));
    updateSlice();
    placeCamera();
    updateCrosshair();
}

void SliceRenderer::updateSlice() {
    mapper_->SetSliceNumber(static_cast<int>(slice_));
    overlayMapper_->SetSliceNumber(static_cast<int>(slice_));
}

void SliceRenderer::setOverlay(const OverlayLayer& overlay) {
    overlay_ = overlay;
    const bool fits = study_ != nullptr && overlay_.volume != nullptr &&
                      overlay_.volume->geometry().size == grid().size;
    if (!fits) {
        overlaySlice_->VisibilityOff();
        return;
    }
    setGrid(overlayImage_, grid());
    wrapVoxels(overlayImage_, *overlay_.volume);
    // While the overlay image was empty the mapper clamped its slice number to 0 on the last
    // render: put it back on the view's slice.
    overlayMapper_->SetSliceNumber(static_cast<int>(slice_));
    updateOverlayTable();
    vtkImageProperty* p = overlaySlice_->GetProperty();
    p->SetOpacity(std::clamp(overlay_.opacity, 0.0, 1.0));
    if (overlay_.colorMap == ColorMap::Kinetic) {
        p->SetInterpolationTypeToNearest();  // categories must not blend
    } else {
        p->SetInterpolationTypeToLinear();
    }
    overlaySlice_->SetVisibility(overlay_.visible);
}

void SliceRenderer::clearOverlay() {
    setOverlay(OverlayLayer{});
}

SliceRenderer::OverlayTable SliceRenderer::overlayTable(const OverlayLayer& overlay) {
    OverlayTable t;
    if (overlay.colorMap == ColorMap::Kinetic) {
        t.low = 0.5;
        t.high = 3.5;
        t.clampAbove = false;
        t.colours = {{0.15, 0.45, 1.0, 1.0},  // persistent
                     {1.0, 0.9, 0.1, 1.0},    // plateau
                     {1.0, 0.1, 0.1, 1.0}};   // washout
        return t;
    }
    const int n = 256;
    t.low = overlay.threshold;
    t.high = std::max(overlay.maximum, overlay.threshold + 1e-6);
    auto ramp = [](double v) { return std::clamp(v, 0.0, 1.0); };
    for (int i = 0; i < n; ++i) {
        const double x = i / static_cast<double>(n - 1);
        if (overlay.colorMap == ColorMap::Hot) {
            // Red → yellow → white, starting at dark red so that the threshold shows.
            const double s = 0.25 + 0.75 * x;
            t.colours.push_back({ramp(3.0 * s), ramp(3.0 * s - 1.0), ramp(3.0 * s - 2.0), 1.0});
        } else {
            t.colours.push_back({ramp(1.5 - std::abs(4.0 * x - 3.0)),
                                 ramp(1.5 - std::abs(4.0 * x - 2.0)),
                                 ramp(1.5 - std::abs(4.0 * x - 1.0)), 1.0});
        }
    }
    return t;
}

void SliceRenderer::updateOverlayTable() {
    const OverlayTable table = overlayTable(overlay_);
    vtkLookupTable* t = overlayTable_;
    t->UseBelowRangeColorOn();
    t->SetBelowRangeColor(0.0, 0.0, 0.0, 0.0);
    t->SetNumberOfTableValues(static_cast<vtkIdType>(table.colours.size()));
    t->SetTableRange(table.low, table.high);
    for (std::size_t i = 0; i < table.colours.size(); ++i) {
        const auto& c = table.colours[i];
        t->SetTableValue(static_cast<vtkIdType>(i), c[0], c[1], c[2], c[3]);
    }
    if (table.clampAbove) {
        t->UseAboveRangeColorOff();
    } else {
        t->UseAboveRangeColorOn();
        t->SetAboveRangeColor(0.0, 0.0, 0.0, 0.0);
    }
    t->BuildSpecialColors();
    t->Modified();
}

void SliceRenderer::setInfoText(const std::string& topLeft, const std::string& bottomLeft) {
    topLeftText_ = topLeft;
    bottomLeftText_ = bottomLeft;
    topLeft_->SetInput(topLeft.c_str());
    bottomLeft_->SetInput(bottomLeft.c_str());
    layoutText();
}

void SliceRenderer::layoutText() {
    // Text is measured in device pixels: compare it with the viewport in device pixels.
    const double width = viewport_[0] * pixelRatio_;
    const double height = viewport_[1] * pixelRatio_;
    if (width <= 0 || height <= 0) {
        return;
    }
    // The corner texts start at 1 % from the left edge; a letter centred on the top (bottom)
    // edge that would reach into them, with 8 logical px to spare, moves below (above) them.
    auto edgeY = [&](vtkTextActor* corner, vtkTextActor* letter, bool top) {
        const auto [cornerWidth, cornerHeight] = textSize(corner);
        const int letterWidth = textSize(letter)[0];
        const bool clash = cornerWidth > 0 && 0.01 * width + cornerWidth + 8 * pixelRatio_ >
                                                  (width - letterWidth) / 2.0;
        const double shift = clash ? (cornerHeight + 4.0 * pixelRatio_) / height : 0.0;
        return top ? 0.99 - shift : 0.01 + shift;
    };
    labels_[2]->SetPosition(0.5, edgeY(topLeft_, labels_[2], true));
    labels_[3]->SetPosition(0.5, edgeY(bottomLeft_, labels_[3], false));
}

std::array<std::array<int, 2>, 2> SliceRenderer::screenAxes() const {
    io::Geometry g;
    if (study_ != nullptr) {
        g = study_->geometry();
    }
    // Sign of index axis `a` so that it runs towards LPS unit vector `toward`.
    auto sign = [&g](int a, const io::Vec3& toward) {
        const io::Vec3 d = g.axisDirection(a);
        return d[0] * toward[0] + d[1] * toward[1] + d[2] * toward[2] >= 0.0 ? 1 : -1;
    };
    const io::Vec3 left{1, 0, 0}, anterior{0, -1, 0}, posterior{0, 1, 0}, superior{0, 0, 1};
    switch (axis_) {
        case ViewAxis::Axial:
            return {{{0, sign(0, left)}, {1, sign(1, anterior)}}};
        case ViewAxis::Coronal:
            return {{{0, sign(0, left)}, {2, sign(2, superior)}}};
        case ViewAxis::Sagittal:
            break;
    }
    return {{{1, sign(1, posterior)}, {2, sign(2, superior)}}};
}

std::array<std::string, 4> SliceRenderer::orientationLabels() const {
    if (study_ == nullptr) {
        return {};
    }
    const auto axes = screenAxes();
    auto lps = [this](const std::array<int, 2>& a, int s) {
        io::Vec3 d = study_->geometry().axisDirection(a[0]);
        for (double& c : d) {
            c *= a[1] * s;
        }
        return d;
    };
    return {letterOf(lps(axes[0], -1)), letterOf(lps(axes[0], 1)), letterOf(lps(axes[1], 1)),
            letterOf(lps(axes[1], -1))};
}

void SliceRenderer::setPixelRatio(double ratio) {
    ratio = std::clamp(ratio, 0.25, 8.0);
    if (ratio == pixelRatio_) {
        return;
    }
    pixelRatio_ = ratio;
    const auto scaled = [ratio](int size) { return static_cast<int>(std::lround(size * ratio)); };
    for (auto& label : labels_) {
        label->GetTextProperty()->SetFontSize(scaled(kLetterSize));
    }
    topLeft_->GetTextProperty()->SetFontSize(scaled(kCornerSize));
    bottomLeft_->GetTextProperty()->SetFontSize(scaled(kCornerSize));
    crosshairActor_->GetProperty()->SetLineWidth(static_cast<float>(ratio));
    layoutText();
}

void SliceRenderer::fitToViewport(int width, int height) {
    aspect_ = height > 0 ? std::max(1e-3, width / static_cast<double>(height)) : 1.0;
    viewport_ = {width, height};
    placeCamera();
    layoutText();
}

void SliceRenderer::zoomAbout(double factor, double x, double y, int width, int height) {
    if (width <= 0 || height <= 0 || !(factor > 0.0)) {
        return;
    }
    const double perPixel = millimetresPerPixel(height);
    const double zoom = std::clamp(zoom_ * factor, 0.25, 32.0);
    // The point under (x, y) sits at centre + d · perPixel before and after: move the centre
    // by d · (perPixel − perPixel').
    const double shrink = 1.0 - zoom_ / zoom;
    pan_[0] += (x - width / 2.0) * perPixel * shrink;
    pan_[1] += (height / 2.0 - y) * perPixel * shrink;
    zoom_ = zoom;
    placeCamera();
}

void SliceRenderer::panBy(double dx, double dy, int height) {
    if (height <= 0) {
        return;
    }
    const double perPixel = millimetresPerPixel(height);
    pan_[0] -= dx * perPixel;
    pan_[1] += dy * perPixel;
    placeCamera();
}

void SliceRenderer::resetView() {
    zoom_ = 1.0;
    pan_ = {0.0, 0.0};
    placeCamera();
}

void SliceRenderer::placeCamera() {
    if (study_ == nullptr) {
        return;
    }
    const io::Geometry& g = grid();
    const auto axes = screenAxes();
    const int n = axisIndex(axis_);
    double focal[3];
    for (int a = 0; a < 3; ++a) {
        const auto ua = static_cast<std::size_t>(a);
        focal[a] = a == n ? static_cast<double>(slice_) * g.spacing[ua]
                          : 0.5 * static_cast<double>(g.size[ua] - 1) * g.spacing[ua];
    }
    double right[3] = {0, 0, 0};
    double up[3] = {0, 0, 0};
    right[axes[0][0]] = axes[0][1];
    up[axes[1][0]] = axes[1][1];
    for (int a = 0; a < 3; ++a) {
        focal[a] += pan_[0] * right[a] + pan_[1] * up[a];
    }
    // Towards the viewer: right × up (so that the camera's right is `right`).
    const double toward[3] = {right[1] * up[2] - right[2] * up[1],
                              right[2] * up[0] - right[0] * up[2],
                              right[0] * up[1] - right[1] * up[0]};
    const double w = static_cast<double>(g.size[static_cast<std::size_t>(axes[0][0])]) *
                     g.spacing[static_cast<std::size_t>(axes[0][0])];
    const double h = static_cast<double>(g.size[static_cast<std::size_t>(axes[1][0])]) *
                     g.spacing[static_cast<std::size_t>(axes[1][0])];
    const double distance = 1000.0 + w + h;

    focal_ = {focal[0], focal[1], focal[2]};
    parallelScale_ = std::max(h / 2.0, w / (2.0 * aspect_)) / zoom_;
    vtkCamera* camera = renderer_->GetActiveCamera();
    camera->SetFocalPoint(focal);
    camera->SetPosition(focal[0] + distance * toward[0], focal[1] + distance * toward[1],
                        focal[2] + distance * toward[2]);
    camera->SetViewUp(up);
    camera->SetParallelScale(parallelScale_);
    camera->SetClippingRange(distance / 2.0, distance * 2.0);
}

std::optional<io::Index3> SliceRenderer::voxelAt(double x, double y, int width, int height) const {
    if (study_ == nullptr || width <= 0 || height <= 0) {
        return std::nullopt;
    }
    const double perPixel = millimetresPerPixel(height);
    const double dx = (x - width / 2.0) * perPixel;
    const double dy = (height / 2.0 - y) * perPixel;
    const auto axes = screenAxes();
    const io::Geometry& g = grid();
    double world[3] = {focal_[0], focal_[1], focal_[2]};
    world[axes[0][0]] += axes[0][1] * dx;
    world[axes[1][0]] += axes[1][1] * dy;
    io::Index3 index{};
    for (std::size_t a = 0; a < 3; ++a) {
        index[a] = static_cast<std::int64_t>(std::floor(world[a] / g.spacing[a] + 0.5));
    }
    index[static_cast<std::size_t>(axisIndex(axis_))] = slice_;
    if (!g.contains(index)) {
        return std::nullopt;
    }
    return index;
}

}  // namespace bmsc::viewer
