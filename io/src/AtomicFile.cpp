#include "breastmsc/io/AtomicFile.h"

#include "breastmsc/io/Error.h"

#include <fcntl.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

// Full extension including compound ones such as ".nii.gz".
std::string fullExtension(const fs::path& p) {
    const std::string name = p.filename().string();
    const auto dot = name.find('.', 1);
    return dot == std::string::npos ? std::string() : name.substr(dot);
}

void syncFile(const fs::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

fs::path temporarySibling(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const std::string stem = target.filename().string().substr(
        0, target.filename().string().size() - fullExtension(target).size());
    const std::string name = "." + stem + ".tmp" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter++) + "-" + std::to_string(rd() % 100000) +
                             fullExtension(target);
    return target.parent_path() / name;
}

void writePathAtomically(const fs::path& target,
                         const std::function<void(const fs::path&)>& write) {
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::WriteFailed, target, "the folder does not exist");
    }
    const fs::path temporary = temporarySibling(target);
    try {
        write(temporary);
        syncFile(temporary);
        fs::rename(temporary, target);
    } catch (const IoError& error) {
        fs::remove(temporary, ec);
        if (error.code() == ErrorCode::WriteFailed || error.code() == ErrorCode::Cancelled) {
            throw;
        }
        throw IoError(ErrorCode::WriteFailed, target, error.reason());
    } catch (const std::exception& error) {
        fs::remove(temporary, ec);
        throw IoError(ErrorCode::WriteFailed, target, reasonOf(error));
    }
}

void writeFileAtomically(const fs::path& target, const std::function<void(std::ostream&)>& write) {
    writePathAtomically(target, [&](const fs::path& temporary) {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw IoError(ErrorCode::WriteFailed, target,
                          std::string("cannot create a file: ") + std::strerror(errno));
        }
        write(out);
        out.flush();
        if (!out) {
            throw IoError(ErrorCode::WriteFailed, target, "the write did not complete");
        }
    });
}

void writeFolderAtomically(const fs::path& target,
                           const std::function<void(const fs::path&)>& write) {
    std::error_code ec;
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fs::create_directories(parent, ec);
    if (!fs::is_directory(parent, ec)) {
        throw IoError(ErrorCode::WriteFailed, target, "cannot create the parent folder");
    }
    const fs::path temporary = temporarySibling(target);
    fs::create_directory(temporary, ec);
    if (ec) {
        throw IoError(ErrorCode::WriteFailed, target,
                      "cannot create a temporary folder: " + ec.message());
    }
    try {
        write(temporary);
        fs::path aside;
        if (fs::exists(target, ec)) {
            aside = temporarySibling(target);
            fs::rename(target, aside);
        }
        fs::rename(temporary, target);
        if (!aside.empty()) {
            fs::remove_all(aside, ec);
        }
    } catch (const IoError& error) {
        fs::remove_all(temporary, ec);
        // An error inside the temporary folder names the place in `target` instead: the
        // temporary folder is gone by the time anyone reads the message.
        const fs::path inside = error.path().lexically_relative(temporary);
        if (!error.path().empty() && !inside.empty() && *inside.begin() != "..") {
            throw IoError(error.code(), inside == "." ? target : target / inside, error.reason(),
                          error.line());
        }
        throw;
    } catch (const std::exception& error) {
        fs::remove_all(temporary, ec);
        throw IoError(ErrorCode::WriteFailed, target, reasonOf(error));
    }
}

}  // namespace bmsc::io
