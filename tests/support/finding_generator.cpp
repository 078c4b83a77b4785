#include "finding_generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <set>
#include <string_view>
#include <unordered_set>

namespace codeguru::test {
namespace {

using nlohmann::json;

// 2025-09-16T05:20:00Z: findings are created in the 90 days before it.
constexpr std::int64_t kBaseEpochMs = 1758000000000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::string_view kUnicodeSample = "Ünïcödé 日本語 🚀";

struct Detector {
    std::string_view language;  // "python", "java", "javascript"
    std::string_view slug;      // detector library path segment
    std::string_view name;
    std::string_view cwe;  // "CWE-89"
    std::string_view rule_id;
    std::vector<std::string_view> tags;
    std::string_view summary;
    std::string_view recommendation;
    std::string_view fix_description;
};

const std::vector<Detector>& detectors() {
    static const std::vector<Detector> kDetectors = {
        {"python",
         "sql-injection",
         "SQL injection",
         "CWE-89",
         "python-avoid-string-formatted-sql-queries",
         {"injection", "sql", "owasp-top10", "top25-cwes", "cwe-89"},
         "User-provided inputs must be sanitized before they are used to generate a SQL "
         "database query. An attacker can create and use untrusted input to run query "
         "statements that read, modify, or delete database content.",
         "Use parameterized queries instead of building the statement with string "
         "formatting.",
         "Pass the value as a bound parameter"},
        {"python",
         "hardcoded-credentials",
         "Hardcoded credentials",
         "CWE-798",
         "python-hardcoded-credentials",
         {"secrets", "owasp-top10", "top25-cwes", "cwe-798"},
         "Access credentials, such as passwords and access keys, should not be hardcoded in "
         "source code. Hardcoding credentials may cause leaks even after removing them.",
         "Load credentials from a secrets manager or the environment at run time.",
         "Read the password from AWS Secrets Manager"},
        {"python",
         "log-injection",
         "Log injection",
         "CWE-117",
         "python-log-injection",
         {"data-integrity", "injection", "logging", "cwe-117"},
         "User-provided inputs must be sanitized before they are logged. An attacker can use "
         "unsanitized input to break a log's integrity, forge log entries, or bypass log "
         "monitors.",
         "Escape or strip line breaks from untrusted values before logging them.",
         "Strip CR and LF before logging"},
        {"python",
         "os-command-injection",
         "OS command injection",
         "CWE-78",
         "python-oscommandinjection-rule",
         {"injection", "subprocess", "owasp-top10", "top25-cwes", "cwe-77", "cwe-78"},
         "Constructing operating system or shell commands with unsanitized user input can "
         "lead to inadvertently running malicious code.",
         "Pass the arguments as a list and never use shell=True with untrusted input.",
         "Run the command without a shell"},
        {"python",
         "insecure-hashing",
         "Insecure hashing",
         "CWE-327",
         "python-crypto-compliance-message-digest",
         {"cryptography", "cwe-327", "cwe-328"},
         "A hashing algorithm is weak if it is easy to determine the original input from the "
         "hash or to find another input that yields the same hash.",
         "Use SHA-256 or stronger, or a password hashing function such as scrypt.",
         "Use hashlib.sha256"},
        {"java",
         "path-traversal",
         "Path traversal",
         "CWE-22",
         "java-path-traversal",
         {"injection", "owasp-top10", "top25-cwes", "cwe-22"},
         "Constructing path names with unsanitized user input can lead to path traversal "
         "attacks (for example, ../../..) that allow an attacker access to file system "
         "resources.",
         "Normalize the path and check that it stays under the intended base directory.",
         "Resolve against the base directory and verify the prefix"},
        {"java",
         "xml-external-entity",
         "XML External Entity",
         "CWE-611",
         "java-xxe-rule",
         {"xml", "injection", "owasp-top10", "cwe-611"},
         "Objects that parse or handle XML can lead to XML External Entity (XXE) attacks "
         "when they are misconfigured.",
         "Disable DTDs and external entities on the parser factory.",
         "Set FEATURE_SECURE_PROCESSING and disallow doctype declarations"},
        {"java",
         "insecure-cookie",
         "Insecure cookie",
         "CWE-614",
         "java-insecure-cookie",
         {"cookies", "cryptography", "cwe-614", "cwe-311", "cwe-312"},
         "Insecure cookie settings can lead to unencrypted cookie transmission.",
         "Set the Secure and HttpOnly flags on every cookie that carries session data.",
         "Mark the cookie Secure and HttpOnly"},
        {"java",
         "resource-leak",
         "Resource leak",
         "CWE-400",
         "java-resource-leak-detector",
         {"availability", "resource-leak", "cwe-400", "cwe-664"},
         "Allocated resources are not released properly. This can slow down or crash your "
         "system.",
         "Use try-with-resources so the stream is closed on every path.",
         "Wrap the stream in try-with-resources"},
        {"javascript",
         "cross-site-scripting",
         "Cross-site scripting",
         "CWE-79",
         "javascript-xss-rule",
         {"injection", "xss", "owasp-top10", "top25-cwes", "cwe-79", "cwe-80"},
         "User-controllable input must be sanitized before it's included in output used to "
         "dynamically generate a web page.",
         "Encode untrusted data for the HTML context or use textContent.",
         "Use textContent instead of innerHTML"},
        {"javascript",
         "server-side-request-forgery",
         "Server-side request forgery",
         "CWE-918",
         "javascript-ssrf-rule",
         {"injection", "networking", "owasp-top10", "cwe-918"},
         "Insufficient sanitization of potentially untrusted URLs on the server side can "
         "allow server requests to unwanted destinations.",
         "Allow-list the hosts the server may contact.",
         "Validate the host against an allow-list"},
        {"javascript",
         "hardcoded-credentials",
         "Hardcoded credentials",
         "CWE-798",
         "javascript-hardcoded-credentials",
         {"secrets", "owasp-top10", "top25-cwes", "cwe-798"},
         "Access credentials, such as passwords and access keys, should not be hardcoded in "
         "source code.",
         "Read secrets from the environment or a secrets manager.",
         "Read the key from process.env"},
    };
    return kDetectors;
}

struct Snippet {
    std::vector<std::string> lines;  // the flagged statement is at index `flagged`
    std::size_t flagged;
    std::string fix;
};

Snippet snippet_for(const Detector& d, std::mt19937_64& rng) {
    const std::string lang(d.language);
    std::uniform_int_distribution<int> pick(0, 1);
    const bool alt = pick(rng) == 1;
    if (lang == "python") {
        if (d.slug == "sql-injection") {
            return {{"def find_user(conn, user_id):", "    cursor = conn.cursor()",
                     alt ? "    cursor.execute(\"SELECT * FROM users WHERE id = '%s'\" % user_id)"
                         : "    cursor.execute(f\"SELECT * FROM users WHERE id = {user_id}\")",
                     "    row = cursor.fetchone()", "    return row"},
                    2,
                    "cursor.execute(\"SELECT * FROM users WHERE id = %s\", (user_id,))"};
        }
        if (d.slug == "hardcoded-credentials") {
            return {{"import boto3", "",
                     "def client():", "    password = \"hunter2-Ünïcödé\"  # 日本語 🚀",
                     "    return connect(user=\"admin\", password=password)"},
                    3,
                    "password = secrets_client.get_secret_value(SecretId=\"db\")"
                    "[\"SecretString\"]"};
        }
        if (d.slug == "log-injection") {
            return {
                {"@app.route(\"/login\")", "def login():", "    user = request.args.get(\"user\")",
                 "    logger.info(\"login attempt for %s\", user)", "    return check(user)"},
                3,
                "logger.info(\"login attempt for %s\", user.replace(\"\\n\", \"\"))"};
        }
        if (d.slug == "os-command-injection") {
            return {{"def archive(name):",
                     "    subprocess.call(\"tar czf /tmp/out.tgz \" + name, shell=True)",
                     "    return \"/tmp/out.tgz\""},
                    1,
                    "subprocess.call([\"tar\", \"czf\", \"/tmp/out.tgz\", name])"};
        }
        return {
            {"import hashlib", "", "def digest(data):", "    return hashlib.md5(data).hexdigest()"},
            3,
            "return hashlib.sha256(data).hexdigest()"};
    }
    if (lang == "java") {
        if (d.slug == "path-traversal") {
            return {{"public byte[] read(String name) throws IOException {",
                     "    File file = new File(BASE_DIR, name);",
                     "    return Files.readAllBytes(file.toPath());", "}"},
                    1,
                    "Path file = BASE_DIR.resolve(name).normalize();\n"
                    "if (!file.startsWith(BASE_DIR)) {\n"
                    "    throw new SecurityException(\"bad path\");\n}"};
        }
        if (d.slug == "xml-external-entity") {
            return {{"DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();",
                     "DocumentBuilder builder = factory.newDocumentBuilder();",
                     "Document doc = builder.parse(input);"},
                    0,
                    "factory.setFeature(\"http://apache.org/xml/features/"
                    "disallow-doctype-decl\", true);"};
        }
        if (d.slug == "insecure-cookie") {
            return {
                {"Cookie cookie = new Cookie(\"session\", token);", "response.addCookie(cookie);"},
                0,
                "cookie.setSecure(true);\ncookie.setHttpOnly(true);"};
        }
        return {{"public String load(String path) throws IOException {",
                 "    InputStream in = new FileInputStream(path);",
                 "    return new String(in.readAllBytes(), UTF_8);", "}"},
                1,
                "try (InputStream in = new FileInputStream(path)) {\n"
                "    return new String(in.readAllBytes(), UTF_8);\n}"};
    }
    if (d.slug == "cross-site-scripting") {
        return {{"const params = new URLSearchParams(location.search);",
                 "const name = params.get('name');",
                 "document.getElementById('greeting').innerHTML = `Hello ${name}`;"},
                2,
                "document.getElementById('greeting').textContent = `Hello ${name}`;"};
    }
    if (d.slug == "server-side-request-forgery") {
        return {{"app.get('/proxy', async (req, res) => {",
                 "  const response = await fetch(req.query.url);",
                 "  res.send(await response.text());", "});"},
                1,
                "if (!ALLOWED_HOSTS.has(new URL(req.query.url).host)) {\n"
                "  return res.status(400).end();\n}"};
    }
    return {{"const client = new S3Client({", "  credentials: {",
             "    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',",
             "    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',", "  },", "});"},
            2,
            "const client = new S3Client({});"};
}

const std::vector<std::string>& file_paths(std::string_view language) {
    static const std::vector<std::string> kPython = {
        "src/app/db/users.py",      "src/app/api/auth.py",     "services/billing/invoice.py",
        "lambda/ingest/handler.py", "tools/scripts/backup.py", "src/app/views/login.py"};
    static const std::vector<std::string> kJava = {
        "src/main/java/com/example/files/FileService.java",
        "src/main/java/com/example/xml/ImportController.java",
        "src/main/java/com/example/web/SessionFilter.java",
        "core/src/main/java/org/acme/io/ConfigLoader.java"};
    static const std::vector<std::string> kJs = {
        "web/src/pages/greeting.js", "server/routes/proxy.js", "packages/uploader/src/s3.js",
        "web/src/components/Comment.jsx"};
    if (language == "python") return kPython;
    if (language == "java") return kJava;
    return kJs;
}


std::string unique_id(std::mt19937_64& rng, std::unordered_set<std::string>& taken) {
    for (;;) {
        std::string id = uuid_like(rng);
        if (taken.insert(id).second) return id;
    }
}

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool chance(std::mt19937_64& rng, double p) {
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

std::string pick_severity(std::mt19937_64& rng) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
    if (roll < 5) return "Critical";
    if (roll < 25) return "High";
    if (roll < 60) return "Medium";
    if (roll < 85) return "Low";
    return "Info";
}

// A timestamp in milliseconds: half of them whole seconds, the rest with a ms part.
std::int64_t random_time_ms(std::mt19937_64& rng, std::int64_t from_ms, std::int64_t span_ms) {
    std::int64_t t = from_ms + std::uniform_int_distribution<std::int64_t>(0, span_ms)(rng);
    if (chance(rng, 0.5)) t -= t % 1000;
    return t;
}

std::int64_t epoch_ms_of(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>() * 1000;
    return std::llround(value.get<double>() * 1000.0);
}

std::string long_description(const Detector& d, std::mt19937_64& rng) {
    std::string text(d.summary);
    const int paragraphs = std::uniform_int_distribution<int>(12, 30)(rng);
    for (int i = 1; i <= paragraphs; ++i) {
        text += "\n\nDetail " + std::to_string(i) + ": " + std::string(d.summary) + " " +
                std::string(d.recommendation) +
                " Data flows from the request handler through several helper functions before "
                "it reaches the sink, so every intermediate transformation was analysed.";
    }
    return text;
}

json make_finding(const std::string& scan_name, const std::string& id, std::int64_t created_ms,
                  std::mt19937_64& rng) {
    const Detector& d = pick(rng, detectors());
    const Snippet snippet = snippet_for(d, rng);
    const std::string& path = pick(rng, file_paths(d.language));
    const std::string file_name = path.substr(path.rfind('/') + 1);
    const int start_line = std::uniform_int_distribution<int>(3, 900)(rng);
    const int flagged_line = start_line + static_cast<int>(snippet.flagged);
    const bool unicode = chance(rng, 0.08);

    json f;
    f["id"] = id;
    f["createdAt"] = epoch_seconds_json(created_ms);
    const std::int64_t updated_ms =
        chance(rng, 0.4) ? created_ms : random_time_ms(rng, created_ms + 1000, 20 * kDayMs);
    f["updatedAt"] = epoch_seconds_json(updated_ms);
    std::string title = std::string(d.name) + " in " + file_name;
    if (unicode) title += " (" + std::string(kUnicodeSample) + ")";
    f["title"] = title;
    f["description"] = chance(rng, 0.05) ? long_description(d, rng) : std::string(d.summary);
    f["type"] = "Vulnerability";
    f["status"] = chance(rng, 0.15) ? "Closed" : "Open";
    f["severity"] = pick_severity(rng);
    f["generatorId"] = "CodeGuruSecurity";
    f["detectorId"] = std::string(d.language) + "/" + std::string(d.slug) + "@v1.0";
    f["detectorName"] = d.name;
    json tags = json::array();
    for (const auto& tag : d.tags) tags.push_back(tag);
    f["detectorTags"] = tags;
    f["ruleId"] = d.rule_id;
    f["resource"] = {{"id", scan_name}, {"subResourceId", path}};

    json fixes = json::array();
    fixes.push_back({{"description", d.fix_description}, {"code", snippet.fix}});
    if (chance(rng, 0.3)) {
        fixes.push_back({{"description", "Alternatively, validate the input first"},
                         {"code", "if not is_valid(value):\n    raise ValueError(\"invalid\")"}});
    }
    const std::string url = "https://docs.aws.amazon.com/codeguru/detector-library/" +
                            std::string(d.language) + "/" + std::string(d.slug) + "/";
    f["remediation"] = {{"recommendation", {{"text", std::string(d.recommendation)}, {"url", url}}},
                        {"suggestedFixes", fixes}};

    const std::string cwe_number(d.cwe.substr(4));
    json lines = json::array();
    for (std::size_t i = 0; i < snippet.lines.size(); ++i) {
        std::string content = snippet.lines[i];
        if (unicode && i == 0) content += "  # " + std::string(kUnicodeSample);
        lines.push_back({{"number", start_line + static_cast<int>(i)}, {"content", content}});
    }
    f["vulnerability"] = {
        {"id", std::string(d.cwe) + "-" + id.substr(0, 8)},
        {"itemCount", std::uniform_int_distribution<int>(1, 12)(rng)},
        {"referenceUrls",
         {"https://cwe.mitre.org/data/definitions/" + cwe_number + ".html",
          "https://owasp.org/Top10/"}},
        {"relatedVulnerabilities", {std::string(d.cwe)}},
        {"filePath",
         {{"name", file_name},
          {"path", path},
          {"startLine", flagged_line},
          {"endLine", flagged_line + static_cast<int>(
                                         std::count(snippet.fix.begin(), snippet.fix.end(), '\n'))},
          {"codeSnippet", lines}}}};

    // About one in eight findings lacks some optional members, as real ones do.
    if (chance(rng, 0.125)) {
        switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
            case 0:
                f.erase("remediation");
                break;
            case 1:
                f.erase("vulnerability");
                break;
            case 2:
                f.erase("detectorTags");
                break;
            case 3:
                f["detectorTags"] = json::array();
                break;
            case 4:
                f.erase("updatedAt");
                break;
            case 5:
                f["remediation"]["suggestedFixes"] = json::array();
                break;
            case 6:
                f["vulnerability"].erase("filePath");
                break;
            case 7:
                f["vulnerability"]["filePath"]["codeSnippet"] = json::array();
                break;
            case 8:
                f.erase("resource");
                f.erase("ruleId");
                break;
            default:
                f["vulnerability"]["referenceUrls"] = json::array();
                f["vulnerability"]["relatedVulnerabilities"] = json::array();
                f.erase("description");
                break;
        }
    }
    return f;
}

std::size_t share(double fraction, std::size_t of) {
    if (fraction <= 0.0 || of == 0) return 0;
    const auto n = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(of)));
    return std::clamp<std::size_t>(n, 1, of);
}

