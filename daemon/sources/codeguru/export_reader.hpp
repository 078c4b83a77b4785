#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <stdexcept>
#include <string>

#include "sources/codeguru/finding_json.hpp"

namespace codeguru {

// An export that cannot be imported. The message names the file and where in it the
// problem is: "FILE: byte N (line L): what is wrong".
class ImportFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ExportReadSummary {
    std::uint64_t bytes = 0;
    std::uint64_t documents = 0;  // top-level documents: 1 for the CLI's export, else pages
    std::uint64_t pages = 0;      // page texts mapped (batches and wrappers)
};

// Reads the export in `in` (named `name` in errors) in chunks of `chunk_bytes`, cuts it into
// pages of at most `batch_size` findings (export_splitter.hpp), maps each with
// parse_findings_page() (the sync's own mapping: its warnings are the page's) and hands it
// to `on_page`, in file order. Memory stays at about one chunk and one batch, whatever the
// file's size. Throws ImportFileError at the first byte that is not an export (pages before
// it were handed over already: the caller undoes them), and what `on_page` throws.
ExportReadSummary read_export(std::istream& in, const std::string& name, std::size_t batch_size,
                              const std::function<void(ParsedFindingsPage&)>& on_page,
                              std::size_t chunk_bytes = 1 << 20);

}  // namespace codeguru
