// Golden test of the page mappers (issue 14). tests/data/mapper_golden/outcomes.txt keeps,
// for every input, a digest of what the mapping made of it: every field of the model, the
// warnings, the U+FFFD count, or the error's class and message. The digests were recorded
// from the nlohmann SAX mapper, the oracle of the differential test that proved the simdjson
// On-Demand mapper against it, and the On-Demand mapper gave the same for every input; the
// SAX mapper was deleted then. This test maps every input again through the sources' public
// parse functions and fails on any outcome that is not the recorded one.
//
// Inputs never depend on code that may change: generated pages frozen as files
// (tests/data/mapper_golden/pages), the fuzz corpus, deterministic mutations of both
// (mapper_golden_mutator.hpp, frozen), and bodies written here, appended only (an edge
// case's name is its index). With MAPPER_GOLDEN_REWRITE=1 the run writes the digests it
// found back into the golden file (and still fails): for a deliberate change of outcome, or
// a new input added as a line with any 16-digit digests. The diff then shows what moved.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http_transport.hpp"
#include "mapper_golden_mutator.hpp"
#include "mapper_golden_outcome.hpp"
#include "sources/codeguru/finding_json.hpp"
#include "sources/inspector/finding_json.hpp"

namespace {

namespace fs = std::filesystem;
using codeguru::test::Answer;
using codeguru::test::canonical_outcome;
using codeguru::test::fnv1a64;
using codeguru::test::hex16;
using codeguru::test::printable;

const fs::path kGoldenDir = fs::path(CODEGURU_SOURCE_DIR) / "tests" / "data" / "mapper_golden";
const fs::path kGoldenFile = kGoldenDir / "outcomes.txt";

// Mutations of a base are seeded with this and the base's name, so that adding a base
// changes no other base's mutations.
constexpr std::uint64_t kMutationSeed = 0x5eed0fd1ffULL;

// ---------------------------------------------------------------------------------------
// Bodies written by hand. Append only: an input is named by its index.

// Where simdjson and nlohmann differ most: values simdjson steps over, where nlohmann
// stops early, and the answer's own shape.
const std::vector<std::string>& getfindings_edge_cases() {
    static const std::string nul(1, '\0');
    static const std::vector<std::string> bodies = {
        R"({"findings":[{"id":"a","detectorTags":["x":1]}]})",
        R"({"findings":[{"id":"a","vulnerability":{"referenceUrls":["u":"v"]}}]})",
        R"({"findings":["a":{"id":"b"}]})",
        R"({"findings":[{"id":"a","somethingNew":["a":1]}]})",
        R"({"findings":[{"id":"a","title":"t":"u"}]})",
        R"({"findings":[{"id":"a"}],"nextToken":"t":1})",
        R"({"findings":[{"id":"a"}]"x")",
        R"({"findings":[{"id":"a"}]}"x")",
        R"({"findings":[{"id":"a"}]} {"findings":[]})",
        R"({"findings":[{"id":"a"}]}})",
        R"({"findings":[{"id":"a"}]}])",
        R"({"findings":[{"id":"a"}])",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d)",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},tru)",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},01]})",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},"\x"]})",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},[}]})",
        R"({"findings":[{"id":"a"}],"findings":[{"id":"b"},{"id":"c"}],"nextToken":""})",
        R"({"findings":null,"nextToken":null})",
        R"({"findings":{},"nextToken":"t"})",
        R"({"findings":[],"nextToken":{}})",
        R"({"findings":[],"nextToken":["t"]})",
        R"({"findings":[],"nextToken":7})",
        R"({"findings":7})",
        R"({"findin\u0067s":[{"\u0069d":"a","t\u0069tle":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\"}]})",
        R"({"findings":[{"id":"a","i\d":"b"}]})",
        R"({"findings":[{"id":"a","":"empty key","\u0000":1}]})",
        R"({"findings":[{"id":"a\u0000b","title":"\u0000","detectorTags":["\u0000"]}]})",
        R"({"findings":[{"id":"a","createdAt":1e400}]})",
        R"({"findings":[{"id":"a","createdAt":-1e308,"updatedAt":1e-400}]})",
        R"({"findings":[{"id":"a","createdAt":253402300799.999999,"updatedAt":-62135596800}]})",
        R"({"findings":[{"id":"a","createdAt":"2025-09-16T05:20:00+14:00","updatedAt":"9999-12-31T23:59:59-01:00"}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":9223372036854775807}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":9223372036854775808}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":-9223372036854775809}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":8.5e18}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":-0.0}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":" 12"}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":"+12"}}]})",
        R"({"findings":[{"id":"a","title":1.0,"type":-0,"status":1E400}]})",
        R"({"findings":[{"id":"a","title":1.5e3,"type":123456789012345678901234567890}]})",
        R"({"findings":[{"id":"a","title":true,"type":false,"status":null}]})",
        R"({"findings":[{"id":"a","resource":{"id":"r"},"resource":null}]})",
        R"({"findings":[{"id":"a","resource":{"id":"r"},"resource":{"subResourceId":"s"}}]})",
        R"({"findings":[{"id":1},{"id":null},{},{"id":""}]})",
        R"({"findings":[null,true,1,"s",[],[[]],{}]})",
        "\xEF\xBB\xBF{\"findings\":[{\"id\":\"bom\"}]}",
        "\xEF\xBB{\"findings\":[]}",
        "\xEF\xBB\xBF\xEF\xBB\xBF{\"findings\":[]}",
        " \t\r\n{\"findings\":[]} \t\r\n",
        "{\"findings\":[]}" + nul + "anything at all \xFF",
        "{\"findings\":[" + nul + "]}",
        "{\"findings\":[{\"id\":\"a" + nul + "b\"}]}",
        "{\"findings\":[{\"id\":\"a\nb\"}]}",
        "{\"findings\":[{\"id\":\"a\x7F\"}]}",
        "{\"findings\":[{\"id\":\"a\"}]}\f",
        "{\"findings\":[{\"id\":\"\xC3\"}]}",
        "{\"findings\":[{\"id\":\"\xED\xA0\x80\",\"title\":\"\xF0\x9F\x98\x80\"}]}",
        "{\"\xFF\":1,\"findings\":[]}",
        R"([{"findings":[]}])",
        R"("findings")",
        R"(123 456)",
        R"(123x)",
        R"(nul)",
        R"(null)",
        "",
        " ",
        "{",
        "}",
        R"({"findings":[{"id":"a"},]})",
        R"({"findings":[{"id":"a"} {"id":"b"}]})",
        R"({"findings":[{"id" "a"}]})",
        R"({"findings":[{"id":"a",}]})",
        R"({"findings":[{,"id":"a"}]})",
        R"({"findings":[{"id":"a"}],})",
        R"({"findings" : [ { "id" : "a" , "title" : "t" } ] , "nextToken" : "n" })",
    };
    return bodies;
}

