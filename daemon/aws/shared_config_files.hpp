#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/env_lookup.hpp"

namespace codeguru::aws {

// The properties of one section of a shared AWS file: lower-cased key → value.
using ProfileProperties = std::map<std::string, std::string>;

enum class SharedFileKind {
    kCredentials,  // ~/.aws/credentials: "[name]" is profile name
    kConfig,       // ~/.aws/config: "[profile name]" is profile name, "[default]" is default
};

// One parsed shared file.
struct SharedFile {
    std::filesystem::path path;
    bool found = false;  // false when the file does not exist, which is not an error
    std::map<std::string, ProfileProperties> profiles;
    // Config-file sections that are not profiles ("sso-session x", "services x"), by header.
    std::map<std::string, ProfileProperties> other_sections;
};

// Parses a shared file's text: "#"/";" comment lines, "[section]" headers, "key = value"
// properties (keys lower-cased, inline comments after whitespace dropped) and indented
// continuation lines. In the config file "[profile default]" wins over "[default]".
// Throws CredentialsError naming `path` and the line number of a malformed line (never
// its content, which may hold a secret).
SharedFile parse_shared_file(std::string_view text, SharedFileKind kind,
                             const std::filesystem::path& path);

// Reads and parses one file. An absent file (or an empty path) gives found == false;
// an unreadable one throws CredentialsError.
SharedFile load_shared_file(const std::filesystem::path& path, SharedFileKind kind);

struct SharedConfigPaths {
    std::filesystem::path credentials;  // empty when HOME is needed but unset
    std::filesystem::path config;
};

// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE (a leading "~/" is HOME), else
// $HOME/.aws/credentials and $HOME/.aws/config.
SharedConfigPaths shared_config_paths(const EnvLookup& env);

// The profile to use: `explicit_profile` when non-empty, else AWS_PROFILE when non-empty,
// else "default". `chosen` tells whether someone asked for it (then it must exist).
struct ProfileSelection {
    std::string name;
    bool chosen = false;
};
ProfileSelection select_profile(const std::string& explicit_profile, const EnvLookup& env);

// A profile value and the file it came from.
struct SharedValue {
    std::string value;
    std::filesystem::path file;
};

// The credentials and config files, loaded together. Values of a profile are merged
// key by key, the credentials file winning over the config file. Immutable once loaded.
class SharedConfigFiles {
  public:
    SharedConfigFiles(SharedFile credentials, SharedFile config);

    // Loads both files from shared_config_paths(env).
    static SharedConfigFiles load(const EnvLookup& env);

    bool has_profile(const std::string& profile) const;

    // The value of the lower-case `key` in `profile`, credentials file first;
    // std::nullopt when neither file has it or its value is empty.
    std::optional<SharedValue> value(const std::string& profile, const std::string& key) const;

    const SharedFile& credentials() const { return credentials_; }
    const SharedFile& config() const { return config_; }

  private:
    SharedFile credentials_;
    SharedFile config_;
};

}  // namespace codeguru::aws
