#include "store/database.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/conninfo.hpp"

namespace codeguru::store {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Cancel = std::shared_ptr<PGcancel>;

constexpr auto kServerFirst = std::chrono::seconds(2);

// What a connection attempt needs from the Database that starts it. libpqxx constructs the
// connection policy from the conninfo alone, so the attempt finds its context here; it is
// set only around the constructor call in Database::connect (same thread).
struct ConnectContext {
    const StopFlag* stop = nullptr;
    std::chrono::milliseconds connect_timeout{};
    std::chrono::milliseconds stop_grace{};
    Cancel cancel;  // out: the connection's cancel key, taken while nothing else uses it
    int fd = -1;    // out
};
thread_local ConnectContext* current_connect = nullptr;

std::string trimmed(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// Waits for `fd` to become readable or writable, at most `timeout`. False on a timeout.
bool wait_socket(int fd, bool for_write, std::chrono::milliseconds timeout) {
    pollfd descriptor{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(timeout.count()));
    return ready != 0;  // an error (EINTR included) lets the caller poll libpq again
}

// libpq's non-blocking connect, polled in short steps so that a stop or the deadline ends
// it: PQconnectPoll does not apply connect_timeout by itself.
PGconn* connect_polled(const std::string& conninfo, const ConnectContext& context) {
    PGconn* connection = PQconnectStart(conninfo.c_str());
    if (connection == nullptr) throw std::bad_alloc();
    const auto started = SteadyClock::now();
    const auto fail = [&](const std::string& reason) {
        PQfinish(connection);
        throw pqxx::broken_connection(reason);
    };
    std::optional<SteadyClock::time_point> stop_seen;
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    for (;;) {
        if (PQstatus(connection) == CONNECTION_BAD) fail(trimmed(PQerrorMessage(connection)));
        if (status == PGRES_POLLING_OK) return connection;
        const auto now = SteadyClock::now();
        if (context.stop != nullptr && context.stop->stop_requested()) {
            if (!stop_seen) stop_seen = now;
            if (now - *stop_seen >= context.stop_grace) fail("stop requested while connecting");
        }
        if (now - started >= context.connect_timeout) {
            fail("no connection within " +
                 std::to_string(
                     std::chrono::duration_cast<std::chrono::seconds>(context.connect_timeout)
                         .count()) +
                 " s (connect_timeout)");
        }
        if (status == PGRES_POLLING_FAILED) fail(trimmed(PQerrorMessage(connection)));
        wait_socket(PQsocket(connection), status == PGRES_POLLING_WRITING,
                    std::chrono::milliseconds(100));
        status = PQconnectPoll(connection);
    }
}

// The libpqxx connection policy behind every daemon connection: connect_polled, and the
// connection's cancel key and socket handed back to Database::connect.
class WatchedConnect : public pqxx::connectionpolicy {
  public:
    explicit WatchedConnect(const std::string& options) : pqxx::connectionpolicy(options) {}

    handle do_startconnect(handle original) override {
        if (original != nullptr) return original;
        if (current_connect == nullptr) {
            // Only Database::connect constructs these: libpqxx's implicit reactivation of a
            // broken connection fails here, and the caller reconnects through the Database.
            throw pqxx::broken_connection("connection attempt outside Database::connect");
        }
        PGconn* connection = connect_polled(options(), *current_connect);
        current_connect->cancel = Cancel(PQgetCancel(connection), &PQfreeCancel);
        current_connect->fd = PQsocket(connection);
        return connection;
    }
};

// The connect timeout the conninfo asks for (libpq's connect_timeout, seconds; at least 2).
std::chrono::milliseconds connect_timeout_of(const std::string& conninfo) {
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> parsed(
        PQconninfoParse(conninfo.c_str(), nullptr), &PQconninfoFree);
    for (const PQconninfoOption* o = parsed.get(); o != nullptr && o->keyword != nullptr; ++o) {
        if (std::string_view(o->keyword) == "connect_timeout" && o->val != nullptr) {
            const int seconds = std::atoi(o->val);
            if (seconds > 0) timeout = std::chrono::seconds(std::max(seconds, 2));
        }
    }
    return timeout;
}

// Does the server answer SELECT 1 on a fresh connection within `timeout`?
bool server_answers(const std::string& conninfo, std::chrono::milliseconds timeout) {
    ConnectContext context;
    context.connect_timeout = timeout;
    const auto deadline = SteadyClock::now() + timeout;
    PGconn* connection = nullptr;
    try {
        connection = connect_polled(conninfo, context);
    } catch (const std::exception&) {
        return false;
    }
    const std::unique_ptr<PGconn, void (*)(PGconn*)> owned(connection, &PQfinish);
    if (PQsendQuery(connection, "SELECT 1") == 0) return false;
    while (SteadyClock::now() < deadline) {
        if (PQconsumeInput(connection) == 0) return false;
        if (PQisBusy(connection) == 0) {
            bool ok = false;
            while (PGresult* result = PQgetResult(connection)) {
                ok = ok || PQresultStatus(result) == PGRES_TUPLES_OK;
                PQclear(result);
            }
            return ok;
        }
        wait_socket(PQsocket(connection), false, std::chrono::milliseconds(100));
    }
    return false;
}

void cancel_in_background(Cancel cancel) {
    if (!cancel) return;
    // PQcancel opens its own connection and waits for the server to close it, with no
    // timeout of its own: a stalled server must not stall the watchdog.
    std::thread([cancel = std::move(cancel)] {
        char error[256];
        PQcancel(cancel.get(), error, sizeof error);
    }).detach();
}

}  // namespace

struct DatabaseConnection::Handle {
    std::unique_ptr<pqxx::basic_connection_base<WatchedConnect>> connection;
    Cancel cancel;
    int fd = -1;
};

// Watches every call in flight: see DatabaseOptions for the deadlines it applies.
class Database::Watchdog {
  public:
    Watchdog(Database& database) : database_(database), thread_([this] { run(); }) {}

    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            shutdown_ = true;
        }
        wake_.notify_all();
        thread_.join();
        std::unique_lock lock(mutex_);
        probes_done_.wait(lock, [this] { return probes_ == 0; });  // each ends by probe_timeout
    }

    std::uint64_t add(const Cancel& cancel, int fd) {
        std::lock_guard lock(mutex_);
        const std::uint64_t id = ++next_id_;
        Call call;
        call.cancel = cancel;
        call.fd = fd;
        call.started = SteadyClock::now();
        calls_.emplace(id, std::move(call));
        return id;
    }

    void remove(std::uint64_t id) {
        std::lock_guard lock(mutex_);
        calls_.erase(id);
    }

    long abandoned() const {
        std::lock_guard lock(mutex_);
        return abandoned_;
    }

  private:
    struct Call {
        Cancel cancel;
        int fd = -1;
        SteadyClock::time_point started;
        bool cancelled = false;
        std::optional<SteadyClock::time_point> cancelled_at;
        bool abandoned = false;
        SteadyClock::time_point next_probe{};
        bool probing = false;
    };

    void run() {
        std::unique_lock lock(mutex_);
        while (!shutdown_) {
            wake_.wait_for(lock, std::chrono::milliseconds(100));
            if (shutdown_) break;
            const auto now = SteadyClock::now();
            if (database_.stop_.stop_requested() && !stop_seen_) stop_seen_ = now;
            for (auto& [id, call] : calls_) check(id, call, now);
        }
    }

    // REQUIRES mutex_.
    void check(std::uint64_t id, Call& call, SteadyClock::time_point now) {
        if (call.abandoned) return;
        const DatabaseOptions& o = database_.options_;
        if (stop_seen_) {
            const auto since = now - std::max(*stop_seen_, call.started);
            if (since >= o.stop_grace + o.stop_abandon)
                return abandon(call, "a stop was requested");
            if (since >= o.stop_grace) cancel(call, now, "a stop was requested");
        }
        const auto elapsed = now - call.started;
        if (elapsed >= o.statement_timeout + o.cancel_grace) {
            return abandon(call, "no answer after the statement timeout and a cancel");
        }
        // The server cancels at statement_timeout itself (when it took the startup option);
        // a cancel from here comes later, so that it cannot hit the caller's next statement.
        if (elapsed >= o.statement_timeout + kServerFirst) {
            cancel(call, now, "statement_timeout passed");
        }
        if (elapsed >= o.probe_after && !call.probing && now >= call.next_probe)
            start_probe(id, call);
    }

    // REQUIRES mutex_.
    void cancel(Call& call, SteadyClock::time_point now, const char* why) {
        if (call.cancelled) return;
        call.cancelled = true;
        call.cancelled_at = now;
        spdlog::warn("database: cancelling a statement: {}", why);
        cancel_in_background(call.cancel);
    }

    // REQUIRES mutex_. The caller's libpq call fails as on a lost connection; the socket
    // stays open (owned by libpq) until the connection is destroyed.
    void abandon(Call& call, const char* why) {
        call.abandoned = true;
        ++abandoned_;
        spdlog::warn("database: abandoning a call on its connection: {}", why);
        ::shutdown(call.fd, SHUT_RDWR);
    }

    // REQUIRES mutex_.
    void start_probe(std::uint64_t id, Call& call) {
        call.probing = true;
        const std::string conninfo = database_.conninfo();
        const auto timeout = database_.options_.probe_timeout;
        ++probes_;
        std::thread([this, id, conninfo, timeout] {
            const bool answers = server_answers(conninfo, timeout);
            std::lock_guard lock(mutex_);
            if (const auto it = calls_.find(id); it != calls_.end()) {
                it->second.probing = false;
                it->second.next_probe = SteadyClock::now() + database_.options_.probe_after;
                if (!answers && !it->second.abandoned) {
                    abandon(it->second, "the server did not answer a probe on a fresh connection");
                }
            }
            if (--probes_ == 0) probes_done_.notify_all();
        }).detach();
    }

    Database& database_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool shutdown_ = false;
    std::optional<SteadyClock::time_point> stop_seen_;
    std::uint64_t next_id_ = 0;
    std::map<std::uint64_t, Call> calls_;
    long abandoned_ = 0;
    int probes_ = 0;  // probe threads running
    std::condition_variable probes_done_;
    std::thread thread_;  // last: starts once everything above exists
};

