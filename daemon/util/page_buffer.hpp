#pragma once

#include <cstddef>
#include <string>
#include <utility>

// One spare buffer per thread for what is allocated and freed once per page (an answer's
// body). A page is megabytes, and the daemon keeps every allocation that large in its own
// mapping (main.cpp), so a fresh buffer per page is a fresh mapping, faulted in 4 KiB at a
// time as it is written: about a tenth of a no-change re-sync's CPU (issue 14's profile).
// Handed back after use, the buffer keeps its capacity and the thread's next page is
// written into memory already mapped. A prefetch thread lives for one pass, so the spare
// goes with it; and a buffer above kMaxKeptBytes is let go, so that one outsized answer
// does not stay resident.
namespace codeguru::page_buffer {

inline constexpr std::size_t kMaxKeptBytes = std::size_t{64} << 20;

namespace detail {
inline std::string& spare() {
    thread_local std::string buffer;
    return buffer;
}
}  // namespace detail

// An empty string, with the capacity of the last one handed back on this thread.
inline std::string take() {
    std::string buffer = std::exchange(detail::spare(), std::string());
    buffer.clear();
    return buffer;
}

// Keeps `buffer`'s memory for this thread's next take(), unless it is too large or smaller
// than the spare already kept.
inline void give_back(std::string&& buffer) {
    if (buffer.capacity() > kMaxKeptBytes) return;
    if (buffer.capacity() <= detail::spare().capacity()) return;
    detail::spare() = std::move(buffer);
}

}  // namespace codeguru::page_buffer
