// Event filters: which events a command reports.
#include "trailhound/filter.hpp"

#include <algorithm>

namespace trailhound {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative wildcard match with single back-tracking point: linear in practice.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool identity_matches(const IdentityView& id, std::string_view name) {
  return id.answers_to(name);
}

bool prefix_contains(const intel::Prefix& prefix, const intel::IpAddr& addr) {
  if (prefix.addr.v4 != addr.v4) return false;
  const int len = prefix.length;
  if (addr.v4) {
    if (len == 0) return true;
    const std::uint32_t mask = len >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - len)) - 1);
    return (addr.v4_value() & mask) == (prefix.addr.v4_value() & mask);
  }
  auto masked = [](std::uint64_t v, int bits) -> std::uint64_t {
    if (bits <= 0) return 0;
    if (bits >= 64) return v;
    return v & ~((std::uint64_t{1} << (64 - bits)) - 1);
  };
  return masked(addr.hi, len) == masked(prefix.addr.hi, len) &&
         masked(addr.lo, len - 64) == masked(prefix.addr.lo, len - 64);
}

bool EventFilter::matches_user(const IdentityView& identity) const {
  return std::any_of(users.begin(), users.end(),
                     [&](const std::string& u) { return identity_matches(identity, u); });
}

bool EventFilter::matches_source(std::string_view source_ip) const {
  if (std::find(source_texts.begin(), source_texts.end(), source_ip) != source_texts.end()) {
    return true;
  }
  if (source_ips.empty()) return false;
  intel::IpAddr addr;
  if (intel::classify_source(source_ip, &addr) != intel::SourceClass::Address) return false;
  return std::any_of(source_ips.begin(), source_ips.end(),
                     [&](const intel::Prefix& p) { return prefix_contains(p, addr); });
}

bool EventFilter::matches(const EventView& e) const {
  if (!window.contains(e.time)) return false;
  if (errors_only && e.error_code.empty()) return false;
  if (!users.empty() && !matches_user(e.identity)) return false;
  if (!access_keys.empty() &&
      std::find(access_keys.begin(), access_keys.end(), e.identity.access_key_id) ==
          access_keys.end()) {
    return false;
  }
  if (!regions.empty() &&
      std::find(regions.begin(), regions.end(), e.aws_region) == regions.end()) {
    return false;
  }
  if (!events.empty() && std::none_of(events.begin(), events.end(), [&](const std::string& p) {
        return glob_match(p, e.event_name);
      })) {
    return false;
  }
  if (!source_ips.empty() || !source_texts.empty()) return matches_source(e.source_ip);
  return true;
}

}  // namespace trailhound
