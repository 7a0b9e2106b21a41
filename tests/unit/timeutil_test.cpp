// Tests for src/parse/timeutil.cpp: CloudTrail timestamps, --since/--until values, ISO output.
// Expected epoch values were computed independently with Python's datetime (UTC).
#include <catch2/catch.hpp>
#include <ctime>
#include <cstdlib>
#include <chrono>

#include <string>

#include "trailhound/timeutil.hpp"

using namespace trailhound;

namespace {
constexpr TimeMs kMinute = 60 * 1000;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kDay = 24 * kHour;
// 2026-03-14T10:05:00Z; python: datetime(2026,3,14,10,5,tzinfo=utc).timestamp()*1000
constexpr TimeMs k20260314T1005 = 1773482700000;
}  // namespace

TEST_CASE("a Z timestamp is read as UTC", "[timeutil]") {
  CHECK(parse_timestamp("2026-03-14T10:05:00Z") == k20260314T1005);
  CHECK(parse_timestamp("2018-11-28T22:31:59Z") == 1543444319000);
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
  // lower-case separators are accepted too
  CHECK(parse_timestamp("2026-03-14t10:05:00z") == k20260314T1005);
}

TEST_CASE("fractional seconds of 1 to 9 digits are truncated to milliseconds", "[timeutil]") {
  CHECK(parse_timestamp("2026-03-14T10:05:00.1Z") == k20260314T1005 + 100);
  CHECK(parse_timestamp("2026-03-14T10:05:00.12Z") == k20260314T1005 + 120);
  CHECK(parse_timestamp("2026-03-14T10:05:00.123Z") == k20260314T1005 + 123);
  CHECK(parse_timestamp("2026-03-14T10:05:00.1239Z") == k20260314T1005 + 123);
  CHECK(parse_timestamp("2026-03-14T10:05:00.999999Z") == k20260314T1005 + 999);
  CHECK(parse_timestamp("2026-03-14T10:05:00.123456789Z") == k20260314T1005 + 123);
  CHECK(parse_timestamp("2026-03-14T10:05:00.000000001Z") == k20260314T1005);
  // the ISO comma decimal separator
  CHECK(parse_timestamp("2026-03-14T10:05:00,5Z") == k20260314T1005 + 500);
}

TEST_CASE("a fraction point without digits is refused", "[timeutil]") {
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00.Z"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00."));
}

TEST_CASE("a numeric offset is folded into UTC", "[timeutil]") {
  // 11:05 at +01:00 is 10:05 UTC
  CHECK(parse_timestamp("2026-03-14T11:05:00+01:00") == k20260314T1005);
  // 02:05 at -08:00 is 10:05 UTC
  CHECK(parse_timestamp("2026-03-14T02:05:00-0800") == k20260314T1005);
  // 15:05 at +05 is 10:05 UTC
  CHECK(parse_timestamp("2026-03-14T15:05:00+05") == k20260314T1005);
  CHECK(parse_timestamp("2026-03-14T10:05:00+00:00") == k20260314T1005);
  CHECK(parse_timestamp("2026-03-14T10:05:00-00:00") == k20260314T1005);
  // offsets with minutes, and fractions before the offset
  CHECK(parse_timestamp("2026-03-14T15:35:00.250+05:30") == k20260314T1005 + 250);
  // an offset can move the date across midnight
  CHECK(parse_timestamp("2026-03-13T23:00:00-11:05") == k20260314T1005);
}

TEST_CASE("malformed offsets are refused", "[timeutil]") {
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+1"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+01:0"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+01:000"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+24:00"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+01:60"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+ab:cd"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00Z+01:00"));
}

TEST_CASE("the CloudTrail Lake form with a space is read as UTC", "[timeutil]") {
  CHECK(parse_timestamp("2026-03-14 10:05:00.123") == k20260314T1005 + 123);
  CHECK(parse_timestamp("2026-03-14 10:05:00") == k20260314T1005);
  CHECK(parse_timestamp("2026-03-14 10:05:00.000") == k20260314T1005);
}

TEST_CASE("a naive timestamp without zone is read as UTC", "[timeutil]") {
  CHECK(parse_timestamp("2026-03-14T10:05:00") == k20260314T1005);
  CHECK(parse_timestamp("2026-03-14T10:05:00.5") == k20260314T1005 + 500);
}