const std::vector<std::string>& listfindings_edge_cases() {
    static const std::vector<std::string> bodies = {
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"k":"\u0000","\u0000":["\u0000"]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"n":[1.0,-0,1E2,1e-2,0.5,-9223372036854775808,18446744073709551615,18446744073709551616]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"s":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\\u001f\u007f"}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":1},"tags":{"y":2}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":1},"tags":null}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":[]}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":tru}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":["a":1]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"p","providerType":7,"x":{"y":[]}},"other":{}}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":[],"codeRepository":{"projectName":1}}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"\u0000"}},"details":7}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"p"}}}],"resources":null}]})",
        R"({"findings":[{"findingArn":"a","epss":{"score":0.5},"epss":null,"remediation":{"recommendation":{"text":"t","Url":"u"}},"remediation":{"recommendation":7}}]})",
        R"({"findings":[{"findingArn":"a","networkReachabilityDetails":{"openPortRange":{"begin":1,"end":"2"},"networkPath":{"steps":[{"componentId":"c"},7,[]]}}}]})",
        R"({"findings":[{"findingArn":"a","inspectorScore":"8.5","epss":{"score":"1e400"}}]})",
        R"({"findings":[{"findingArn":"a","inspectorScore":1e400}]})",
    };
    return bodies;
}

