// Time parsing and formatting for CloudTrail timestamps and the --since/--until flags.
#include "trailhound/timeutil.hpp"

#include <chrono>

#include <fmt/format.h>

namespace trailhound {
namespace {

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > s.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

/// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants ISO text can carry.
constexpr TimeMs kMinTime = -62167219200000LL;
constexpr TimeMs kMaxTime = 253402300799999LL;

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// Parses `YYYY-MM-DD` at the start of `s`; gives midnight UTC in ms.
std::optional<TimeMs> parse_date_part(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) {
    return std::nullopt;
  }
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000LL;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<TimeMs> parse_timestamp(std::string_view s) {
  const auto date = parse_date_part(s);
  if (!date) return std::nullopt;
  if (s.size() == 10) return date;  // a bare date: midnight UTC
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (s.size() < 19 || s[13] != ':' || s[16] != ':') return std::nullopt;
  if (!read_digits(s, 11, 2, hh) || !read_digits(s, 14, 2, mm) || !read_digits(s, 17, 2, ss)) {
    return std::nullopt;
  }
  // 23:59:60 is a leap second; it is read as the last millisecond of the minute's end.
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    const std::size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 12) return std::nullopt;
  }
  TimeMs offset_ms = 0;
  if (pos < s.size()) {
    const char z = s[pos];
    if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if (z == '+' || z == '-') {
      int oh = 0, om = 0;
      const std::string_view rest = s.substr(pos + 1);
      if (rest.size() == 5 && rest[2] == ':') {
        if (!read_digits(rest, 0, 2, oh) || !read_digits(rest, 3, 2, om)) return std::nullopt;
      } else if (rest.size() == 4) {
        if (!read_digits(rest, 0, 2, oh) || !read_digits(rest, 2, 2, om)) return std::nullopt;
      } else if (rest.size() == 2) {
        if (!read_digits(rest, 0, 2, oh)) return std::nullopt;
      } else {
        return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_ms = (oh * 60 + om) * 60000LL * (z == '+' ? 1 : -1);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  const TimeMs t = *date + ((hh * 60 + mm) * 60 + ss) * 1000LL + millis - offset_ms;
  // A zone offset or leap second can carry a time out of years 0000..9999, which format_iso
  // cannot print in a form that reads back (`-001-12-31...`, `10000-01-01...`).
  if (t < kMinTime || t > kMaxTime) return std::nullopt;
  return t;
}

std::optional<TimeMs> parse_span(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  const char unit = s.back();
  TimeMs scale = 0;
  switch (unit) {
    case 's': scale = 1000; break;
    case 'm': scale = 60 * 1000; break;
    case 'h': scale = 3600 * 1000; break;
    case 'd': scale = 86400 * 1000LL; break;
    case 'w': scale = 7 * 86400 * 1000LL; break;
    default: return std::nullopt;
  }
  TimeMs n = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    n = n * 10 + (s[i] - '0');
    if (n > 1'000'000'000) return std::nullopt;  // beyond any log retention, and no overflow
  }
  return n * scale;
}

std::optional<TimeMs> parse_time_arg(std::string_view text, TimeMs anchor) {
  if (auto span = parse_span(text)) return anchor - *span;
  return parse_timestamp(text);
}

void append_iso(std::string& out, TimeMs time) {
  TimeMs days = time >= 0 ? time / 86400000 : -((-time + 86399999) / 86400000);
  TimeMs ms_of_day = time - days * 86400000;
  // civil_from_days (Howard Hinnant)
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  const auto secs = ms_of_day / 1000;
  const auto millis = ms_of_day % 1000;
  if (y >= 0 && y <= 9999) {
    // The usual case, written digit by digit: reports print one time per finding and event.
    char buf[24];
    auto put = [&](std::size_t at, unsigned v, int width) {
      for (int i = width - 1; i >= 0; --i) {
        buf[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    };
    put(0, static_cast<unsigned>(y), 4);
    buf[4] = '-';
    put(5, m, 2);
    buf[7] = '-';
    put(8, d, 2);
    buf[10] = 'T';
    put(11, static_cast<unsigned>(secs / 3600), 2);
    buf[13] = ':';
    put(14, static_cast<unsigned>(secs / 60 % 60), 2);
    buf[16] = ':';
    put(17, static_cast<unsigned>(secs % 60), 2);
    std::size_t n = 19;
    if (millis != 0) {
      buf[19] = '.';
      put(20, static_cast<unsigned>(millis), 3);
      n = 23;
    }
    buf[n++] = 'Z';
    out.append(buf, n);
    return;
  }
  if (millis == 0) {
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d,
                   secs / 3600, secs / 60 % 60, secs % 60);
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d,
                 secs / 3600, secs / 60 % 60, secs % 60, millis);
}

std::string format_iso(TimeMs time) {
  std::string out;
  append_iso(out, time);
  return out;
}

TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace trailhound
