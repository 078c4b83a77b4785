// The fake's control endpoints under /_fake/, for scripts and the demo (they are not
// part of the CodeGuru Security or Inspector APIs, need no signature and are not logged).
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <httplib.h>

#include "fake_api.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;

void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(2) + "\n", "application/json");
}

std::string param(const httplib::Request& req, const char* name, const std::string& fallback) {
    return req.has_param(name) ? req.get_param_value(name) : fallback;
}

double fraction(const httplib::Request& req, const char* name, double fallback) {
    return req.has_param(name) ? std::stod(req.get_param_value(name)) : fallback;
}

std::uint64_t number(const httplib::Request& req, const char* name, std::uint64_t fallback) {
    return req.has_param(name) ? std::stoull(req.get_param_value(name)) : fallback;
}

// "a,b,c" as its non-empty items.
std::vector<std::string> list(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) items.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

// ?types=CODE_VULNERABILITY[:SHARE],PACKAGE_VULNERABILITY[:SHARE],...: the listed types, each
// with share 1 unless given; unlisted types get none.
InspectorTypeMix type_mix(const std::string& text) {
    InspectorTypeMix mix{0, 0, 0};
    for (const auto& item : list(text)) {
        const auto colon = item.find(':');
        const std::string type = item.substr(0, colon);
        const double share = colon == std::string::npos ? 1.0 : std::stod(item.substr(colon + 1));
        if (type == "CODE_VULNERABILITY") {
            mix.code = share;
        } else if (type == "PACKAGE_VULNERABILITY") {
            mix.package = share;
        } else if (type == "NETWORK_REACHABILITY") {
            mix.network = share;
        } else {
            throw std::invalid_argument("unknown finding type '" + type + "'");
        }
    }
    return mix;
}

Fault fault_from(const httplib::Request& req) {
    Fault fault;
    const std::string kind = param(req, "kind", "");
    const auto parsed = parse_fault_kind(kind);
    if (!parsed) throw std::invalid_argument("unknown fault kind '" + kind + "'");
    fault.kind = *parsed;
    fault.count = number(req, "count", 1);
    fault.scan = param(req, "scan", "");
    fault.after_requests = number(req, "after", 0);
    fault.probability = fraction(req, "probability", 1.0);
    fault.seed = number(req, "seed", 1);
    fault.http_status = static_cast<int>(number(req, "status", 500));
    fault.delay = std::chrono::milliseconds(number(req, "delay_ms", 0));
    fault.items = number(req, "items", fault.items);
    if (req.has_param("retry_after"))
        fault.retry_after = std::chrono::seconds(number(req, "retry_after", 0));
    fault.region = param(req, "region", "");
    const std::string target = param(req, "target", "findings");
    if (target == "findings") {
        fault.target = Fault::Target::kGetFindings;
    } else if (target == "scans") {
        fault.target = Fault::Target::kListScans;
    } else if (target == "both") {
        fault.target = Fault::Target::kBoth;
    } else if (target == "list-findings") {
        fault.target = Fault::Target::kListFindings;
    } else if (target == "snippets") {
        fault.target = Fault::Target::kBatchGetCodeSnippet;
    } else {
        throw std::invalid_argument(
            "target must be findings, scans, both, list-findings or snippets");
    }
    return fault;
}

// Runs a control handler, turning a bad parameter into a 400 that says why.
template <class F>
httplib::Server::Handler guarded(F handler) {
    return [handler](const httplib::Request& req, httplib::Response& res) {
        try {
            handler(req, res);
        } catch (const std::exception& e) {
            reply(res, 400, {{"message", e.what()}});
        }
    };
}

