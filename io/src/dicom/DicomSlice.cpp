#include "DicomSlice.h"

#include "DicomPixels.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cctype>
#include <cstdlib>
#include <fstream>

namespace bmsc::io::detail {
namespace fs = std::filesystem;

namespace {

// Values larger than this stay on disk while the header is parsed (the pixel data, mostly).
constexpr Uint32 kHeaderMaxReadLength = 4096;

std::string trim(const OFString& value) {
    std::string s(value.c_str());
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) {
        return {};
    }
    const auto end = s.find_last_not_of(" \t\r\n");
    return s.substr(begin, end - begin + 1);
}

std::string text(DcmItem* item, const DcmTagKey& key) {
    OFString value;
    if (item != nullptr && item->findAndGetOFStringArray(key, value).good()) {
        return trim(value);
    }
    return {};
}

bool number(DcmItem* item, const DcmTagKey& key, double& out, unsigned long pos = 0) {
    Float64 value = 0;
    if (item != nullptr && item->findAndGetFloat64(key, value, pos).good() &&
        std::isfinite(value)) {
        out = value;
        return true;
    }
    return false;
}

DcmItem* firstItem(DcmItem* item, const DcmTagKey& sequence, int index = 0) {
    DcmItem* out = nullptr;
    if (item != nullptr && item->findAndGetSequenceItem(sequence, out, index).good()) {
        return out;
    }
    return nullptr;
}

/// The item of a functional group macro for one frame: per-frame first, then shared.
DcmItem* functionalGroup(DcmItem* perFrame, DcmItem* shared, const DcmTagKey& macro) {
    if (DcmItem* item = firstItem(perFrame, macro)) {
        return item;
    }
    return firstItem(shared, macro);
}

bool readTriple(DcmItem* item, const DcmTagKey& key, Vec3& out) {
    Vec3 v{};
    for (unsigned long i = 0; i < 3; ++i) {
        if (!number(item, key, v[i], i)) {
            return false;
        }
    }
    out = v;
    return true;
}

bool readOrientation(DcmItem* item, std::array<double, 6>& out) {
    std::array<double, 6> v{};
    for (unsigned long i = 0; i < 6; ++i) {
        if (!number(item, DCM_ImageOrientationPatient, v[i], i)) {
            return false;
        }
    }
    out = v;
    return true;
}

bool readSpacing(DcmItem* item, std::array<double, 2>& out) {
    std::array<double, 2> v{};
    if (number(item, DCM_PixelSpacing, v[0], 0) && number(item, DCM_PixelSpacing, v[1], 1) &&
        v[0] > 0 && v[1] > 0) {
        out = v;
        return true;
    }
    return false;
}

/// The first bytes of a DICOM file: the 128-byte preamble and "DICM", or (old files without
/// a preamble) a tag of group 0002 or 0008 in either byte order.
enum class Magic { Part10, Bare, None };

Magic sniff(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char head[132] = {};
    in.read(head, sizeof head);
    const auto n = in.gcount();
    if (n == 132 && std::string(head + 128, 4) == "DICM") {
        return Magic::Part10;
    }
    if (n >= 8) {
        const auto b0 = static_cast<unsigned char>(head[0]);
        const auto b1 = static_cast<unsigned char>(head[1]);
        if ((b0 == 0x08 || b0 == 0x02) && b1 == 0x00) {
            return Magic::Bare;
        }
        if (b0 == 0x00 && (b1 == 0x08 || b1 == 0x02)) {
            return Magic::Bare;
        }
    }
    return Magic::None;
}

}  // namespace

