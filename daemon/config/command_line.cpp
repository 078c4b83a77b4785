#include "config/command_line.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <set>
#include <string_view>

#include "config/config_error.hpp"
#include "config/config_keys.hpp"

namespace codeguru {
namespace {

namespace po = boost::program_options;

struct Flag {
    std::string_view name;
    std::string_view value_name;  // empty for switches
    std::string_view help;
};

constexpr Flag kFlags[] = {
    {"config", "FILE", "config file (default /etc/codeguru-syncd/codeguru-syncd.conf)"},
    {"once", "", "sync every scan once, then exit (status 1 if any scan failed)"},
    {"migrate", "", "apply pending schema migrations, then exit"},
    {"check-config", "", "validate the config, print the effective settings, exit"},
    {"check", "", "check config, credentials, database, endpoint; exit (status 1 on a failure)"},
    {"reset-scan", "NAME",
     "clear the scan's checkpoint (inspector:REGION: the Inspector stream's), so that its next "
     "run starts a new (full) pass, exit"},
    {"report", "", "print open findings, recent closes and sync health per scan, exit"},
    {"format", "FORMAT",
     "--report output: table (default) | csv | json | html (one self-contained page)"},
    {"output", "FILE", "--report: write to FILE (atomically, mode 0644) instead of stdout"},
    {"source", "SOURCE", "--report: only codeguru | inspector findings (repeatable)"},
    {"project", "NAME",
     "--report: only this CodeGuru scan or Inspector project (repeatable; --scan is the same)"},
    {"import", "FILE...",
     "apply CodeGuru Security exports (aws codeguru-security get-findings output, boto3 "
     "dumps, pages as JSON Lines; - for stdin) to the --scan NAME, each file in one "
     "transaction, in order; exit (status 1 at the first bad file)"},
    {"complete", "",
     "--import: the files hold the scan's whole result: findings not in them "
     "get missing_since"},
    {"scan", "NAME",
     "sync this scan instead of the configured ones (repeatable); with --import, the scan the "
     "findings are of"},
    {"log-level", "LEVEL", "trace | debug | info | warn | error | critical | off"},
    {"version", "", "print the version and exit"},
    {"help", "", "print this help and exit"},
};

po::options_description make_description() {
    po::options_description desc;
    for (const Flag& flag : kFlags) {
        const std::string name =
            flag.name == "help" ? std::string("help,h") : std::string(flag.name);
        if (flag.value_name.empty()) {
            desc.add_options()(name.c_str(), std::string(flag.help).c_str());
        } else {
            desc.add_options()(name.c_str(), po::value<std::string>(),
                               std::string(flag.help).c_str());
        }
    }
    for (const ConfigKey& key : kConfigKeys) {
        desc.add_options()(std::string(key.name).c_str(), po::value<std::string>(),
                           std::string(key.help).c_str());
    }
    return desc;
}

UsageError translate(const po::error& e) {
    if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
        std::string name = unknown->get_option_name();
        if (const auto eq = name.find('='); eq != std::string::npos) name.resize(eq);
        const std::string bare = name.starts_with("--") ? name.substr(2) : name;
        if (bare.find('.') != std::string::npos) {
            return UsageError("unknown configuration key " + bare + " (from " + name + ")");
        }
        return UsageError("unknown option " + name);
    }
    return UsageError(e.what());
}

// Boost rejects "--name=" with an empty value; "--name" followed by "" means the same and is
// accepted, so that "--aws.profile=" clears a key.
std::vector<std::string> split_empty_values(int argc, const char* const argv[]) {
    std::vector<std::string> args;
    bool options_ended = false;
    bool import_files = false;  // after --import: its files, up to the next option
    bool import_file_seen = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        options_ended = options_ended || arg == "--";
        if (!options_ended && import_files && (!arg.starts_with("-") || arg == "-")) {
            args.emplace_back("--import");
            args.emplace_back(arg);
            import_file_seen = true;
            continue;
        }
        // --import without a file: left bare, so that its missing value is reported.
        if (import_files && !import_file_seen) args.emplace_back("--import");
        import_files = !options_ended && arg == "--import";
        import_file_seen = false;
        if (import_files) continue;  // its files follow, each becomes --import FILE
        if (!options_ended && arg.starts_with("--") && arg.find('=') == arg.size() - 1) {
            args.emplace_back(arg.substr(0, arg.size() - 1));
            args.emplace_back();
        } else {
            args.emplace_back(arg);
        }
    }
    if (import_files && !import_file_seen) args.emplace_back("--import");
    return args;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const argv[]) {
    const po::options_description desc = make_description();
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::parsed_options parsed(&desc);
    try {
        parsed = po::command_line_parser(split_empty_values(argc, argv))
                     .options(desc)
                     .style(style)
                     .run();
    } catch (const po::error& e) {
        throw translate(e);
    }

    CommandLine result;
    std::set<std::string> seen;
    for (const po::option& option : parsed.options) {
        if (option.position_key >= 0 || option.string_key.empty()) {
            const std::string token =
                option.original_tokens.empty() ? std::string() : option.original_tokens.front();
            throw UsageError("unexpected argument \"" + token + "\"");
        }
        const std::string& name = option.string_key;
        const std::string value = option.value.empty() ? std::string() : option.value.front();
        // Boost takes the next argument as the value even when it is another option.
        if (option.original_tokens.size() > 1 && value.starts_with("--")) {
            throw UsageError("missing value for --" + name + " (" + value +
                             " is an option; write --" + name + "=VALUE)");
        }
        const ConfigKey* key = find_config_key(name);
        const bool repeatable = name == "scan" || name == "source" || name == "project" ||
                                name == "import" || (key != nullptr && key->repeatable);
        if (!seen.insert(name).second && !repeatable) {
            throw UsageError("--" + name + " given more than once");
        }
        if (key != nullptr) {
            result.overrides.emplace_back(name, value);
        } else if (name == "config") {
            if (value.empty()) throw UsageError("--config needs a file name");
            result.config_path = value;
            result.config_path_given = true;
        } else if (name == "once") {
            result.once = true;
        } else if (name == "migrate") {
            result.migrate = true;
        } else if (name == "check-config") {
            result.check_config = true;
        } else if (name == "check") {
            result.check = true;
        } else if (name == "reset-scan") {
            if (value.empty()) throw UsageError("--reset-scan needs a scan name");
            result.reset_scan = value;
        } else if (name == "report") {
            result.report = true;
        } else if (name == "format") {
            if (value != "table" && value != "csv" && value != "json" && value != "html") {
                throw UsageError("--format must be table, csv, json or html, not \"" + value +
                                 "\"");
            }
            result.report_format = value;
        } else if (name == "output") {
            if (value.empty()) throw UsageError("--output needs a file name");
            result.report_output = value;
        } else if (name == "source") {
            if (value != "codeguru" && value != "inspector") {
                throw UsageError("--source must be codeguru or inspector, not \"" + value + "\"");
            }
            result.sources.push_back(value);
        } else if (name == "project") {
            if (value.empty()) throw UsageError("--project needs a scan or project name");
            result.projects.push_back(value);
        } else if (name == "import") {
            if (value.empty()) throw UsageError("--import needs a file name (- for stdin)");
            result.imports.push_back(value);
        } else if (name == "complete") {
            result.import_complete = true;
        } else if (name == "version") {
            result.show_version = true;
        } else if (name == "help") {
            result.show_help = true;
        } else if (name == "scan") {
            result.scans.push_back(value);
        } else if (name == "log-level") {
            result.log_level = value;
        }
    }
    const int modes = result.once + result.migrate + result.check_config + result.check +
                      !result.reset_scan.empty() + result.report + !result.imports.empty();
    if (modes > 1) {
        throw UsageError(
            "--once, --migrate, --check-config, --check, --reset-scan, --report and --import "
            "cannot be combined");
    }
    if (!result.imports.empty() && result.scans.size() != 1) {
        throw UsageError("--import needs exactly one --scan NAME: the scan the findings are of");
    }
    if (std::count(result.imports.begin(), result.imports.end(), "-") > 1) {
        throw UsageError("--import names standard input (-) more than once: it can be read once");
    }
    if (result.import_complete && result.imports.empty()) {
        throw UsageError("--complete applies to --import only");
    }
    for (const char* report_only : {"format", "output", "source", "project"}) {
        if (seen.count(report_only) != 0 && !result.report) {
            throw UsageError("--" + std::string(report_only) + " applies to --report only");
        }
    }
    return result;
}

