// The export splitter (sources/codeguru/export_splitter.hpp): every export format people
// kept is cut into the same page texts whatever the chunking, and input that is not an
// export is refused at the byte that shows it. Expected pages and offsets are written out
// by hand from the inputs.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sources/codeguru/export_splitter.hpp"

namespace {

using codeguru::ExportFormatError;
using codeguru::ExportPageText;
using codeguru::ExportSplitter;

// Splits `input` fed in chunks of `chunk` bytes; the page texts.
std::vector<ExportPageText> split(const std::string& input, std::size_t batch,
                                  std::size_t chunk = 1 << 20) {
    ExportSplitter splitter(batch);
    std::vector<ExportPageText> pages;
    for (std::size_t i = 0; i < input.size(); i += chunk) {
        splitter.feed(std::string_view(input).substr(i, chunk), pages);
    }
    splitter.finish();
    return pages;
}

std::vector<std::string> texts(const std::vector<ExportPageText>& pages) {
    std::vector<std::string> out;
    for (const auto& p : pages) out.push_back(p.text);
    return out;
}

struct Refusal {
    std::string message;
    std::uint64_t offset = 0;
    std::uint64_t line = 0;
};

Refusal refusal(const std::string& input, std::size_t chunk = 1 << 20) {
    try {
        split(input, 2, chunk);
    } catch (const ExportFormatError& e) {
        return {e.what(), e.where().offset, e.where().line};
    }
    FAIL("no error for: " << input);
    return {};
}

}  // namespace

TEST_CASE("the CLI's one document is cut into batches of findings, then its wrapper") {
    const std::string input =
        "{\n  \"findings\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\"},\n    {\"id\": \"c\"}\n  "
        "]\n}\n";
    const std::vector<std::string> expected = {
        "{\"findings\":[\n    {\"id\": \"a\"},\n    {\"id\": \"b\"}]}",
        "{\"findings\":[\n    {\"id\": \"c\"}\n  ]}",
        "{\n  \"findings\": []\n}",
    };
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, input.size()}) {
        INFO("chunk " << chunk);
        CHECK(texts(split(input, 2, chunk)) == expected);
    }
}

TEST_CASE("pages concatenated or as JSON Lines are each a document with their wrapper") {
    const std::string lines =
        "{\"findings\":[{\"id\":\"a\"}],\"nextToken\":\"t1\"}\n"
        "{\"findings\":[{\"id\":\"b\"},{\"id\":\"c\"}]}\n";
    const std::vector<std::string> expected = {
        "{\"findings\":[{\"id\":\"a\"}]}",
        "{\"findings\":[],\"nextToken\":\"t1\"}",
        "{\"findings\":[{\"id\":\"b\"},{\"id\":\"c\"}]}",
        "{\"findings\":[]}",
    };
    CHECK(texts(split(lines, 5)) == expected);
    CHECK(texts(split(lines, 5, 3)) == expected);
    // Concatenated without a separator, as `cat page*.json` of files without a final newline.
    const std::string concatenated =
        "{\"findings\":[{\"id\":\"a\"}],\"nextToken\":\"t1\"}{\"findings\":[{\"id\":\"b\"},{\"id\":"
        "\"c\"}]}";
    CHECK(texts(split(concatenated, 5)) == expected);
    ExportSplitter counter(5);
    std::vector<ExportPageText> pages;
    counter.feed(lines, pages);
    counter.finish();
    CHECK(counter.documents() == 2);
    CHECK(counter.findings() == 3);
}

TEST_CASE("brackets, commas and quotes inside strings do not cut anything") {
    const std::string input = R"({"findings":[{"id":"a],\"}{,[","x":[1,{"y":"]"}]},{"id":"b"}]})";
    CHECK(texts(split(input, 1, 4)) ==
          std::vector<std::string>{R"({"findings":[{"id":"a],\"}{,[","x":[1,{"y":"]"}]}]})",
                                   R"({"findings":[{"id":"b"}]})", R"({"findings":[]})"});
}

TEST_CASE("an empty findings array, a byte order mark and members around findings") {
    const std::string input =
        "\xEF\xBB\xBF{\"nextToken\":null, \"findings\" : [ ], \"x\":{\"findings\":[1]}}";
    CHECK(texts(split(input, 2)) ==
          std::vector<std::string>{
              "{\"nextToken\":null, \"findings\" : [], \"x\":{\"findings\":[1]}}"});
}

TEST_CASE("a page locates its bytes in the file, across the wrapper's gap") {
    const std::string input =
        "\n{\"findings\":[\n{\"id\":\"a\"},\n{\"id\":\"b\"}\n],\n\"nextToken\":1}";
    const auto pages = split(input, 1);
    REQUIRE(pages.size() == 3);
    // The second batch is `\n{"id":"b"}\n` after the comma at offset 25 (line 3).
    CHECK(pages[1].start.offset == 26);
    CHECK(pages[1].start.line == 3);
    const auto b = pages[1].locate(pages[1].text.find("\"b\""));
    CHECK(b.offset == 33);
    CHECK(b.line == 4);
    // The wrapper's `1` of nextToken is at offset 53, line 6.
    const auto one = pages[2].locate(pages[2].text.rfind('1'));
    CHECK(input[53] == '1');
    CHECK(one.offset == 53);
    CHECK(one.line == 6);
}

TEST_CASE("what is not an export is refused where it shows") {
    SECTION("not JSON") {
        const auto r = refusal("hello");
        CHECK(r.message.find("not a CodeGuru export") != std::string::npos);
        CHECK(r.offset == 0);
        CHECK(r.line == 1);
    }
    SECTION("a JSON array") {
        const auto r = refusal("\n  [1]");
        CHECK(r.offset == 3);
        CHECK(r.line == 2);
    }
    SECTION("empty input") {
        CHECK(refusal("").message.find("empty") != std::string::npos);
        CHECK(refusal(" \n").message.find("empty") != std::string::npos);
    }
    SECTION("truncated inside a finding") {
        const std::string input = "{\"findings\":[{\"id\":\"a\"},\n{\"id\":\"b";
        for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, input.size()}) {
            const auto r = refusal(input, chunk);
            CHECK(r.message.find("truncated") != std::string::npos);
            CHECK(r.offset == input.size());
            CHECK(r.line == 2);
        }
    }
    SECTION("truncated after a complete document") {
        const auto r = refusal("{\"findings\":[]}\n{\"findings\":[");
        CHECK(r.message.find("truncated") != std::string::npos);
        CHECK(r.message.find("byte 16 (line 2)") != std::string::npos);
    }
    SECTION("a bracket that closes nothing open") {
        const auto r = refusal("{\"findings\":[{\"id\":\"a\"]]}");
        CHECK(r.offset == 22);
    }
    SECTION("a trailing comma and an empty element") {
        CHECK(refusal("{\"findings\":[{},]}").offset == 16);
        CHECK(refusal("{\"findings\":[{},,{}]}").offset == 16);
        CHECK(refusal("{\"findings\":[,{}]}").offset == 13);
    }
    SECTION("a document without findings") {
        const auto r = refusal("{\"findings\":[]}\n{\"summaries\":[]}");
        CHECK(r.message.find("no `findings`") != std::string::npos);
        CHECK(r.offset == 16);
        CHECK(r.line == 2);
    }
    SECTION("something after a document") {
        const auto r = refusal("{\"findings\":[]} x");
        CHECK(r.offset == 16);
    }
}
