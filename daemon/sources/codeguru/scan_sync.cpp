#include "sources/codeguru/scan_sync.hpp"

#include "sources/codeguru/scan_source.hpp"

namespace codeguru::sync {

ScanSync::ScanSync(CodeGuruClient& client, store::Database& database, const Clock& clock,
                   StopFlag& stop, ScanSyncOptions options)
    : client_(client), options_(std::move(options)), runner_(database, clock, stop, options_) {}

ScanResult ScanSync::run(const std::string& scan) {
    CodeGuruScanSource source(client_, options_.schema, scan, options_.status, options_.page_size);
    return runner_.run(source);
}

}  // namespace codeguru::sync
