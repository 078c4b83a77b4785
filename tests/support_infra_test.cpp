// The test infrastructure the acceptance tests stand on: the PgBouncer fixture really pools
// in transaction mode with a small pool, and the TCP proxy really forwards, stalls half-open
// and recovers.
#include <libpq-fe.h>
#include <poll.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "conninfo_fields.hpp"
#include "pgbouncer.hpp"
#include "tcp_proxy.hpp"
#include "test_database.hpp"

namespace {

using codeguru::test::conninfo_value;
using codeguru::test::kPgBouncerPoolSize;
using codeguru::test::PgBouncerDatabase;
using codeguru::test::TcpProxy;
using namespace std::chrono_literals;

using PgConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Generous: these bounds only have to hold on 2 loaded cores, never to be tight.
constexpr auto kEventually = 30s;
// How long a query that must not be answered is given to prove it.
constexpr auto kNoAnswerWindow = 2s;

PgConn connect_blocking(const std::string& conninfo) {
    PgConn conn(PQconnectdb(conninfo.c_str()), &PQfinish);
    REQUIRE(conn != nullptr);
    INFO(PQerrorMessage(conn.get()));
    REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
    return conn;
}

// Polls the connection's socket until it is readable; false when `timeout` passes first.
bool readable_within(PGconn* conn, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{PQsocket(conn), POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready > 0) return true;
        if (ready == 0) return false;
    }
}

// Waits (client-side deadline) until the query sent with PQsendQuery has its whole answer;
// false when `timeout` passes first or the connection fails.
bool answer_within(PGconn* conn, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (PQisBusy(conn)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (!readable_within(conn, left)) return false;
        if (PQconsumeInput(conn) == 0) return false;
    }
    return true;
}

// The single-row, single-column integer answer of the query already sent; drains the rest.
std::int64_t take_integer(PGconn* conn) {
    PgResult result(PQgetResult(conn), &PQclear);
    REQUIRE(result != nullptr);
    INFO(PQresultErrorMessage(result.get()));
    REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
    REQUIRE(PQntuples(result.get()) == 1);
    const std::int64_t value = std::stoll(PQgetvalue(result.get(), 0, 0));
    while (PgResult rest{PQgetResult(conn), &PQclear}) {
    }
    return value;
}

template <typename Predicate>
bool eventually(Predicate predicate) {
    const auto deadline = std::chrono::steady_clock::now() + kEventually;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

int select_int(pqxx::connection& c, const std::string& sql) {
    pqxx::work w(c);
    const int value = w.exec1(sql)[0].as<int>();
    w.commit();
    return value;
}

std::string via_proxy(const TcpProxy& proxy) {
    // The last host and port win: the cluster's user and database, the proxy's address.
    return codeguru::test::test_conninfo() + " " + proxy.libpq_address();
}

TcpProxy proxy_to_cluster() {
    return TcpProxy::to_unix_socket(
        codeguru::test::postgres_socket_path(codeguru::test::test_conninfo()));
}

}  // namespace

TEST_CASE("the PgBouncer fixture pools in transaction mode with a pool smaller than the clients") {
    pqxx::connection client(codeguru::test::pgbouncer_conninfo());
    CHECK(select_int(client, "SELECT 1") == 1);

    // PgBouncer's admin console (libpq: libpqxx refuses its "server version").
    PgConn admin = connect_blocking(codeguru::test::pgbouncer_conninfo() + " dbname=pgbouncer");
    PgResult config(PQexec(admin.get(), "SHOW CONFIG"), &PQclear);
    INFO(PQerrorMessage(admin.get()));
    REQUIRE(PQresultStatus(config.get()) == PGRES_TUPLES_OK);
    std::string pool_mode;
    std::string pool_size;
    for (int row = 0; row < PQntuples(config.get()); ++row) {
        const std::string key = PQgetvalue(config.get(), row, 0);
        if (key == "pool_mode") pool_mode = PQgetvalue(config.get(), row, 1);
        if (key == "default_pool_size") pool_size = PQgetvalue(config.get(), row, 1);
    }
    CHECK(pool_mode == "transaction");
    CHECK(pool_size == std::to_string(kPgBouncerPoolSize));
}

TEST_CASE("through PgBouncer more clients than the pool share at most pool-size server backends") {
    PgBouncerDatabase db;
    constexpr int kClients = kPgBouncerPoolSize + 2;
    std::vector<std::unique_ptr<pqxx::connection>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<pqxx::connection>(db.conninfo()));
    }
    std::set<int> server_pids;
    for (int round = 0; round < 3; ++round) {
        for (auto& client : clients)
            server_pids.insert(select_int(*client, "SELECT pg_backend_pid()"));
    }
    CHECK(server_pids.size() <= static_cast<std::size_t>(kPgBouncerPoolSize));

    // The same clients straight to the cluster: one backend each, for the contrast.
    std::set<int> direct_pids;
    std::vector<std::unique_ptr<pqxx::connection>> direct;
    for (int i = 0; i < kClients; ++i) {
        direct.push_back(std::make_unique<pqxx::connection>(db.direct_conninfo()));
        direct_pids.insert(select_int(*direct.back(), "SELECT pg_backend_pid()"));
    }
    CHECK(direct_pids.size() == static_cast<std::size_t>(kClients));
}

