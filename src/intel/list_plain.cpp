// Plain-text lists (one address, CIDR or range a line) and the entry reader every format shares.
#include <string>
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

// Plain loops: std::string_view's find_first_of and find_first_not_of call memchr on the
// set once per character, which was most of the time spent loading a 100k-line list.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

/// The first of `a` or `b` in `s`, or npos.
std::size_t find_either(std::string_view s, char a, char b) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == a || s[i] == b) return i;
  }
  return std::string_view::npos;
}

}  // namespace

void read_list_entry(std::string_view text, std::size_t line, const ListVisitor& visitor) {
  text = trim(text);
  std::size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    std::string_view first_text = trim(text.substr(0, dash));
    std::string_view last_text = trim(text.substr(dash + 1));
    IpAddr first, last;
    std::string error;
    // Text whose start is not an address is not a range at all; say what is wrong with it.
    if (!parse_address(first_text, first, &error)) {
      Prefix ignored;
      if (!parse_prefix(text, ignored, nullptr, &error))
        visitor.bad(line, error);
      else
        visitor.bad(line, "malformed range");
      return;
    }
    if (!parse_address(last_text, last, &error)) {
      visitor.bad(line, "bad range: " + error);
      return;
    }
    if (first.v4 != last.v4) {
      visitor.bad(line, "bad range: ends are of different families");
      return;
    }
    auto prefixes = range_to_prefixes(first, last);
    if (prefixes.empty()) {
      visitor.bad(line, "bad range: first address is above the last");
      return;
    }
    for (const auto& p : prefixes) visitor.entry(p, false, line);
    return;
  }
  if (find_either(text, ' ', '\t') != std::string_view::npos) {
    visitor.bad(line, "unexpected text after the address");
    return;
  }
  Prefix prefix;
  bool masked = false;
  std::string error;
  if (!parse_prefix(text, prefix, &masked, &error)) {
    visitor.bad(line, error);
    return;
  }
  visitor.entry(prefix, masked, line);
}

void read_plain_list(std::string_view content, const ListVisitor& visitor) {
  std::size_t line = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view text = content.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (line == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    // Spamhaus writes `1.2.3.0/24 ; SBL123`; FireHOL and most others comment with '#'.
    std::size_t comment = find_either(text, '#', ';');
    if (comment != std::string_view::npos) text = text.substr(0, comment);
    text = trim(text);
    if (text.empty()) continue;
    read_list_entry(text, line, visitor);
  }
}

}  // namespace trailhound::intel
