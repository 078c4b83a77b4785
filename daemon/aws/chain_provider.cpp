#include "aws/chain_provider.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "aws/environment_provider.hpp"
#include "aws/profile_provider.hpp"

namespace codeguru::aws {

ChainProvider::ChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

std::optional<Credentials> ChainProvider::resolve() {
    std::string tried;
    for (const auto& provider : providers_) {
        std::optional<Credentials> credentials = provider->resolve();
        if (credentials) {
            if (credentials->source.empty()) {
                credentials->source = std::string(provider->name());
            }
            spdlog::info("AWS credentials: using {}", credentials->source);
            return credentials;
        }
        tried += (tried.empty() ? "" : ", ") + std::string(provider->name());
    }
    throw CredentialsError("no AWS credentials found (tried: " +
                           (tried.empty() ? std::string("nothing") : tried) + ")");
}

std::unique_ptr<ChainProvider> make_default_chain(const std::string& profile, EnvLookup env) {
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(std::make_unique<EnvironmentProvider>(env));
    providers.push_back(std::make_unique<ProfileProvider>(profile, std::move(env)));
    return std::make_unique<ChainProvider>(std::move(providers));
}

}  // namespace codeguru::aws
