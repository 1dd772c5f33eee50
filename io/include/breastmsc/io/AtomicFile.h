#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

namespace bmsc::io {

/// A path in the same folder as `target` for writing before an atomic rename
/// (same extension, so that format-by-extension writers still work).
std::filesystem::path temporarySibling(const std::filesystem::path& target);

/// Writes `target` atomically: `write` fills a temporary file in the same folder, which is
/// flushed, synced and renamed over `target`. On any exception the temporary is removed, the
/// old file is untouched, and IoError(WriteFailed) names `target`.
void writeFileAtomically(const std::filesystem::path& target,
                         const std::function<void(std::ostream&)>& write);

/// Same for writers that need a path rather than a stream (ITK, DCMTK): `write` receives the
/// temporary path; it is renamed over `target` when `write` returns.
void writePathAtomically(const std::filesystem::path& target,
                         const std::function<void(const std::filesystem::path&)>& write);

/// Same for a folder of files: `write` fills a temporary sibling folder, which then replaces
/// `target` (an existing `target` is moved aside first and removed after the swap). On any
/// exception the temporary folder is removed and `target` is untouched; an IoError about a file
/// in the temporary folder is rethrown naming that file's place in `target`.
void writeFolderAtomically(const std::filesystem::path& target,
                           const std::function<void(const std::filesystem::path&)>& write);

}  // namespace bmsc::io
