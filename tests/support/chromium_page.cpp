#include "chromium_page.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace codeguru::test {

namespace {

namespace fs = std::filesystem;

std::runtime_error chromium_error(const std::string& what) {
    return std::runtime_error("chromium page: " + what);
}

std::runtime_error sys_error(const std::string& what) {
    return chromium_error(what + ": " + std::strerror(errno));
}

// Flags that keep Chromium headless, deterministic and quiet on the network. The last group stops
// the background traffic observed with Debian's chromium 156 through the recording proxy even with
// --disable-background-networking: the network time query (clients2.google.com), the component
// updater (update.googleapis.com) and the account checks (accounts.google.com). The last two still
// try their replacement URL, which names the discard port 9: Chromium refuses that port
// (ERR_UNSAFE_PORT) before connecting, so nothing reaches the proxy, whereas a page's fetch to any
// host on any other port does.
const std::vector<std::string> kFixedFlags = {
    "--headless",
    "--no-sandbox",  // tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-component-extensions-with-background-pages",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--metrics-recording-only",
    "--allow-browser-signin=false",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,"
    "MediaRouter,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--component-updater=url-source=http://127.0.0.1:9/",
    "--gaia-url=http://127.0.0.1:9/",
    // Console messages go to stderr as `[...:INFO:CONSOLE:<line>] "<message>", source: ...`.
    "--enable-logging=stderr",
    "--v=0",
};

// An HTTP proxy on 127.0.0.1:<ephemeral> that serves nothing: it reads each connection's first
// request line, records it, answers 502 and closes. One poll thread for all connections.
class RecordingProxy {
  public:
    RecordingProxy() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) throw sys_error("socket");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listen_fd_, 64) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            const auto error = sys_error("proxy listen");
            ::close(listen_fd_);
            throw error;
        }
        port_ = ntohs(address.sin_port);
        int wake[2];
        if (::pipe2(wake, O_CLOEXEC) != 0) {
            const auto error = sys_error("pipe");
            ::close(listen_fd_);
            throw error;
        }
        wake_read_fd_ = wake[0];
        wake_write_fd_ = wake[1];
        thread_ = std::thread([this] { run(); });
    }

    ~RecordingProxy() {
        stop();
        ::close(listen_fd_);
        ::close(wake_read_fd_);
        ::close(wake_write_fd_);
    }

    RecordingProxy(const RecordingProxy&) = delete;
    RecordingProxy& operator=(const RecordingProxy&) = delete;

    std::uint16_t port() const { return port_; }

    // Stops the thread (connections still open are recorded as they are) and returns every recorded
    // request line.
    std::vector<std::string> stop() {
        if (thread_.joinable()) {
            const char byte = 0;
            [[maybe_unused]] const auto written = ::write(wake_write_fd_, &byte, 1);
            thread_.join();
        }
        const std::lock_guard lock(mutex_);
        return requests_;
    }

  private:
    struct Client {
        int fd;
        std::string received;
    };

    void record(const std::string& received) {
        const auto end = received.find("\r\n");
        std::string line = received.substr(0, end);
        if (line.empty()) line = "(connection without a request)";
        const std::lock_guard lock(mutex_);
        requests_.push_back(std::move(line));
    }

    void finish(Client& client) {
        record(client.received);
        static constexpr char kResponse[] =
            "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: "
            "close\r\n\r\n";
        [[maybe_unused]] const auto sent =
            ::send(client.fd, kResponse, sizeof kResponse - 1, MSG_NOSIGNAL);
        ::close(client.fd);
    }

    void run() {
        std::vector<Client> clients;
        for (;;) {
            std::vector<pollfd> fds{{wake_read_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
            for (const auto& client : clients) fds.push_back({client.fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (fds[0].revents != 0) break;
            std::vector<Client> still_open;
            for (std::size_t i = 0; i < clients.size(); ++i) {
                auto& client = clients[i];
                if (fds[i + 2].revents == 0) {
                    still_open.push_back(std::move(client));
                    continue;
                }
                char buffer[4096];
                const auto got = ::recv(client.fd, buffer, sizeof buffer, 0);
                if (got > 0) client.received.append(buffer, static_cast<std::size_t>(got));
                if (got <= 0 || client.received.find("\r\n") != std::string::npos ||
                    client.received.size() > 8192) {
                    finish(client);
                } else {
                    still_open.push_back(std::move(client));
                }
            }
            clients = std::move(still_open);
            if (fds[1].revents != 0) {
                const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) clients.push_back({fd, {}});
            }
        }
        for (auto& client : clients) finish(client);
    }

    int listen_fd_ = -1;
    int wake_read_fd_ = -1;
    int wake_write_fd_ = -1;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

// A directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "chromium-page-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw sys_error("mkdtemp");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string file_url(const fs::path& html) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string url = "file://";
    for (const unsigned char c : fs::absolute(html).lexically_normal().string()) {
        if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            url += static_cast<char>(c);
        } else {
            url += '%';
            url += kHex[c >> 4];
            url += kHex[c & 0xf];
        }
    }
    return url;
}

// Runs argv in its own process group with stdout and stderr to files; kills the whole group when it
// exits (renderer or GPU processes left behind) or when the timeout passes.
void run_chromium(const std::vector<std::string>& args, const fs::path& out_file,
                  const fs::path& err_file, std::chrono::seconds timeout) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw sys_error("fork");
    if (pid == 0) {
        ::setpgid(0, 0);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0) ::_exit(126);
        ::dup2(in, STDIN_FILENO);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    // Also here, so that the group exists before a timeout could kill it.
    ::setpgid(pid, pid);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) throw sys_error("waitpid");
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            throw chromium_error("timed out after " + std::to_string(timeout.count()) +
                                 " s; stderr:\n" + read_file(err_file));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid, SIGKILL);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        throw chromium_error("cannot run " + args[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw chromium_error(args[0] + " failed (status " + std::to_string(status) +
                             "); stderr:\n" + read_file(err_file));
}

// `[pid:tid:time:INFO:CONSOLE:12] "message", source: file:///x.html (12)`; older builds print
// `CONSOLE(12)`. A message with newlines continues on the following lines.
std::vector<std::string> console_messages(const std::string& log) {
    std::vector<std::string> messages;
    std::istringstream lines(log);
    std::string line;
    std::string pending;
    bool in_message = false;
    const auto close_if_complete = [&] {
        const auto source = pending.rfind("\", source: ");
        if (source == std::string::npos) return;
        messages.push_back(pending.substr(0, source));
        pending.clear();
        in_message = false;
    };
    while (std::getline(lines, line)) {
        if (in_message) {
            pending += '\n' + line;
            close_if_complete();
            continue;
        }
        const auto tag = line.find(":CONSOLE");
        if (tag == std::string::npos) continue;
        const auto start = line.find("] \"", tag);
        if (start == std::string::npos) continue;
        pending = line.substr(start + 3);
        in_message = true;
        close_if_complete();
    }
    if (in_message) messages.push_back(pending);
    return messages;
}

void append_utf8(std::string& out, unsigned long code_point) {
    if (code_point > 0x10ffff) code_point = 0xfffd;
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xc0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3f));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xe0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code_point & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code_point & 0x3f));
    }
}

