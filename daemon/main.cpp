// codeguru-syncd: wiring only. Options → settings → logging → database → service.
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <csignal>
#include <iostream>
#include <string_view>

#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "config/settings_loader.hpp"
#include "config/settings_printer.hpp"
#include "report/html_report.hpp"
#include "report/html_report_query.hpp"
#include "report/report_format.hpp"
#include "report/report_output.hpp"
#include "report/report_query.hpp"
#include "service/import_command.hpp"
#include "service/logging.hpp"
#include "service/metrics_server.hpp"
#include "service/preflight_check.hpp"
#include "service/signal_watcher.hpp"
#include "service/sync_service.hpp"
#include "service/systemd_notify.hpp"
#include "store/migrations.hpp"
#include "store/store_error.hpp"
#include "store/sync_state_store.hpp"
#include "util/one_line.hpp"
#include "version.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int fail(int code, const std::string& message) {
    std::cerr << "codeguru-syncd: " << codeguru::one_line(message) << "\n";
    return code;
}

// --report: the findings of --source and of the scans or projects of --scan and --project
// (the same), or of all; to stdout or, atomically, to --output.
int print_report(pqxx::connection& connection, const codeguru::CommandLine& command_line,
                 const codeguru::Settings& settings) {
    using namespace codeguru::report;
    try {
        ReportFilter filter{command_line.sources, command_line.scans};
        filter.projects.insert(filter.projects.end(), command_line.projects.begin(),
                               command_line.projects.end());
        const std::string& schema = settings.database.schema;
        const std::string text =
            command_line.report_format == "html"
                ? render_html_report(
                      load_html_report(connection, schema, filter, settings.sync.interval))
                : format_report(load_report(connection, schema, filter, settings.sync.interval),
                                parse_format(command_line.report_format).value());
        if (command_line.report_output.empty()) {
            std::cout << text;
        } else {
            write_file_atomically(command_line.report_output, text);
        }
        return kExitOk;
    } catch (const std::exception& e) {
        return fail(kExitFailure, std::string("report: ") + e.what());
    }
}

// --reset-scan: the scan's next run starts a new pass. "inspector:REGION" names an Inspector
// stream, whose next pass is then a full one.
int reset_scan(pqxx::connection_base& connection, const std::string& label,
               const std::string& schema) {
    constexpr std::string_view kInspector = "inspector:";
    const bool stream = label.starts_with(kInspector);
    const std::string scan = stream ? label.substr(kInspector.size()) : label;
    try {
        codeguru::store::SyncStateStore state(connection, schema,
                                              stream ? "inspector" : "codeguru");
        if (!state.reset_scan(scan)) {
            return fail(kExitFailure, "scan " + label + " has no checkpoint in schema " + schema +
                                          ": nothing to reset");
        }
        std::cout << "scan " << label << ": checkpoint cleared; its next run starts a new "
                  << (stream ? "full pass\n" : "pass\n");
        return kExitOk;
    } catch (const std::exception& e) {
        return fail(kExitFailure, std::string("--reset-scan: ") + e.what());
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    using namespace codeguru;
    // A peer that hangs up mid-write is an error of that write (EPIPE), not the end of the
    // daemon. Set before any thread starts, so every thread inherits it.
    std::signal(SIGPIPE, SIG_IGN);
    // glibc gives each thread its own malloc arena (up to 8 per core); pages pass between
    // the fetching and the writing thread, so arenas would hold freed pages apart and
    // peak memory would grow with the threads, not with the work.
    mallopt(M_ARENA_MAX, 2);
    // A page's body and its database parameters are megabytes allocated and freed once per
    // page. A fixed threshold keeps them in their own mappings, returned when freed; glibc's
    // sliding default would soon keep them on the heap, where they fragment it. (Keeping
    // them on the heap saved the page faults, 7% of a re-sync, but peak RSS rose from
    // 48 to 82 MiB and grew with a scan's size: issue 14 measured and dropped it.)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);

    CommandLine command_line;
    Settings settings;
    try {
        command_line = parse_command_line(argc, argv);
        if (command_line.show_help) {
            std::cout << usage_text();
            return kExitOk;
        }
        if (command_line.show_version) {
            std::cout << "codeguru-syncd " << kVersion << "\n";
            return kExitOk;
        }
        settings = load_settings(command_line);
        if (!command_line.migrate && !command_line.check_config && !command_line.report &&
            command_line.reset_scan.empty() && command_line.imports.empty()) {
            require_scans(settings);
        }
    } catch (const UsageError& e) {
        return fail(kExitUsage, std::string(e.what()) + " (see --help)");
    } catch (const ConfigError& e) {
        return fail(kExitUsage, e.what());
    }
    if (command_line.check_config) {
        std::cout << describe_settings(settings);
        return kExitOk;
    }

    const bool journal = service::stderr_is_journal();
    service::setup_logging(settings.log, journal);
    StopFlag stop;
    service::SignalWatcher signals(stop);  // before any other thread starts
    if (command_line.check) {
        return service::run_preflight_check(settings, command_line, stop, std::cout) ? kExitOk
                                                                                     : kExitFailure;
    }

    try {
        auto connection = service::connect_database(settings.database);
        const auto migrated = store::apply_migrations(*connection, settings.database.schema);
        if (command_line.migrate) {
            std::cout << "schema " << settings.database.schema << " is at version "
                      << migrated.version << " (" << migrated.applied << " migration(s) applied)\n";
            return kExitOk;
        }
        if (command_line.report) return print_report(*connection, command_line, settings);
        if (!command_line.reset_scan.empty()) {
            return reset_scan(*connection, command_line.reset_scan, settings.database.schema);
        }
        if (!command_line.imports.empty()) {
            return service::run_import(*connection, settings.database.schema, command_line.imports,
                                       command_line.scans.front(), command_line.import_complete,
                                       std::cin, std::cout, std::cerr);
        }
    } catch (const pqxx::broken_connection& e) {
        return fail(kExitFailure, std::string("cannot connect to the database: ") + e.what());
    } catch (const std::exception& e) {
        return fail(kExitFailure, std::string("database schema: ") + e.what());
    }

    try {
        service::SyncService sync_service(settings, stop);
        if (command_line.once) {
            const auto summary = sync_service.run_cycle();
            return summary.failed == 0 ? kExitOk : kExitFailure;
        }
        std::optional<service::MetricsServer> metrics_server;
        if (settings.metrics.enabled()) {
            metrics_server.emplace(settings.metrics.host, settings.metrics.port,
                                   sync_service.metrics(),
                                   std::make_shared<service::DatabaseHealthSource>());
        }
        sync_service.run_forever(signals, [&]() -> std::optional<Settings> {
            try {
                Settings fresh = load_settings(command_line);
                require_scans(fresh);
                service::reconfigure_logging(fresh.log, journal);
                return fresh;
            } catch (const ConfigError& e) {
                spdlog::error("configuration not reloaded, the previous one stays in force: {}",
                              e.what());
                return std::nullopt;
            }
        });
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return kExitFailure;
    }
    spdlog::info("stopped");
    return kExitOk;
}
