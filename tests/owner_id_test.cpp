#include "sync/owner_id.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using codeguru::sync::make_owner_id;
using codeguru::sync::owner_is_defunct;

namespace {

std::vector<std::string> fields(const std::string& id) {
    std::vector<std::string> out;
    std::size_t from = 0;
    for (std::size_t colon; (colon = id.find(':', from)) != std::string::npos; from = colon + 1) {
        out.push_back(id.substr(from, colon - from));
    }
    out.push_back(id.substr(from));
    return out;
}

std::string with_pid(const std::string& id, const std::string& pid) {
    auto f = fields(id);
    return f[0] + ":" + pid + ":" + f[2] + ":" + f[3];
}

// The pid of a child that has exited and been reaped: no process has it (for now).
pid_t reaped_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

}  // namespace

TEST_CASE("an owner id names the host, this process and its pid namespace", "[owner_id]") {
    const std::string id = make_owner_id();
    const auto f = fields(id);
    REQUIRE(f.size() == 4);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    CHECK(f[0] == host);
    CHECK(f[1] == std::to_string(::getpid()));
    CHECK(f[2].size() == 8);
    CHECK(make_owner_id() != id);  // the random part tells two incarnations apart
}

TEST_CASE("only a dead daemon of this machine and pid namespace is defunct", "[owner_id]") {
    const std::string self = make_owner_id();
    CHECK_FALSE(owner_is_defunct(self, self));
    // A live process of this machine: our parent.
    CHECK_FALSE(owner_is_defunct(with_pid(self, std::to_string(::getppid())), self));
    // A process that is gone.
    CHECK(owner_is_defunct(with_pid(self, std::to_string(reaped_pid())), self));
    // An earlier incarnation with this very pid (PID 1 in a restarted container).
    CHECK(owner_is_defunct(make_owner_id(), self));

    const auto f = fields(self);
    const std::string dead = std::to_string(reaped_pid());
    CHECK_FALSE(owner_is_defunct("other-host:" + dead + ":" + f[2] + ":" + f[3], self));
    CHECK_FALSE(owner_is_defunct(f[0] + ":" + dead + ":" + f[2] + ":1", self));
    CHECK_FALSE(owner_is_defunct("test-owner", self));
    CHECK_FALSE(owner_is_defunct(f[0] + ":x1:" + f[2] + ":" + f[3], self));
    CHECK_FALSE(owner_is_defunct(f[0] + ":0:" + f[2] + ":" + f[3], self));
}
