#pragma once

namespace codeguru::store {

// What one page did to the store, for any source. seen = inserted + updated + unchanged +
// rejected; a duplicate id within the page counts as unchanged.
struct PageCounts {
    int seen = 0;
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    int rejected = 0;
};

}  // namespace codeguru::store
