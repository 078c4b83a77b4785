#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace codeguru::test {

// Deterministic mutations of an API body, for the mapper golden test: bytes replaced, bits
// flipped, truncations, invalid UTF-8 and escapes inserted, structure broken, the top level
// changed and, when the body is JSON, members replaced by odd values, duplicated, removed,
// nested thousands deep or renamed with escapes. Frozen: the golden file keeps the outcomes
// of these very bodies (and their digests), so a change here, or in how nlohmann_json
// writes a JSON value back, is a change to the mutated inputs, reported as such.
struct Mutation {
    std::string body;
    std::string kind;  // what was done, e.g. "value replaced + byte replaced"
};

// The first `count` mutations of `base`, drawn from a std::mt19937_64 seeded with `seed`:
// the same in every build, and each a prefix of a longer run.
std::vector<Mutation> mutations_of(const std::string& base, std::uint64_t seed, std::size_t count);

}  // namespace codeguru::test
