#include "DicomPixels.h"

#include "breastmsc/io/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdint>
#include <mutex>
#include <string>

namespace bmsc::io::detail {
namespace fs = std::filesystem;

void prepareDcmtk(const fs::path& file) {
    // Registered once and never cleaned up: the codecs live as long as the process, so no
    // reader on another thread can see them disappear.
    static std::once_flag once;
    static bool dictionary = false;
    std::call_once(once, [] {
        DcmRLEDecoderRegistration::registerCodecs();
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        // DCMTK's log lines ("W: DcmItem: Length of element (7fe0,0010) is not a multiple of
        // 2") name no file, so in a folder of hundreds nobody can tell which one they are
        // about; what matters reaches the user as an IoError naming the file.
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        dictionary = dcmDataDict.isDictionaryLoaded();
    });
    if (!dictionary) {
        throw IoError(ErrorCode::Unsupported, file,
                      "DCMTK's data dictionary was not found (install libdcmtk17 or set "
                      "DCMDICTPATH to dicom.dic)");
    }
}

namespace {

struct PixelFormat {
    int bitsAllocated = 0;
    int bitsStored = 0;
    int highBit = 0;
    bool isSigned = false;
};

/// Stored value of a raw word: the BitsStored bits ending at HighBit, sign-extended if signed.
inline std::int64_t storedValue(std::uint32_t raw, const PixelFormat& f) {
    const int shift = f.highBit + 1 - f.bitsStored;
    std::uint64_t v = static_cast<std::uint64_t>(raw) >> shift;
    const std::uint64_t mask = (std::uint64_t{1} << f.bitsStored) - 1;
    v &= mask;
    if (f.isSigned && (v & (std::uint64_t{1} << (f.bitsStored - 1))) != 0) {
        return static_cast<std::int64_t>(v) - (std::int64_t{1} << f.bitsStored);
    }
    return static_cast<std::int64_t>(v);
}

template <typename Fetch>
void convertFrame(Fetch fetch, std::size_t pixelsPerFrame, const PixelFormat& format,
                  const FrameRequest& request) {
    const std::size_t base = static_cast<std::size_t>(request.frame) * pixelsPerFrame;
    for (std::size_t p = 0; p < pixelsPerFrame; ++p) {
        const double stored = static_cast<double>(storedValue(fetch(base + p), format));
        request.out[p] = static_cast<float>(stored * request.slope + request.intercept);
    }
}

}  // namespace

void readDicomFrames(const fs::path& file, int rows, int columns,
                     const std::vector<FrameRequest>& requests) {
    prepareDcmtk(file);
    DcmFileFormat format;
    OFCondition status = format.loadFile(OFFilename(file.c_str()));
    if (status.bad()) {
        throw IoError(ErrorCode::Corrupt, file,
                      std::string("DICOM file cannot be read: ") + status.text());
    }
    DcmDataset* ds = format.getDataset();
    Uint16 samples = 1;
    Uint16 bitsAllocated = 0;
    Uint16 bitsStored = 0;
    Uint16 highBit = 0;
    Uint16 representation = 0;
    Uint16 r = 0;
    Uint16 c = 0;
    ds->findAndGetUint16(DCM_SamplesPerPixel, samples);
    ds->findAndGetUint16(DCM_Rows, r);
    ds->findAndGetUint16(DCM_Columns, c);
    if (ds->findAndGetUint16(DCM_BitsAllocated, bitsAllocated).bad()) {
        throw IoError(ErrorCode::Corrupt, file, "DICOM image without BitsAllocated");
    }
    if (ds->findAndGetUint16(DCM_BitsStored, bitsStored).bad()) {
        bitsStored = bitsAllocated;
    }
    if (ds->findAndGetUint16(DCM_HighBit, highBit).bad()) {
        highBit = static_cast<Uint16>(bitsStored - 1);
    }
    ds->findAndGetUint16(DCM_PixelRepresentation, representation);
    if (!ds->tagExists(DCM_PixelData)) {
        throw IoError(ErrorCode::Unsupported, file,
                      "floating-point pixel data is not supported (only integer pixel data)");
    }
    if (samples != 1) {
        throw IoError(ErrorCode::Unsupported, file,
                      "colour DICOM image (SamplesPerPixel " + std::to_string(samples) +
                          "); only greyscale MR/CT images are read");
    }
    if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
        throw IoError(
            ErrorCode::Unsupported, file,
            "BitsAllocated " + std::to_string(bitsAllocated) + " is not supported (8, 16 or 32)");
    }
    if (bitsStored == 0 || bitsStored > bitsAllocated || highBit + 1 < bitsStored ||
        highBit >= bitsAllocated) {
        throw IoError(ErrorCode::Corrupt, file,
                      "inconsistent BitsStored " + std::to_string(bitsStored) + " / HighBit " +
                          std::to_string(highBit) + " / BitsAllocated " +
                          std::to_string(bitsAllocated));
    }
    if (r != rows || c != columns) {
        throw IoError(ErrorCode::Corrupt, file, "Rows/Columns changed between reads");
    }

    const E_TransferSyntax original = ds->getOriginalXfer();
    status = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (status.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
        throw IoError(ErrorCode::Unsupported, file,
                      std::string("cannot decode the transfer syntax ") +
                          DcmXfer(original).getXferName() +
                          (status.bad() ? std::string(": ") + status.text() : std::string()));
    }
    DcmElement* element = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        throw IoError(ErrorCode::Corrupt, file, "pixel data cannot be read");
    }

    Sint32 frames = 1;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) {
        frames = 1;
    }
    const std::size_t pixelsPerFrame = static_cast<std::size_t>(rows) * columns;
    const std::size_t needed =
        pixelsPerFrame * static_cast<std::size_t>(frames) * (bitsAllocated / 8);
    PixelFormat pf{bitsAllocated, bitsStored, highBit, representation == 1};
    for (const auto& request : requests) {
        if (request.frame < 0 || request.frame >= frames) {
            throw IoError(ErrorCode::Corrupt, file, "frame index out of range");
        }
    }

    if (bitsAllocated == 8) {
        Uint8* bytes = nullptr;
        if (element->getUint8Array(bytes).bad() || bytes == nullptr ||
            element->getLength() < needed) {
            throw IoError(ErrorCode::Corrupt, file,
                          "pixel data shorter than Rows × Columns × frames (truncated file?)");
        }
        for (const auto& request : requests) {
            convertFrame([bytes](std::size_t i) { return std::uint32_t{bytes[i]}; }, pixelsPerFrame,
                         pf, request);
        }
        return;
    }
    Uint16* words = nullptr;
    if (element->getUint16Array(words).bad() || words == nullptr || element->getLength() < needed) {
        throw IoError(ErrorCode::Corrupt, file,
                      "pixel data shorter than Rows × Columns × frames (truncated file?)");
    }
    if (bitsAllocated == 16) {
        for (const auto& request : requests) {
            convertFrame([words](std::size_t i) { return std::uint32_t{words[i]}; }, pixelsPerFrame,
                         pf, request);
        }
        return;
    }
    // 32 bits: DCMTK keeps OW data as 16-bit words in host order; a big-endian source puts the
    // high word first.
    const bool highFirst = DcmXfer(original).getByteOrder() == EBO_BigEndian;
    for (const auto& request : requests) {
        convertFrame(
            [words, highFirst](std::size_t i) {
                const std::uint32_t a = words[2 * i];
                const std::uint32_t b = words[2 * i + 1];
                return highFirst ? (a << 16) | b : (b << 16) | a;
            },
            pixelsPerFrame, pf, request);
    }
}

}  // namespace bmsc::io::detail
