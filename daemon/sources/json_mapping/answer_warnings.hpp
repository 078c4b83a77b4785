#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace codeguru {

// Logs (warn) what mapping an API answer left out or repaired (a ParsedAnswer or alike):
// replaced bad UTF-8, the kept warnings, then how many more. `who` names the scan or stream
// ("scan payments-api"), `what` the answer ("GetFindings page").
template <class Parsed>
void log_answer_warnings(std::string_view who, std::string_view what, const Parsed& parsed) {
    if (parsed.invalid_utf8_replaced > 0) {
        spdlog::warn("{}: {} invalid UTF-8 sequence(s) in a {} replaced with U+FFFD", who,
                     parsed.invalid_utf8_replaced, what);
    }
    for (const auto& warning : parsed.warnings) spdlog::warn("{}: {}", who, warning);
    if (parsed.more_warnings > 0) {
        spdlog::warn("{}: ... and {} more warning(s) in this {}", who, parsed.more_warnings,
                     what.substr(what.rfind(' ') + 1));
    }
}

}  // namespace codeguru
