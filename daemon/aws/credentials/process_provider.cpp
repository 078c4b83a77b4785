#include "aws/credentials/process_provider.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <utility>

#include "aws/credentials/credentials_json.hpp"
#include "aws/shared_config_files.hpp"
#include "util/stop_flag.hpp"

extern char** environ;

namespace codeguru::aws {

namespace {

constexpr std::size_t kMaxOutputBytes = 1024 * 1024;

// A file descriptor closed on destruction.
class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = -1;
    }

  private:
    int fd_;
};

// Waits for `pid` and returns its wait status.
int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

enum class ReadEnd { kEndOfFile, kTimeout, kStopped };

// Reads `from` until end of file, the size limit, the deadline or a stop.
ReadEnd read_all(int from, std::string& output, std::chrono::steady_clock::time_point deadline,
                 const std::string& what, const StopFlag* stop) {
    // Short polls, so that a stop is seen within a tenth of a second.
    constexpr std::chrono::milliseconds kSlice{100};
    char buffer[4096];
    while (true) {
        if (stop != nullptr && stop->stop_requested()) return ReadEnd::kStopped;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return ReadEnd::kTimeout;
        }
        pollfd descriptor{from, POLLIN, 0};
        const int ready = ::poll(&descriptor, 1, static_cast<int>(std::min(left, kSlice).count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0) {
            continue;
        }
        const ssize_t got = ::read(from, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return ReadEnd::kEndOfFile;
        }
        output.append(buffer, static_cast<std::size_t>(got));
        if (output.size() > kMaxOutputBytes) {
            throw CredentialsError(what + ": the output exceeds 1 MiB");
        }
    }
}

}  // namespace

Credentials run_credential_process(const std::string& command, std::chrono::milliseconds timeout,
                                   const std::string& what, const StopFlag* stop) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw CredentialsError(what + ": cannot create a pipe: " + std::strerror(errno));
    }
    Fd read_end(pipe_fds[0]);
    Fd write_end(pipe_fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    std::string shell = "/bin/sh";
    std::string dash_c = "-c";
    std::string command_copy = command;
    char* argv[] = {shell.data(), dash_c.data(), command_copy.data(), nullptr};
    // A process group of its own, so that a timeout kills whatever the command started.
    // And a clean start: the daemon blocks SIGTERM/SIGINT/SIGHUP in every thread (they
    // are taken by its signal watcher) and ignores SIGPIPE, neither of which the command
    // should inherit.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t all_signals;
    sigfillset(&all_signals);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &all_signals);
    posix_spawnattr_setflags(
        &attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        throw CredentialsError(what + ": cannot start /bin/sh: " + std::strerror(spawned));
    }
    write_end.reset();

    std::string output;
    ReadEnd end = ReadEnd::kEndOfFile;
    try {
        end = read_all(read_end.get(), output, std::chrono::steady_clock::now() + timeout, what,
                       stop);
    } catch (const CredentialsError&) {
        ::kill(-pid, SIGKILL);
        reap(pid);
        throw;
    }
    if (end != ReadEnd::kEndOfFile) {
        ::kill(-pid, SIGKILL);
        reap(pid);
        throw CredentialsError(what +
                               (end == ReadEnd::kStopped
                                    ? std::string(": stop requested; the process was killed")
                                    : ": no answer within " + std::to_string(timeout.count()) +
                                          " ms; the process was killed"));
    }
    const int status = reap(pid);
    if (WIFSIGNALED(status)) {
        throw CredentialsError(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
    }
    if (WEXITSTATUS(status) != 0) {
        throw CredentialsError(what + ": exited with status " +
                               std::to_string(WEXITSTATUS(status)));
    }

    const nlohmann::json document = nlohmann::json::parse(output, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        throw CredentialsError(what + ": the output is not a JSON object");
    }
    const auto version = document.find("Version");
    if (version == document.end() || !version->is_number_integer() || version->get<int>() != 1) {
        throw CredentialsError(what + ": the output lacks \"Version\": 1");
    }
    return parse_credentials_json(output, "SessionToken", what);
}

ProcessProvider::ProcessProvider(std::string explicit_profile, EnvLookup env,
                                 std::chrono::milliseconds timeout, const StopFlag* stop)
    : explicit_profile_(std::move(explicit_profile)),
      env_(std::move(env)),
      timeout_(timeout),
      stop_(stop) {}

std::optional<Credentials> ProcessProvider::resolve() {
    const ProfileSelection profile = select_profile(explicit_profile_, env_);
    const SharedConfigFiles files = SharedConfigFiles::load(env_);
    const auto command = files.value(profile.name, "credential_process");
    if (!command) {
        return std::nullopt;
    }
    spdlog::debug("credential_process: running the command of profile {}", profile.name);
    Credentials credentials =
        run_credential_process(command->value, timeout_,
                               "credential_process of AWS profile '" + profile.name + "'", stop_);
    credentials.source = "credential_process of profile " + profile.name;
    return credentials;
}

}  // namespace codeguru::aws
