#pragma once

#include <string>
#include <utility>
#include <vector>

namespace codeguru {

// What the command line asked for (SPEC §3). Config keys given as --section.key=value are
// kept as overrides, unvalidated; load_settings applies and validates them.
struct CommandLine {
    std::string config_path = "/etc/codeguru-syncd/codeguru-syncd.conf";
    bool config_path_given = false;
    bool once = false, migrate = false, check_config = false, show_version = false,
         show_help = false;
    bool check = false;                   // --check: run the preflight checks, exit
    std::string reset_scan;               // --reset-scan NAME; empty if not given
    bool report = false;                  // --report: print the findings report, exit
    std::string report_format = "table";  // --format: table | csv | json | html (with --report)
    std::string report_output;            // --output FILE (with --report); empty: stdout
    std::vector<std::string> sources;     // --source codeguru|inspector, repeatable (--report)
    std::vector<std::string> projects;    // --project NAME, repeatable (--report)
    std::vector<std::string> imports;     // --import FILE..., in order; "-": standard input
    bool import_complete = false;         // --complete (with --import)
    std::vector<std::string> scans;       // --scan, repeatable
    std::string log_level;                // --log-level, empty if not given
    std::vector<std::pair<std::string, std::string>> overrides;  // --section.key=value, in order
};

// Parses argv (argv[0] is the program name). Throws UsageError naming the offending
// argument: unknown flags or keys, missing values, positional arguments, a single-valued
// flag or key given twice, more than one of --once, --migrate, --check-config, --check,
// --reset-scan, --report, --import, an empty --reset-scan name, --format, --output, --source
// or --project without --report, a --format other than table, csv, json, html, a --source
// other than codeguru, inspector, an empty --output or --project, an empty --import file
// name, --import without exactly one --scan, and --complete without --import.
// `--import A B C` is `--import A --import B --import C`: the arguments after --import up to
// the next option are its files ("-" among them).
CommandLine parse_command_line(int argc, const char* const argv[]);

// The --help text: the synopsis, every flag, and every config key as --section.key=VALUE.
std::string usage_text();

}  // namespace codeguru
