// Strict IPv4/IPv6 address and prefix parsing, canonical printing, and range decomposition.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

__extension__ typedef unsigned __int128 U128;

bool fail(std::string* error, std::string_view reason) {
  if (error) error->assign(reason);
  return false;
}

// Parses a dotted quad. A leading zero is refused because inet_aton reads it as octal, so
// `035.1.1.1` means different hosts to different readers.
bool parse_v4(std::string_view s, std::uint32_t& out, std::string* error) {
  // Runs once per record (its source address) and once per list line: pointers, and each
  // octet's digits read in line rather than counted in a loop.
  const char* p = s.data();
  const char* const end = p + s.size();
  std::uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return fail(error, "malformed IPv4 address");
      ++p;
    }
    // At most three digits are read one by one; a fourth only decides the message.
    unsigned part = p != end ? static_cast<unsigned>(*p - '0') : 10u;
    if (part > 9) return fail(error, "malformed IPv4 address");
    ++p;
    unsigned digit = p != end ? static_cast<unsigned>(*p - '0') : 10u;
    if (digit <= 9) {
      if (part == 0) return fail(error, "leading zero in IPv4 octet (octal-ambiguous)");
      part = part * 10 + digit;
      ++p;
      digit = p != end ? static_cast<unsigned>(*p - '0') : 10u;
      if (digit <= 9) {
        part = part * 10 + digit;
        ++p;
        if (p != end && static_cast<unsigned>(*p - '0') <= 9) {
          return fail(error, "IPv4 octet above 255");
        }
      }
    }
    if (part > 255) return fail(error, "IPv4 octet above 255");
    value = (value << 8) | part;
  }
  if (p != end) return fail(error, "malformed IPv4 address");
  out = value;
  return true;
}

constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 10; ++i) value['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    value['a' + i] = static_cast<std::int8_t>(10 + i);
    value['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return value;
}();

int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

bool parse_v6_groups(std::string_view s, U128& out, std::string* error);

// Parses every RFC 4291 text form into 128 bits, without the IPv4-mapped conversion. Text that
// parses holds no '%', '[' or ']', so they are looked for only to name what is wrong, and take
// precedence over the other reasons as they did when looked for first.
bool parse_v6_raw(std::string_view s, U128& out, std::string* error) {
  if (parse_v6_groups(s, out, error)) return true;
  if (s.find('%') != std::string_view::npos) return fail(error, "zone id not allowed");
  if (s.find('[') != std::string_view::npos || s.find(']') != std::string_view::npos) {
    return fail(error, "brackets not allowed");
  }
  return false;
}

bool parse_v6_groups(std::string_view s, U128& out, std::string* error) {
  std::uint16_t groups[8] = {};
  int count = 0;
  int gap = -1;  // group index where "::" stands
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return fail(error, "malformed IPv6 address");
  }
  while (i < s.size()) {
    // One pass over the group: where it ends, its value, and whether it is all hex digits or
    // holds a '.' (an embedded IPv4 address).
    std::size_t end = i;
    unsigned group = 0;
    bool hex = true;
    bool dotted = false;
    for (; end < s.size() && s[end] != ':'; ++end) {
      const int h = hex_value(s[end]);
      if (h >= 0) {
        group = group * 16 + unsigned(h);
      } else {
        hex = false;
        if (s[end] == '.') dotted = true;
      }
    }
    std::string_view token = s.substr(i, end - i);
    if (dotted) {
      std::uint32_t v4 = 0;
      if (end != s.size() || count > 6) return fail(error, "malformed IPv6 address");
      if (!parse_v4(token, v4, error)) return false;
      groups[count++] = std::uint16_t(v4 >> 16);
      groups[count++] = std::uint16_t(v4 & 0xffff);
      i = end;
      break;
    }
    if (token.empty() || token.size() > 4 || count >= 8 || !hex) {
      return fail(error, "malformed IPv6 address");
    }
    groups[count++] = std::uint16_t(group);
    if (end == s.size()) {
      i = end;
      break;
    }
    if (end + 1 < s.size() && s[end + 1] == ':') {
      if (gap >= 0) return fail(error, "malformed IPv6 address");
      gap = count;
      i = end + 2;
    } else {
      i = end + 1;
      if (i == s.size()) return fail(error, "malformed IPv6 address");
    }
  }
  std::uint16_t full[8] = {};
  if (gap < 0) {
    if (count != 8) return fail(error, "malformed IPv6 address");
    std::copy(groups, groups + 8, full);
  } else {
    if (count > 7) return fail(error, "malformed IPv6 address");
    std::copy(groups, groups + gap, full);
    std::copy(groups + gap, groups + count, full + 8 - (count - gap));
  }
  U128 value = 0;
  for (auto g : full) value = (value << 16) | g;
  out = value;
  return true;
}

