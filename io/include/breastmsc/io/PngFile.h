#pragma once
// A minimal PNG writer (8-bit RGB, zlib-compressed) for figures such as class activation map
// slices; no Qt or ITK needed, so the CLI and tests can write images headless.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace bmsc::io {

/// An 8-bit RGB image, rows top to bottom, pixels left to right, 3 bytes per pixel.
struct RgbImage {
    std::int64_t width = 0;
    std::int64_t height = 0;
    std::vector<std::uint8_t> pixels;  ///< width × height × 3

    RgbImage() = default;
    RgbImage(std::int64_t w, std::int64_t h) : width(w), height(h), pixels(w * h * 3, 0) {}
    std::uint8_t* at(std::int64_t x, std::int64_t y) { return &pixels[(y * width + x) * 3]; }
    const std::uint8_t* at(std::int64_t x, std::int64_t y) const {
        return &pixels[(y * width + x) * 3];
    }
};

/// Writes `image` as a PNG file (colour type 2, bit depth 8), atomically. Throws
/// IoError(InvalidArgument) for an empty image or a pixel buffer of the wrong size, and
/// IoError(WriteFailed) naming `file` when it cannot be written.
void writePng(const RgbImage& image, const std::filesystem::path& file);

}  // namespace bmsc::io
