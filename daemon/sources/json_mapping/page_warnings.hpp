#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace codeguru::json_mapping {

// A page's warnings: the first kMaxWarningsPerPage kept, the rest only counted, so that a
// hostile page cannot turn into millions of log lines. A warning raised inside an entry (a
// finding) waits for the entry's end, to be prefixed with its name, known only then.
class PageWarnings {
  public:
    PageWarnings(std::vector<std::string>& kept, std::size_t& more) : kept_(kept), more_(more) {}

    // Whether one more warning is kept; counts it if not. Callers build a warning's text
    // only when it is.
    bool fits();
    // REQUIRES: fits() just returned true.
    void add(std::string warning);

    void begin_entry();
    bool entry_has_warnings() const { return !pending_.empty(); }
    // Keeps the entry's warnings as "`who`: warning".
    void end_entry(std::string_view who);

  private:
    std::vector<std::string>& kept_;
    std::size_t& more_;
    bool in_entry_ = false;
    std::vector<std::string> pending_;  // the current entry's, without its name yet
};

}  // namespace codeguru::json_mapping