const std::vector<std::string>& snippet_batch_edge_cases() {
    static const std::vector<std::string> bodies = {
        R"({"codeSnippetResults":[{"findingArn":"a","codeSnippet":[{"lineNumber":1,"content":"x"}]},{"startLine":3},{"findingArn":""}],"errors":[{"findingArn":"b"},{"errorCode":"X"}]})",
        R"({"codeSnippetResults":[{},{},{}],"errors":[1,2,3]})",
        R"({"codeSnippetResults":{},"errors":[]})",
        R"({"codeSnippetResults":[{"findingArn":"a","codeSnippet":7,"suggestedFixes":[null]}]})",
    };
    return bodies;
}

// Broken only inside a value no table reads. simdjson On-Demand does not check the values
// it steps over; the mapper reads them itself, so that such a body is refused all the same.
const std::vector<std::string>& malformed_inside_skipped_values() {
    static const std::vector<std::string> bodies = {
        R"({"findings":[{"id":"a","somethingNew":[1,,2]}]})",
        R"({"findings":[{"id":"a","somethingNew":{"x" 1}}]})",
        R"({"findings":[{"id":"a","somethingNew":tru}]})",
        R"({"findings":[{"id":"a","somethingNew":[01]}]})",
        R"({"findings":[{"id":"a","somethingNew":"\q"}]})",
        R"({"findings":[{"id":"a","somethingNew":["\uDC00"]}]})",
        R"({"findings":[{"id":"a","somethingNew":[1e400]}]})",
        R"({"findings":[{"id":"a","somethingNew":{"a":[}]}]})",
        R"({"findings":[{"id":"a","title":[1,}]}]})",
        R"({"findings":[{"id":"a"},[nul]]})",
    };
    return bodies;
}

// Nesting far deeper than simdjson's default limit of 1024, which the mapper does not have:
// in a member no table knows, and in `details`, which is kept whole as JSON text.
constexpr std::size_t kDeepNesting = 5000;

std::string deep_arrays() {
    return std::string(kDeepNesting, '[') + std::string(kDeepNesting, ']');
}

std::string deep_getfindings_body() {
    return R"({"findings":[{"id":"a","somethingNew":)" + deep_arrays() + R"(}],"nextToken":"t"})";
}

std::string deep_listfindings_body() {
    return R"({"findings":[{"findingArn":"a","resources":[{"details":{"x":)" + deep_arrays() +
           "}}]}]}";
}

// ---------------------------------------------------------------------------------------
// Inputs by name.

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<std::string> indexed(const std::vector<std::string>& bodies, std::string_view index) {
    std::size_t i = 0;
    for (const char c : index) {
        if (c < '0' || c > '9') return std::nullopt;
        i = i * 10 + static_cast<std::size_t>(c - '0');
    }
    if (index.empty() || i >= bodies.size()) return std::nullopt;
    return bodies[i];
}

// The body of an input named without a mutation: pages/F, corpus/D/F, edge/KIND/N,
// skipped/N, deep/KIND. nullopt when there is no such input.
std::optional<std::string> base_body(std::string_view name) {
    const auto after = [&](std::string_view prefix) -> std::optional<std::string_view> {
        if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
        return name.substr(prefix.size());
    };
    if (const auto file = after("pages/")) return read_file(kGoldenDir / "pages" / *file);
    if (const auto file = after("corpus/")) {
        return read_file(fs::path(CODEGURU_SOURCE_DIR) / "fuzz" / "corpus" / *file);
    }
    if (const auto i = after("edge/getfindings/")) return indexed(getfindings_edge_cases(), *i);
    if (const auto i = after("edge/listfindings/")) return indexed(listfindings_edge_cases(), *i);
    if (const auto i = after("edge/snippets/")) return indexed(snippet_batch_edge_cases(), *i);
    if (const auto i = after("skipped/")) return indexed(malformed_inside_skipped_values(), *i);
    if (name == "deep/getfindings") return deep_getfindings_body();
    if (name == "deep/listfindings") return deep_listfindings_body();
    return std::nullopt;
}

