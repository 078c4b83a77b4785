#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace codeguru {

// The warnings a page keeps; the rest are only counted, so that a hostile page cannot
// turn into millions of log lines.
constexpr std::size_t kMaxWarningsPerPage = 20;

// One API answer mapped to the model (`Page`: a findings page, a snippet batch), with what
// the mapping had to leave out or repair. Never fatal: the answer is still used.
template <class Page>
struct ParsedAnswer {
    Page page;
    // Members that had the wrong type and were left out, one line each; the first
    // kMaxWarningsPerPage of them.
    std::vector<std::string> warnings;
    std::size_t more_warnings = 0;          // warnings past the first kMaxWarningsPerPage
    std::size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD
};

// A page with more entries than the maxResults asked for: the API breaks its contract,
// and asking again would not mend it. The message names the operation and the limit.
class OversizedPageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace codeguru