Vec3 DicomSlice::normal() const noexcept {
    const auto& o = orientation;
    Vec3 n{o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
    const double length = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (length > 0) {
        for (auto& c : n) {
            c /= length;
        }
    }
    return n;
}

double DicomSlice::positionAlongNormal() const noexcept {
    const Vec3 n = normal();
    return position[0] * n[0] + position[1] * n[1] + position[2] * n[2];
}

double parseDicomTime(const std::string& value) {
    std::string digits;
    std::string fraction;
    bool inFraction = false;
    for (char c : value) {
        if (c == '.') {
            inFraction = true;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            (inFraction ? fraction : digits) += c;
        } else if (c != ':' && c != ' ') {
            return NAN;
        }
    }
    if (digits.size() < 2 || digits.size() > 6 || digits.size() % 2 != 0) {
        return NAN;
    }
    const double hours = std::stod(digits.substr(0, 2));
    const double minutes = digits.size() >= 4 ? std::stod(digits.substr(2, 2)) : 0.0;
    const double seconds = digits.size() >= 6 ? std::stod(digits.substr(4, 2)) : 0.0;
    const double frac = fraction.empty() ? 0.0 : std::stod("0." + fraction);
    return hours * 3600.0 + minutes * 60.0 + seconds + frac;
}

bool looksLikeDicom(const fs::path& file) {
    return sniff(file) != Magic::None;
}

std::vector<DicomSlice> readDicomSliceHeaders(const fs::path& file) {
    const Magic magic = sniff(file);
    if (magic == Magic::None) {
        return {};
    }
    prepareDcmtk(file);
    DcmFileFormat format;
    const OFCondition status =
        format.loadFile(OFFilename(file.c_str()), EXS_Unknown, EGL_noChange, kHeaderMaxReadLength);
    if (status.bad()) {
        if (magic == Magic::Part10) {
            throw IoError(ErrorCode::Corrupt, file,
                          std::string("DICOM file cannot be parsed: ") + status.text());
        }
        return {};  // only looked like a header-less DICOM file
    }
    DcmDataset* ds = format.getDataset();
    Uint16 rows = 0;
    Uint16 columns = 0;
    if (!ds->tagExists(DCM_PixelData) && !ds->tagExists(DCM_FloatPixelData) &&
        !ds->tagExists(DCM_DoubleFloatPixelData)) {
        return {};
    }
    if (ds->findAndGetUint16(DCM_Rows, rows).bad() ||
        ds->findAndGetUint16(DCM_Columns, columns).bad() || rows == 0 || columns == 0) {
        throw IoError(ErrorCode::Corrupt, file, "DICOM image without Rows/Columns");
    }

    DicomSlice base;
    base.file = file;
    base.patientId = text(ds, DCM_PatientID);
    base.studyInstanceUid = text(ds, DCM_StudyInstanceUID);
    base.studyDate = text(ds, DCM_StudyDate);
    base.studyDescription = text(ds, DCM_StudyDescription);
    base.seriesInstanceUid = text(ds, DCM_SeriesInstanceUID);
    base.seriesNumber = text(ds, DCM_SeriesNumber);
    base.seriesDescription = text(ds, DCM_SeriesDescription);
    base.modality = text(ds, DCM_Modality);
    base.imageType = text(ds, DCM_ImageType);
    base.rows = rows;
    base.columns = columns;
    base.instanceNumber = std::atoi(text(ds, DCM_InstanceNumber).c_str());
    base.hasPosition = readTriple(ds, DCM_ImagePositionPatient, base.position);
    base.hasOrientation = readOrientation(ds, base.orientation);
    base.hasPixelSpacing = readSpacing(ds, base.pixelSpacing);
    number(ds, DCM_SliceThickness, base.sliceThickness);
    number(ds, DCM_SpacingBetweenSlices, base.spacingBetweenSlices);
    number(ds, DCM_RescaleSlope, base.rescaleSlope);
    number(ds, DCM_RescaleIntercept, base.rescaleIntercept);
    double temporal = 0;
    if (number(ds, DCM_TemporalPositionIdentifier, temporal)) {
        base.temporalPosition = static_cast<long>(temporal);
    }
    number(ds, DCM_TriggerTime, base.triggerTimeMs);
    base.acquisitionTimeS = parseDicomTime(text(ds, DCM_AcquisitionTime));
    number(ds, DCM_EchoTime, base.echoTimeMs);
    number(ds, DCM_RepetitionTime, base.repetitionTimeMs);

    Sint32 frames = 1;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) {
        frames = 1;
    }
    // A header that claims more frames than the file has bytes, or more voxels than any volume
    // this product reads, is refused here: its frames would be listed, then allocated.
    std::error_code ec;
    const auto bytes = fs::file_size(file, ec);
    if (!ec && static_cast<std::uintmax_t>(frames) > bytes) {
        throw IoError(ErrorCode::Corrupt, file,
                      "the header claims " + std::to_string(frames) +
                          " frames, more than the file's " + std::to_string(bytes) +
                          " bytes can hold");
    }
    const long double voxels = static_cast<long double>(rows) * columns * frames;
    if (voxels > static_cast<long double>(ImageLimits{}.maxVoxels)) {
        throw IoError(ErrorCode::InvalidValue, file,
                      "the header claims an absurd size of " + std::to_string(columns) + "×" +
                          std::to_string(rows) + "×" + std::to_string(frames) + " voxels");
    }
    base.frameCount = frames;
    if (frames == 1 && !ds->tagExists(DCM_PerFrameFunctionalGroupsSequence)) {
        return {base};
    }

    // Multi-frame: per-frame geometry from the functional groups (enhanced objects), from
    // GridFrameOffsetVector (RT dose), or frames stacked along the normal at the slice spacing.
    DcmItem* shared = firstItem(ds, DCM_SharedFunctionalGroupsSequence);
    std::vector<DicomSlice> slices;
    slices.reserve(static_cast<std::size_t>(frames));
    for (int f = 0; f < frames; ++f) {
        DicomSlice s = base;
        s.frame = f;
        DcmItem* perFrame = firstItem(ds, DCM_PerFrameFunctionalGroupsSequence, f);
        if (DcmItem* g = functionalGroup(perFrame, shared, DCM_PlaneOrientationSequence)) {
            s.hasOrientation = readOrientation(g, s.orientation) || s.hasOrientation;
        }
        if (DcmItem* g = functionalGroup(perFrame, shared, DCM_PixelMeasuresSequence)) {
            s.hasPixelSpacing = readSpacing(g, s.pixelSpacing) || s.hasPixelSpacing;
            number(g, DCM_SliceThickness, s.sliceThickness);
            number(g, DCM_SpacingBetweenSlices, s.spacingBetweenSlices);
        }
        if (DcmItem* g = functionalGroup(perFrame, shared, DCM_PixelValueTransformationSequence)) {
            number(g, DCM_RescaleSlope, s.rescaleSlope);
            number(g, DCM_RescaleIntercept, s.rescaleIntercept);
        }
        if (DcmItem* g = functionalGroup(perFrame, shared, DCM_FrameContentSequence)) {
            if (number(g, DCM_TemporalPositionIndex, temporal)) {
                s.temporalPosition = static_cast<long>(temporal);
            }
            const std::string dateTime = text(g, DCM_FrameAcquisitionDateTime);
            if (dateTime.size() >= 14) {
                s.acquisitionTimeS = parseDicomTime(dateTime.substr(8));
            }
        }
        if (DcmItem* g = functionalGroup(perFrame, shared, DCM_PlanePositionSequence)) {
            s.hasPosition = readTriple(g, DCM_ImagePositionPatient, s.position);
        } else if (base.hasPosition && base.hasOrientation) {
            double offset = 0;
            const Vec3 n = s.normal();
            if (number(ds, DCM_GridFrameOffsetVector, offset, static_cast<unsigned long>(f))) {
                // offsets are along the normal, relative to ImagePositionPatient
            } else if (std::isfinite(base.spacingBetweenSlices)) {
                offset = f * base.spacingBetweenSlices;
            } else if (f > 0) {
                s.hasPosition = false;  // no way to place this frame
            }
            for (int a = 0; a < 3; ++a) {
                s.position[a] = base.position[a] + offset * n[a];
            }
        } else if (f > 0) {
            s.hasPosition = false;
        }
        slices.push_back(std::move(s));
    }
    return slices;
}

}  // namespace bmsc::io::detail