// Splits "BASE#N" (the Nth mutation of BASE) into BASE and N.
std::optional<std::pair<std::string, std::size_t>> as_mutation(const std::string& name) {
    const std::size_t hash = name.rfind('#');
    if (hash == std::string::npos || hash + 1 == name.size()) return std::nullopt;
    std::size_t n = 0;
    for (const char c : std::string_view(name).substr(hash + 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return std::pair{name.substr(0, hash), n};
}

// Every input's body, each base's mutations made once.
class Inputs {
  public:
    // Makes `count` mutations of `base` ready, for the inputs that name one of them.
    void need_mutations(const std::string& base, std::size_t count) {
        std::size_t& needed = needed_[base];
        needed = std::max(needed, count);
    }

    // nullopt when the input does not exist (a file gone, an index past the bodies).
    // `kind`: for a mutation, what it did.
    std::optional<std::string> body(const std::string& name, std::string& kind) {
        kind.clear();
        const auto mutation = as_mutation(name);
        if (!mutation) return base_body(name);
        auto made = mutations_.find(mutation->first);
        if (made == mutations_.end()) {
            const std::optional<std::string> base = base_body(mutation->first);
            std::vector<codeguru::test::Mutation> mutations;
            if (base) {
                mutations = codeguru::test::mutations_of(
                    *base, kMutationSeed ^ fnv1a64(mutation->first), needed_[mutation->first]);
            }
            made = mutations_.emplace(mutation->first, std::move(mutations)).first;
        }
        if (mutation->second >= made->second.size()) return std::nullopt;
        kind = made->second[mutation->second].kind;
        return made->second[mutation->second].body;
    }

  private:
    std::map<std::string, std::size_t> needed_;
    std::map<std::string, std::vector<codeguru::test::Mutation>> mutations_;
};

// ---------------------------------------------------------------------------------------
// The golden file.

struct Entry {
    std::string outcome_digest;
    std::string input_digest;
    Answer answer;
    std::size_t max_entries;
    std::string input;
};

struct Golden {
    std::vector<std::string> header;  // the comment lines, as written
    std::size_t listed = 0;           // "# entries: N"
    std::vector<Entry> entries;
    std::vector<std::string> errors;  // lines that are not entries
};

constexpr std::string_view kEntriesLine = "# entries: ";

Golden read_golden(const fs::path& path) {
    Golden golden;
    std::ifstream in(path);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        if (line[0] == '#') {
            if (line.rfind(kEntriesLine, 0) == 0) {
                golden.listed = std::stoul(line.substr(kEntriesLine.size()));
            } else {
                golden.header.push_back(line);
            }
            continue;
        }
        std::istringstream fields(line);
        Entry e;
        std::string answer;
        fields >> e.outcome_digest >> e.input_digest >> answer >> e.max_entries >> e.input;
        const auto parsed_answer = codeguru::test::answer_named(answer);
        std::string rest;
        if (!fields || (fields >> rest) || !parsed_answer || e.outcome_digest.size() != 16 ||
            e.input_digest.size() != 16 ||
            (*parsed_answer == Answer::kBatchGetCodeSnippet && e.max_entries != 0)) {
            golden.errors.push_back("line " + std::to_string(number) + ": " + line);
            continue;
        }
        e.answer = *parsed_answer;
        golden.entries.push_back(std::move(e));
    }
    return golden;
}

std::string entry_line(const Entry& e) {
    return e.outcome_digest + " " + e.input_digest + " " +
           std::string(codeguru::test::answer_name(e.answer)) + " " +
           std::to_string(e.max_entries) + " " + e.input;
}

void write_golden(const fs::path& path, const Golden& golden) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const std::string& line : golden.header) out << line << '\n';
    out << kEntriesLine << golden.entries.size() << '\n';
    for (const Entry& e : golden.entries) out << entry_line(e) << '\n';
}

// What kind of input an entry maps, for the summary.
std::string_view family(const std::string& input) {
    if (as_mutation(input)) return "mutations";
    if (input.rfind("pages/", 0) == 0) return "frozen pages";
    if (input.rfind("corpus/", 0) == 0) return "fuzz corpus";
    return "written here";
}

// The canonical outcome of a body refused with `error` ("Class: message").
std::string refused(const std::string& error) {
    return "error=" + std::to_string(error.size()) + ":" + error + ";";
}

// Takes every findings list the sources' pools keep (and frees it), so that the next parses
// map into new lists. A pool keeps 4 (json_mapping/entry_pool.hpp); 16 takes leave none.
void drain_finding_pools() {
    for (int i = 0; i < 16; ++i) {
        codeguru::parse_findings_page(R"({"findings":[]})");
        codeguru::inspector::parse_findings_page(R"({"findings":[]})");
    }
}

