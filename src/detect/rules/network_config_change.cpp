// network-config-change and network-config-change-denied: calls that change a watched kind of
// network resource, the successful ones and the failed ones.
#include <algorithm>

#include <fmt/format.h>

#include "../rule.hpp"
#include "trailhound/escape.hpp"

namespace trailhound::detect {
namespace {

/// The watched resource kind an event changes (see --network-kinds), or empty.
std::string_view watched_kind(const EventView& e, const DetectConfig& config) {
  if (e.event_source != "ec2.amazonaws.com" || e.read_only == true) return {};
  const std::string_view kind = network_kind_of(e.event_name);
  if (kind.empty()) return {};
  if (!config.network_kinds.empty() && config.network_kinds.count(std::string(kind)) == 0) return {};
  return kind;
}

class NetworkConfigChange final : public Rule {
 public:
  using Rule::Rule;

  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (!e.error_code.empty()) return;
    Worker& w = worker();
    const DetectConfig& cfg = w.config;
    const std::string_view kind = watched_kind(e, cfg);
    if (kind.empty()) return;
    Severity sev = Severity::Medium;
    std::string why = fmt::format("{} changes {} configuration", e.event_name, kind);
    if (!cfg.network_admins.empty()) {
      const bool admin =
          std::any_of(cfg.network_admins.begin(), cfg.network_admins.end(),
                      [&](const std::string& a) { return identity_matches(e.identity, a); });
      sev = admin ? Severity::Low : Severity::High;
      why += admin ? " (caller is a network administrator)"
                   : " (caller is not among the network administrators)";
    }
    Finding f = w.make_finding(ctx, kRuleNetworkChange, sev, false);
    w.reason(f, why);
    w.emit(std::move(f), ctx);
  }
};

/// An authorisation failure: the caller was not allowed. Other failures (a flow log that
/// already exists, a bad parameter, throttling) are not attempts someone was stopped from.
bool is_authorization_error(std::string_view code) {
  if (code.substr(0, 7) == "Client.") code.remove_prefix(7);
  auto ends_with = [&](std::string_view s) {
    return code.size() >= s.size() && code.substr(code.size() - s.size()) == s;
  };
  return code.substr(0, 12) == "AccessDenied" || ends_with("UnauthorizedOperation") ||
         code.substr(0, 18) == "UnauthorizedAccess" || code == "Unauthorized" ||
         ends_with("NotAuthorized") || ends_with("NotAuthorizedException");
}

class NetworkConfigChangeDenied final : public Rule {
 public:
  using Rule::Rule;

  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (!is_authorization_error(e.error_code)) return;
    Worker& w = worker();
    const std::string_view kind = watched_kind(e, w.config);
    if (kind.empty()) return;
    Finding f = w.make_finding(ctx, kRuleNetworkDenied, Severity::Low, false);
    w.reason(f, fmt::format("{} on {} was attempted and failed: {}", e.event_name, kind,
                            terminal_safe(e.error_code)));
    w.emit(std::move(f), ctx);
  }
};

}  // namespace

namespace rules {
const RuleDef& network_config_change() {
  static const RuleDef def{
      {kRuleNetworkChange,
       "medium; high when --network-admin is set and the caller is not one; low when it is",
       "successful calls that change security groups, network ACLs, route tables, VPCs, "
       "gateways, NAT gateways, VPC endpoints, network interfaces, Elastic IPs, subnets, "
       "flow logs, VPN gateways and connections, transit gateways (see --network-kinds)",
       "", ""},
      Requires::Nothing,
      make_rule<NetworkConfigChange>};
  return def;
}

const RuleDef& network_config_change_denied() {
  static const RuleDef def{
      {kRuleNetworkDenied, "low", "the same calls, refused for authorisation (errorCode AccessDenied*, "
       "*UnauthorizedOperation, UnauthorizedAccess*, *NotAuthorized*); other failures are not "
       "findings", "", ""},
      Requires::Nothing,
      make_rule<NetworkConfigChangeDenied>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
