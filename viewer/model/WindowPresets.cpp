#include "model/WindowPresets.h"

#include <algorithm>
#include <cmath>

namespace bmsc::viewer {

const std::vector<WindowPresetInfo>& windowPresets() {
    static const std::vector<WindowPresetInfo> presets{
        {WindowPreset::Automatic, "automatic", 1.0, 99.5},
        {WindowPreset::FullRange, "full", 0.0, 100.0},
        {WindowPreset::T1Dynamic, "t1", 2.0, 99.8},
        {WindowPreset::Subtraction, "subtraction", 50.0, 99.9},
        {WindowPreset::T2, "t2", 1.0, 99.9},
        {WindowPreset::HighContrast, "contrast", 25.0, 99.0},
    };
    return presets;
}

const WindowPresetInfo& presetInfo(WindowPreset preset) {
    for (const auto& info : windowPresets()) {
        if (info.preset == preset) {
            return info;
        }
    }
    return windowPresets().front();
}

std::optional<WindowPreset> presetFromKey(std::string_view key) {
    for (const auto& info : windowPresets()) {
        if (info.key == key) {
            return info.preset;
        }
    }
    return std::nullopt;
}

WindowLevel percentileWindow(const io::Volume& volume, double low, double high) {
    const auto voxels = volume.voxels();
    if (voxels.empty()) {
        return {};
    }
    const std::size_t stride = std::max<std::size_t>(1, voxels.size() / 200000);
    std::vector<float> sample;
    sample.reserve(voxels.size() / stride + 1);
    for (std::size_t i = 0; i < voxels.size(); i += stride) {
        sample.push_back(voxels[i]);
    }
    auto at = [&sample](double percent) {
        const double q = std::clamp(percent / 100.0, 0.0, 1.0);
        const auto n = static_cast<std::size_t>(q * static_cast<double>(sample.size() - 1));
        std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(n),
                         sample.end());
        return static_cast<double>(sample[n]);
    };
    const double lo = at(std::min(low, high));
    const double hi = at(std::max(low, high));
    return {(lo + hi) / 2.0, std::max(hi - lo, 1e-6)};
}

WindowLevel presetWindow(const io::Volume& volume, WindowPreset preset) {
    const WindowPresetInfo& info = presetInfo(preset);
    return percentileWindow(volume, info.low, info.high);
}

}  // namespace bmsc::viewer
