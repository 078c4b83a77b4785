// Fuzzes timestamp parsing (codeguru/timestamp), the createdAt/updatedAt of every finding.
// Properties: an accepted ISO-8601 text lies in years 0001..9999 like an accepted epoch
// value, and format_timestamp's text (what PostgreSQL receives) parses back to the same
// instant; epoch seconds as integer and as double agree where the double is exact.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "util/timestamp.hpp"

namespace {

using codeguru::Timestamp;

void check_instant(Timestamp t) {
    using namespace std::chrono;
    constexpr auto kFirst = sys_days(year(1) / January / 1);
    constexpr auto kEnd = sys_days(year(10000) / January / 1);
    FUZZ_CHECK(t >= kFirst && t < kEnd);
    const std::string text = codeguru::format_timestamp(t);
    FUZZ_CHECK(text.size() == 29);  // "YYYY-MM-DD HH:MM:SS.ffffff+00"
    FUZZ_CHECK(codeguru::timestamp_from_iso8601(text) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto t = codeguru::timestamp_from_iso8601(text)) check_instant(*t);

    if (size >= sizeof(std::int64_t)) {
        std::int64_t whole;
        std::memcpy(&whole, data, sizeof whole);
        double real;
        std::memcpy(&real, data, sizeof real);
        const auto from_whole = codeguru::timestamp_from_epoch_seconds(whole);
        if (from_whole) check_instant(*from_whole);
        if (const auto t = codeguru::timestamp_from_epoch_seconds(real)) check_instant(*t);
        constexpr std::int64_t kExact = std::int64_t{1} << 53;
        if (whole > -kExact && whole < kExact) {
            FUZZ_CHECK(codeguru::timestamp_from_epoch_seconds(static_cast<double>(whole)) ==
                       from_whole);
        }
    }
    return 0;
}
