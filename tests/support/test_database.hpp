#pragma once

#include <string>

namespace codeguru::test {

// The conninfo of the throwaway cluster started by the `pg` ctest fixture
// (tests/support/pg_fixture). Fails the test when the fixture is not running.
std::string test_conninfo();

// Where TestSchema records runs it found still `running`: CODEGURU_TEST_PG_FILE
// ".running-runs", one line per run; `pg_fixture stop` fails while it is not empty.
std::string running_runs_file();

// A schema of its own for one test, dropped (with everything in it) on destruction,
// so that tests can run in parallel against one cluster. Before the drop, every sync_runs
// row still `running` is appended to running_runs_file() as "SCHEMA: run N of scan S
// (PROGRAM)": no test may end with a run that nothing will ever close.
class TestSchema {
  public:
    TestSchema();
    ~TestSchema();
    TestSchema(const TestSchema&) = delete;
    TestSchema& operator=(const TestSchema&) = delete;

    const std::string& name() const { return name_; }
    const std::string& conninfo() const { return conninfo_; }

  private:
    std::string name_;
    std::string conninfo_;
};

}  // namespace codeguru::test
