#include "breastmsc/io/ImageFile.h"

#include "ItkBridge.h"
#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Resample.h"
#include "dicom/DicomSlice.h"

#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>

#include <cmath>
#include <cstring>
#include <fstream>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

using Image4 = itk::Image<float, 4>;

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The size an uncompressed single-file NIfTI (1 or 2) must have: vox_offset plus the voxels its
// dim and bitpix fields promise; 0 if the header is not one. Read from the header itself, not
// from ITK: ITK reports a scaled integer file (scl_slope set) as float, twice an int16 file's size.
std::uintmax_t niftiExpectedSize(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char header[348] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (in.gcount() < static_cast<std::streamsize>(sizeof header)) {
        return 0;
    }
    auto read = [&header](std::size_t at, std::size_t n, bool bigEndian) {
        std::uint64_t v = 0;
        for (std::size_t b = 0; b < n; ++b) {
            const std::size_t i = bigEndian ? at + b : at + n - 1 - b;
            v = (v << 8) | header[i];
        }
        return v;
    };
    // dim[0..7] at `dims` (`width` bytes each), bitpix at `bits`: the voxels' bytes.
    auto voxelBytes = [&](std::size_t dims, std::size_t width, std::size_t bits, bool bigEndian) {
        const std::uint64_t rank = read(dims, width, bigEndian);  // a negative one reads huge
        long double n = rank >= 1 && rank <= 7 ? 1.0L : 0.0L;
        for (std::uint64_t d = 1; d <= rank && d <= 7; ++d) {
            n *= static_cast<long double>(
                read(dims + width * static_cast<std::size_t>(d), width, bigEndian));
        }
        const auto bitpix = static_cast<long double>(read(bits, 2, bigEndian));
        return n * bitpix / 8.0L;
    };
    for (const bool bigEndian : {false, true}) {
        const auto sizeofHdr = read(0, 4, bigEndian);
        long double offset = 0.0L, bytes = 0.0L;
        if (sizeofHdr == 348) {
            const auto bits = static_cast<std::uint32_t>(read(108, 4, bigEndian));
            float voxOffset = 0.0f;
            std::memcpy(&voxOffset, &bits, sizeof voxOffset);
            offset = voxOffset > 0.0f ? voxOffset : 352.0L;
            bytes = voxelBytes(40, 2, 72, bigEndian);
        } else if (sizeofHdr == 540) {
            offset = static_cast<long double>(read(168, 8, bigEndian));
            bytes = voxelBytes(16, 8, 14, bigEndian);
        } else {
            continue;
        }
        const long double total = offset + bytes;
        return total > 0.0L && total < 1e18L ? static_cast<std::uintmax_t>(total) : 0;
    }
    return 0;
}

// ITK's readers accept some truncated uncompressed files silently: compare the file size with
// what the header promises.
void checkNotTruncated(const fs::path& file) {
    const std::string name = file.filename().string();
    const std::uintmax_t expected = endsWith(name, ".nii") ? niftiExpectedSize(file) : 0;
    std::error_code ec;
    const auto actual = fs::file_size(file, ec);
    if (expected > 0 && !ec && actual < expected) {
        throw IoError(ErrorCode::Corrupt, file,
                      "is truncated: " + std::to_string(actual) + " bytes, the header promises " +
                          std::to_string(expected));
    }
}