// A strictly newer updatedAt for `finding`, in milliseconds.
std::int64_t bumped_ms(const json& finding, std::mt19937_64& rng) {
    std::int64_t last = kBaseEpochMs;
    for (const char* key : {"createdAt", "updatedAt"}) {
        if (finding.contains(key) && finding[key].is_number()) {
            last = std::max(last, epoch_ms_of(finding[key]));
        }
    }
    return random_time_ms(rng, last + 1000, kDayMs);
}

const std::string& scan_name_of(const std::vector<json>& findings) {
    static const std::string kDefault = "scan";
    for (const auto& f : findings) {
        if (f.contains("resource") && f["resource"].contains("id") &&
            f["resource"]["id"].is_string()) {
            return f["resource"]["id"].get_ref<const std::string&>();
        }
    }
    return kDefault;
}

}  // namespace

std::string uuid_like(std::mt19937_64& rng) {
    const std::uint64_t a = rng();
    const std::uint64_t b = rng();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
}

json epoch_seconds_json(std::int64_t epoch_ms) {
    if (epoch_ms % 1000 == 0) return epoch_ms / 1000;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(epoch_ms / 1000),
                  static_cast<long long>(epoch_ms % 1000));
    return std::strtod(buf, nullptr);
}

std::vector<json> generate_findings(const std::string& scan_name, std::size_t count,
                                    std::uint64_t seed) {
    std::mt19937_64 rng(seed ^ fnv1a(scan_name));
    std::unordered_set<std::string> ids;
    std::vector<json> findings;
    findings.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string id = unique_id(rng, ids);
        const std::int64_t created = random_time_ms(rng, kBaseEpochMs - 90 * kDayMs, 90 * kDayMs);
        findings.push_back(make_finding(scan_name, id, created, rng));
    }
    return findings;
}