TEST_CASE(
    "through PgBouncer a client waits while the pool is busy and then gets the freed backend") {
    PgBouncerDatabase db;
    std::vector<std::unique_ptr<pqxx::connection>> holders;
    std::vector<std::unique_ptr<pqxx::work>> open_transactions;
    std::vector<int> held_pids;
    for (int i = 0; i < kPgBouncerPoolSize; ++i) {
        holders.push_back(std::make_unique<pqxx::connection>(db.conninfo()));
        open_transactions.push_back(std::make_unique<pqxx::work>(*holders.back()));
        held_pids.push_back(
            open_transactions.back()->exec1("SELECT pg_backend_pid()")[0].as<int>());
    }
    REQUIRE(std::set<int>(held_pids.begin(), held_pids.end()).size() ==
            static_cast<std::size_t>(kPgBouncerPoolSize));

    PgConn waiting = connect_blocking(db.conninfo());
    REQUIRE(PQsendQuery(waiting.get(), "SELECT pg_backend_pid()") == 1);
    CHECK_FALSE(answer_within(waiting.get(), kNoAnswerWindow));

    open_transactions.front()->commit();
    REQUIRE(answer_within(waiting.get(), kEventually));
    CHECK(take_integer(waiting.get()) == held_pids.front());
    for (std::size_t i = 1; i < open_transactions.size(); ++i) open_transactions[i]->commit();
}

TEST_CASE("the TCP proxy forwards to the PostgreSQL unix socket and to a TCP target") {
    TcpProxy to_socket = proxy_to_cluster();
    CHECK(to_socket.port() != 0);
    pqxx::connection direct_socket(via_proxy(to_socket));
    CHECK(select_int(direct_socket, "SELECT 41 + 1") == 42);
    CHECK(to_socket.accepted_connections() == 1);
    CHECK(to_socket.open_connections() == 1);

    // In front of PgBouncer's TCP port: daemon -> proxy -> PgBouncer -> PostgreSQL.
    const std::string bouncer = codeguru::test::pgbouncer_conninfo();
    TcpProxy to_tcp =
        TcpProxy::to_tcp(conninfo_value(bouncer, "host"),
                         static_cast<std::uint16_t>(std::stoi(conninfo_value(bouncer, "port"))));
    pqxx::connection through_bouncer(bouncer + " " + to_tcp.libpq_address());
    CHECK(select_int(through_bouncer, "SELECT 7") == 7);
    CHECK(to_tcp.accepted_connections() == 1);

    // A session that ends closes its proxied connection.
    through_bouncer.disconnect();
    CHECK(eventually([&] { return to_tcp.open_connections() == 0; }));
}

TEST_CASE("a stalled TCP proxy answers nothing and after resume only new connections work") {
    TcpProxy proxy = proxy_to_cluster();
    const std::string conninfo = via_proxy(proxy);
    PgConn stalled = connect_blocking(conninfo);
    REQUIRE(PQsendQuery(stalled.get(), "SELECT 1") == 1);
    REQUIRE(answer_within(stalled.get(), kEventually));
    CHECK(take_integer(stalled.get()) == 1);

    proxy.stall();
    // The query leaves the client (the kernel takes it) but no answer comes back, and the
    // connection still looks healthy: only a client-side deadline notices.
    REQUIRE(PQsendQuery(stalled.get(), "SELECT 2") == 1);
    CHECK_FALSE(answer_within(stalled.get(), kNoAnswerWindow));
    CHECK(PQstatus(stalled.get()) == CONNECTION_OK);

    // A new connection is accepted at the TCP level but its login never completes.
    PgConn connecting(PQconnectStart(conninfo.c_str()), &PQfinish);
    REQUIRE(connecting != nullptr);
    REQUIRE(PQstatus(connecting.get()) != CONNECTION_BAD);
    const auto give_up = std::chrono::steady_clock::now() + kNoAnswerWindow;
    PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
    while (polling != PGRES_POLLING_OK && polling != PGRES_POLLING_FAILED &&
           std::chrono::steady_clock::now() < give_up) {
        const short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        pollfd p{PQsocket(connecting.get()), events, 0};
        if (::poll(&p, 1, 100) > 0) polling = PQconnectPoll(connecting.get());
    }
    CHECK(polling != PGRES_POLLING_OK);
    CHECK(PQstatus(connecting.get()) != CONNECTION_OK);
    CHECK(eventually([&] { return proxy.accepted_connections() == 2; }));
    CHECK(proxy.open_connections() == 2);

    // Resume resets what was open during the stall: the stalled query fails, it is not
    // answered late.
    proxy.resume();
    CHECK(proxy.open_connections() == 0);
    CHECK_FALSE(answer_within(stalled.get(), kEventually));
    CHECK(PQstatus(stalled.get()) == CONNECTION_BAD);

    pqxx::connection fresh(conninfo);
    CHECK(select_int(fresh, "SELECT 3") == 3);
    CHECK(proxy.accepted_connections() == 3);
}

TEST_CASE("drop_all resets every connection through the TCP proxy and new ones still work") {
    TcpProxy proxy = proxy_to_cluster();
    pqxx::connection first(via_proxy(proxy));
    pqxx::connection second(via_proxy(proxy));
    CHECK(select_int(first, "SELECT 1") == 1);
    CHECK(select_int(second, "SELECT 1") == 1);
    REQUIRE(proxy.open_connections() == 2);

    proxy.drop_all();
    CHECK(proxy.open_connections() == 0);
    CHECK_THROWS_AS(select_int(first, "SELECT 1"), pqxx::broken_connection);
    CHECK_THROWS_AS(select_int(second, "SELECT 1"), pqxx::broken_connection);

    pqxx::connection third(via_proxy(proxy));
    CHECK(select_int(third, "SELECT 4") == 4);
    CHECK(proxy.accepted_connections() == 3);
}
