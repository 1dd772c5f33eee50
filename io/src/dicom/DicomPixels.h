#pragma once
// Private: decoding the pixel data of one DICOM file into float frames.

#include <filesystem>
#include <vector>

namespace bmsc::io::detail {

/// Registers DCMTK's RLE, JPEG and JPEG-LS decoders once per process (thread-safe) and checks
/// that DCMTK found its data dictionary (Debian: /usr/share/libdcmtk17/dicom.dic, or
/// DCMDICTPATH); without it implicit-VR files cannot be read, so that is an error naming `file`.
void prepareDcmtk(const std::filesystem::path& file);

/// One frame to decode and where its Rows × Columns float values go (row by row).
struct FrameRequest {
    int frame = 0;
    double slope = 1.0;
    double intercept = 0.0;
    float* out = nullptr;
};

/// Reads the pixel data of `file` (any transfer syntax DCMTK decodes) and writes the requested
/// frames as stored value × slope + intercept, stored values masked to BitsStored and
/// sign-extended when PixelRepresentation is 1. `rows`/`columns` are what the header said.
/// Throws IoError (Corrupt, Unsupported) naming the file.
void readDicomFrames(const std::filesystem::path& file, int rows, int columns,
                     const std::vector<FrameRequest>& requests);

}  // namespace bmsc::io::detail
