// Time parsing and formatting: CloudTrail timestamps, --since/--until values, ISO output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "trailhound/model.hpp"

namespace trailhound {

/// Parses a CloudTrail timestamp: `YYYY-MM-DDTHH:MM:SS[.fff...](Z|±HH:MM|±HHMM)`, the
/// CloudTrail Lake form `YYYY-MM-DD HH:MM:SS[.fff]`, and naive times (no zone) read as UTC.
/// Fractions beyond milliseconds are truncated. Returns nothing for anything else.
[[nodiscard]] std::optional<TimeMs> parse_timestamp(std::string_view text);

/// Parses a --since/--until value: a timestamp as above, a date `YYYY-MM-DD` (midnight UTC),
/// or a relative span `N[smhdw]` counted back from `anchor`.
[[nodiscard]] std::optional<TimeMs> parse_time_arg(std::string_view text, TimeMs anchor);

/// Parses a span such as `90m`, `24h`, `7d`, `2w`, `30s` into milliseconds.
[[nodiscard]] std::optional<TimeMs> parse_span(std::string_view text);

/// Formats as UTC ISO 8601 with `Z`: `2018-11-28T22:31:59Z`, or with `.mmm` when the
/// milliseconds are not zero.
[[nodiscard]] std::string format_iso(TimeMs time);
/// The same text appended to `out`, with no string of its own (reports print one a line).
void append_iso(std::string& out, TimeMs time);

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
[[nodiscard]] std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

/// The current time, UTC.
[[nodiscard]] TimeMs now_ms();

}  // namespace trailhound
