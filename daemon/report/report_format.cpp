#include "report/report_format.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

namespace codeguru::report {
namespace {

using Row = std::vector<std::string>;

// "2026-11-25 08:33 UTC": a person's view of a time, to the minute.
std::string readable_time(Timestamp at) {
    return iso8601(at).substr(0, 16).replace(10, 1, " ") + " UTC";
}

std::string render_table(const Report& report) {
    Row header = {"SOURCE", "SCAN"};
    for (const auto severity : kSeverities) {
        std::string name(severity);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        header.push_back(name);
    }
    for (const char* name : {"OPEN", "CLOSED 30D", "LAST SUCCESS", "AGE", "SYNC"}) {
        header.emplace_back(name);
    }
    const std::size_t first_text_column = header.size() - 3;  // LAST SUCCESS onwards

    std::vector<Row> rows = {header};
    for (const auto& scan : report.scans) {
        Row row = {scan.source, scan.scan_name};
        for (const auto count : scan.open_by_severity) row.push_back(std::to_string(count));
        row.push_back(std::to_string(scan.open_total));
        row.push_back(std::to_string(scan.closed_last_30_days));
        row.push_back(scan.last_success_at ? readable_time(*scan.last_success_at) : "-");
        row.push_back(scan.last_success_at ? describe_age(scan.last_success_age) : "-");
        row.emplace_back(to_string(scan.status));
        rows.push_back(std::move(row));
    }

    std::vector<std::size_t> widths(header.size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string text = "Findings report at " + readable_time(report.generated_at) +
                       " (sync interval " + describe_age(report.sync_interval) + ")\n\n";
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += "  ";
            const std::string padding(widths[i] - row[i].size(), ' ');
            // Counts align right, text left.
            const bool numeric = i > 1 && i < first_text_column;
            line += numeric ? padding + row[i] : row[i] + padding;
        }
        line.erase(line.find_last_not_of(' ') + 1);
        text += line + "\n";
    }
    return text;
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string render_csv(const Report& report) {
    std::string text = "source,scan";
    for (const auto severity : kSeverities) {
        std::string name(severity);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        text += "," + name;
    }
    text += ",open,closed_last_30_days,last_success_at,last_success_age_s,sync_status\r\n";
    for (const auto& scan : report.scans) {
        text += csv_field(scan.source) + "," + csv_field(scan.scan_name);
        for (const auto count : scan.open_by_severity) text += "," + std::to_string(count);
        text += "," + std::to_string(scan.open_total);
        text += "," + std::to_string(scan.closed_last_30_days);
        text += "," + (scan.last_success_at ? iso8601(*scan.last_success_at) : "");
        text += "," + (scan.last_success_at ? std::to_string(scan.last_success_age.count()) : "");
        text += std::string(",") + to_string(scan.status) + "\r\n";
    }
    return text;
}

std::string render_json(const Report& report) {
    nlohmann::ordered_json scans = nlohmann::ordered_json::array();
    for (const auto& scan : report.scans) {
        nlohmann::ordered_json open;
        for (std::size_t i = 0; i < kSeverities.size(); ++i) {
            open[std::string(kSeverities[i])] = scan.open_by_severity[i];
        }
        open["total"] = scan.open_total;
        nlohmann::ordered_json entry;
        entry["source"] = scan.source;
        entry["scan"] = scan.scan_name;
        entry["open"] = std::move(open);
        entry["closed_last_30_days"] = scan.closed_last_30_days;
        entry["last_success_at"] =
            scan.last_success_at ? nlohmann::ordered_json(iso8601(*scan.last_success_at)) : nullptr;
        entry["last_success_age_s"] =
            scan.last_success_at ? nlohmann::ordered_json(scan.last_success_age.count()) : nullptr;
        entry["sync_status"] = to_string(scan.status);
        scans.push_back(std::move(entry));
    }
    nlohmann::ordered_json document;
    document["generated_at"] = iso8601(report.generated_at);
    document["sync_interval_s"] = report.sync_interval.count();
    document["scans"] = std::move(scans);
    return document.dump(2) + "\n";
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    if (name == "table") return Format::kTable;
    if (name == "csv") return Format::kCsv;
    if (name == "json") return Format::kJson;
    return std::nullopt;
}

std::string format_report(const Report& report, Format format) {
    switch (format) {
        case Format::kTable:
            return render_table(report);
        case Format::kCsv:
            return render_csv(report);
        case Format::kJson:
            return render_json(report);
    }
    return render_table(report);
}

std::string describe_age(std::chrono::seconds age) {
    const long s = age.count();
    const auto two = [](long big, const char* big_unit, long small, const char* small_unit) {
        return std::to_string(big) + big_unit + " " + std::to_string(small) + small_unit;
    };
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600) return std::to_string(s / 60) + "m";
    if (s < 86400) return two(s / 3600, "h", s % 3600 / 60, "m");
    return two(s / 86400, "d", s % 86400 / 3600, "h");
}

std::string iso8601(Timestamp at) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
    const auto day = std::chrono::floor<std::chrono::days>(seconds);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss time{seconds - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text;
}

}  // namespace codeguru::report