// How check_golden() hands each input to the mappers.
enum class Reading {
    kCopied,     // as a view, no room known after it: copied into a padded buffer first
    kReused,     // the same, mapped into the findings of the inputs before it
    kWhereItIs,  // in a string with room after it, as from the transport: read in place
};

// `body` in a string with room after it, as the transport leaves (aws::kBodyReadAhead), that
// room filled with text that would close a cut body, add a finding or a token: any byte read
// from it changes an outcome.
std::string with_room_after(const std::string& body) {
    static const std::string kRoom = [] {
        std::string room = R"("}]}],"nextToken":"read past the end"},{"id":"past the end"}]})";
        while (room.size() < 2 * codeguru::aws::kBodyReadAhead) room += "]}\"";
        return room;
    }();
    std::string text;
    text.reserve(body.size() + kRoom.size());
    text = body;
    text += kRoom;
    text.resize(body.size());
    return text;
}

// Maps every golden input as `how` says: into new findings lists, into the findings of the
// inputs before it (given back after each, as the sync gives back a page's findings once
// written), or where it stands; and checks each outcome against the recorded one.
void check_golden(Reading how) {
    const bool recycle = how == Reading::kReused;
    drain_finding_pools();
    Golden golden = read_golden(kGoldenFile);
    INFO("golden file " << kGoldenFile.string());
    REQUIRE(golden.errors.empty());
    REQUIRE(!golden.entries.empty());

    Inputs inputs;
    for (const Entry& e : golden.entries) {
        if (const auto mutation = as_mutation(e.input)) {
            inputs.need_mutations(mutation->first, mutation->second + 1);
        }
    }

    std::size_t checked = 0;
    std::size_t refusals = 0;
    std::map<std::string_view, std::size_t> by_family;
    std::vector<std::string> failures;
    std::size_t failed = 0;
    for (Entry& e : golden.entries) {
        const std::string reading = std::string(codeguru::test::answer_name(e.answer)) +
                                    ", max_entries " + std::to_string(e.max_entries);
        std::string kind;
        const std::optional<std::string> body = inputs.body(e.input, kind);
        const std::string about = e.input + (kind.empty() ? "" : " (" + kind + ")");
        if (!body) {
            ++failed;
            if (failures.size() < 8) {
                failures.push_back(about + " read as " + reading + ": no such input");
            }
            continue;
        }
        ++checked;
        ++by_family[family(e.input)];
        std::string outcome;
        if (how == Reading::kWhereItIs) {
            const std::string text = with_room_after(*body);
            REQUIRE(text.capacity() - text.size() >= codeguru::aws::kBodyReadAhead);
            outcome = canonical_outcome(e.answer, text, e.max_entries);
        } else {
            // A view: the mapper copies it, whatever room its string has.
            outcome = canonical_outcome(e.answer, std::string_view(*body), e.max_entries, recycle);
        }
        if (outcome.rfind("error=", 0) == 0) ++refusals;
        const std::string input_digest = hex16(fnv1a64(*body));
        const std::string outcome_digest = hex16(fnv1a64(outcome));
        if (outcome_digest == e.outcome_digest && input_digest == e.input_digest) continue;
        ++failed;
        std::string what = about + " read as " + reading + ":\n  ";
        if (input_digest != e.input_digest) {
            what += "the input is not the recorded one (digest " + input_digest + ", recorded " +
                    e.input_digest + ")";
        }
        if (outcome_digest != e.outcome_digest) {
            if (input_digest != e.input_digest) what += "; ";
            what += "outcome digest " + outcome_digest + ", recorded " + e.outcome_digest;
        }
        what += "\n  body:    " + printable(*body, 300) + "\n  outcome: " + printable(outcome, 600);
        if (failures.size() < 8) failures.push_back(std::move(what));
        e.outcome_digest = outcome_digest;
        e.input_digest = input_digest;
    }

    std::cout << "mapper golden"
              << (recycle                      ? ", into reused findings"
                  : how == Reading::kWhereItIs ? ", read where it stands"
                                               : "")
              << ": " << checked << " of " << golden.entries.size() << " entries checked (";
    const char* separator = "";
    for (const auto& [name, count] : by_family) {
        std::cout << separator << count << " " << name;
        separator = ", ";
    }
    std::cout << "), " << checked - refusals << " mapped, " << refusals << " refused, " << failed
              << " not as recorded" << std::endl;
    for (const std::string& failure : failures) UNSCOPED_INFO(failure);

    if (how == Reading::kCopied && std::getenv("MAPPER_GOLDEN_REWRITE") != nullptr && failed > 0) {
        write_golden(kGoldenFile, golden);
        std::cout << "mapper golden: rewrote " << kGoldenFile.string() << std::endl;
    }
    CHECK(failed == 0);
    CHECK(golden.listed == golden.entries.size());
    CHECK(checked == golden.listed);
    // Each family of inputs is there: a golden file cut short does not pass.
    for (const char* name : {"frozen pages", "fuzz corpus", "mutations", "written here"}) {
        INFO(name);
        CHECK(by_family[name] > 0);
    }
    drain_finding_pools();
}

}  // namespace