// Amazon Inspector's data under /_fake/inspector/.
void register_inspector_control_routes(httplib::Server& s, FakeCodeGuruApi& api) {
    // ?count=N &seed=N &regions=a,b &accounts=x,y &types=TYPE[:SHARE],... &full_text=0|1:
    // replaces every region's findings with generated ones.
    s.Post("/_fake/inspector/generate",
           guarded([&api](const httplib::Request& req, httplib::Response& res) {
               InspectorGenerateOptions options;
               options.count = number(req, "count", options.count);
               options.seed = number(req, "seed", options.seed);
               options.regions = list(param(req, "regions", api.region()));
               if (req.has_param("accounts"))
                   options.accounts = list(req.get_param_value("accounts"));
               if (req.has_param("types")) options.types = type_mix(req.get_param_value("types"));
               options.full_text = number(req, "full_text", 0) != 0;
               const auto findings = generate_inspector_findings(options);
               api.set_inspector_findings(findings);
               reply(res, 200, {{"findings", findings.size()}});
           }));
    // ?seed=N &changed=F &closed=F &removed=F &added=F &now=EPOCH_SECONDS (default: now)
    s.Post("/_fake/inspector/evolve",
           guarded([&api](const httplib::Request& req, httplib::Response& res) {
               InspectorEvolveOptions options;
               options.changed = fraction(req, "changed", options.changed);
               options.closed = fraction(req, "closed", options.closed);
               options.removed = fraction(req, "removed", options.removed);
               options.added = fraction(req, "added", options.added);
               auto now = std::chrono::system_clock::now();
               if (req.has_param("now")) {
                   // Rounded to the µs, as the API's timestamps are read.
                   now = std::chrono::system_clock::time_point(
                       std::chrono::microseconds(std::llround(fraction(req, "now", 0) * 1e6)));
               }
               reply(res, 200, to_json(api.evolve_inspector(number(req, "seed", 1), options, now)));
           }));
    // ?region=R: only the findings that region's ListFindings sees.
    s.Get("/_fake/inspector/findings", [&api](const httplib::Request& req, httplib::Response& res) {
        reply(res, 200,
              req.has_param("region") ? api.inspector().findings(req.get_param_value("region"))
                                      : api.inspector_findings());
    });
    // Body: a JSON array of findings, every region at once.
    s.Put("/_fake/inspector/findings",
          guarded([&api](const httplib::Request& req, httplib::Response& res) {
              const json body = json::parse(req.body);
              if (!body.is_array()) throw std::invalid_argument("body must be a JSON array");
              api.set_inspector_findings(body.get<std::vector<json>>());
              reply(res, 200, {{"findings", body.size()}});
          }));
    // ?arn=A &code=CODE_SNIPPET_NOT_FOUND|ACCESS_DENIED|INTERNAL_ERROR|INVALID_INPUT &count=N
    s.Post("/_fake/inspector/snippet-error",
           guarded([&api](const httplib::Request& req, httplib::Response& res) {
               if (!req.has_param("arn")) throw std::invalid_argument("arn is required");
               api.inspector().set_snippet_error(req.get_param_value("arn"), param(req, "code", ""),
                                                 number(req, "count", 1));
               reply(res, 200, json::object());
           }));
    s.Delete("/_fake/inspector/snippet-errors",
             [&api](const httplib::Request&, httplib::Response& res) {
                 api.inspector().clear_snippet_errors();
                 reply(res, 200, json::object());
             });
    // ?every=N: every N-th page of a listing is empty (0: none).
    s.Post("/_fake/inspector/empty-pages",
           guarded([&api](const httplib::Request& req, httplib::Response& res) {
               api.inspector().set_empty_page_every(number(req, "every", 0));
               reply(res, 200, json::object());
           }));
}

}  // namespace

