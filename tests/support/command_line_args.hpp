#pragma once

// The command line as tests write it: only the arguments after the program's name.

#include <string>
#include <utility>
#include <vector>

#include "config/command_line.hpp"
#include "config/config_error.hpp"

namespace codeguru::test {

// parse_command_line() of "codeguru-syncd" followed by `args`.
inline CommandLine parse_args(std::vector<const char*> args) {
    args.insert(args.begin(), "codeguru-syncd");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

// The text of the UsageError that parse_args(args) throws; "no UsageError" when it accepts.
inline std::string usage_error_text(std::vector<const char*> args) {
    try {
        parse_args(std::move(args));
    } catch (const UsageError& e) {
        return e.what();
    }
    return "no UsageError";
}

}  // namespace codeguru::test
