#pragma once

#include <stdexcept>
#include <string>

namespace codeguru::store {

// A store contract was not met (schema too new, a checkpoint owned by another run).
// Database failures themselves surface as pqxx exceptions (e.g. pqxx::broken_connection),
// so that callers can reconnect and retry.
class StoreError : public std::runtime_error {
  public:
    explicit StoreError(const std::string& message) : std::runtime_error(message) {}
};

// A page did not apply because the scan's checkpoint is not where the caller expected it:
// the page was applied already (e.g. the commit succeeded but its answer was lost) or another
// run owns the pass. Nothing was changed.
class StalePageError : public StoreError {
  public:
    explicit StalePageError(const std::string& message) : StoreError(message) {}
};

}  // namespace codeguru::store
