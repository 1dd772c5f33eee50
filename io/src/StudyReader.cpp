#include "breastmsc/io/StudyReader.h"

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"

#include <fstream>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

// DICOM Part 10 files carry "DICM" at byte 128; some old files have no preamble, which the
// DICOM reader still accepts, so for detection any regular file without an image extension
// counts as a DICOM candidate only if it has the magic.
bool hasDicomMagic(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char magic[4] = {};
    in.seekg(128);
    in.read(magic, 4);
    return in.gcount() == 4 && std::string(magic, 4) == "DICM";
}

}  // namespace

StudyKind detectStudyKind(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        return StudyKind::Unknown;
    }
    if (isImageStudyFolder(folder)) {
        return StudyKind::ImageFiles;
    }
    int looked = 0;
    for (auto it = fs::recursive_directory_iterator(
             folder, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            if (hasDicomMagic(it->path())) {
                return StudyKind::Dicom;
            }
            if (++looked > 2000) {
                break;
            }
        }
    }
    return StudyKind::Unknown;
}

Study readStudy(const fs::path& folder, const StudyReadOptions& options, Progress* progress) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
        throw IoError(ErrorCode::NotFound, folder, "the study folder does not exist");
    }
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::NotReadable, folder,
                      "a study is a folder (six channel files or DICOM files), not a file");
    }
    switch (detectStudyKind(folder)) {
        case StudyKind::ImageFiles:
            return readImageStudy(folder, progress);
        case StudyKind::Dicom:
            return readDicomStudy(folder, options, progress);
        case StudyKind::Unknown:
            break;
    }
    throw IoError(ErrorCode::NotReadable, folder,
                  "holds neither channel files (pre, post1-post4, t2 as NIfTI/NRRD/MHA) nor DICOM "
                  "files");
}

}  // namespace bmsc::io
