#pragma once

// simdjson as the On-Demand mapper includes it: every file of the mapper includes simdjson
// through this one, since the define below changes the layout of ondemand::parser.
//
// simdjson's development checks (on in any build without optimization) assert that nesting
// stays below the parser's max depth (1024 by default). The mapper reads any depth, as
// nlohmann does; On-Demand itself needs no limit (it only counts depth), so the checks are
// off in every build.
#ifndef SIMDJSON_DEVELOPMENT_CHECKS
#define SIMDJSON_DEVELOPMENT_CHECKS 0
#endif
#include <simdjson.h>