TEST_CASE("a bare date is midnight UTC", "[timeutil]") {
  CHECK(parse_timestamp("2026-03-14") == k20260314T1005 - 10 * kHour - 5 * kMinute);
  CHECK(parse_timestamp("1970-01-01") == 0);
  CHECK(parse_timestamp("2024-02-29") == 1709164800000);
}

TEST_CASE("impossible calendar dates are refused", "[timeutil]") {
  CHECK_FALSE(parse_timestamp("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-00-10T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-04-31T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-04-31"));
  CHECK_FALSE(parse_timestamp("2026-03-00"));
  CHECK_FALSE(parse_timestamp("2026-03-32"));
  // February 29th only in leap years (divisible by 4, not by 100 unless by 400)
  CHECK_FALSE(parse_timestamp("2025-02-29T00:00:00Z"));
  CHECK_FALSE(parse_timestamp("1900-02-29"));
  CHECK(parse_timestamp("2000-02-29"));
  CHECK(parse_timestamp("2024-02-29T12:00:00Z"));
}

TEST_CASE("impossible clock times are refused", "[timeutil]") {
  CHECK_FALSE(parse_timestamp("2026-03-14T24:00:00Z"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:60:00Z"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:61Z"));
}

TEST_CASE("garbage is refused", "[timeutil]") {
  for (const char* bad : {"", "now", "yesterday", "2026", "2026-03", "2026/03/14", "14-03-2026",
                          "2026-3-14", "2026-03-1", "20260314T100500Z", "2026-03-14T10:05",
                          "2026-03-14T1:05:00Z", "2026-03-14X10:05:00Z", "1773482700000",
                          "2026-0a-14", "\xff\xfe"}) {
    INFO("input: " << bad);
    CHECK_FALSE(parse_timestamp(bad));
  }
}

