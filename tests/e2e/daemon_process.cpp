#include "daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace codeguru::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Variables that would let the child pick other credentials or talk to systemd.
bool inherited(const std::string& name) {
    return !name.starts_with("AWS_") && name != "JOURNAL_STREAM" && name != "NOTIFY_SOCKET" &&
           name != "WATCHDOG_USEC" && name != "WATCHDOG_PID";
}

// posix_spawn attributes that give the child default signal dispositions and an empty
// mask, whatever the test runner blocked or ignored.
class SpawnAttributes {
  public:
    SpawnAttributes() {
        posix_spawnattr_init(&attr_);
        sigset_t all;
        sigfillset(&all);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigdefault(&attr_, &all);
        posix_spawnattr_setsigmask(&attr_, &none);
        posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    const posix_spawnattr_t* get() const { return &attr_; }

  private:
    posix_spawnattr_t attr_;
};

class FileActions {
  public:
    FileActions(const std::string& out, const std::string& err) {
        posix_spawn_file_actions_init(&actions_);
        posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions_, STDOUT_FILENO, out.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions_, STDERR_FILENO, err.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    const posix_spawn_file_actions_t* get() const { return &actions_; }

  private:
    posix_spawn_file_actions_t actions_;
};

}  // namespace

std::filesystem::path daemon_binary() {
    return std::filesystem::path(CODEGURU_BIN_DIR) / "daemon" / "codeguru-syncd";
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cg-e2e.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write_file(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
    return file;
}

std::string ExitStatus::describe() const {
    if (exited) return "exit " + std::to_string(code);
    const char* name = ::strsignal(signal);
    return "signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
}

std::string DaemonConfig::render() const {
    std::string text =
        "[aws]\nregion = us-east-1\nendpoint = " + endpoint +
        "\nrequests_per_second = 1000\nmax_attempts = " + std::to_string(max_attempts) +
        "\n[database]\nurl = " + database_url + "\nschema = " + schema + "\n[sync]\n";
    for (const auto& scan : scans) text += "scan = " + scan + "\n";
    text += "page_size = " + std::to_string(page_size) + "\n";
    text += "concurrency = " + std::to_string(concurrency) + "\n";
    text += "interval = " + interval + "\n";
    text += extra;
    return text;
}

std::vector<std::pair<std::string, std::string>> daemon_environment() {
    std::vector<std::pair<std::string, std::string>> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        const auto eq = text.find('=');
        if (eq == std::string::npos) continue;
        std::string name = text.substr(0, eq);
        if (inherited(name)) env.emplace_back(std::move(name), text.substr(eq + 1));
    }
    env.emplace_back("AWS_ACCESS_KEY_ID", "AKIDFAKEEXAMPLE");
    env.emplace_back("AWS_SECRET_ACCESS_KEY", "fake/secret+key");
    // Nothing outside the environment provider should ever be consulted.
    env.emplace_back("AWS_EC2_METADATA_DISABLED", "true");
    return env;
}

DaemonProcess::DaemonProcess(const std::filesystem::path& log_dir,
                             const std::vector<std::string>& args,
                             const std::vector<std::pair<std::string, std::string>>& env) {
    static std::atomic<int> counter{0};
    const std::string stem = "daemon-" + std::to_string(counter++);
    stdout_path_ = log_dir / (stem + ".out");
    stderr_path_ = log_dir / (stem + ".err");

    const std::string binary = daemon_binary().string();
    std::vector<std::string> argv_text{binary};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    const SpawnAttributes attributes;
    const FileActions actions(stdout_path_.string(), stderr_path_.string());
    const int error = ::posix_spawn(&pid_, binary.c_str(), actions.get(), attributes.get(),
                                    argv.data(), envp.data());
    if (error != 0) {
        pid_ = -1;
        throw std::system_error(error, std::generic_category(), "posix_spawn " + binary);
    }
}

DaemonProcess::~DaemonProcess() {
    if (pid_ <= 0 || status_) return;
    try {
        kill();
    } catch (const std::exception&) {
        // waitpid failed: nothing more a destructor can do.
    }
}

bool DaemonProcess::reap(bool block) {
    if (status_) return true;
    int raw = 0;
    pid_t got = 0;
    do {
        got = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got == 0) return false;
    if (got < 0) throw std::system_error(errno, std::generic_category(), "waitpid");
    ExitStatus status;
    status.exited = WIFEXITED(raw);
    status.code = status.exited ? WEXITSTATUS(raw) : 0;
    status.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
    status_ = status;
    return true;
}

bool DaemonProcess::running() {
    return !reap(false);
}

std::optional<ExitStatus> DaemonProcess::wait_for(std::chrono::milliseconds timeout) {
    wait_until([this] { return reap(false); }, timeout, std::chrono::milliseconds(5));
    return status_;
}

void DaemonProcess::send(int signal) {
    if (status_) throw std::logic_error("signal to a daemon that has ended");
    if (::kill(pid_, signal) != 0) throw std::system_error(errno, std::generic_category(), "kill");
}

ExitStatus DaemonProcess::kill() {
    if (!status_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    return *status_;
}

std::string DaemonProcess::stdout_text() const {
    return read_file(stdout_path_);
}

std::string DaemonProcess::stderr_text() const {
    return read_file(stderr_path_);
}

DaemonRun run_daemon(const TempDir& dir, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout) {
    DaemonProcess daemon(dir.path(), args);
    const auto status = daemon.wait_for(timeout);
    if (!status) {
        daemon.kill();
        throw std::runtime_error("codeguru-syncd did not exit within " +
                                 std::to_string(timeout.count()) + " ms; stderr:\n" +
                                 daemon.stderr_text());
    }
    return DaemonRun{*status, daemon.stdout_text(), daemon.stderr_text()};
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

std::vector<std::string> non_empty_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    }
    return lines;
}

CommandResult run_command(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

}  // namespace codeguru::test
