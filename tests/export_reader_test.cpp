// Reading an export file (sources/codeguru/export_reader.hpp): its findings come out mapped
// as a sync maps them, in file order, whatever the format; a malformed finding is refused
// with the file's name, byte offset and line, worked out by hand from the input.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sources/codeguru/export_reader.hpp"
#include "util/timestamp.hpp"

namespace {

using codeguru::ImportFileError;

std::vector<std::string> read_ids(const std::string& input, std::size_t batch,
                                  std::size_t chunk = 1 << 20) {
    std::istringstream in(input);
    std::vector<std::string> ids;
    codeguru::read_export(
        in, "export.json", batch,
        [&](codeguru::ParsedFindingsPage& page) {
            for (const auto& f : page.page.findings) ids.push_back(f.id.value_or("(none)"));
        },
        chunk);
    return ids;
}

std::string error_of(const std::string& input) {
    try {
        read_ids(input, 2, 3);
    } catch (const ImportFileError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("findings come out in file order, mapped as a sync maps them") {
    const std::string cli =
        "{\n    \"findings\": [\n        {\"id\": \"a\", \"updatedAt\": "
        "\"2025-09-16T05:20:00.872000+00:00\"},\n        {\"id\": \"b\"},\n        {\"title\": "
        "\"no id\"}\n    ]\n}\n";
    CHECK(read_ids(cli, 2, 5) == std::vector<std::string>{"a", "b", "(none)"});

    std::istringstream in(
        "{\"findings\":[{\"id\":\"a\",\"updatedAt\":\"2025-09-16 05:20:00.872000+00:00\"}]}\n");
    std::vector<codeguru::Finding> found;
    const auto summary = codeguru::read_export(in, "x", 10, [&](codeguru::ParsedFindingsPage& p) {
        CHECK(p.warnings.empty());
        for (auto& f : p.page.findings) found.push_back(f);
    });
    REQUIRE(found.size() == 1);
    REQUIRE(found[0].updated_at);
    CHECK(codeguru::format_timestamp(*found[0].updated_at) == "2025-09-16 05:20:00.872000+00");
    CHECK(summary.documents == 1);
    CHECK(summary.pages == 2);  // the batch and the wrapper
}

TEST_CASE("a malformed finding is refused with the file, byte and line") {
    // Line 3 holds the second finding; its `:` without a value is followed by `}` at byte 49.
    const std::string input =
        "{\"findings\": [\n{\"id\": \"a\"},\n{\"id\": \"b\", \"title\": }\n]}";
    REQUIRE(input.substr(49, 1) == "}");
    const std::string message = error_of(input);
    INFO(message);
    CHECK(message.rfind("export.json: byte 49 (line 3): not valid JSON", 0) == 0);
}

TEST_CASE("a malformed wrapper member is refused where it is") {
    // A bad literal in nextToken after the findings array: located past the gap, at the `}`
    // (byte 53) where the parser sees that `nul` is not `null`.
    const std::string input =
        "{\"findings\":[{\"id\":\"a\"},\n{\"id\":\"b\"}],\n\"nextToken\":nul}";
    REQUIRE(input.substr(50, 3) == "nul");
    INFO(error_of(input));
    CHECK(error_of(input).rfind("export.json: byte 53 (line 3): not valid JSON", 0) == 0);
}

TEST_CASE("splitter refusals are reported with the file's name") {
    CHECK(error_of("not json").rfind("export.json: byte 0 (line 1): not a CodeGuru export", 0) ==
          0);
    CHECK(error_of("{\"findings\":[{\"id\":\"a\"}").find("truncated") != std::string::npos);
}
