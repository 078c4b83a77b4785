#include "sources/codeguru/export_reader.hpp"

#include <vector>

#include <nlohmann/json.hpp>
#include "sources/codeguru/export_splitter.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru {
namespace {

std::string located(const std::string& name, ExportLocation where, const std::string& what) {
    return name + ": byte " + std::to_string(where.offset) + " (line " +
           std::to_string(where.line) + "): " + what;
}

// Why `page` was refused, and where: when its text is not JSON, the byte nlohmann_json's
// parser failed at (the mapper accepts and rejects what it does) and the parser's reason,
// with nothing kept; otherwise (the mapper refused the page's shape, or the text holds
// invalid UTF-8, which the mapper repaired, so shifted, first) the page's start and the
// mapper's message.
std::string refusal(const std::string& name, const ExportPageText& page, const char* mapper) {
    if (is_valid_utf8(page.text)) {
        const nlohmann::json::parser_callback_t discard = [](int, nlohmann::json::parse_event_t,
                                                             nlohmann::json&) { return false; };
        try {
            const nlohmann::json nothing = nlohmann::json::parse(page.text, discard);
            (void)nothing;
        } catch (const nlohmann::json::parse_error& error) {
            const std::string_view what = error.what();
            const std::size_t reason = what.find("syntax error");
            const std::string detail(reason == std::string_view::npos ? what : what.substr(reason));
            if (error.byte > 0) {
                return located(name, page.locate(error.byte - 1), "not valid JSON: " + detail);
            }
        }
    }
    return located(name, page.locate(0), mapper);
}

}  // namespace

ExportReadSummary read_export(std::istream& in, const std::string& name, std::size_t batch_size,
                              const std::function<void(ParsedFindingsPage&)>& on_page,
                              std::size_t chunk_bytes) {
    ExportSplitter splitter(batch_size);
    ExportReadSummary summary;
    std::string chunk(chunk_bytes, '\0');
    std::vector<ExportPageText> pages;
    const auto map_pages = [&] {
        for (ExportPageText& text : pages) {
            ParsedFindingsPage page;
            try {
                page = parse_findings_page(text.text);
            } catch (const std::exception& error) {
                throw ImportFileError(refusal(name, text, error.what()));
            }
            ++summary.pages;
            on_page(page);
            recycle_findings(std::move(page.page.findings));  // for the next page to map into
        }
        pages.clear();
    };
    try {
        while (in) {
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            const auto got = static_cast<std::size_t>(in.gcount());
            if (got == 0) break;
            summary.bytes += got;
            splitter.feed(std::string_view(chunk.data(), got), pages);
            map_pages();
        }
        if (in.bad())
            throw ImportFileError(name + ": read error after " + std::to_string(summary.bytes) +
                                  " bytes");
        splitter.finish();
    } catch (const ExportFormatError& error) {
        throw ImportFileError(located(name, error.where(), error.what()));
    }
    summary.documents = splitter.documents();
    return summary;
}

}  // namespace codeguru
