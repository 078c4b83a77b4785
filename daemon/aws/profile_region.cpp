#include "aws/profile_region.hpp"

#include "aws/shared_config_files.hpp"

namespace codeguru::aws {

std::optional<std::string> profile_region(const std::string& explicit_profile,
                                          const EnvLookup& env) {
    const ProfileSelection profile = select_profile(explicit_profile, env);
    const SharedFile config =
        load_shared_file(shared_config_paths(env).config, SharedFileKind::kConfig);
    const auto section = config.profiles.find(profile.name);
    if (section == config.profiles.end()) {
        return std::nullopt;
    }
    const auto region = section->second.find("region");
    if (region == section->second.end() || region->second.empty()) {
        return std::nullopt;
    }
    return region->second;
}

}  // namespace codeguru::aws
