#include "aws/credentials/web_identity_provider.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "aws/credentials/secret_file.hpp"

namespace codeguru::aws {

std::string default_session_name(const Clock& clock) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch());
    return "codeguru-syncd-" + std::to_string(ms.count());
}

WebIdentityProvider::WebIdentityProvider(std::shared_ptr<const StsClient> sts, const Clock& clock,
                                         EnvLookup env)
    : sts_(std::move(sts)), clock_(clock), env_(std::move(env)) {}

std::optional<Credentials> WebIdentityProvider::resolve() {
    const std::string token_file = env_("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
    const std::string role_arn = env_("AWS_ROLE_ARN").value_or("");
    if (token_file.empty() || role_arn.empty()) {
        return std::nullopt;
    }
    WebIdentityParams params;
    params.role_arn = role_arn;
    params.session_name = env_("AWS_ROLE_SESSION_NAME").value_or("");
    if (params.session_name.empty()) {
        params.session_name = default_session_name(clock_);
    }
    params.web_identity_token = read_secret_file(token_file, "AWS_WEB_IDENTITY_TOKEN_FILE");
    spdlog::debug("web identity: assuming {} as session {} with the token of {}", role_arn,
                  params.session_name, token_file);
    Credentials credentials = sts_->assume_role_with_web_identity(params);
    credentials.source = "web identity " + role_arn;
    return credentials;
}

}  // namespace codeguru::aws
