// The per-thread spare page buffer (util/page_buffer.hpp): a buffer handed back is the one
// the thread's next take() returns, empty but with its memory; too large a buffer, or one
// smaller than the spare, is not kept; and threads do not share their spares.
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "util/page_buffer.hpp"

namespace pb = codeguru::page_buffer;

namespace {
// Leaves this thread without a spare, whatever earlier tests handed back.
void drain() {
    (void)pb::take();
}
}  // namespace

TEST_CASE("a page buffer handed back is taken again, empty, with its memory") {
    drain();
    std::string body(1 << 20, 'x');
    const char* memory = body.data();
    const std::size_t capacity = body.capacity();
    pb::give_back(std::move(body));

    const std::string again = pb::take();
    CHECK(again.empty());
    CHECK(again.capacity() == capacity);
    CHECK(again.data() == memory);
    // Taken, the spare is gone: the next take has nothing kept.
    CHECK(pb::take().capacity() < capacity);
}

TEST_CASE("a page buffer above the kept limit, or smaller than the spare, is let go") {
    drain();
    std::string huge;
    huge.reserve(pb::kMaxKeptBytes + 1);
    pb::give_back(std::move(huge));
    CHECK(pb::take().capacity() <= pb::kMaxKeptBytes);

    std::string big(1 << 20, 'b');
    const char* big_memory = big.data();
    pb::give_back(std::move(big));
    pb::give_back(std::string(1 << 10, 's'));
    CHECK(pb::take().data() == big_memory);
}

TEST_CASE("page buffers are kept per thread") {
    drain();
    std::string body(1 << 20, 'x');
    const std::size_t capacity = body.capacity();
    pb::give_back(std::move(body));
    std::size_t other_thread_capacity = capacity;
    std::thread([&] { other_thread_capacity = pb::take().capacity(); }).join();
    CHECK(other_thread_capacity < capacity);
    CHECK(pb::take().capacity() == capacity);
}