bool is_mapped(U128 v) { return (v >> 32) == U128(0xffff); }

IpAddr from_u128(U128 v) {
  if (is_mapped(v)) return IpAddr::from_v4(static_cast<std::uint32_t>(v));
  return IpAddr::from_v6(static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v));
}

U128 to_u128(const IpAddr& a) { return a.v4 ? U128(a.lo) : (U128(a.hi) << 64) | a.lo; }

U128 mask_bits(int bits, int length) {
  if (length == 0) return 0;
  U128 all = bits == 128 ? ~U128(0) : ((U128(1) << bits) - 1);
  return all & (all << (bits - length));
}

IpAddr make_addr(U128 v, bool v4) {
  return v4 ? IpAddr::from_v4(static_cast<std::uint32_t>(v))
            : IpAddr::from_v6(static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v));
}

int ctz128(U128 v) {
  auto lo = static_cast<std::uint64_t>(v);
  if (lo != 0) return std::countr_zero(lo);
  return 64 + std::countr_zero(static_cast<std::uint64_t>(v >> 64));
}

}  // namespace

bool parse_address(std::string_view text, IpAddr& out, std::string* error) {
  if (text.empty()) return fail(error, "empty address");
  if (text.find(':') != std::string_view::npos || text.find('%') != std::string_view::npos ||
      text.front() == '[') {
    U128 v = 0;
    if (!parse_v6_raw(text, v, error)) return false;
    out = from_u128(v);
    return true;
  }
  std::uint32_t v4 = 0;
  if (!parse_v4(text, v4, error)) return false;
  out = IpAddr::from_v4(v4);
  return true;
}

bool parse_prefix(std::string_view text, Prefix& out, bool* masked, std::string* error) {
  if (masked) *masked = false;
  std::size_t slash = text.find('/');
  std::string_view addr_text = text.substr(0, slash);
  if (addr_text.empty()) return fail(error, "empty address");
  // Most list lines are dotted quads: try that first, and look for the marks of IPv6 only when
  // it fails (a dotted quad holds none of them, so the family and any error are the same).
  std::uint32_t v4 = 0;
  bool v6 = false;
  U128 value = 0;
  if (parse_v4(addr_text, v4, nullptr)) {
    value = v4;
  } else {
    v6 = addr_text.find(':') != std::string_view::npos ||
         addr_text.find('%') != std::string_view::npos || addr_text.front() == '[';
    if (v6) {
      if (!parse_v6_raw(addr_text, value, error)) return false;
    } else {
      return parse_v4(addr_text, v4, error);
    }
  }
  int bits = v6 ? 128 : 32;
  int length = bits;
  if (slash != std::string_view::npos) {
    std::string_view len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3 ||
        !std::all_of(len_text.begin(), len_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(error, "malformed prefix length");
    }
    length = 0;
    for (char c : len_text) length = length * 10 + (c - '0');
    if (length > bits) {
      return fail(error,
                  v6 ? "prefix length out of range (0-128)" : "prefix length out of range (0-32)");
    }
  }
  U128 clean = value & mask_bits(bits, length);
  if (masked) *masked = clean != value;
  if (v6 && length >= 96 && is_mapped(clean)) {
    out.addr = IpAddr::from_v4(static_cast<std::uint32_t>(clean));
    out.length = static_cast<std::uint8_t>(length - 96);
  } else {
    out.addr = make_addr(clean, !v6);
    out.length = static_cast<std::uint8_t>(length);
  }
  return true;
}