// Decodes the entities Chromium's serializer writes (&amp; &lt; &gt; &quot; &nbsp;) and numeric
// ones; &nbsp; becomes U+00A0.
std::string decode_entities(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const auto end = text.find(';', i);
        if (end == std::string::npos || end - i > 10) {
            out += '&';
            continue;
        }
        const std::string name = text.substr(i + 1, end - i - 1);
        if (name == "amp")
            out += '&';
        else if (name == "lt")
            out += '<';
        else if (name == "gt")
            out += '>';
        else if (name == "quot")
            out += '"';
        else if (name == "apos" || name == "#39")
            out += '\'';
        else if (name == "nbsp")
            out += "\xc2\xa0";
        else if (name.size() > 1 && name[0] == '#') {
            const bool hex = name[1] == 'x' || name[1] == 'X';
            append_utf8(out, std::strtoul(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10));
        } else {
            out += '&';
            continue;
        }
        i = end;
    }
    return out;
}

std::string first_title(const std::string& dom) {
    const auto open = dom.find("<title");
    if (open == std::string::npos) return "";
    const auto text_start = dom.find('>', open);
    const auto close = dom.find("</title>", open);
    if (text_start == std::string::npos || close == std::string::npos || close < text_start)
        return "";
    return decode_entities(dom.substr(text_start + 1, close - text_start - 1));
}