Database::Database(DatabaseOptions options, StopFlag& stop)
    : options_(std::move(options)), stop_(stop) {
    effective_conninfo(options_.url, options_.statement_timeout, true);  // validates the URL
    watchdog_ = std::make_unique<Watchdog>(*this);
}

Database::~Database() = default;

std::string Database::conninfo() const {
    return effective_conninfo(options_.url, options_.statement_timeout, server_timeout_.load());
}

std::unique_ptr<DatabaseConnection> Database::connect() {
    for (;;) {
        const std::string info = conninfo();
        ConnectContext context;
        context.stop = &stop_;
        context.connect_timeout = connect_timeout_of(info);
        context.stop_grace = options_.stop_grace;
        auto handle = std::make_unique<DatabaseConnection::Handle>();
        try {
            current_connect = &context;
            const struct Reset {
                ~Reset() { current_connect = nullptr; }
            } reset;
            handle->connection =
                std::make_unique<pqxx::basic_connection_base<WatchedConnect>>(info);
        } catch (const pqxx::broken_connection& e) {
            if (server_timeout_ && rejects_startup_options(e.what())) {
                // A pooler that refuses startup options: the client-side deadline alone
                // enforces statement_timeout from now on.
                server_timeout_ = false;
                spdlog::warn(
                    "database: the server refuses the startup parameter 'options'; "
                    "statement_timeout is enforced by codeguru-syncd alone");
                continue;
            }
            throw;
        }
        handle->cancel = std::move(context.cancel);
        handle->fd = context.fd;
        return std::unique_ptr<DatabaseConnection>(
            new DatabaseConnection(*this, std::move(handle)));
    }
}

long Database::abandoned_calls() const {
    return watchdog_->abandoned();
}

DatabaseConnection::DatabaseConnection(Database& database, std::unique_ptr<Handle> handle)
    : database_(database), handle_(std::move(handle)), connection_(handle_->connection.get()) {}

DatabaseConnection::~DatabaseConnection() = default;

DatabaseConnection::Watch::Watch(DatabaseConnection& connection)
    : connection_(connection),
      id_(connection.database_.watchdog_->add(connection.handle_->cancel, connection.handle_->fd)) {
}

DatabaseConnection::Watch::~Watch() {
    connection_.database_.watchdog_->remove(id_);
}

}  // namespace codeguru::store
