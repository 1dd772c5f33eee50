#pragma once

// The few places where the LibTorch versions the product builds against differ: Debian 12's
// LibTorch 1.13 and the CUDA LibTorch of a current pip PyTorch (2.x, `Torch_DIR`). Kept in one
// private header so that the rest of ml reads as one API.
//   - autocast state: per-device functions since 2.4 (the CPU-named ones are deprecated);
//   - module option variants (padding): c10::variant until 2.1, std::variant since.

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <variant>

#define BMSC_TORCH_AT_LEAST(major, minor) \
    (TORCH_VERSION_MAJOR > (major) ||     \
     (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#if !BMSC_TORCH_AT_LEAST(2, 1)
#include <c10/util/variant.h>
#endif

namespace bmsc::ml::compat {

inline bool cpuAutocastEnabled() {
#if BMSC_TORCH_AT_LEAST(2, 4)
    return at::autocast::is_autocast_enabled(at::kCPU);
#else
    return at::autocast::is_cpu_enabled();
#endif
}

inline void setCpuAutocast(bool enabled) {
#if BMSC_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(at::kCPU, enabled);
#else
    at::autocast::set_cpu_enabled(enabled);
#endif
}

inline void setCpuAutocastDtype(at::ScalarType type) {
#if BMSC_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_dtype(at::kCPU, type);
#else
    at::autocast::set_autocast_cpu_dtype(type);
#endif
}

template <typename T, typename Variant>
bool holdsAlternative(const Variant& v) {
#if BMSC_TORCH_AT_LEAST(2, 1)
    return std::holds_alternative<T>(v);
#else
    return c10::holds_alternative<T>(v);
#endif
}

template <typename T, typename Variant>
const T& getAlternative(const Variant& v) {
#if BMSC_TORCH_AT_LEAST(2, 1)
    return std::get<T>(v);
#else
    return c10::get<T>(v);
#endif
}

}  // namespace bmsc::ml::compat