// Removes every <tag ...>...</tag> element (the serializer writes tag names in lower case).
std::string drop_elements(const std::string& dom, const std::string& tag) {
    std::string out;
    std::size_t at = 0;
    for (;;) {
        auto open = dom.find("<" + tag, at);
        // <header> is not <head>: the name must end here.
        while (open != std::string::npos) {
            const char next = open + tag.size() + 1 < dom.size() ? dom[open + tag.size() + 1] : '>';
            if (next == '>' || next == ' ' || next == '/') break;
            open = dom.find("<" + tag, open + 1);
        }
        if (open == std::string::npos) break;
        out.append(dom, at, open - at);
        const auto close = dom.find("</" + tag + ">", open);
        if (close == std::string::npos) return out;
        at = close + tag.size() + 3;
    }
    out.append(dom, at, std::string::npos);
    return out;
}

}  // namespace

std::string visible_text(const std::string& dom) {
    std::string body = dom;
    for (const char* tag : {"head", "script", "style"}) body = drop_elements(body, tag);
    std::string text;
    bool in_tag = false;
    for (const char c : body) {
        if (c == '<') {
            in_tag = true;
            text += ' ';  // block boundaries separate words
        } else if (c == '>') {
            in_tag = false;
        } else if (!in_tag) {
            text += c;
        }
    }
    std::string decoded = decode_entities(text);
    std::string folded;
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        const bool nbsp = decoded.compare(i, 2, "\xc2\xa0") == 0;
        if (nbsp || std::isspace(static_cast<unsigned char>(decoded[i])) != 0) {
            if (!folded.empty() && folded.back() != ' ') folded += ' ';
            if (nbsp) ++i;
        } else {
            folded += decoded[i];
        }
    }
    while (!folded.empty() && folded.back() == ' ') folded.pop_back();
    return folded;
}

ChromiumResult open_in_chromium(const fs::path& html, const ChromiumOptions& options) {
    if (!fs::is_regular_file(html)) throw chromium_error("no such file: " + html.string());
    const TempDir temp;
    const auto screenshot = temp.path() / "screenshot.png";
    const auto out_file = temp.path() / "stdout";
    const auto err_file = temp.path() / "stderr";
    RecordingProxy proxy;

    std::vector<std::string> args{options.binary.string()};
    args.insert(args.end(), kFixedFlags.begin(), kFixedFlags.end());
    args.push_back("--user-data-dir=" + (temp.path() / "profile").string());
    args.push_back("--window-size=" + std::to_string(options.window_width) + "," +
                   std::to_string(options.window_height));
    args.push_back("--proxy-server=http://127.0.0.1:" + std::to_string(proxy.port()));
    // Without this Chromium sends loopback hosts direct; with it every host goes to the proxy.
    args.push_back("--proxy-bypass-list=<-loopback>");
    args.push_back("--dump-dom");
    args.push_back("--screenshot=" + screenshot.string());
    args.push_back(file_url(html));

    run_chromium(args, out_file, err_file, options.timeout);

    ChromiumResult result;
    result.network_requests = proxy.stop();
    result.dom = read_file(out_file);
    result.title = first_title(result.dom);
    result.browser_log = read_file(err_file);
    result.console_messages = console_messages(result.browser_log);
    const std::string png = read_file(screenshot);
    if (png.empty()) throw chromium_error("no screenshot written; stderr:\n" + result.browser_log);
    result.screenshot_png.assign(png.begin(), png.end());
    return result;
}

}  // namespace codeguru::test