TEST_CASE("trailing junk after a timestamp is refused", "[timeutil]") {
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00Zjunk"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00ZZ"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00 "));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00Z "));
  CHECK_FALSE(parse_timestamp("2026-03-14 "));
  CHECK_FALSE(parse_timestamp("2026-03-14x"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00.123abc"));
  CHECK_FALSE(parse_timestamp("2026-03-14T10:05:00+01:00junk"));
}

TEST_CASE("spans in every unit", "[timeutil]") {
  CHECK(parse_span("90m") == 90 * kMinute);
  CHECK(parse_span("24h") == 24 * kHour);
  CHECK(parse_span("7d") == 7 * kDay);
  CHECK(parse_span("2w") == 14 * kDay);
  CHECK(parse_span("30s") == 30 * 1000);
  CHECK(parse_span("0h") == 0);
}

TEST_CASE("a span needs a number and a known unit", "[timeutil]") {
  CHECK_FALSE(parse_span("h"));
  CHECK_FALSE(parse_span(""));
  CHECK_FALSE(parse_span("5"));
  CHECK_FALSE(parse_span("5x"));
  CHECK_FALSE(parse_span("5H"));
  CHECK_FALSE(parse_span("-5m"));
  CHECK_FALSE(parse_span("+5m"));
  CHECK_FALSE(parse_span("1.5h"));
  CHECK_FALSE(parse_span(" 5m"));
  CHECK_FALSE(parse_span("5 m"));
  CHECK_FALSE(parse_span("m5"));
}

TEST_CASE("a huge span is refused instead of overflowing", "[timeutil]") {
  CHECK_FALSE(parse_span("99999999999999999999w"));
  CHECK(parse_span("1000000000s") == 1'000'000'000LL * 1000);
}

TEST_CASE("a relative time argument counts back from the anchor", "[timeutil]") {
  const TimeMs anchor = k20260314T1005;
  CHECK(parse_time_arg("24h", anchor) == anchor - kDay);
  CHECK(parse_time_arg("90m", anchor) == anchor - 90 * kMinute);
  CHECK(parse_time_arg("2w", anchor) == anchor - 14 * kDay);
  CHECK(parse_time_arg("30s", 0) == -30000);
}

TEST_CASE("an absolute time argument ignores the anchor", "[timeutil]") {
  CHECK(parse_time_arg("2026-03-14T10:05:00Z", 12345) == k20260314T1005);
  CHECK(parse_time_arg("2026-03-14", 12345) == k20260314T1005 - 10 * kHour - 5 * kMinute);
  CHECK(parse_time_arg("2026-03-14T11:05:00+01:00", 0) == k20260314T1005);
  CHECK_FALSE(parse_time_arg("soon", 0));
  CHECK_FALSE(parse_time_arg("-1h", 0));
}

TEST_CASE("format_iso writes UTC with Z and milliseconds only when present", "[timeutil]") {
  CHECK(format_iso(0) == "1970-01-01T00:00:00Z");
  CHECK(format_iso(k20260314T1005) == "2026-03-14T10:05:00Z");
  CHECK(format_iso(k20260314T1005 + 7) == "2026-03-14T10:05:00.007Z");
  CHECK(format_iso(k20260314T1005 + 120) == "2026-03-14T10:05:00.120Z");
  CHECK(format_iso(1543444319000) == "2018-11-28T22:31:59Z");
  // append_iso adds the same text after what is there.
  std::string line = "at ";
  append_iso(line, k20260314T1005 + 7);
  append_iso(line, -2208988800000);
  CHECK(line == "at 2026-03-14T10:05:00.007Z1900-01-01T00:00:00Z");
}

TEST_CASE("format_iso handles times before 1970", "[timeutil]") {
  CHECK(format_iso(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_iso(-1000) == "1969-12-31T23:59:59Z");
  CHECK(format_iso(-kDay) == "1969-12-31T00:00:00Z");
  CHECK(format_iso(-kDay - 1) == "1969-12-30T23:59:59.999Z");
  // python: datetime(1969,7,20,20,17,40,tzinfo=utc).timestamp()*1000
  CHECK(format_iso(-14182940000) == "1969-07-20T20:17:40Z");
  // python: datetime(1900,1,1,tzinfo=utc).timestamp()*1000
  CHECK(format_iso(-2208988800000) == "1900-01-01T00:00:00Z");
}

TEST_CASE("format_iso and parse_timestamp round trip", "[timeutil]") {
  for (TimeMs t : {TimeMs{0}, TimeMs{1}, TimeMs{-1}, TimeMs{999}, TimeMs{-999}, k20260314T1005,
                   k20260314T1005 + 1, k20260314T1005 + 999, TimeMs{1709164800000},
                   TimeMs{1709164800000} - 1, TimeMs{-14182940000}, TimeMs{-14182940001},
                   TimeMs{-2208988800000}, TimeMs{-2208988800000} + 123, TimeMs{951782400000},
                   TimeMs{253402300799999}}) {
    INFO("t = " << t << " printed " << format_iso(t));
    CHECK(parse_timestamp(format_iso(t)) == t);
  }
  // a sweep across several years in uneven steps, either side of the epoch
  for (TimeMs t = -3 * 365 * kDay; t < 3 * 365 * kDay; t += 7 * kDay + 3 * kHour + 17 * 1000 + 13) {
    INFO("t = " << t << " printed " << format_iso(t));
    REQUIRE(parse_timestamp(format_iso(t)) == t);
  }
}

TEST_CASE("days_from_civil matches known day numbers", "[timeutil]") {
  // python: (date(y,m,d) - date(1970,1,1)).days
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 1, 1) == 10957);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2024, 2, 29) == 19782);
  CHECK(days_from_civil(1900, 1, 1) == -25567);
  CHECK(days_from_civil(1600, 3, 1) == -135080);
  CHECK(days_from_civil(9999, 12, 31) == 2932896);
  CHECK(days_from_civil(1, 1, 1) == -719162);
}

TEST_CASE("days_from_civil counts consecutive days without gaps", "[timeutil]") {
  // the last day of each month is followed by day 1 of the next
  CHECK(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 29) == 1);
  CHECK(days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28) == 1);
  CHECK(days_from_civil(2024, 1, 1) - days_from_civil(2023, 12, 31) == 1);
  CHECK(days_from_civil(2025, 1, 1) - days_from_civil(2024, 1, 1) == 366);
  CHECK(days_from_civil(2101, 1, 1) - days_from_civil(2100, 1, 1) == 365);
}

TEST_CASE("now_ms is the system clock in milliseconds", "[timeutil]") {
  using namespace std::chrono;
  const auto before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const TimeMs now = now_ms();
  const auto after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  CHECK(now >= before);
  CHECK(now <= after);
  // Milliseconds, not seconds or microseconds: within a second of time(nullptr) * 1000.
  const auto secs = static_cast<TimeMs>(std::time(nullptr));
  CHECK(std::abs(now / 1000 - secs) <= 1);
}