TEST_CASE("mapper golden: every input maps to its recorded outcome") {
    check_golden(Reading::kCopied);
}

// What a page leaves in the findings it gives back (strings, lists, members another page
// lacks, entries past another page's count) never shows in the next page mapped into them.
TEST_CASE("mapper golden: every input maps to its recorded outcome into reused findings") {
    check_golden(Reading::kReused);
}

// As the daemon reads a body its transport received: where it stands, nothing read from the
// room after it.
TEST_CASE("mapper golden: every input read where it stands maps to its recorded outcome") {
    check_golden(Reading::kWhereItIs);
}

// The canonical outcome itself: a difference anywhere, even absent against empty, is seen.
TEST_CASE("mapper golden: the canonical outcome sees a difference in any one field") {
    const std::string base =
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}]})";
    const std::string changed[] = {
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":2}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1,"content":""}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":"x"}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}],"nextToken":"t"})",
        "{\"findings\":[{\"id\":\"a\xFF\",\"vulnerability\":{\"filePath\":{\"codeSnippet\":[{"
        "\"number\":1}]}}}]}",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}]]})",
    };
    const std::string original = canonical_outcome(Answer::kGetFindings, base, 0);
    CHECK(original.rfind("error=", 0) == std::string::npos);
    for (const std::string& body : changed) {
        INFO(body);
        const std::string other = canonical_outcome(Answer::kGetFindings, body, 0);
        CHECK(other != original);
        CHECK(fnv1a64(other) != fnv1a64(original));
    }
    // The same error, thrown as another class or with another message, is another outcome.
    CHECK(canonical_outcome(Answer::kGetFindings, "[]", 0) ==
          refused("MalformedResponseError: GetFindings answer is not a JSON object"));
    CHECK(canonical_outcome(Answer::kListFindings, "[]", 0) ==
          refused("MalformedResponseError: ListFindings answer is not a JSON object"));
    CHECK(canonical_outcome(Answer::kGetFindings, R"({"findings":[{},{}]})", 1) ==
          refused("OversizedPageError: GetFindings returned more than 1 findings (maxResults=1)"));
    // Published FNV-1a 64 values.
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(hex16(0xabcULL) == "0000000000000abc");
}

TEST_CASE("mapper golden: a body malformed only inside a skipped value is refused") {
    for (const std::string& body : malformed_inside_skipped_values()) {
        INFO(body);
        CHECK(canonical_outcome(Answer::kGetFindings, body, 0) ==
              refused("MalformedResponseError: GetFindings answer is not valid JSON (" +
                      std::to_string(body.size()) + " bytes)"));
    }
}

TEST_CASE("mapper golden: nesting far deeper than 1024 is mapped") {
    const std::string deep = deep_arrays();
    const std::string unknown = canonical_outcome(Answer::kGetFindings, deep_getfindings_body(), 0);
    CHECK(unknown.rfind("error=", 0) == std::string::npos);
    CHECK(unknown.find("nextToken=1:t;") != std::string::npos);
    const std::string kept = canonical_outcome(Answer::kListFindings, deep_listfindings_body(), 0);
    CHECK(kept.rfind("error=", 0) == std::string::npos);
    CHECK(kept.find("detailsJson=" + std::to_string(deep.size() + 6) + ":{\"x\":" + deep + "};") !=
          std::string::npos);
}
