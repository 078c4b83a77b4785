#include "service/api_client_options.hpp"

#include "aws/endpoint_override.hpp"
#include "sources/codeguru/codeguru_client.hpp"
#include "sources/inspector/inspector_client.hpp"

namespace codeguru::service {

aws::CurlTransportOptions api_transport_options(const AwsSettings& aws, const StopFlag& stop,
                                                const aws::EnvLookup& env) {
    aws::CurlTransportOptions options;
    options.connect_timeout = aws.connect_timeout;
    options.request_timeout = aws.request_timeout;
    options.stop = &stop;
    options.ca_bundle = aws::ca_bundle_from_environment(env);
    return options;
}

aws::CurlTransportOptions metadata_transport_options(const StopFlag& stop,
                                                     const aws::EnvLookup& env) {
    aws::CurlTransportOptions options;
    options.connect_timeout = std::chrono::seconds(1);
    options.request_timeout = std::chrono::seconds(3);
    options.stop = &stop;
    options.bypass_proxy = true;
    options.ca_bundle = aws::ca_bundle_from_environment(env);
    return options;
}

std::string codeguru_endpoint(const AwsSettings& aws, const aws::EnvLookup& env) {
    if (!aws.endpoint.empty()) return aws.endpoint;
    return aws::endpoint_from_environment("CODEGURU_SECURITY", env)
        .value_or(default_codeguru_endpoint(aws.region));
}

std::string inspector_endpoint(const InspectorSettings& inspector, const std::string& region,
                               const aws::EnvLookup& env) {
    if (!inspector.endpoint.empty()) return inspector.endpoint;
    return aws::endpoint_from_environment("INSPECTOR2", env)
        .value_or(inspector::default_inspector_endpoint(region));
}

}  // namespace codeguru::service
