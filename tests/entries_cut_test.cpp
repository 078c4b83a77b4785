// The shortcut for bodies far past maxResults (sources/json_mapping/entries_cut.hpp): the cut
// body ends where the extra entry starts, and mapping it fails exactly as mapping the whole
// body does (same exception class, same message); where the shortcut does not apply, there
// is no cut. The expected cuts are written out by hand; the expected errors come from
// mapping the whole body.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sources/json_mapping/entries_cut.hpp"
#include "sources/json_mapping/ondemand_mapper.hpp"

namespace {

namespace jm = codeguru::json_mapping;

struct Item {
    std::optional<std::string> id;
    std::optional<std::int64_t> n;
};
struct Page {
    std::vector<Item> items;
    std::optional<std::string> next_token;
};

constexpr jm::MemberSpec kItemMembers[] = {
    jm::member<&Item::id>("id"),
    jm::member<&Item::n>("n"),
};
constexpr jm::ObjectSpec kItem = jm::entry<&Item::id>(kItemMembers, "item", "id");
constexpr jm::MemberSpec kPageMembers[] = {
    jm::entries<&Page::items>("items", kItem),
    jm::token<&Page::next_token>("nextToken"),
};
constexpr jm::ObjectSpec kPageObject{kPageMembers};
constexpr jm::AnswerSpec kPage{"ListItems", &kPageObject};

// What mapping `body` ends with: "ok N" (entries mapped), or the exception's class and text.
std::string outcome(const std::string& body, std::size_t max_entries) {
    try {
        const auto parsed = jm::ondemand::parse_answer<Page>(body, kPage, max_entries);
        return "ok " + std::to_string(parsed.page.items.size());
    } catch (const codeguru::OversizedPageError& e) {
        return std::string("oversized: ") + e.what();
    } catch (const codeguru::aws::MalformedResponseError& e) {
        return std::string("malformed: ") + e.what();
    }
}

std::string items(int count, const std::string& item = R"({"id":"x"})") {
    std::string text;
    for (int i = 0; i < count; ++i) text += (i > 0 ? "," : "") + item;
    return text;
}

}  // namespace

TEST_CASE("a body past its limit is cut where the extra entry starts, brackets closed") {
    const std::string body = R"({"nextToken":"t","items":[{"id":"a"}, {"id":"b"},{"id":"c"}]})";
    const auto cut = jm::cut_at_extra_entry(body, kPage, 2);
    REQUIRE(cut);
    CHECK(*cut == R"({"nextToken":"t","items":[{"id":"a"}, {"id":"b"},{}]})");

    const std::string deeper = R"({"items":[{"id":"a","x":[1,{"y":"]"}]},{"id":"b\"]}"}, {)";
    const auto deeper_cut = jm::cut_at_extra_entry(deeper, kPage, 2);
    REQUIRE(deeper_cut);
    CHECK(*deeper_cut == R"({"items":[{"id":"a","x":[1,{"y":"]"}]},{"id":"b\"]}"}, {}]})");
}

TEST_CASE("no cut where the shortcut does not apply") {
    // Within the limit, an extra element that is not an object, another member's list, an
    // escaped key, a body that is not an object, an unterminated string, no limit.
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"items":[{},{}]})", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"items":[{},{},tru]})", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"other":[{},{},{}]})", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"it\u0065ms":[{},{},{}]})", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"([{"items":[{},{},{}]}])", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry("\xEF\xBB\xBF{\"items\":[{},{},{}]}", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"items":[{},{"id":"unterminated)", kPage, 2));
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"items":[{},{},{}]})", kPage, 0));
    // A nested list under the entries' key is not the entries.
    CHECK_FALSE(jm::cut_at_extra_entry(R"({"x":{"items":[{},{},{}]}})", kPage, 2));
}

TEST_CASE("mapping the cut fails exactly as mapping the whole body") {
    const std::vector<std::string> bodies = {
        // Plainly too many.
        "{\"items\":[" + items(5) + "]}",
        // Too many, then not JSON, then bad UTF-8: the whole body is refused by simdjson and
        // read as nlohmann would, which also stops at the extra entry.
        "{\"items\":[" + items(5) + "], \"nextToken\": tru",
        "{\"items\":[" + items(5) + ",{\"id\":\"\xFF\"}]}",
        "{\"items\":[" + items(5) + ",{\"id\":\"unterminated",
        // Entries with warnings before the cut, a repeated list (the second too long).
        "{\"items\":[" + items(3, R"({"id":"w","n":"NaN"})") + "],\"items\":[" + items(4) + "]}",
        // The answer's shape broken before the cut: a token that is no string.
        "{\"nextToken\":5,\"items\":[" + items(5) + "]}",
        // Not JSON before the cut.
        "{\"items\":[" + items(2) + ",{\"id\":nul}," + items(3) + "]}",
        // A NUL byte outside strings before the cut: nlohmann stops reading there.
        std::string("{\"items\":[{\"id\":\"a\"}]}\0", 23) + ",{},{},{},{}",
    };
    int compared = 0;
    for (const std::string& body : bodies) {
        INFO(body);
        const std::string whole = outcome(body, 3);
        const auto cut = jm::cut_at_extra_entry(body, kPage, 3);
        if (!cut) continue;
        const std::string of_cut = outcome(*cut, 3);
        // The mapper only takes the cut's answer when it is the oversized error.
        if (of_cut.rfind("oversized: ", 0) != 0) continue;
        CHECK(of_cut == whole);
        ++compared;
    }
    // Every body above but the last three gives an oversized cut.
    CHECK(compared == 5);
}
