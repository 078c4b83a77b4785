#pragma once

#include <string>
#include <utility>

#include "aws/api_error.hpp"
#include "aws/http_transport.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru {

// The error of an answer that breaks the API's contract: a retry would not mend it.
inline aws::ApiError invalid_response(const std::string& message, long http_status) {
    return aws::ApiError("InvalidResponse", message, http_status, false);
}

// What `parse` makes of `response`'s body. A page with more entries than were asked for
// breaks the API's contract like any other invalid answer, so its OversizedPageError
// leaves as invalid_response(), not to be retried.
template <class Parse>
auto parse_answer_body(const aws::HttpResponse& response, Parse&& parse) {
    try {
        return std::forward<Parse>(parse)(response.body);
    } catch (const OversizedPageError& e) {
        throw invalid_response(e.what(), response.status);
    }
}

}  // namespace codeguru