EvolveSummary evolve_findings(std::vector<json>& findings, std::uint64_t seed,
                              const EvolveOptions& options) {
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    EvolveSummary summary;
    const std::size_t before = findings.size();

    std::unordered_set<std::string> ids;
    std::int64_t latest_ms = kBaseEpochMs;
    for (const auto& f : findings) {
        if (f.contains("id") && f["id"].is_string()) ids.insert(f["id"].get<std::string>());
        for (const char* key : {"createdAt", "updatedAt"}) {
            if (f.contains(key) && f[key].is_number()) {
                latest_ms = std::max(latest_ms, epoch_ms_of(f[key]));
            }
        }
    }

    std::vector<std::size_t> order(before);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> touched(before, false);
    const auto id_of = [&](std::size_t i) { return findings[i].value("id", std::string()); };

    std::size_t to_close = share(options.closed_fraction, before);
    for (const std::size_t i : order) {
        if (to_close == 0) break;
        if (findings[i].value("status", "Open") != "Open") continue;
        findings[i]["updatedAt"] = epoch_seconds_json(bumped_ms(findings[i], rng));
        findings[i]["status"] = "Closed";
        touched[i] = true;
        summary.closed_ids.push_back(id_of(i));
        --to_close;
    }

    static const std::vector<std::string> kSeverities = {"Critical", "High", "Medium", "Low",
                                                         "Info"};
    std::size_t to_update = share(options.updated_fraction, before);
    for (const std::size_t i : order) {
        if (to_update == 0) break;
        if (touched[i]) continue;
        json& f = findings[i];
        f["updatedAt"] = epoch_seconds_json(bumped_ms(f, rng));
        const std::string old_severity = f.value("severity", "");
        std::string severity = old_severity;
        while (severity == old_severity) severity = pick(rng, kSeverities);
        f["severity"] = severity;
        if (chance(rng, 0.5)) {
            f["title"] = f.value("title", std::string("Finding")) + " (re-detected)";
        }
        touched[i] = true;
        summary.updated_ids.push_back(id_of(i));
        --to_update;
    }

    std::size_t to_remove = share(options.removed_fraction, before);
    std::vector<bool> removed(before, false);
    for (const std::size_t i : order) {
        if (to_remove == 0) break;
        if (touched[i]) continue;
        removed[i] = true;
        summary.removed_ids.push_back(id_of(i));
        --to_remove;
    }
    if (!summary.removed_ids.empty()) {
        std::vector<json> kept;
        kept.reserve(before);
        for (std::size_t i = 0; i < before; ++i) {
            if (!removed[i]) kept.push_back(std::move(findings[i]));
        }
        findings = std::move(kept);
    }

    const std::string scan_name = scan_name_of(findings);
    const std::size_t to_add = share(options.new_fraction, std::max<std::size_t>(before, 1));
    for (std::size_t n = 0; n < to_add; ++n) {
        const std::string id = unique_id(rng, ids);
        const std::int64_t created = random_time_ms(rng, latest_ms + 1000, kDayMs);
        json f = make_finding(scan_name, id, created, rng);
        f["status"] = "Open";
        findings.push_back(std::move(f));
        summary.added_ids.push_back(id);
    }
    return summary;
}

json to_json(const EvolveSummary& summary) {
    return {{"added", summary.added()},        {"updated", summary.updated()},
            {"closed", summary.closed()},      {"removed", summary.removed()},
            {"addedIds", summary.added_ids},   {"updatedIds", summary.updated_ids},
            {"closedIds", summary.closed_ids}, {"removedIds", summary.removed_ids}};
}

}  // namespace codeguru::test
