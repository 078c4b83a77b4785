#pragma once

#include <string>
#include <string_view>

namespace codeguru::sync {

// This daemon instance's id in scan leases and runs: "HOST:PID:RANDOM:PIDNS", where PIDNS is
// the process's pid namespace. Unique per process, so that a restarted process (same pid in
// a new container) is never taken for its predecessor.
std::string make_owner_id();

// Whether the lease holder `owner` (an id of make_owner_id's form) is a daemon process of this
// machine that no longer runs: same host and pid namespace, and either its pid is gone (or a
// zombie) or it is this very pid with another random part (a restart that got the same pid,
// as PID 1 in a container). Its leases can be taken at once instead of waiting for them to
// expire. False whenever that cannot be known (another host, another namespace, a bad id).
bool owner_is_defunct(std::string_view owner, std::string_view self);

}  // namespace codeguru::sync