void FakeCodeGuruApi::register_control_routes() {
    httplib::Server& s = *server_;

    s.Get("/_fake/health", [](const httplib::Request&, httplib::Response& res) {
        reply(res, 200, {{"status", "ok"}});
    });

    // ?scan=NAME (default: every scan) &seed=N &new= &updated= &closed= &removed=
    s.Post("/_fake/evolve", guarded([this](const httplib::Request& req, httplib::Response& res) {
               EvolveOptions options;
               options.new_fraction = fraction(req, "new", options.new_fraction);
               options.updated_fraction = fraction(req, "updated", options.updated_fraction);
               options.closed_fraction = fraction(req, "closed", options.closed_fraction);
               options.removed_fraction = fraction(req, "removed", options.removed_fraction);
               const std::uint64_t seed = number(req, "seed", 1);
               std::vector<std::string> names;
               if (req.has_param("scan")) {
                   names.push_back(req.get_param_value("scan"));
               } else {
                   names = scan_names();
               }
               json body = {{"added", 0},
                            {"updated", 0},
                            {"closed", 0},
                            {"removed", 0},
                            {"scans", json::object()}};
               for (const auto& name : names) {
                   if (!has_scan(name)) {
                       reply(res, 404, {{"message", "no scan named " + name}});
                       return;
                   }
                   const EvolveSummary summary = evolve(name, seed, options);
                   body["scans"][name] = to_json(summary);
                   for (const char* key : {"added", "updated", "closed", "removed"}) {
                       body[key] = body[key].get<std::size_t>() +
                                   body["scans"][name][key].get<std::size_t>();
                   }
               }
               reply(res, 200, body);
           }));

    // ?kind=throttle|server-error|delay|drop|malformed|reject-token|access-denied|not-found|
    // conflict|oversized-page|repeat-token|endless &count=N (0: forever) &scan= &region=
    // &after= &probability= &seed= &status= &delay_ms= &items= &retry_after=SECONDS
    // &target=findings|scans|both|list-findings|snippets
    s.Post("/_fake/fault", guarded([this](const httplib::Request& req, httplib::Response& res) {
               inject(fault_from(req));
               reply(res, 200, {{"pending", pending_faults()}});
           }));
    s.Delete("/_fake/faults", [this](const httplib::Request&, httplib::Response& res) {
        clear_faults();
        reply(res, 200, {{"pending", 0}});
    });

    s.Get("/_fake/requests", [this](const httplib::Request&, httplib::Response& res) {
        reply(res, 200, requests_json());
    });
    s.Delete("/_fake/requests", [this](const httplib::Request&, httplib::Response& res) {
        clear_requests();
        reply(res, 200, json::object());
    });
    s.Get("/_fake/counters", [this](const httplib::Request&, httplib::Response& res) {
        const FakeApiCounters c = counters();
        reply(res, 200,
              {{"requests", c.requests},
               {"getFindings", c.get_findings},
               {"listScans", c.list_scans},
               {"listFindings", c.list_findings},
               {"batchGetCodeSnippet", c.batch_get_code_snippet},
               {"faultsInjected", c.faults_injected},
               {"authFailures", c.auth_failures},
               {"throttled", c.throttled}});
    });

    // ?rps=N: the API's capacity in requests per second (set_capacity); absent or 0: none.
    s.Post("/_fake/capacity", guarded([this](const httplib::Request& req, httplib::Response& res) {
               const double rps = fraction(req, "rps", 0);
               set_capacity(rps == 0 ? std::nullopt : std::optional<double>(rps));
               reply(res, 200, {{"capacity", rps == 0 ? json() : json(rps)}});
           }));

    // ?ms=N: every GetFindings and ListFindings answer waits N ms.
    s.Post("/_fake/page-delay",
           guarded([this](const httplib::Request& req, httplib::Response& res) {
               set_page_delay(std::chrono::milliseconds(number(req, "ms", 0)));
               reply(res, 200, json::object());
           }));

    s.Get("/_fake/scans", [this](const httplib::Request&, httplib::Response& res) {
        json body = json::object();
        for (const auto& name : scan_names()) body[name] = findings(name).size();
        reply(res, 200, body);
    });
    s.Get(R"(/_fake/scans/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1];
        if (!has_scan(name)) {
            reply(res, 404, {{"message", "no scan named " + name}});
            return;
        }
        reply(res, 200, findings(name));
    });
    // Body: a JSON array of findings.
    s.Put(R"(/_fake/scans/([^/]+))",
          guarded([this](const httplib::Request& req, httplib::Response& res) {
              const json body = json::parse(req.body);
              if (!body.is_array()) throw std::invalid_argument("body must be a JSON array");
              set_scan(req.matches[1], body.get<std::vector<json>>());
              reply(res, 200, {{"findings", body.size()}});
          }));
    // ?count=N &seed=N: replaces the scan with generated findings.
    s.Post(R"(/_fake/scans/([^/]+)/generate)",
           guarded([this](const httplib::Request& req, httplib::Response& res) {
               const std::string name = req.matches[1];
               const std::size_t count = number(req, "count", 100);
               set_scan(name, generate_findings(name, count, number(req, "seed", 1)));
               reply(res, 200, {{"findings", count}});
           }));
    register_inspector_control_routes(s, *this);

    s.Delete(R"(/_fake/scans/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
                 const bool removed = remove_scan(req.matches[1]);
                 reply(res, removed ? 200 : 404, {{"removed", removed}});
             });
}

}  // namespace codeguru::test
