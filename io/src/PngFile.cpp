#include "breastmsc/io/PngFile.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"

#include <zlib.h>

#include <array>
#include <ostream>
#include <string>

namespace bmsc::io {

namespace {

void putBigEndian(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

/// A chunk: length, type, data, CRC-32 of type and data.
void putChunk(std::vector<std::uint8_t>& out, const char* type,
              const std::vector<std::uint8_t>& data) {
    putBigEndian(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t typeStart = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const auto crc = crc32(0L, out.data() + typeStart, static_cast<uInt>(out.size() - typeStart));
    putBigEndian(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

void writePng(const RgbImage& image, const std::filesystem::path& file) {
    constexpr std::int64_t kMaxSide = 1 << 20;
    if (image.width <= 0 || image.height <= 0 || image.width > kMaxSide ||
        image.height > kMaxSide ||
        image.pixels.size() != static_cast<std::size_t>(image.width * image.height * 3)) {
        throw IoError(ErrorCode::InvalidArgument, file,
                      "cannot write a PNG of " + std::to_string(image.width) + " x " +
                          std::to_string(image.height) + " pixels from " +
                          std::to_string(image.pixels.size()) + " bytes");
    }
    // Scanlines, each preceded by filter type 0 (none).
    const std::size_t stride = static_cast<std::size_t>(image.width) * 3;
    std::vector<std::uint8_t> raw;
    raw.reserve((stride + 1) * static_cast<std::size_t>(image.height));
    for (std::int64_t y = 0; y < image.height; ++y) {
        raw.push_back(0);
        const auto* row = image.pixels.data() + static_cast<std::size_t>(y) * stride;
        raw.insert(raw.end(), row, row + stride);
    }
    uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> packed(packedSize);
    if (compress2(packed.data(), &packedSize, raw.data(), static_cast<uLong>(raw.size()), 6) !=
        Z_OK) {
        throw IoError(ErrorCode::WriteFailed, file, "zlib could not compress the image");
    }
    packed.resize(packedSize);

    std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::vector<std::uint8_t> header;
    putBigEndian(header, static_cast<std::uint32_t>(image.width));
    putBigEndian(header, static_cast<std::uint32_t>(image.height));
    header.insert(header.end(), {8, 2, 0, 0, 0});  // 8 bit, RGB, deflate, adaptive, no interlace
    putChunk(png, "IHDR", header);
    putChunk(png, "IDAT", packed);
    putChunk(png, "IEND", {});
    writeFileAtomically(file, [&png](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(png.data()),
                  static_cast<std::streamsize>(png.size()));
    });
}

}  // namespace bmsc::io
