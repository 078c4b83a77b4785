// codeguru-fake-api: the fake CodeGuru Security and Amazon Inspector APIs as a process, for
// the demo and for tests that drive the daemon binary. Serves until SIGTERM or SIGINT.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_api.hpp"
#include "finding_generator.hpp"
#include "inspector_generator.hpp"

namespace {

using codeguru::test::FakeApiOptions;
using codeguru::test::FakeCodeGuruApi;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: codeguru-fake-api [--port N] [--region R]\n"
    "                         [--access-key-id K --secret-access-key S [--session-token T]]\n"
    "                         [--no-verify] [--no-compression] [--data FILE.json] [--generate "
    "SCAN=COUNT]...\n"
    "                         [--seed N] [--port-file PATH] [--capacity REQUESTS_PER_SECOND]\n"
    "                         [--generate-inspector COUNT [--inspector-regions R1,R2]\n"
    "                          [--inspector-accounts A1,A2]]\n"
    "\n"
    "Serves CodeGuru Security's GetFindings and ListScans (signed for codeguru-security in\n"
    "the --region) and Amazon Inspector's ListFindings and BatchGetCodeSnippet (signed for\n"
    "inspector2 in any region, which selects the findings) on http://127.0.0.1:PORT, plus\n"
    "control endpoints. --capacity: above N requests/s across the API operations (a token\n"
    "bucket of N, refilled at N/s) requests get 429 ThrottlingException, counted as\n"
    "'throttled' in /_fake/counters. Control endpoints:\n"
    "  POST   /_fake/evolve?scan=NAME&seed=N&new=F&updated=F&closed=F&removed=F\n"
    "  POST   /_fake/fault?kind=K&count=N&scan=NAME&region=R&after=N&probability=P&seed=N\n"
    "                      &status=500|502|503|504&delay_ms=N&retry_after=SECONDS\n"
    "                      &target=findings|scans|both|list-findings|snippets\n"
    "         (K: throttle server-error delay drop malformed reject-token access-denied\n"
    "          not-found conflict oversized-page repeat-token endless)\n"
    "  DELETE /_fake/faults\n"
    "  GET    /_fake/requests   DELETE /_fake/requests   GET /_fake/counters\n"
    "  POST   /_fake/page-delay?ms=N\n"
    "  POST   /_fake/capacity?rps=N   (0: no capacity)\n"
    "  GET    /_fake/scans      GET|PUT|DELETE /_fake/scans/NAME\n"
    "  POST   /_fake/scans/NAME/generate?count=N&seed=N\n"
    "  POST   /_fake/inspector/generate?count=N&seed=N&regions=R1,R2&accounts=A1,A2\n"
    "                      &types=CODE_VULNERABILITY[:SHARE],...&full_text=0|1\n"
    "  POST   /_fake/inspector/evolve?seed=N&changed=F&closed=F&removed=F&added=F&now=EPOCH\n"
    "  GET    /_fake/inspector/findings[?region=R]   PUT /_fake/inspector/findings\n"
    "  POST   /_fake/inspector/snippet-error?arn=ARN&code=CODE&count=N\n"
    "  DELETE /_fake/inspector/snippet-errors\n"
    "  POST   /_fake/inspector/empty-pages?every=N\n"
    "  GET    /_fake/health\n"
    "POST and PUT requests need a Content-Length (with curl: -d '').\n";

struct Args {
    FakeApiOptions options;
    std::vector<std::string> data_files;
    std::vector<std::pair<std::string, std::size_t>> generate;
    std::uint64_t seed = 1;
    std::string port_file;
    std::size_t inspector_count = 0;
    std::vector<std::string> inspector_regions;  // empty: the --region
    std::vector<std::string> inspector_accounts;
    std::optional<double> capacity;  // requests per second
};

// "a,b,c" as its non-empty items.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) items.push_back(std::move(item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

Args parse_args(int argc, char** argv) {
    Args args;
    args.options.control_endpoints = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(arg + " needs a value");
            return argv[++i];
        };
        const auto integer = [&](const std::string& text) {
            try {
                std::size_t used = 0;
                const unsigned long long n = std::stoull(text, &used);
                if (used != text.size()) throw std::invalid_argument(text);
                return n;
            } catch (const std::exception&) {
                throw UsageError(arg + ": not a number: '" + text + "'");
            }
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            std::exit(0);
        } else if (arg == "--port") {
            args.options.port = static_cast<int>(integer(value()));
        } else if (arg == "--region") {
            args.options.region = value();
        } else if (arg == "--access-key-id") {
            args.options.credentials.access_key_id = value();
        } else if (arg == "--secret-access-key") {
            args.options.credentials.secret_access_key = value();
        } else if (arg == "--session-token") {
            args.options.credentials.session_token = value();
        } else if (arg == "--no-verify") {
            args.options.verify_signatures = false;
        } else if (arg == "--no-compression") {
            args.options.compress_responses = false;
        } else if (arg == "--data") {
            args.data_files.push_back(value());
        } else if (arg == "--generate") {
            const std::string spec = value();
            const auto eq = spec.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError("--generate wants SCAN=COUNT");
            args.generate.emplace_back(spec.substr(0, eq), integer(spec.substr(eq + 1)));
        } else if (arg == "--seed") {
            args.seed = integer(value());
        } else if (arg == "--port-file") {
            args.port_file = value();
        } else if (arg == "--capacity") {
            const std::string text = value();
            try {
                std::size_t used = 0;
                args.capacity = std::stod(text, &used);
                if (used != text.size() || !(*args.capacity > 0)) throw std::invalid_argument(text);
            } catch (const std::exception&) {
                throw UsageError("--capacity: not a positive number: '" + text + "'");
            }
        } else if (arg == "--generate-inspector") {
            args.inspector_count = integer(value());
        } else if (arg == "--inspector-regions") {
            args.inspector_regions = split_list(value());
        } else if (arg == "--inspector-accounts") {
            args.inspector_accounts = split_list(value());
        } else {
            throw UsageError("unknown argument " + arg);
        }
    }
    args.options.seed = args.seed;
    return args;
}

