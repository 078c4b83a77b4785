#pragma once

#include <string>

#include "sources/codeguru/codeguru_client.hpp"
#include "sync/pass_runner.hpp"

namespace codeguru::sync {

struct ScanSyncOptions : PassRunnerOptions {
    std::string status = "All";
    int page_size = 1000;
};

// Syncs CodeGuru scans by name: a CodeGuruScanSource run by a PassRunner. Thread-safe as
// the runner is.
class ScanSync {
  public:
    ScanSync(CodeGuruClient& client, store::Database& database, const Clock& clock, StopFlag& stop,
             ScanSyncOptions options);

    ScanResult run(const std::string& scan);

  private:
    CodeGuruClient& client_;
    ScanSyncOptions options_;
    PassRunner runner_;
};

}  // namespace codeguru::sync
