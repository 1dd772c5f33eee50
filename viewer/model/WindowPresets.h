#pragma once

#include "breastmsc/io/Volume.h"
#include "model/SliceImage.h"

#include <optional>
#include <string_view>
#include <vector>

namespace bmsc::viewer {

/// Window/level presets for breast DCE-MRI, each a pair of percentiles of the displayed
/// volume's voxels (so they adapt to any scanner's intensity scale): the window spans the
/// `low` to the `high` percentile.
///   Automatic     1st – 99.5th   (what a study opens with; as automaticWindow)
///   Full range    0 – 100th      (minimum to maximum)
///   T1 dynamic    2nd – 99.8th   (fat and glandular tissue of pre/post phases, vessels bright)
///   Subtraction   50th – 99.9th  (non-enhancing background, ~0 in a subtraction, dark;
///                                 enhancing lesions bright)
///   T2            1st – 99.9th   (keeps bright fluid and cysts from saturating)
///   High contrast 25th – 99th
enum class WindowPreset { Automatic, FullRange, T1Dynamic, Subtraction, T2, HighContrast };

struct WindowPresetInfo {
    WindowPreset preset;
    std::string_view key;  ///< stable name for settings: "automatic", "full", "t1", …
    double low;            ///< percentiles, 0…100
    double high;
};

/// All presets, in menu order.
const std::vector<WindowPresetInfo>& windowPresets();
const WindowPresetInfo& presetInfo(WindowPreset preset);
std::optional<WindowPreset> presetFromKey(std::string_view key);

/// The window from the `low` to the `high` percentile (0…100) of a strided sample of the
/// voxels (at most ~200,000); width at least 1e-6.
WindowLevel percentileWindow(const io::Volume& volume, double low, double high);
WindowLevel presetWindow(const io::Volume& volume, WindowPreset preset);

}  // namespace bmsc::viewer
