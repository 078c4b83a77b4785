#pragma once

#include <string>
#include <string_view>

namespace codeguru::aws {

// The hashing that SigV4 needs, over OpenSSL 3. Thread-safe; throws std::runtime_error
// only if OpenSSL itself fails.

// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`: the raw 32-byte digest.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string hex_encode(std::string_view bytes);

}  // namespace codeguru::aws
