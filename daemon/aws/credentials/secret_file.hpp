#pragma once

#include <string>

namespace codeguru::aws {

// The content of a file holding a token (web identity token, ECS authorization token),
// surrounding whitespace removed. Throws CredentialsError naming `variable` and the path
// when the file cannot be read or is empty; the message never holds the content.
std::string read_secret_file(const std::string& path, const std::string& variable);

}  // namespace codeguru::aws
