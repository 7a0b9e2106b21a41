// Internal pieces of the detect stage shared by its source files.
#pragma once

#include <simdjson.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rule.hpp"
#include "trailhound/detect.hpp"

namespace trailhound::detect {

/// One permission of a security-group or network-ACL change, as read from requestParameters.
struct Permission {
  std::string cidr;
  std::string protocol;  ///< as written: tcp, udp, -1, 6, 17, ...
  int from_port = -1;
  int to_port = -1;
  bool egress = false;
  bool deny = false;
};

/// Every permission in a request or response, in whichever form CloudTrail recorded it.
[[nodiscard]] std::vector<Permission> read_permissions(simdjson::dom::parser& parser,
                                                       const RawJson& json);

/// Why a permission is risky, and how much.
struct PermissionVerdict {
  Severity severity = Severity::Low;
  std::string reason;
};

/// The verdict on one ingress permission; nothing when it is neither world-open nor wide.
[[nodiscard]] std::optional<PermissionVerdict> judge_permission(const Permission& p,
                                                                const DetectConfig& config);

/// The shared half of sg-ingress-open and nacl-entry-open: judges every permission the change
/// grants (in the response too, with `with_response`) and emits one finding of `rule`, at the
/// worst severity with each distinct reason once, when any opens ingress.
void report_open_ingress(Worker& worker, const EventContext& ctx, std::string_view rule,
                         bool with_response);

/// Saves every field of `f` (its file index mapped through `files`, the whole run's table).
void save_finding(StateWriter& out, const Finding& f, std::span<const std::uint32_t> files);
/// Loads what save_finding wrote, its text into the reader's worker; false when damaged.
[[nodiscard]] bool load_finding(StateReader& in, Finding& f);

}  // namespace trailhound::detect
