#include "sources/codeguru/copy_rows.hpp"

#include <charconv>
#include <cstring>
#include <iterator>
#include <pqxx/tablewriter>
#include <vector>

namespace codeguru::store {
namespace {

// The tables of PageTable, in its order.
constexpr const char* kTableNames[] = {"findings",
                                       "finding_detector_tags",
                                       "finding_code_lines",
                                       "finding_suggested_fixes",
                                       "finding_reference_urls",
                                       "finding_related_vulnerabilities"};

template <std::size_t N>
std::vector<std::string> key_and(const char* const (&columns)[N]) {
    std::vector<std::string> all = {"scan_name", "finding_id"};
    all.insert(all.end(), std::begin(columns), std::end(columns));
    return all;
}

std::vector<std::string> copy_columns(PageTable table) {
    switch (table) {
        case PageTable::kFindings: {
            auto all = key_and(kFindingColumns);
            all.insert(all.end(), {"first_seen_at", "last_changed_at"});
            return all;
        }
        case PageTable::kTags:
            return key_and(kTagColumns);
        case PageTable::kLines:
            return key_and(kLineColumns);
        case PageTable::kFixes:
            return key_and(kFixColumns);
        case PageTable::kUrls:
            return key_and(kUrlColumns);
        case PageTable::kRelated:
            return key_and(kRelatedColumns);
    }
    return {};
}

constexpr std::size_t finding_column(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kFindingColumns); ++i) {
        if (kFindingColumns[i] == name) return i;
    }
    throw "not a column of kFindingColumns";  // at compile time: the build fails
}

// The finding row's fields that finding_versions takes, in its column order after the key.
constexpr std::size_t kVersionFields[] = {finding_column("updated_at"), finding_column("status"),
                                          finding_column("severity"), finding_column("title")};

// Sends `rows` (whole lines) as one COPY into `table`.
void copy_table(pqxx::transaction_base& tx, const std::string& table,
                const std::vector<std::string>& columns, const std::string& rows) {
    if (rows.empty()) return;
    // libpq's output buffer, copied into, stays small when the rows go in pieces of about
    // this size, each a run of whole lines.
    constexpr std::size_t kPiece = 8 * 1024;
    // libpqxx 6.4's tablewriter is deprecated for stream_to, which has no way to send text
    // already in COPY's format. COPY's data is a byte stream whose messages need not end at
    // a row, so a piece travels as one "line": the writer adds its last newline.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
    std::string piece;
    for (std::size_t start = 0; start < rows.size();) {
        std::size_t newline = rows.size() - 1;  // rows end with one
        if (rows.size() - start > kPiece) newline = rows.find('\n', start + kPiece);
        piece.assign(rows, start, newline - start);
        writer.write_raw_line(piece);
        start = newline + 1;
    }
    writer.complete();
}

}  // namespace

void append_copy_text(std::string& out, std::string_view value) {
    const auto has = [&](char c) { return std::memchr(value.data(), c, value.size()) != nullptr; };
    // Most text holds none of the four, and memchr finds that out fast.
    if (!has('\\') && !has('\n') && !has('\r') && !has('\t')) {
        out.append(value);
        return;
    }
    for (const char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
}

void CopyRows::reset(std::string_view scan, Timestamp sync_time) {
    // Rows of pages of 1,000 findings with long descriptions take a few MiB.
    constexpr std::size_t kKeptRoom = 16 * 1024 * 1024;
    const auto empty = [](std::string& buffer) {
        if (buffer.capacity() > kKeptRoom) std::string().swap(buffer);
        buffer.clear();
    };
    for (std::string& buffer : tables_) empty(buffer);
    empty(versions_);
    scan_.clear();
    append_copy_text(scan_, scan);
    sync_time_ = format_timestamp(sync_time);
    row_ = nullptr;
}

void CopyRows::begin(PageTable table, std::int64_t, std::string_view id) {
    row_ = &tables_[static_cast<std::size_t>(table)];
    finding_row_ = table == PageTable::kFindings;
    field_ = 0;
    if (finding_row_) field_start_[0] = row_->size();
    *row_ += scan_;
    *row_ += '\t';
    append_copy_text(*row_, id);
    key_end_ = row_->size();
}

void CopyRows::separate() {
    *row_ += '\t';
    if (finding_row_ && field_ < std::size(kFindingColumns))
        field_start_[field_ + 1] = row_->size();
    ++field_;
}

void CopyRows::text(std::string_view value) {
    separate();
    append_copy_text(*row_, value);
}

void CopyRows::integer(std::int64_t value) {
    separate();
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    row_->append(digits, result.ptr);
}

void CopyRows::timestamp(Timestamp value) {
    separate();
    *row_ += format_timestamp(value);
}

void CopyRows::null() {
    separate();
    *row_ += "\\N";
}

void CopyRows::end() {
    if (finding_row_) {
        // field_start_[0] is the row's start; field k (from 1) starts at field_start_[k].
        const std::string& row = *row_;
        const std::size_t row_end = row.size();
        const auto field_text = [&](std::size_t column) {
            const std::size_t k = column + 1;
            const std::size_t stop = k < field_ ? field_start_[k + 1] - 1 : row_end;
            return std::string_view(row).substr(field_start_[k], stop - field_start_[k]);
        };
        versions_.append(row, field_start_[0], key_end_ - field_start_[0]);
        for (const std::size_t column : kVersionFields) {
            versions_ += '\t';
            versions_ += field_text(column);
        }
        versions_ += '\t';
        versions_ += sync_time_;
        versions_ += '\n';
        *row_ += '\t';
        *row_ += sync_time_;  // first_seen_at
        *row_ += '\t';
        *row_ += sync_time_;  // last_changed_at
    }
    *row_ += '\n';
    row_ = nullptr;
}

void CopyRows::copy_into(pqxx::transaction_base& tx, const std::string& quoted_schema) const {
    for (std::size_t i = 0; i < tables_.size(); ++i) {
        copy_table(tx, quoted_schema + "." + kTableNames[i],
                   copy_columns(static_cast<PageTable>(i)), tables_[i]);
    }
    static const std::vector<std::string> kVersionColumns = {
        "scan_name", "finding_id", "updated_at", "status", "severity", "title", "observed_at"};
    copy_table(tx, quoted_schema + ".finding_versions", kVersionColumns, versions_);
}

}  // namespace codeguru::store
