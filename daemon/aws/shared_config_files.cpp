#include "aws/shared_config_files.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "aws/credentials/credentials.hpp"

namespace codeguru::aws {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

bool is_comment(std::string_view trimmed) {
    return !trimmed.empty() && (trimmed.front() == '#' || trimmed.front() == ';');
}

// Drops a "#" or ";" comment that follows whitespace: "value ; note" is "value".
std::string_view strip_inline_comment(std::string_view value) {
    for (std::size_t i = 1; i < value.size(); ++i) {
        if ((value[i] == '#' || value[i] == ';') && is_blank(value[i - 1])) {
            return trim(value.substr(0, i));
        }
    }
    return value;
}

std::size_t indent_of(std::string_view line) {
    std::size_t indent = 0;
    while (indent < line.size() && is_blank(line[indent])) {
        ++indent;
    }
    return indent;
}

class Parser {
  public:
    Parser(SharedFileKind kind, const std::filesystem::path& path) : kind_(kind) {
        file_.path = path;
        file_.found = true;
    }

    SharedFile parse(std::string_view text) {
        if (text.substr(0, 3) == "\xEF\xBB\xBF") {
            text.remove_prefix(3);
        }
        std::size_t line_number = 0;
        while (!text.empty()) {
            const std::size_t end = std::min(text.find('\n'), text.size());
            std::string_view line = text.substr(0, end);
            text.remove_prefix(std::min(end + 1, text.size()));
            ++line_number;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            parse_line(line, line_number);
        }
        // "[profile default]" wins over "[default]" in the config file, whatever the order.
        if (kind_ == SharedFileKind::kConfig) {
            if (has_profile_default_) {
                file_.profiles["default"] = std::move(profile_default_);
            } else if (has_bare_default_) {
                file_.profiles["default"] = std::move(bare_default_);
            }
        }
        return std::move(file_);
    }

  private:
    void parse_line(std::string_view line, std::size_t line_number) {
        const std::string_view trimmed = trim(line);
        if (trimmed.empty() || is_comment(trimmed)) {
            return;
        }
        const std::size_t indent = indent_of(line);
        if (last_value_ != nullptr && indent > last_indent_) {
            // A continuation of the previous property (nested settings such as "s3 =").
            last_value_->append("\n").append(strip_inline_comment(trimmed));
            return;
        }
        if (trimmed.front() == '[') {
            start_section(trimmed, line_number);
            return;
        }
        const std::size_t equals = trimmed.find('=');
        if (equals == std::string_view::npos) {
            fail(line_number, "expected \"[section]\", \"key = value\" or a comment");
        }
        if (section_ == nullptr && !skipping_section_) {
            fail(line_number, "a property before the first [section]");
        }
        const std::string key = to_lower(trim(trimmed.substr(0, equals)));
        if (key.empty()) {
            fail(line_number, "a property without a name");
        }
        if (section_ == nullptr) {
            last_value_ = nullptr;
            return;
        }
        std::string& value = (*section_)[key];
        value = std::string(strip_inline_comment(trim(trimmed.substr(equals + 1))));
        last_value_ = &value;
        last_indent_ = indent;
    }

    void start_section(std::string_view trimmed, std::size_t line_number) {
        const std::size_t close = trimmed.find(']');
        if (close == std::string_view::npos) {
            fail(line_number, "a section header without \"]\"");
        }
        const std::string_view rest = trim(trimmed.substr(close + 1));
        if (!rest.empty() && !is_comment(rest)) {
            fail(line_number, "text after a section header");
        }
        const std::string_view header = trim(trimmed.substr(1, close - 1));
        section_ = section_for(header);
        skipping_section_ = section_ == nullptr;
        last_value_ = nullptr;
    }

