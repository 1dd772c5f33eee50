#include "breastmsc/io/Csv.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"

#include <fstream>
#include <sstream>

namespace bmsc::io {
namespace {

constexpr std::uintmax_t kMaxCsvBytes = 256u * 1024u * 1024u;

// Splits one record starting at `pos`; advances `pos` and `line` past it. Quoted fields may
// hold commas, doubled quotes and newlines (RFC 4180).
std::vector<std::string> parseRecord(const std::string& text, std::size_t& pos, int& line,
                                     const std::filesystem::path& file) {
    std::vector<std::string> fields(1);
    const int startLine = line;
    bool quoted = false;
    bool fieldWasQuoted = false;
    while (pos < text.size()) {
        const char ch = text[pos++];
        if (quoted) {
            if (ch == '"') {
                if (pos < text.size() && text[pos] == '"') {
                    fields.back() += '"';
                    ++pos;
                } else {
                    quoted = false;
                }
            } else {
                if (ch == '\n') {
                    ++line;
                }
                fields.back() += ch;
            }
        } else if (ch == '"') {
            if (!fields.back().empty() || fieldWasQuoted) {
                throw IoError(ErrorCode::MalformedCsv, file, "a quote inside an unquoted field",
                              line);
            }
            quoted = true;
            fieldWasQuoted = true;
        } else if (ch == ',') {
            fields.emplace_back();
            fieldWasQuoted = false;
        } else if (ch == '\n') {
            ++line;
            break;
        } else if (ch == '\r') {
            // CRLF line ends: the \n follows.
        } else {
            if (fieldWasQuoted) {
                throw IoError(ErrorCode::MalformedCsv, file,
                              "text after the closing quote of a field", line);
            }
            fields.back() += ch;
        }
    }
    if (quoted) {
        throw IoError(ErrorCode::MalformedCsv, file, "a quoted field is never closed", startLine);
    }
    return fields;
}

std::string quoteField(const std::string& field) {
    if (field.find_first_of(",\"\n\r") == std::string::npos) {
        return field;
    }
    std::string out = "\"";
    for (const char ch : field) {
        out += ch;
        if (ch == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

bool blank(const std::vector<std::string>& fields) {
    return fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string::npos;
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw IoError(ErrorCode::NotFound, file, "the file does not exist");
    }
    const auto bytes = std::filesystem::file_size(file, ec);
    if (ec || bytes > kMaxCsvBytes) {
        throw IoError(ErrorCode::NotReadable, file,
                      ec ? "cannot read its size" : "larger than 256 MiB: not a cohort table");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw IoError(ErrorCode::NotReadable, file, "cannot open the file");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) {
        text.erase(0, 3);
    }
    if (text.find('\0') != std::string::npos) {
        throw IoError(ErrorCode::MalformedCsv, file, "binary content (a NUL byte): not a CSV file");
    }

    CsvTable table;
    std::size_t pos = 0;
    int line = 1;
    bool haveHeader = false;
    while (pos < text.size()) {
        const int recordLine = line;
        std::vector<std::string> fields = parseRecord(text, pos, line, file);
        if (blank(fields)) {
            continue;
        }
        if (!haveHeader) {
            for (auto& name : fields) {
                const auto b = name.find_first_not_of(" \t");
                const auto e = name.find_last_not_of(" \t");
                name = b == std::string::npos ? std::string() : name.substr(b, e - b + 1);
            }
            table.header_ = std::move(fields);
            haveHeader = true;
            continue;
        }
        if (fields.size() != table.header_.size()) {
            throw IoError(ErrorCode::MalformedCsv, file,
                          "expected " + std::to_string(table.header_.size()) +
                              " fields as in the header, found " + std::to_string(fields.size()),
                          recordLine);
        }
        table.rows_.push_back(std::move(fields));
        table.lines_.push_back(recordLine);
    }
    if (!haveHeader) {
        throw IoError(ErrorCode::MalformedCsv, file, "the file is empty: no header line");
    }
    return table;
}

void CsvTable::write(const std::filesystem::path& file) const {
    writeFileAtomically(file, [this](std::ostream& out) {
        auto writeRow = [&out](const std::vector<std::string>& fields) {
            for (std::size_t i = 0; i < fields.size(); ++i) {
                out << (i == 0 ? "" : ",") << quoteField(fields[i]);
            }
            out << '\n';
        };
        writeRow(header_);
        for (const auto& r : rows_) {
            writeRow(r);
        }
    });
}

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
        if (header_[i] == name) {
            return i;
        }
    }
    return std::nullopt;
}

std::size_t CsvTable::ensureColumn(const std::string& name) {
    if (auto existing = column(name)) {
        return *existing;
    }
    header_.push_back(name);
    for (auto& r : rows_) {
        r.emplace_back();
    }
    return header_.size() - 1;
}

void CsvTable::addRow(std::vector<std::string> fields) {
    fields.resize(header_.size());
    rows_.push_back(std::move(fields));
    lines_.push_back(0);
}

}  // namespace bmsc::io
