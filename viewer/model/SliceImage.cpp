#include "model/SliceImage.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bmsc::viewer {

WindowLevel automaticWindow(const io::Volume& volume) {
    const auto voxels = volume.voxels();
    if (voxels.empty()) {
        return {};
    }
    // Percentiles of a strided sample: cheap and stable for display purposes.
    const std::size_t stride = std::max<std::size_t>(1, voxels.size() / 200000);
    std::vector<float> sample;
    sample.reserve(voxels.size() / stride + 1);
    for (std::size_t i = 0; i < voxels.size(); i += stride) {
        sample.push_back(voxels[i]);
    }
    auto at = [&sample](double q) {
        const auto n = static_cast<std::size_t>(q * static_cast<double>(sample.size() - 1));
        std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(n),
                         sample.end());
        return static_cast<double>(sample[n]);
    };
    const double lo = at(0.01);
    const double hi = at(0.995);
    return {(lo + hi) / 2.0, std::max(hi - lo, 1e-6)};
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
