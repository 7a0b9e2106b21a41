// Event filters: principal, access key, time window, region, event name, source address, errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/discover.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/model.hpp"

namespace trailhound {

/// What an event must match to be reported. Empty lists match everything.
struct EventFilter {
  std::vector<std::string> users;        ///< --user (any of)
  std::vector<std::string> access_keys;  ///< --access-key (any of)
  TimeWindow window;                     ///< --since/--until, [since, until)
  std::vector<std::string> regions;      ///< --region (any of)
  std::vector<std::string> events;       ///< --event, `*` and `?` globs (any of)
  std::vector<intel::Prefix> source_ips; ///< --source-ip IP|CIDR (any of)
  /// --source-ip text that is no address or CIDR (an anonymised `035.249.253.232`, a service
  /// name): matches a sourceIPAddress written exactly so (any of, with source_ips).
  std::vector<std::string> source_texts;
  bool errors_only = false;              ///< --errors-only: errorCode set

  /// True when the event passes every filter.
  [[nodiscard]] bool matches(const EventView& event) const;
  /// True when a sourceIPAddress is one of --source-ip: inside a prefix, or an exact text.
  [[nodiscard]] bool matches_source(std::string_view source_ip) const;
  /// True when the identity is one of --user (see man page for what counts).
  [[nodiscard]] bool matches_user(const IdentityView& identity) const;
};

/// True when `identity` is the principal named by `name`: the user name, the ARN, the
/// principalId, the session issuer's role name or ARN, an assumed role's session name, the
/// `ROLE/SESSION` pair, or the Identity Center user id. Case-sensitive, exact.
[[nodiscard]] bool identity_matches(const IdentityView& identity, std::string_view name);

/// Shell-style match: `*` any run, `?` one character; everything else literal.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

/// True when `prefix` contains `addr` (same family).
[[nodiscard]] bool prefix_contains(const intel::Prefix& prefix, const intel::IpAddr& addr);

}  // namespace trailhound