// FILE.json: {"scan-name": [finding, ...], ...}
void load_data(FakeCodeGuruApi& api, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    const json data = json::parse(in);
    if (!data.is_object()) throw std::runtime_error(path + ": expected an object of scans");
    for (const auto& [name, findings] : data.items()) {
        if (!findings.is_array()) throw std::runtime_error(path + ": " + name + " is no array");
        api.set_scan(name, findings.get<std::vector<json>>());
    }
}

void write_port_file(const std::string& path, int port) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary);
        out << port << "\n";
        if (!out) throw std::runtime_error("cannot write " + temporary);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    try {
        args = parse_args(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "codeguru-fake-api: " << e.what() << "\n" << kUsage;
        return 2;
    }

    // Block the stop signals in every thread; the main thread collects them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        FakeCodeGuruApi api(args.options);
        if (args.capacity) api.set_capacity(args.capacity);
        for (const auto& file : args.data_files) load_data(api, file);
        for (const auto& [name, count] : args.generate) {
            api.set_scan(name, codeguru::test::generate_findings(name, count, args.seed));
        }
        if (args.inspector_count > 0) {
            codeguru::test::InspectorGenerateOptions inspector;
            inspector.count = args.inspector_count;
            inspector.seed = args.seed;
            inspector.regions = args.inspector_regions.empty()
                                    ? std::vector<std::string>{args.options.region}
                                    : args.inspector_regions;
            if (!args.inspector_accounts.empty()) inspector.accounts = args.inspector_accounts;
            api.set_inspector_findings(codeguru::test::generate_inspector_findings(inspector));
        }
        if (!args.port_file.empty()) write_port_file(args.port_file, api.port());
        std::cout << "listening on " << api.endpoint() << std::endl;

        int signal = 0;
        sigwait(&stop_signals, &signal);
        std::cout << "stopping on signal " << signal << std::endl;
        api.stop();
    } catch (const std::exception& e) {
        std::cerr << "codeguru-fake-api: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
