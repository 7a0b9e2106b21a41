// Plain-text lists (one address, CIDR or range a line) and the entry reader every format shares.
#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

// Plain loops: std::string_view's find_first_of and find_first_not_of call memchr on the
// set once per character, which was most of the time spent loading a 100k-line list.
constexpr std::array<bool, 256> kSpace = [] {
  std::array<bool, 256> space{};
  for (char c : {' ', '\t', '\r', '\n', '\v', '\f'}) space[static_cast<unsigned char>(c)] = true;
  return space;
}();

bool is_space(char c) { return kSpace[static_cast<unsigned char>(c)]; }

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}


void read_trimmed_entry(std::string_view text, std::size_t line, const ListVisitor& visitor);

}  // namespace

void read_list_entry(std::string_view text, std::size_t line, const ListVisitor& visitor) {
  read_trimmed_entry(trim(text), line, visitor);
}

namespace {

void read_trimmed_entry(std::string_view text, std::size_t line, const ListVisitor& visitor) {
  // Most entries are one address or CIDR: parse that first, with no reason asked for (building
  // it cost an allocation per line). A text that parses holds no '-', blank or tab, so the
  // checks below, and their messages, are only for the text that does not.
  Prefix prefix;
  bool masked = false;
  if (parse_prefix(text, prefix, &masked, nullptr)) {
    visitor.entry(prefix, masked, line);
    return;
  }
  const std::size_t dash = text.find('-');
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
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      visitor.bad(line, "unexpected text after the address");
      return;
    }
  }
  std::string error;
  (void)parse_prefix(text, prefix, &masked, &error);
  visitor.bad(line, error);
}

}  // namespace

void read_plain_list(std::string_view content, const ListVisitor& visitor) {
  const char* const data = content.data();
  const std::size_t size = content.size();
  std::size_t line = 0;
  std::size_t pos = 0;
  while (pos < size) {
    ++line;
    std::size_t start = pos;
    if (line == 1 && content.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
    const void* newline = std::memchr(data + start, '\n', size - start);
    const std::size_t i =
        newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : size;
    // Spamhaus writes `1.2.3.0/24 ; SBL123`; FireHOL and most others comment with '#'.
    std::string_view text = content.substr(start, i - start);
    if (const void* hash = std::memchr(text.data(), '#', text.size())) {
      text = text.substr(0, static_cast<std::size_t>(static_cast<const char*>(hash) - text.data()));
    }
    if (const void* semi = std::memchr(text.data(), ';', text.size())) {
      text = text.substr(0, static_cast<std::size_t>(static_cast<const char*>(semi) - text.data()));
    }
    pos = i + 1;
    text = trim(text);
    if (text.empty()) continue;
    read_trimmed_entry(text, line, visitor);
  }
}

}  // namespace trailhound::intel
