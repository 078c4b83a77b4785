#include "config/settings_printer.hpp"

#include <cctype>
#include <charconv>

#include "config/duration.hpp"

namespace codeguru {
namespace {

constexpr std::string_view kMask = "***";

bool is_uri(std::string_view url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string mask_uri(std::string_view uri) {
    const auto scheme_end = uri.find("://");
    const std::size_t authority_begin = scheme_end + 3;
    const auto authority_end = std::min(uri.find_first_of("/?#", authority_begin), uri.size());
    std::string out(uri.substr(0, authority_begin));

    // User info ends at the last '@' of the authority, so that an unescaped '@' in the
    // password is masked rather than shown.
    const std::string_view authority = uri.substr(authority_begin, authority_end - authority_begin);
    const auto at = authority.rfind('@');
    std::string_view host = authority;
    if (at != std::string_view::npos) {
        const std::string_view user_info = authority.substr(0, at);
        const auto colon = user_info.find(':');
        out += user_info.substr(0, colon);
        if (colon != std::string_view::npos) {
            out += ':';
            out += kMask;
        }
        out += '@';
        host = authority.substr(at + 1);
    }
    out += host;

    std::string_view rest = uri.substr(authority_end);
    const auto query = rest.find('?');
    out += rest.substr(0, query);
    if (query == std::string_view::npos) return out;
    rest.remove_prefix(query + 1);
    out += '?';
    bool first = true;
    while (true) {
        const auto amp = rest.find('&');
        const std::string_view param = rest.substr(0, amp);
        if (!first) out += '&';
        first = false;
        const auto eq = param.find('=');
        if (eq != std::string_view::npos && param.substr(0, eq) == "password") {
            out += "password=";
            out += kMask;
        } else {
            out += param;
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out;
}

// libpq's key=value syntax: keyword, optional spaces, '=', optional spaces, then a value
// that is either single-quoted (with backslash escapes) or runs to the next space.
std::string mask_conninfo(std::string_view conninfo) {
    std::string out;
    std::size_t i = 0;
    const std::size_t n = conninfo.size();
    while (i < n) {
        const std::size_t keyword_begin = i;
        while (i < n && !is_space(conninfo[i]) && conninfo[i] != '=') ++i;
        const std::string_view keyword = conninfo.substr(keyword_begin, i - keyword_begin);
        while (i < n && is_space(conninfo[i])) ++i;
        if (i >= n || conninfo[i] != '=') {
            out += conninfo.substr(keyword_begin, i - keyword_begin);
            continue;
        }
        ++i;  // '='
        while (i < n && is_space(conninfo[i])) ++i;
        const std::size_t value_begin = i;
        if (i < n && conninfo[i] == '\'') {
            ++i;
            while (i < n && conninfo[i] != '\'') i += conninfo[i] == '\\' ? 2 : 1;
            i = std::min(i + 1, n);
        } else {
            while (i < n && !is_space(conninfo[i])) ++i;
        }
        out += conninfo.substr(keyword_begin, value_begin - keyword_begin);
        const std::string_view value = conninfo.substr(value_begin, i - value_begin);
        if (keyword == "password") {
            out += kMask;
        } else if (keyword == "dbname") {
            out += is_uri(value) ? mask_uri(value) : std::string(value);  // libpq expands it
        } else {
            out += value;
        }
        const std::size_t spaces_begin = i;
        while (i < n && is_space(conninfo[i])) ++i;
        out += conninfo.substr(spaces_begin, i - spaces_begin);
    }
    return out;
}

void add(std::string& out, std::string_view key, std::string_view value) {
    out += key;
    out += value.empty() ? " =" : " = ";
    out += value;
    out += '\n';
}

std::string format_number(double value) {
    // Plain decimals only, as the loader reads them: never "1e-05". 1100 bytes hold the
    // longest fixed form of a double (a subnormal).
    char buffer[1100];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return std::string(buffer, end);
}

}  // namespace

std::string mask_database_url(std::string_view url) {
    return is_uri(url) ? mask_uri(url) : mask_conninfo(url);
}

std::string format_listen_address(const MetricsSettings& metrics) {
    if (!metrics.enabled()) return "";
    const bool ipv6 = metrics.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + metrics.host + "]" : metrics.host) + ":" + std::to_string(metrics.port);
}

std::string describe_settings(const Settings& settings) {
    std::string out = "[aws]\n";
    add(out, "region", settings.aws.region);
    add(out, "profile", settings.aws.profile);
    add(out, "endpoint", settings.aws.endpoint);
    add(out, "connect_timeout", format_duration(settings.aws.connect_timeout));
    add(out, "request_timeout", format_duration(settings.aws.request_timeout));
    add(out, "max_attempts", std::to_string(settings.aws.max_attempts));
    add(out, "requests_per_second",
        settings.aws.requests_per_second ? format_number(*settings.aws.requests_per_second) : "");

    out += "\n[database]\n";
    add(out, "url", mask_database_url(settings.database.url));
    add(out, "schema", settings.database.schema);
    add(out, "statement_timeout", format_duration(settings.database.statement_timeout));

    out += "\n[sync]\n";
    for (const std::string& scan : settings.sync.scans) add(out, "scan", scan);
    add(out, "scan_prefix", settings.sync.scan_prefix);
    add(out, "status", settings.sync.status);
    add(out, "page_size", std::to_string(settings.sync.page_size));
    add(out, "interval", format_duration(settings.sync.interval));
    add(out, "concurrency", std::to_string(settings.sync.concurrency));
    add(out, "lease", format_duration(settings.sync.lease));
    add(out, "max_pages", std::to_string(settings.sync.max_pages));

    out += "\n[inspector]\n";
    for (const std::string& region : settings.inspector.regions) add(out, "region", region);
    add(out, "endpoint", settings.inspector.endpoint);
    for (const std::string& type : settings.inspector.finding_types) add(out, "finding_type", type);
    for (const std::string& account : settings.inspector.accounts) add(out, "account", account);
    add(out, "status", settings.inspector.status);
    add(out, "page_size", std::to_string(settings.inspector.page_size));
    add(out, "overlap", format_duration(settings.inspector.overlap));
    add(out, "full_sweep", format_duration(settings.inspector.full_sweep));
    add(out, "code_snippets", settings.inspector.code_snippets ? "true" : "false");

    out += "\n[retention]\n";
    add(out, "runs", format_duration(settings.retention.runs));

    out += "\n[log]\n";
    add(out, "level", settings.log.level);
    add(out, "format", settings.log.format == LogFormat::kJson ? "json" : "text");

    out += "\n[metrics]\n";
    add(out, "listen", format_listen_address(settings.metrics));
    return out;
}

}  // namespace codeguru
