#include "sources/codeguru/copy_rows.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sources/codeguru/page_rows.hpp"
#include "util/timestamp.hpp"

using codeguru::CodeLine;
using codeguru::FilePath;
using codeguru::Finding;
using codeguru::Timestamp;
using codeguru::Vulnerability;
using codeguru::store::append_copy_text;
using codeguru::store::CopyRows;
using codeguru::store::map_page;
using codeguru::store::PageTable;
using codeguru::store::select_page;

namespace {

Timestamp at_us(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

const Timestamp kSyncTime = at_us(1'760'000'000'000'000);

CopyRows rows_of(const std::vector<Finding>& page) {
    CopyRows rows("scan\ta", kSyncTime);
    map_page("scan\ta", page, select_page("scan\ta", page, kSyncTime), kSyncTime, rows);
    return rows;
}

}  // namespace

TEST_CASE("COPY text escapes backslash, newline, carriage return and tab, and nothing else",
          "[copy_rows]") {
    std::string out = "x";
    append_copy_text(out, "a\\b\nc\rd\te \"q\" , {} \\N \\. é\x01");
    CHECK(out == "xa\\\\b\\nc\\rd\\te \"q\" , {} \\\\N \\\\. é\x01");

    std::string plain;
    append_copy_text(plain, "");
    CHECK(plain.empty());
    append_copy_text(plain, "\t");
    CHECK(plain == "\\t");
}

TEST_CASE(
    "a finding's COPY rows: its columns, first seen and last changed at the sync time, "
    "its children keyed by id and one version",
    "[copy_rows]") {
    Finding f;
    f.id = "f\\1";
    f.created_at = at_us(1'758'000'000'000'000);
    f.title = "line 1\nline 2";
    f.status = "Open";
    f.detector_tags = std::vector<std::string>{"a\tb", "c", "a\tb"};
    f.vulnerability = Vulnerability{
        std::nullopt, 3, std::vector<std::string>{"https://x"}, std::vector<std::string>{"CWE-1"},
        FilePath{"n", std::nullopt, 7, std::nullopt,
                 std::vector<CodeLine>{{7, "x = '\\n'"}, {8, std::nullopt}, {7, "dup"}}}};
    f.remediation = codeguru::Remediation{
        std::nullopt, std::vector<codeguru::SuggestedFix>{{"fix", std::nullopt}}};
    Finding no_id;
    no_id.title = "rejected";

    const CopyRows rows = rows_of({no_id, f});

    // No updatedAt: createdAt stands in for it, in the finding and in its version.
    const std::string created = "2025-09-16 05:20:00.000000+00";
    const std::string sync = "2025-10-09 08:53:20.000000+00";
    CHECK(rows.rows(PageTable::kFindings) ==
          "scan\\ta\tf\\\\1\t" + created + "\t" + created +
              "\tline 1\\nline 2\t\\N\t\\N\tOpen\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t3\tn"
              "\t\\N\t7\t\\N\t\\N\t\\N\t" +
              sync + "\t" + sync + "\n");
    CHECK(rows.rows(PageTable::kTags) == "scan\\ta\tf\\\\1\ta\\tb\t1\nscan\\ta\tf\\\\1\tc\t2\n");
    CHECK(rows.rows(PageTable::kLines) ==
          "scan\\ta\tf\\\\1\t7\tx = '\\\\n'\nscan\\ta\tf\\\\1\t8\t\\N\n");
    CHECK(rows.rows(PageTable::kFixes) == "scan\\ta\tf\\\\1\t1\tfix\t\\N\n");
    CHECK(rows.rows(PageTable::kUrls) == "scan\\ta\tf\\\\1\t1\thttps://x\n");
    CHECK(rows.rows(PageTable::kRelated) == "scan\\ta\tf\\\\1\t1\tCWE-1\n");
    CHECK(rows.version_rows() ==
          "scan\\ta\tf\\\\1\t" + created + "\tOpen\t\\N\tline 1\\nline 2\t" + sync + "\n");
}

TEST_CASE("a finding whose version fields are last or absent still gets a whole version row",
          "[copy_rows]") {
    Finding bare;
    bare.id = "b";
    Finding titled;
    titled.id = "t";
    titled.title = "T";
    titled.severity = "High";

    const CopyRows rows = rows_of({bare, titled});

    const std::string sync = "2025-10-09 08:53:20.000000+00";
    CHECK(rows.version_rows() == "scan\\ta\tb\t" + sync + "\t\\N\t\\N\t\\N\t" + sync +
                                     "\n"
                                     "scan\\ta\tt\t" +
                                     sync + "\t\\N\tHigh\tT\t" + sync + "\n");
    CHECK(rows.rows(PageTable::kTags).empty());
}