    // Where the properties of a section go; nullptr for a section without a usable name.
    ProfileProperties* section_for(std::string_view header) {
        if (header.empty()) {
            return nullptr;
        }
        if (kind_ == SharedFileKind::kCredentials) {
            return &file_.profiles[std::string(header)];
        }
        if (header == "default") {
            has_bare_default_ = true;
            return &bare_default_;
        }
        constexpr std::string_view kProfilePrefix = "profile";
        if (header.substr(0, kProfilePrefix.size()) == kProfilePrefix &&
            header.size() > kProfilePrefix.size() && is_blank(header[kProfilePrefix.size()])) {
            const std::string name(trim(header.substr(kProfilePrefix.size())));
            if (name == "default") {
                has_profile_default_ = true;
                return &profile_default_;
            }
            return &file_.profiles[name];
        }
        return &file_.other_sections[std::string(header)];
    }

    [[noreturn]] void fail(std::size_t line_number, std::string_view problem) const {
        throw CredentialsError("malformed line " + std::to_string(line_number) + " in " +
                               file_.path.string() + ": " + std::string(problem));
    }

    SharedFileKind kind_;
    SharedFile file_;
    ProfileProperties* section_ = nullptr;
    bool skipping_section_ = false;
    std::string* last_value_ = nullptr;
    std::size_t last_indent_ = 0;
    ProfileProperties bare_default_;
    ProfileProperties profile_default_;
    bool has_bare_default_ = false;
    bool has_profile_default_ = false;
};

std::filesystem::path expand_home(const std::string& path, const EnvLookup& env) {
    if (path == "~" || path.rfind("~/", 0) == 0) {
        const std::string home = env("HOME").value_or("");
        if (home.empty()) {
            return {};
        }
        return std::filesystem::path(home + path.substr(1));
    }
    return std::filesystem::path(path);
}

std::filesystem::path file_path(const EnvLookup& env, const std::string& variable,
                                const std::string& default_relative) {
    const std::string explicit_path = env(variable).value_or("");
    return expand_home(explicit_path.empty() ? default_relative : explicit_path, env);
}

}  // namespace

SharedFile parse_shared_file(std::string_view text, SharedFileKind kind,
                             const std::filesystem::path& path) {
    return Parser(kind, path).parse(text);
}

SharedFile load_shared_file(const std::filesystem::path& path, SharedFileKind kind) {
    SharedFile absent;
    absent.path = path;
    std::error_code error;
    if (path.empty() || !std::filesystem::exists(path, error)) {
        return absent;
    }
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream text;
    // An empty file is fine: `text << rdbuf` then only sets failbit on `text`.
    if (!stream || std::filesystem::is_directory(path, error) ||
        !(text << stream.rdbuf() || stream.peek() == std::ifstream::traits_type::eof())) {
        throw CredentialsError("cannot read " + path.string());
    }
    return parse_shared_file(text.str(), kind, path);
}

SharedConfigPaths shared_config_paths(const EnvLookup& env) {
    return {file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
            file_path(env, "AWS_CONFIG_FILE", "~/.aws/config")};
}

ProfileSelection select_profile(const std::string& explicit_profile, const EnvLookup& env) {
    if (!explicit_profile.empty()) {
        return {explicit_profile, true};
    }
    const std::string from_env = env("AWS_PROFILE").value_or("");
    if (!from_env.empty()) {
        return {from_env, true};
    }
    return {"default", false};
}

SharedConfigFiles::SharedConfigFiles(SharedFile credentials, SharedFile config)
    : credentials_(std::move(credentials)), config_(std::move(config)) {}

SharedConfigFiles SharedConfigFiles::load(const EnvLookup& env) {
    const SharedConfigPaths paths = shared_config_paths(env);
    return SharedConfigFiles(load_shared_file(paths.credentials, SharedFileKind::kCredentials),
                             load_shared_file(paths.config, SharedFileKind::kConfig));
}

bool SharedConfigFiles::has_profile(const std::string& profile) const {
    return credentials_.profiles.count(profile) > 0 || config_.profiles.count(profile) > 0;
}

std::optional<SharedValue> SharedConfigFiles::value(const std::string& profile,
                                                    const std::string& key) const {
    for (const SharedFile* file : {&credentials_, &config_}) {
        const auto section = file->profiles.find(profile);
        if (section == file->profiles.end()) {
            continue;
        }
        const auto property = section->second.find(key);
        if (property != section->second.end() && !property->second.empty()) {
            return SharedValue{property->second, file->path};
        }
    }
    return std::nullopt;
}

}  // namespace codeguru::aws
