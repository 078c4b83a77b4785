#include "sync/owner_id.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

namespace codeguru::sync {
namespace {

struct OwnerParts {
    std::string_view host, pid, random, namespace_id;
};

bool split(std::string_view owner, OwnerParts& parts) {
    std::vector<std::string_view> fields;
    for (std::size_t from = 0;;) {
        const auto colon = owner.find(':', from);
        fields.push_back(owner.substr(from, colon - from));
        if (colon == std::string_view::npos) break;
        from = colon + 1;
    }
    if (fields.size() != 4) return false;
    parts = {fields[0], fields[1], fields[2], fields[3]};
    return true;
}

std::string pid_namespace() {
    char target[64] = {};
    const ssize_t length = ::readlink("/proc/self/ns/pid", target, sizeof target - 1);
    std::string id;
    for (ssize_t i = 0; i < length; ++i) {
        if (target[i] >= '0' && target[i] <= '9') id += target[i];
    }
    return id.empty() ? "0" : id;
}

// Whether `pid` runs here: /proc/PID/stat exists and its state is not zombie or dead.
bool process_runs(long pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text)) return false;
    const auto state = text.rfind(')');
    return state != std::string::npos && state + 2 < text.size() && text[state + 2] != 'Z' &&
           text[state + 2] != 'X';
}

}  // namespace

std::string make_owner_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
        std::strcpy(host, "unknown-host");
    }
    for (char* c = host; *c != '\0'; ++c) {
        if (*c == ':') *c = '-';  // the field separator
    }
    std::random_device random;
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", random());
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix + ":" +
           pid_namespace();
}

bool owner_is_defunct(std::string_view owner, std::string_view self) {
    OwnerParts theirs, mine;
    if (owner == self || !split(owner, theirs) || !split(self, mine)) return false;
    if (theirs.host != mine.host || theirs.namespace_id != mine.namespace_id) return false;
    long pid = 0;
    const auto [end, error] =
        std::from_chars(theirs.pid.data(), theirs.pid.data() + theirs.pid.size(), pid);
    if (error != std::errc() || end != theirs.pid.data() + theirs.pid.size() || pid <= 0) {
        return false;
    }
    return theirs.pid == mine.pid || !process_runs(pid);
}

}  // namespace codeguru::sync
