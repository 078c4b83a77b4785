#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "sources/json_mapping/json_syntax_reader.hpp"
#include "sources/json_mapping/json_text_writer.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/page_warnings.hpp"
#include "sources/json_mapping/scalar_reader.hpp"
#include "sources/json_mapping/simdjson_ondemand.hpp"
#include "sources/json_mapping/walk_path.hpp"

namespace codeguru::json_mapping::ondemand {

// How a walk ended: the document mapped, or stopped at the first point where it is not
// JSON (kSyntax), where the answer's own shape is wrong (kFatal) or past max_entries.
enum class WalkEnd { kDone, kSyntax, kFatal, kOversized };

// The order in which the last object of a table named its members: after member i, the
// one at next[i + 1] (its index + 1; 0: none yet), the first at next[0]. An API writes
// every object of a kind in one order, so the next key is first compared with the member
// that followed the last one there.
struct MemberOrder {
    const ObjectSpec* spec = nullptr;
    std::array<std::uint8_t, 65> next{};
};

// What a thread keeps between pages so that walking one allocates nothing but the model.
struct WalkScratch {
    std::string text;  // a string read for a non-text field, or an escaped key
    JsonSyntaxReader reader;
    JsonTextWriter writer;
    // One per table walked (a source has about ten); a deque, so that an object's order
    // stays where it is while the objects inside it add theirs.
    std::deque<MemberOrder> orders;

    // Found by the table's address in `recent` first: an object is walked for every few
    // members, and the deque's search costs more than the member.
    std::array<MemberOrder*, 16> recent{};

    MemberOrder& order_of(const ObjectSpec* spec) {
        MemberOrder*& slot = recent[(reinterpret_cast<std::uintptr_t>(spec) / sizeof *spec) % 16];
        if (slot != nullptr && slot->spec == spec) return *slot;
        for (MemberOrder& order : orders) {
            if (order.spec == spec) return *(slot = &order);
        }
        return *(slot = &orders.emplace_back(MemberOrder{spec, {}}));
    }
};

// Walks a simdjson On-Demand document into `page` as `answer`'s member tables describe, with
// the semantics of ondemand_mapper.hpp for every document simdjson accepts. Everything it
// passes is checked as nlohmann would (scalars by json_lexer, skipped and kept values by
// JsonSyntaxReader), in document order, so that kFatal and kOversized are only reported
// where nlohmann would have reported them too; `error` then holds the message of the error
// to throw. kSyntax says only that the document is not JSON somewhere; the caller finds out
// where (ondemand_mapper.cpp). `text_end`: the end of the document's text in the padded
// buffer simdjson reads.
WalkEnd walk_answer(simdjson::ondemand::document& document, const AnswerSpec& answer, void* page,
                    std::vector<std::string>& warnings, std::size_t& more_warnings,
                    std::size_t max_entries, const char* text_end, WalkScratch& scratch,
                    std::string& error);

// Leaves every field of `page` that `answer` fills absent, as before a walk.
void reset_answer(const AnswerSpec& answer, void* page);

// Gives back what `text` has allocated beyond twice its size: a string reused from an
// earlier page (ondemand_mapper.hpp) keeps no more than text of its own would (a string
// grown for its text alone never has more than twice its size).
inline void fit_text(std::string& text) {
    if (text.capacity() > 2 * text.size() + 256) text.shrink_to_fit();
}

}  // namespace codeguru::json_mapping::ondemand
