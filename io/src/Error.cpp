#include "breastmsc/io/Error.h"

#include <new>
#include <sstream>

namespace bmsc::io {
namespace {

// "file:line: reason", or the reason alone where no file is involved (a bad argument, an empty
// volume): "<no file>: unknown preset 'x'" told the user nothing the reason did not.
std::string composeMessage(const std::filesystem::path& path, int line, const std::string& reason) {
    if (path.empty()) {
        return reason;
    }
    std::ostringstream message;
    message << path.string();
    if (line > 0) {
        message << ':' << line;
    }
    message << ": " << reason;
    return message.str();
}

}  // namespace

IoError::IoError(ErrorCode code, std::filesystem::path path, const std::string& reason, int line)
    : std::runtime_error(composeMessage(path, line, reason)),
      code_(code),
      path_(std::move(path)),
      line_(line),
      reason_(reason) {}

const char* errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::NotFound:
            return "not found";
        case ErrorCode::NotReadable:
            return "not readable";
        case ErrorCode::Corrupt:
            return "corrupt";
        case ErrorCode::Unsupported:
            return "unsupported";
        case ErrorCode::MissingChannel:
            return "missing channel";
        case ErrorCode::GeometryMismatch:
            return "geometry mismatch";
        case ErrorCode::InvalidValue:
            return "invalid value";
        case ErrorCode::MalformedCsv:
            return "malformed CSV";
        case ErrorCode::WriteFailed:
            return "write failed";
        case ErrorCode::InvalidArgument:
            return "invalid argument";
        case ErrorCode::Cancelled:
            return "cancelled";
    }
    return "error";
}

std::string reasonOf(const std::exception& error) {
    if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) {
        return "out of memory (the work needs more than this machine could give)";
    }
    return error.what();
}

}  // namespace bmsc::io