void checkHeader(const fs::path& file, const ImageLimits& limits, unsigned& dimensions) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        throw IoError(ErrorCode::NotFound, file, "the file does not exist");
    }
    if (fs::is_directory(file, ec)) {
        throw IoError(ErrorCode::NotReadable, file, "is a folder, not an image file");
    }
    detail::registerItkImageIo();
    auto imageIO = itk::ImageIOFactory::CreateImageIO(file.c_str(), itk::IOFileModeEnum::ReadMode);
    if (!imageIO) {
        throw IoError(ErrorCode::NotReadable, file,
                      "not an image format this product reads (NIfTI, NRRD, MetaImage, DICOM)");
    }
    imageIO->SetFileName(file.string());
    try {
        imageIO->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
        throw IoError(ErrorCode::Corrupt, file,
                      std::string("cannot read the image header: ") + e.GetDescription());
    }
    dimensions = imageIO->GetNumberOfDimensions();
    if (dimensions < 2 || dimensions > 4) {
        throw IoError(ErrorCode::Unsupported, file,
                      "has " + std::to_string(dimensions) + " dimensions; 2 to 4 are supported");
    }
    if (imageIO->GetNumberOfComponents() != 1) {
        throw IoError(ErrorCode::Unsupported, file,
                      "has " + std::to_string(imageIO->GetNumberOfComponents()) +
                          " components per voxel; a scalar image is needed");
    }
    long double voxels = 1;
    for (unsigned d = 0; d < dimensions; ++d) {
        const auto n = static_cast<long double>(imageIO->GetDimensions(d));
        if (n < 1 || n > static_cast<long double>(limits.maxDimension)) {
            throw IoError(ErrorCode::InvalidValue, file,
                          "the header claims an absurd size of " +
                              std::to_string(imageIO->GetDimensions(d)) + " voxels along axis " +
                              std::to_string(d));
        }
        if (d < 3) {
            voxels *= n;
        }
        const double spacing = imageIO->GetSpacing(d);
        if (d < 3 && (!std::isfinite(spacing) || spacing <= 0.0)) {
            throw IoError(ErrorCode::InvalidValue, file,
                          "the header claims a spacing of " + std::to_string(spacing) +
                              " mm along axis " + std::to_string(d));
        }
    }
    if (voxels > static_cast<long double>(limits.maxVoxels)) {
        throw IoError(ErrorCode::InvalidValue, file,
                      "the header claims an absurd size (more than " +
                          std::to_string(limits.maxVoxels) + " voxels per volume)");
    }
    checkNotTruncated(file);
}

// A DICOM file, read by the DICOM reader (DCMTK) as DICOM studies are: a file that is not
// named as an image format ITK reads here and begins as DICOM does.
bool isLoneDicomFile(const fs::path& file) {
    const std::string name = file.filename().string();
    for (const auto& extension : imageExtensions()) {
        if (endsWith(name, extension)) {
            return false;
        }
    }
    std::error_code ec;
    return fs::is_regular_file(file, ec) && detail::looksLikeDicom(file);
}

// Reads the voxels after checkHeader; ITK's failures become errors that name the file.
template <typename Image>
typename Image::Pointer readVoxels(const fs::path& file) {
    auto reader = itk::ImageFileReader<Image>::New();
    reader->SetFileName(file.string());
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw IoError(ErrorCode::Corrupt, file,
                      std::string("cannot read the voxels: ") + e.GetDescription());
    } catch (const std::bad_alloc&) {
        throw IoError(ErrorCode::InvalidValue, file, "too large to fit in memory");
    }
    return reader->GetOutput();
}

void checkFinite(const Volume& volume, const fs::path& file) {
    for (const float v : volume.voxels()) {
        if (!std::isfinite(v)) {
            throw IoError(ErrorCode::InvalidValue, file,
                          "holds NaN or infinite voxel values; the product needs finite values");
        }
    }
}

}  // namespace

std::vector<Volume> readImageSeries(const fs::path& file, const ImageLimits& limits) {
    if (isLoneDicomFile(file)) {
        return {readDicomVolume({file})};
    }
    unsigned dimensions = 0;
    checkHeader(file, limits, dimensions);
    const auto image = readVoxels<Image4>(file);
    const auto size = image->GetLargestPossibleRegion().GetSize();
    Geometry g;
    for (unsigned a = 0; a < 3; ++a) {
        g.size[a] = static_cast<std::int64_t>(size[a]);
        g.spacing[a] = image->GetSpacing()[a];
        g.origin[a] = image->GetOrigin()[a];
        for (unsigned c = 0; c < 3; ++c) {
            g.direction[3 * a + c] = image->GetDirection()(a, c);
        }
    }
    const std::size_t perVolume = g.voxelCount();
    std::vector<Volume> volumes;
    const float* buffer = image->GetBufferPointer();
    for (std::size_t t = 0; t < size[3]; ++t) {
        volumes.emplace_back(
            g, std::vector<float>(buffer + t * perVolume, buffer + (t + 1) * perVolume));
        checkFinite(volumes.back(), file);
    }
    return volumes;
}

Volume readImage(const fs::path& file, const ImageLimits& limits) {
    if (isLoneDicomFile(file)) {
        return readDicomVolume({file});
    }
    unsigned dimensions = 0;
    checkHeader(file, limits, dimensions);
    if (dimensions == 4) {
        auto series = readImageSeries(file, limits);
        if (series.size() != 1) {
            throw IoError(ErrorCode::Unsupported, file,
                          "is a 4D image with " + std::to_string(series.size()) +
                              " time points; one 3D volume was expected");
        }
        return std::move(series.front());
    }
    Volume volume = detail::fromItk(readVoxels<detail::ItkImage>(file));
    checkFinite(volume, file);
    return volume;
}

