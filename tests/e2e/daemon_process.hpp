#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace codeguru::test {

// The built daemon: CODEGURU_BIN_DIR "/daemon/codeguru-syncd".
std::filesystem::path daemon_binary();

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to path()/name (replacing it) and returns the file's path.
    std::filesystem::path write_file(const std::string& name, const std::string& text) const;

  private:
    std::filesystem::path path_;
};

// How a child process ended.
struct ExitStatus {
    bool exited = false;  // by exit(); otherwise killed by `signal`
    int code = 0;
    int signal = 0;

    bool exited_with(int expected) const { return exited && code == expected; }
    std::string describe() const;  // "exit 0", "signal 9 (Killed)"
};

// A daemon config in the shape the tests use; render() gives the INI text.
struct DaemonConfig {
    std::string endpoint;  // http://127.0.0.1:PORT
    std::string database_url;
    std::string schema;
    std::vector<std::string> scans;
    int page_size = 10;
    int max_attempts = 3;
    int concurrency = 2;
    std::string interval = "1h";
    std::string extra;  // appended verbatim (more sections or keys)

    std::string render() const;
};

// The environment of a test daemon: the test's own environment without AWS_* and
// systemd variables, plus the fake API's credentials.
std::vector<std::pair<std::string, std::string>> daemon_environment();

// One codeguru-syncd child process with stdin from /dev/null and stdout/stderr captured in
// files of `log_dir`. Killed (SIGKILL) and reaped on destruction if still running.
// Not thread-safe.
class DaemonProcess {
  public:
    // Spawns the daemon with `args` (argv[1..]) and exactly `env` as its environment.
    // Throws std::runtime_error when the process cannot be started.
    DaemonProcess(
        const std::filesystem::path& log_dir, const std::vector<std::string>& args,
        const std::vector<std::pair<std::string, std::string>>& env = daemon_environment());
    ~DaemonProcess();
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();  // reaps the child if it has ended
    std::optional<ExitStatus> status() const { return status_; }

    // Waits up to `timeout` for the child to end; nullopt if it is still running.
    std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
    void send(int signal);
    // SIGKILL, then reaps it.
    ExitStatus kill();

    std::string stdout_text() const;
    std::string stderr_text() const;

  private:
    bool reap(bool block);

    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
};

// A daemon run to its end: exit status and captured output.
struct DaemonRun {
    ExitStatus status;
    std::string out;
    std::string err;
};

// Runs the daemon with `args` in `dir` and waits for it (SIGKILL and a failed test
// via std::runtime_error when it outlasts `timeout`).
DaemonRun run_daemon(const TempDir& dir, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Polls `condition` every `interval` until it holds (true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10));

// The lines of `text` that are not empty.
std::vector<std::string> non_empty_lines(const std::string& text);

// Runs a shell command to its end; its stdout and stderr together.
// Throws std::runtime_error when the command cannot be started.
struct CommandResult {
    int exit_code = -1;  // -1 when it did not exit normally
    std::string output;
};
CommandResult run_command(const std::string& command);

}  // namespace codeguru::test