SourceClass classify_source(std::string_view text, IpAddr* addr, std::string* error) {
  IpAddr parsed;
  // No reason is asked for here: most records that fail are service names, and building the
  // message cost an allocation per record. It is worked out again below when wanted.
  if (parse_address(text, parsed, nullptr)) {
    if (addr) *addr = parsed;
    return SourceClass::Address;
  }
  if (text == "AWS Internal") return SourceClass::Service;
  // A host name: dot-separated labels of letters, digits and hyphens whose last label holds a
  // letter (no top-level domain is all digits, which keeps `1.2.3.999` out).
  bool hostname = !text.empty() && text.find('.') != std::string_view::npos;
  bool letter_in_label = false;
  std::size_t label_size = 0;
  for (char c : text) {
    if (!hostname) break;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == '.') {
      if (label_size == 0) hostname = false;
      label_size = 0;
      letter_in_label = false;
    } else if (alpha || (c >= '0' && c <= '9') || c == '-') {
      ++label_size;
      letter_in_label = letter_in_label || alpha;
    } else {
      hostname = false;
    }
  }
  if (hostname && label_size > 0 && letter_in_label) return SourceClass::Service;
  if (error) (void)parse_address(text, parsed, error);
  return SourceClass::Invalid;
}

bool is_private(const IpAddr& addr) {
  if (addr.v4) {
    const std::uint32_t v = addr.v4_value();
    const auto in = [v](std::uint32_t net, int length) {
      return (v >> (32 - length)) == (net >> (32 - length));
    };
    return in(0x00000000u, 8) ||   // 0.0.0.0/8 "this network"
           in(0x0A000000u, 8) ||   // 10.0.0.0/8
           in(0x64400000u, 10) ||  // 100.64.0.0/10 carrier-grade NAT
           in(0x7F000000u, 8) ||   // 127.0.0.0/8 loopback
           in(0xA9FE0000u, 16) ||  // 169.254.0.0/16 link-local (and the instance metadata)
           in(0xAC100000u, 12) ||  // 172.16.0.0/12
           in(0xC0A80000u, 16);    // 192.168.0.0/16
  }
  if (addr.hi == 0 && (addr.lo == 0 || addr.lo == 1)) return true;  // :: and ::1
  return (addr.hi >> 54) == (0xfe80ULL >> 6) ||  // fe80::/10 link-local
         (addr.hi >> 57) == (0xfc00ULL >> 9);    // fc00::/7 unique local
}

bool is_wide_prefix(const Prefix& prefix) {
  return prefix.length < (prefix.addr.v4 ? kWidestListPrefixV4 : kWidestListPrefixV6);
}

std::string to_string(const IpAddr& addr) {
  std::string out;
  if (addr.v4) {
    std::uint32_t v = addr.v4_value();
    for (int i = 3; i >= 0; --i) {
      out += std::to_string((v >> (i * 8)) & 0xff);
      if (i) out += '.';
    }
    return out;
  }
  std::uint16_t g[8];
  for (int i = 0; i < 4; ++i) g[i] = std::uint16_t(addr.hi >> (48 - 16 * i));
  for (int i = 0; i < 4; ++i) g[4 + i] = std::uint16_t(addr.lo >> (48 - 16 * i));
  // RFC 5952: the longest run of two or more zero groups becomes "::", the first on a tie.
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len) out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int nibble = (g[i] >> shift) & 0xf;
      if (nibble || started || shift == 0) {
        out += kHex[nibble];
        started = true;
      }
    }
  }
  return out;
}

std::string to_string(const Prefix& prefix) {
  return to_string(prefix.addr) + '/' + std::to_string(prefix.length);
}

std::string_view to_string(ListRole role) {
  switch (role) {
    case ListRole::Threat:
      return "threat";
    case ListRole::Trusted:
      return "trusted";
    case ListRole::SigninAllow:
      return "signin-allow";
  }
  return "threat";
}

Prefix make_prefix(const IpAddr& addr, int length) {
  int bits = addr.bits();
  length = std::clamp(length, 0, bits);
  U128 value = to_u128(addr) & mask_bits(bits, length);
  return Prefix{make_addr(value, addr.v4), static_cast<std::uint8_t>(length)};
}

std::vector<Prefix> range_to_prefixes(const IpAddr& first, const IpAddr& last) {
  std::vector<Prefix> out;
  if (first.v4 != last.v4) return out;
  int bits = first.bits();
  U128 cur = to_u128(first);
  U128 end = to_u128(last);
  if (cur > end) return out;
  for (;;) {
    int k = cur == 0 ? bits : std::min(ctz128(cur), bits);
    auto span = [&](int size) { return size == 128 ? ~U128(0) : (U128(1) << size) - 1; };
    while (k > 0 && span(k) > end - cur) --k;
    out.push_back(Prefix{make_addr(cur, first.v4), static_cast<std::uint8_t>(bits - k)});
    U128 block_end = cur + span(k);
    if (block_end >= end) break;
    cur = block_end + 1;
  }
  return out;
}

}  // namespace trailhound::intel
