#include "aws/credentials/secret_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/credentials/credentials.hpp"

namespace codeguru::aws {

std::string read_secret_file(const std::string& path, const std::string& variable) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream text;
    if (!stream || std::filesystem::is_directory(path) ||
        !(text << stream.rdbuf() || stream.peek() == std::ifstream::traits_type::eof())) {
        throw CredentialsError("cannot read " + path + " (" + variable + ")");
    }
    std::string content = text.str();
    const auto first = content.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        throw CredentialsError(path + " (" + variable + ") is empty");
    }
    const auto last = content.find_last_not_of(" \t\r\n");
    return content.substr(first, last - first + 1);
}

}  // namespace codeguru::aws
