#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::io {

/// A small RFC 4180 table: a header and rows of text fields. Unknown columns survive a
/// read → write round trip, as COHORT-FORMAT.md asks.
class CsvTable {
public:
    CsvTable() = default;
    explicit CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}

    /// Parses a file. Every row must have as many fields as the header (MalformedCsv naming
    /// the file and line otherwise). Blank lines are skipped; a UTF-8 BOM is accepted.
    static CsvTable read(const std::filesystem::path& file);
    /// Writes atomically.
    void write(const std::filesystem::path& file) const;

    const std::vector<std::string>& header() const noexcept { return header_; }
    std::optional<std::size_t> column(const std::string& name) const;
    /// Adds a column (empty in every row) if absent; returns its index.
    std::size_t ensureColumn(const std::string& name);

    std::size_t rowCount() const noexcept { return rows_.size(); }
    const std::vector<std::string>& row(std::size_t r) const { return rows_.at(r); }
    std::vector<std::string>& row(std::size_t r) { return rows_.at(r); }
    /// 1-based line in the file the row came from (0 for rows added in memory).
    int lineOf(std::size_t r) const { return r < lines_.size() ? lines_[r] : 0; }
    void addRow(std::vector<std::string> fields);  ///< padded/truncated to the header
    void clearRows() {
        rows_.clear();
        lines_.clear();
    }

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<int> lines_;
};

}  // namespace bmsc::io
