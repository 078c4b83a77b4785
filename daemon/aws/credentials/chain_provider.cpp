#include "aws/credentials/chain_provider.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "aws/credentials/assume_role_provider.hpp"
#include "aws/credentials/ecs_provider.hpp"
#include "aws/credentials/environment_provider.hpp"
#include "aws/credentials/imds_provider.hpp"
#include "aws/credentials/process_provider.hpp"
#include "aws/credentials/profile_provider.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/credentials/web_identity_provider.hpp"

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

std::unique_ptr<ChainProvider> make_default_chain(const DefaultChainOptions& options) {
    const EnvLookup& env = options.env;
    auto sts = std::make_shared<const StsClient>(sts_endpoint(options.region, env), options.region,
                                                 options.transport, options.clock);
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(std::make_unique<EnvironmentProvider>(env));
    providers.push_back(std::make_unique<WebIdentityProvider>(sts, options.clock, env));
    providers.push_back(std::make_unique<AssumeRoleProvider>(
        options.profile, sts, options.clock, env, ProcessProvider::kDefaultTimeout, options.stop));
    providers.push_back(std::make_unique<ProfileProvider>(options.profile, env));
    providers.push_back(std::make_unique<ProcessProvider>(
        options.profile, env, ProcessProvider::kDefaultTimeout, options.stop));
    providers.push_back(std::make_unique<EcsProvider>(options.metadata_transport, env));
    providers.push_back(std::make_unique<ImdsProvider>(options.metadata_transport, env));
    return std::make_unique<ChainProvider>(std::move(providers));
}

}  // namespace codeguru::aws
