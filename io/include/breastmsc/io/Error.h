#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace bmsc::io {

/// What went wrong, so that callers (CLI, GUI) can choose words and exit codes.
enum class ErrorCode {
    NotFound,          ///< file or folder does not exist
    NotReadable,       ///< exists but cannot be opened or parsed at all
    Corrupt,           ///< truncated or inconsistent content
    Unsupported,       ///< valid but a feature the product does not handle
    MissingChannel,    ///< a study lacks one of the six channels
    GeometryMismatch,  ///< volumes that must share a grid do not
    InvalidValue,      ///< NaN/Inf voxels, a point outside the image, an absurd size
    MalformedCsv,      ///< a CSV row that cannot be used
    WriteFailed,       ///< an output could not be written (nothing half-written is left)
    InvalidArgument,   ///< a caller passed something meaningless
    Cancelled,         ///< the user cancelled long work
};

/// The one exception type of the data layer. An error about a file names it (and the line, for
/// text formats) first, as the cohort format's rules require; one that concerns no file (a bad
/// argument) is its reason alone.
class IoError : public std::runtime_error {
public:
    IoError(ErrorCode code, std::filesystem::path path, const std::string& reason, int line = 0);

    ErrorCode code() const noexcept { return code_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    int line() const noexcept { return line_; }  ///< 1-based; 0 when not a text position
    const std::string& reason() const noexcept { return reason_; }

private:
    ErrorCode code_;
    std::filesystem::path path_;
    int line_;
    std::string reason_;
};

const char* errorCodeName(ErrorCode code) noexcept;

/// What an exception from below the data layer says, in words for a user: std::bad_alloc's
/// what() is "std::bad_alloc", which becomes "out of memory (...)"; any other says its what().
std::string reasonOf(const std::exception& error);

}  // namespace bmsc::io