void writeImage(const Volume& volume, const fs::path& file) {
    if (volume.empty()) {
        throw IoError(ErrorCode::InvalidArgument, file, "cannot write an empty volume");
    }
    detail::registerItkImageIo();
    writePathAtomically(file, [&](const fs::path& temporary) {
        auto writer = itk::ImageFileWriter<detail::ItkImage>::New();
        writer->SetFileName(temporary.string());
        writer->SetInput(detail::toItk(volume));
        writer->SetUseCompression(true);
        try {
            writer->Update();
        } catch (const itk::ExceptionObject& e) {
            throw IoError(ErrorCode::WriteFailed, file, e.GetDescription());
        }
    });
}

const std::vector<std::string>& imageExtensions() {
    static const std::vector<std::string> extensions{".nii.gz", ".nii", ".nrrd",
                                                     ".nhdr",   ".mha", ".mhd"};
    return extensions;
}

fs::path findChannelFile(const fs::path& folder, Channel channel) {
    std::error_code ec;
    for (const auto& extension : imageExtensions()) {
        fs::path candidate = folder / (std::string(channelName(channel)) + extension);
        if (fs::is_regular_file(candidate, ec)) {
            return candidate;
        }
    }
    return {};
}

bool isImageStudyFolder(const fs::path& folder) {
    for (const Channel c : kAllChannels) {
        if (!findChannelFile(folder, c).empty()) {
            return true;
        }
    }
    return false;
}

Study readImageStudy(const fs::path& folder, Progress* progress) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::NotFound, folder, "the study folder does not exist");
    }
    std::string missing;
    std::array<fs::path, kChannelCount> files;
    for (const Channel c : kAllChannels) {
        files[static_cast<std::size_t>(c)] = findChannelFile(folder, c);
        if (files[static_cast<std::size_t>(c)].empty()) {
            missing += (missing.empty() ? "" : ", ") + std::string(channelName(c));
        }
    }
    if (!missing.empty()) {
        throw IoError(ErrorCode::MissingChannel, folder,
                      "missing channel file(s): " + missing +
                          " (expected pre, post1-post4 and t2 as .nii.gz, .nii, .nrrd or .mha)");
    }
    Study study;
    study.metadata.source = folder.string();
    study.metadata.patientId = folder.filename().string();
    for (const Channel c : kAllChannels) {
        throwIfCancelled(progress, folder.c_str());
        const fs::path& file = files[static_cast<std::size_t>(c)];
        if (progress != nullptr) {
            progress->report(static_cast<double>(c) / kChannelCount,
                             "reading " + file.filename().string());
        }
        Volume volume = readImage(file);
        if (c != Channel::Pre && !volume.geometry().sameGrid(study.geometry(), 1e-3)) {
            study.metadata.report.push_back(std::string(channelName(c)) + ": " +
                                            volume.geometry().describe() +
                                            ", resampled (linear) onto the dynamic grid");
            volume = resampleToGrid(volume, study.geometry());
        }
        study.metadata.report.push_back(std::string(channelName(c)) + ": " +
                                        file.filename().string());
        study.setChannel(c, std::move(volume));
    }
    study.metadata.report.insert(study.metadata.report.begin(),
                                 "image study, grid " + study.geometry().describe());
    if (progress != nullptr) {
        progress->report(1.0, "study read");
    }
    return study;
}

void writeImageStudy(const Study& study, const fs::path& folder, const std::string& extension,
                     Progress* progress, const Volume* t2) {
    const std::string ext = extension.empty() || extension[0] == '.' ? extension : "." + extension;
    writeFolderAtomically(folder, [&](const fs::path& temporary) {
        for (const Channel c : kAllChannels) {
            throwIfCancelled(progress, folder.c_str());
            if (progress != nullptr) {
                progress->report(static_cast<double>(c) / kChannelCount,
                                 "writing " + std::string(channelName(c)));
            }
            const Volume& v = c == Channel::T2 && t2 != nullptr ? *t2 : study.channel(c);
            writeImage(v, temporary / (std::string(channelName(c)) + ext));
        }
    });
}

}  // namespace bmsc::io
