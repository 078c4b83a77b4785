#pragma once

#include <string>

#include "aws/curl_transport.hpp"
#include "aws/env_lookup.hpp"
#include "config/settings.hpp"

namespace codeguru {
class StopFlag;
}

namespace codeguru::service {

// How the daemon reaches AWS, from the settings and the environment: one place, so that the
// daemon and --check build the same client stack.

// The signing name of CodeGuru Security in SigV4.
inline constexpr char kCodeGuruSigningName[] = "codeguru-security";

// The signing name of Amazon Inspector in SigV4.
inline constexpr char kInspectorSigningName[] = "inspector2";

// The API and STS transport: the configured timeouts, stopped by `stop`, AWS_CA_BUNDLE.
aws::CurlTransportOptions api_transport_options(const AwsSettings& aws, const StopFlag& stop,
                                                const aws::EnvLookup& env);

// The ECS and IMDS credential transport: short timeouts, never through a proxy, stopped by
// `stop`, AWS_CA_BUNDLE.
aws::CurlTransportOptions metadata_transport_options(const StopFlag& stop,
                                                     const aws::EnvLookup& env);

// The CodeGuru Security endpoint: [aws] endpoint, else AWS_ENDPOINT_URL_CODEGURU_SECURITY,
// else AWS_ENDPOINT_URL, else https://codeguru-security.{region}.amazonaws.com.
std::string codeguru_endpoint(const AwsSettings& aws, const aws::EnvLookup& env);

// The Inspector endpoint of `region`: [inspector] endpoint, else AWS_ENDPOINT_URL_INSPECTOR2,
// else AWS_ENDPOINT_URL, else https://inspector2.{region}.amazonaws.com.
std::string inspector_endpoint(const InspectorSettings& inspector, const std::string& region,
                               const aws::EnvLookup& env);

}  // namespace codeguru::service
