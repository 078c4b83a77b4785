// Fuzzes the text sanitizer (util/text_sanitizer) that guards every PostgreSQL text value.
// Properties: sanitize_text yields valid UTF-8 without NUL and replace_invalid_utf8 valid
// UTF-8; zero replacements exactly when the input needed none, and then the text is
// unchanged; each replacement costs one input byte and adds one U+FFFD; sanitizing twice
// changes nothing more.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "util/text_sanitizer.hpp"

namespace {

using codeguru::fuzz::is_valid_utf8;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::size_t count_of(std::string_view text, std::string_view part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string_view::npos;
         at = text.find(part, at + part.size())) {
        ++count;
    }
    return count;
}

template <typename Sanitize>
void check(const std::string& input, Sanitize sanitize, bool nul_allowed) {
    std::string text = input;
    const std::size_t replaced = sanitize(text);
    FUZZ_CHECK(is_valid_utf8(text));
    if (!nul_allowed) FUZZ_CHECK(text.find('\0') == std::string::npos);

    const bool needed =
        !is_valid_utf8(input) || (!nul_allowed && input.find('\0') != std::string::npos);
    FUZZ_CHECK((replaced == 0) == !needed);
    if (replaced == 0) FUZZ_CHECK(text == input);
    // Every replacement swaps one byte for the three of U+FFFD.
    FUZZ_CHECK(text.size() == input.size() + 2 * replaced);
    FUZZ_CHECK(count_of(text, kReplacement) == count_of(input, kReplacement) + replaced);

    std::string again = text;
    FUZZ_CHECK(sanitize(again) == 0);
    FUZZ_CHECK(again == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    check(
        input, [](std::string& text) { return codeguru::sanitize_text(text); }, false);
    check(
        input, [](std::string& text) { return codeguru::replace_invalid_utf8(text); }, true);
    return 0;
}
