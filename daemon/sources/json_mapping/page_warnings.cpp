#include "sources/json_mapping/page_warnings.hpp"

#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru::json_mapping {

bool PageWarnings::fits() {
    if (kept_.size() + pending_.size() < kMaxWarningsPerPage) return true;
    ++more_;
    return false;
}

void PageWarnings::add(std::string warning) {
    (in_entry_ ? pending_ : kept_).push_back(std::move(warning));
}

void PageWarnings::begin_entry() {
    pending_.clear();
    in_entry_ = true;
}

void PageWarnings::end_entry(std::string_view who) {
    for (auto& w : pending_) {
        std::string line;
        line.reserve(who.size() + 2 + w.size());
        line.append(who).append(": ").append(w);
        kept_.push_back(std::move(line));
    }
    pending_.clear();
    in_entry_ = false;
}

}  // namespace codeguru::json_mapping
