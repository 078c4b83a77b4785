#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace codeguru::json_mapping {

// Lists of entries (a page's findings) given back by pages already used, so that mapping a
// later page reuses their strings and lists where it would allocate them again: about 25
// allocations a finding, and with their frees a quarter of the mapping's time. Shared by
// the process's threads: a page is mapped on a pass's fetch thread and freed on its scan's
// thread. Holds at most kMaxLists lists, each of at most a page's entries, its strings and
// lists no more than twice the size of what they last held (ondemand_walker.hpp).
template <class Entry>
class EntryPool {
  public:
    // A list given back earlier (the last one given), or an empty one.
    std::vector<Entry> take() {
        std::lock_guard lock(mutex_);
        if (lists_.empty()) return {};
        std::vector<Entry> list = std::move(lists_.back());
        lists_.pop_back();
        return list;
    }

    // Keeps `list` for a later take(), unless kMaxLists are kept already: then it stays
    // with the caller, to be freed.
    void give(std::vector<Entry>&& list) {
        if (list.empty()) return;
        std::lock_guard lock(mutex_);
        if (lists_.size() < kMaxLists) lists_.push_back(std::move(list));
    }

  private:
    // Enough for the pages in flight at once: two scans, each writing one page while its
    // fetch thread maps the next.
    static constexpr std::size_t kMaxLists = 4;

    std::mutex mutex_;
    std::vector<std::vector<Entry>> lists_;
};

}  // namespace codeguru::json_mapping
