#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace codeguru {

// Where a byte of an export file is: its offset from the file's start and its line (from 1).
struct ExportLocation {
    std::uint64_t offset = 0;
    std::uint64_t line = 1;
};

// An export file that is not a sequence of GetFindings documents: the message says what is
// wrong, `where` the byte it was found at.
class ExportFormatError : public std::runtime_error {
  public:
    ExportFormatError(const std::string& what, ExportLocation where)
        : std::runtime_error(what), where_(where) {}
    ExportLocation where() const { return where_; }

  private:
    ExportLocation where_;
};

// One page-sized JSON text cut from an export, to be mapped by parse_findings_page(). Either
// a batch of findings, `{"findings":[` + a verbatim slice of the file + `]}`, or a document's
// wrapper: the document's own text with the findings array's interior left out, so that its
// other members (nextToken...) are mapped, and checked, too.
struct ExportPageText {
    std::string text;
    std::size_t synthetic_prefix = 0;  // leading bytes of `text` not from the file
    std::size_t file_bytes = 0;        // the bytes after them that are (the rest is synthetic)
    ExportLocation start;              // where text[synthetic_prefix] is in the file
    // The wrapper's gap: `gap_bytes` bytes of the file (holding `gap_lines` line feeds) were
    // left out at text[gap_at]. gap_bytes == 0: no gap.
    std::size_t gap_at = 0;
    std::uint64_t gap_bytes = 0;
    std::uint64_t gap_lines = 0;

    // Where text[position] came from (synthetic bytes map to the nearest file byte).
    ExportLocation locate(std::size_t position) const;
};

// Cuts an export, fed in chunks of any size, into page-sized texts, keeping in memory only
// the batch being built. Every format people kept is a sequence of top-level JSON objects
// each holding a `findings` array, separated by whitespace: the AWS CLI's one document (all
// pages merged), json.dumps() of boto3's answers, and pages concatenated or as JSON Lines.
// So the format needs no flag: each top-level document's `findings` array is cut into
// batches of `batch_size` findings (cut at the array's commas), then its wrapper follows.
// The scanner tracks strings, escapes and bracket nesting only; the pages' JSON is checked
// when they are mapped. A leading UTF-8 byte order mark is skipped. Not thread-safe.
class ExportSplitter {
  public:
    // REQUIRES: batch_size > 0.
    explicit ExportSplitter(std::size_t batch_size);

    // Scans the next chunk, appending the pages it completes to `out`. Throws
    // ExportFormatError at the first byte that cannot be part of an export.
    void feed(std::string_view chunk, std::vector<ExportPageText>& out);

    // The input ended: throws ExportFormatError when it ended inside a document or held none.
    void finish();

    std::uint64_t documents() const { return documents_; }
    std::uint64_t findings() const { return findings_; }  // elements of the findings arrays

    // A wrapper (a document without its findings) larger than this is refused: exports
    // have a short nextToken there, nothing that needs memory.
    static constexpr std::size_t kMaxWrapperBytes = 1 << 20;

  private:
    void fail(const std::string& what) const;
    void flush_batch(std::vector<ExportPageText>& out);
    void close_findings(std::vector<ExportPageText>& out);
    void end_element();

    std::size_t batch_size_;
    ExportLocation at_;       // the byte being scanned
    std::vector<char> open_;  // brackets open, innermost last
    bool in_string_ = false;
    bool escape_ = false;
    bool expect_key_ = false;          // in a document's top level, before a member's key
    bool key_open_ = false;            // scanning a top-level key
    std::string key_;                  // that key, raw (at most a few bytes kept)
    bool after_findings_key_ = false;  // the `findings` key was read, its value comes next
    bool saw_findings_ = false;        // the current document has a findings array
    bool in_findings_ = false;         // scanning the findings array's interior
    std::size_t findings_depth_ = 0;   // open_.size() inside the findings array
    ExportLocation document_start_;
    ExportLocation findings_start_;  // just past the findings array's `[`
    // The batch being built: the file's bytes since batch_start_.
    std::string batch_;
    ExportLocation batch_start_;
    std::size_t batch_count_ = 0;  // elements ended (at a comma) in the batch
    bool element_seen_ = false;    // a non-space byte since the array's last separator
    bool trailing_comma_ = false;  // the array's last non-space byte was a comma
    ExportPageText wrapper_;
    std::uint64_t documents_ = 0;
    std::uint64_t findings_ = 0;
    bool bom_checked_ = false;
};

}  // namespace codeguru
