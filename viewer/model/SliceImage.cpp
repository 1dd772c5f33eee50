#include "model/SliceImage.h"

#include "model/WindowPresets.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bmsc::viewer {

WindowLevel automaticWindow(const io::Volume& volume) {
    // The Automatic preset: 1st to 99.5th percentile of a strided sample.
    return percentileWindow(volume, 1.0, 99.5);
}

QImage axialSlice(const io::Volume& volume, std::int64_t k, const WindowLevel& window) {
    const auto& size = volume.geometry().size;
    const int width = static_cast<int>(size[0]);
    const int height = static_cast<int>(size[1]);
    QImage image(width, height, QImage::Format_Grayscale8);
    if (k < 0 || k >= size[2]) {
        image.fill(0);
        return image;
    }
    const double lo = window.center - window.width / 2.0;
    const double scale = 255.0 / window.width;
    for (int j = 0; j < height; ++j) {
        uchar* line = image.scanLine(j);
        for (int i = 0; i < width; ++i) {
            const double v = (volume.at(i, j, k) - lo) * scale;
            line[i] = static_cast<uchar>(std::clamp(v, 0.0, 255.0));
        }
    }
    return image;
}

}  // namespace bmsc::viewer
