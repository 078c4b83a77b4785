#include <catch2/catch.hpp>

#include "util/timestamp.hpp"

using namespace codeguru;

namespace {
std::string fmt(std::optional<Timestamp> t) {
    return t ? format_timestamp(*t) : "none";
}
}  // namespace

TEST_CASE("epoch seconds keep the microsecond, rounded to the nearest") {
    CHECK(fmt(timestamp_from_epoch_seconds(1758000000.872)) == "2025-09-16 05:20:00.872000+00");
    CHECK(fmt(timestamp_from_epoch_seconds(std::int64_t{1758000000})) ==
          "2025-09-16 05:20:00.000000+00");
    CHECK(fmt(timestamp_from_epoch_seconds(1758000000.123456)) == "2025-09-16 05:20:00.123456+00");
    CHECK(fmt(timestamp_from_epoch_seconds(1758000000.9999996)) == "2025-09-16 05:20:01.000000+00");
    CHECK(fmt(timestamp_from_epoch_seconds(0.5)) == "1970-01-01 00:00:00.500000+00");
    CHECK(fmt(timestamp_from_epoch_seconds(-0.25)) == "1969-12-31 23:59:59.750000+00");
    for (int ms = 0; ms < 1000; ++ms) {
        const double value = 1700000000.0 + ms / 1000.0;
        const auto t = timestamp_from_epoch_seconds(value);
        REQUIRE(t);
        CHECK(t->time_since_epoch().count() % 1000000 == ms * 1000);
    }
}

TEST_CASE("epoch seconds out of range or not finite are refused") {
    CHECK_FALSE(timestamp_from_epoch_seconds(1e300));
    CHECK_FALSE(timestamp_from_epoch_seconds(std::numeric_limits<double>::quiet_NaN()));
    CHECK_FALSE(timestamp_from_epoch_seconds(std::int64_t{999999999999}));
}

TEST_CASE("ISO-8601 strings are accepted in their common forms") {
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T05:20:00Z")) == "2025-09-16 05:20:00.000000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T05:20:00.872Z")) ==
          "2025-09-16 05:20:00.872000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T07:20:00.5+02:00")) ==
          "2025-09-16 05:20:00.500000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T00:20:00-0500")) ==
          "2025-09-16 05:20:00.000000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16 05:20:00")) == "2025-09-16 05:20:00.000000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T05:20:00.1234567Z")) ==
          "2025-09-16 05:20:00.123457+00");
}

TEST_CASE("exports' timestamps: the AWS CLI's isoformat and str() of boto3's datetimes") {
    // `aws codeguru-security get-findings` writes datetime.isoformat(); json.dumps(...,
    // default=str) writes str(datetime), the same with a space for the T.
    CHECK(fmt(timestamp_from_iso8601("2025-09-16T05:20:00.872000+00:00")) ==
          "2025-09-16 05:20:00.872000+00");
    CHECK(fmt(timestamp_from_iso8601("2025-09-16 05:20:00.872000+00:00")) ==
          "2025-09-16 05:20:00.872000+00");
    // A whole second has no fraction in either.
    CHECK(fmt(timestamp_from_iso8601("2025-09-16 05:20:00+00:00")) ==
          "2025-09-16 05:20:00.000000+00");
}

TEST_CASE("malformed ISO-8601 strings are refused") {
    for (const char* bad : {"", "2025-09-16", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
                            "2025-09-16T25:00:00Z", "2025-09-16T05:20:00Zjunk",
                            "2025-09-16T05:20:00.Z", "yesterday", "2025-09-16T05:20:00+5"}) {
        INFO(bad);
        CHECK_FALSE(timestamp_from_iso8601(bad));
    }
}

TEST_CASE("ISO-8601 strings outside years 0001..9999 in UTC are refused, like epoch seconds") {
    for (const char* bad :
         {"0000-06-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00"}) {
        INFO(bad);
        CHECK_FALSE(timestamp_from_iso8601(bad));
    }
    CHECK(fmt(timestamp_from_iso8601("0001-01-01T01:00:00+01:00")) ==
          "0001-01-01 00:00:00.000000+00");
    CHECK(fmt(timestamp_from_iso8601("9999-12-31T23:59:59.999999Z")) ==
          "9999-12-31 23:59:59.999999+00");
}