std::string usage_text() {
    std::string text =
        "Usage: codeguru-syncd [--config FILE] [--once] [--migrate] [--check-config] [--check]\n"
        "                      [--reset-scan NAME]\n"
        "                      [--report [--format table|csv|json|html] [--output FILE]\n"
        "                                [--source SOURCE]... [--project NAME]...]\n"
        "                      [--scan NAME]... [--log-level LEVEL] [--version] [--help]\n"
        "       codeguru-syncd [--config FILE] --import FILE... --scan NAME [--complete]\n"
        "\n"
        "Replicates Amazon CodeGuru Security findings into PostgreSQL.\n"
        "\n"
        "CodeGuru Security ended on 2025-11-20: --import applies the exports kept from it (the\n"
        "AWS CLI's `get-findings --scan-name NAME` output, boto3 answers written with\n"
        "json.dumps(..., default=str), or pages concatenated or as JSON Lines; the format is\n"
        "read from the content) as a sync of the same findings would, one run each.\n"
        "\n"
        "Options:\n";
    const auto add_line = [&text](std::string left, std::string_view help) {
        constexpr std::size_t kHelpColumn = 34;
        left.insert(0, "  ");
        left.resize(std::max(left.size() + 2, kHelpColumn), ' ');
        text += left;
        text += help;
        text += '\n';
    };
    for (const Flag& flag : kFlags) {
        std::string left = flag.name == "help" ? "-h, --help" : "--" + std::string(flag.name);
        if (!flag.value_name.empty()) left += " " + std::string(flag.value_name);
        add_line(left, flag.help);
    }
    text +=
        "\n"
        "Every configuration key can also be given on the command line as\n"
        "--section.key=value or --section.key value; the command line wins over the file:\n";
    for (const ConfigKey& key : kConfigKeys) {
        add_line("--" + std::string(key.name) + "=" + std::string(key.value_name), key.help);
    }
    return text;
}

}  // namespace codeguru
