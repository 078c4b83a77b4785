#include <catch2/catch.hpp>

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

const std::string kBinary = std::string(CODEGURU_BIN_DIR) + "/tests/codeguru-fake-api";

// codeguru-fake-api as a child process, stopped with SIGTERM on destruction.
class FakeApiProcess {
  public:
    explicit FakeApiProcess(std::vector<std::string> args) {
        char dir_template[] = "/tmp/fake-api-test-XXXXXX";
        REQUIRE(mkdtemp(dir_template) != nullptr);
        dir_ = dir_template;
        port_file_ = dir_ + "/port";
        args.insert(args.begin(), kBinary);
        args.push_back("--port-file");
        args.push_back(port_file_);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const int null_fd = open("/dev/null", O_WRONLY);
            dup2(null_fd, STDOUT_FILENO);
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            execv(kBinary.c_str(), argv.data());
            _exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            std::ifstream in(port_file_);
            if (in >> port_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        FAIL("codeguru-fake-api did not write its port file");
    }

    ~FakeApiProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        std::remove(port_file_.c_str());
        rmdir(dir_.c_str());
    }

    int port() const { return port_; }

    // Sends SIGTERM and returns the exit status.
    int terminate() {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    std::string dir_;
    std::string port_file_;
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace

TEST_CASE("the fake API binary serves generated scans and exits 0 on SIGTERM", "[fake_api_main]") {
    FakeApiProcess process({"--no-verify", "--generate", "demo=25", "--seed", "3"});
    httplib::Client client("127.0.0.1", process.port());
    const auto page = client.Get("/findings/demo?maxResults=10");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(json::parse(page->body)["findings"].size() == 10);
    CHECK(process.terminate() == 0);
}

TEST_CASE("the fake API binary's control endpoints inject faults, evolve and show the log",
          "[fake_api_main]") {
    FakeApiProcess process({"--no-verify", "--generate", "demo=40"});
    httplib::Client client("127.0.0.1", process.port());

    const auto fault =
        client.Post("/_fake/fault?kind=throttle&count=1&scan=demo", "", "text/plain");
    REQUIRE(fault);
    CHECK(fault->status == 200);
    CHECK(client.Get("/findings/demo")->status == 429);
    CHECK(client.Get("/findings/demo")->status == 200);

    const auto bad = client.Post("/_fake/fault?kind=nonsense", "", "text/plain");
    REQUIRE(bad);
    CHECK(bad->status == 400);

    const auto evolved =
        client.Post("/_fake/evolve?scan=demo&seed=2&new=0.25&updated=0&closed=0", "", "text/plain");
    REQUIRE(evolved);
    REQUIRE(evolved->status == 200);
    CHECK(json::parse(evolved->body)["added"] == 10);
    CHECK(json::parse(client.Get("/findings/demo")->body)["findings"].size() == 50);

    const auto log = client.Get("/_fake/requests");
    REQUIRE(log);
    const json requests = json::parse(log->body);
    REQUIRE(requests.size() == 3);
    CHECK(requests[0]["status"] == 429);
    CHECK(requests[0]["fault"] == "throttle");
    CHECK(requests[1]["fault"].is_null());
}

TEST_CASE("the fake API binary loads scans from a data file and checks signatures",
          "[fake_api_main]") {
    char path_template[] = "/tmp/fake-api-data-XXXXXX";
    const int fd = mkstemp(path_template);
    REQUIRE(fd >= 0);
    close(fd);
    {
        std::ofstream out(path_template);
        out << R"({"from-file": [{"id": "f-1", "status": "Open"}, {"id": "f-2"}]})";
    }
    FakeApiProcess process({"--data", path_template});
    httplib::Client client("127.0.0.1", process.port());
    const auto unsigned_request = client.Get("/findings/from-file");
    REQUIRE(unsigned_request);
    CHECK(unsigned_request->status == 403);
    const auto scans = client.Get("/_fake/scans/from-file");
    REQUIRE(scans);
    CHECK(json::parse(scans->body).size() == 2);
    std::remove(path_template);
}
