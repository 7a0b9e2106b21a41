// sg-ingress-open and nacl-entry-open: reading permissions in every form CloudTrail records,
// and judging what a change opens.
#include "detect_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trailhound::detect {
namespace {

bool is_cidr_key(std::string_view k) {
  return k == "cidrIp" || k == "cidrIpv4" || k == "CidrIpv4" || k == "cidrIpv6" ||
         k == "CidrIpv6" || k == "cidrBlock" || k == "ipv6CidrBlock" || k == "CidrBlock" ||
         k == "Ipv6CidrBlock";
}

bool read_int(simdjson::dom::element v, int& out) {
  std::int64_t i = 0;
  if (v.get(i) == simdjson::SUCCESS) {
    out = static_cast<int>(i);
    return true;
  }
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS && !s.empty() && s.size() < 8) {
    int n = 0;
    bool neg = s[0] == '-';
    for (std::size_t i2 = neg ? 1 : 0; i2 < s.size(); ++i2) {
      if (s[i2] < '0' || s[i2] > '9') return false;
      n = n * 10 + (s[i2] - '0');
    }
    out = neg ? -n : n;
    return true;
  }
  return false;
}

void walk(simdjson::dom::element e, Permission ctx, std::vector<Permission>& out, int depth) {
  if (depth > 32) return;  // requestParameters are shallow; bound the walk all the same
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  if (e.get(arr) == simdjson::SUCCESS) {
    for (auto item : arr) walk(item, ctx, out, depth + 1);
    return;
  }
  if (e.get(obj) != simdjson::SUCCESS) return;
  // Protocol, ports and direction of this level apply to the ranges below it.
  for (auto [key, value] : obj) {
    if (key == "ipProtocol" || key == "IpProtocol" || key == "aclProtocol" || key == "protocol") {
      std::string_view s;
      int n = 0;
      if (value.get(s) == simdjson::SUCCESS) ctx.protocol = std::string(s);
      else if (read_int(value, n)) ctx.protocol = std::to_string(n);
    } else if (key == "fromPort" || key == "FromPort") {
      read_int(value, ctx.from_port);
    } else if (key == "toPort" || key == "ToPort") {
      read_int(value, ctx.to_port);
    } else if (key == "portRange" || key == "PortRange") {
      simdjson::dom::object pr;
      if (value.get(pr) == simdjson::SUCCESS) {
        for (auto [pk, pv] : pr) {
          if (pk == "from" || pk == "From") read_int(pv, ctx.from_port);
          if (pk == "to" || pk == "To") read_int(pv, ctx.to_port);
        }
      }
    } else if (key == "isEgress" || key == "IsEgress" || key == "egress" || key == "Egress") {
      bool b = false;
      std::string_view s;
      if (value.get(b) == simdjson::SUCCESS) ctx.egress = b;
      else if (value.get(s) == simdjson::SUCCESS) ctx.egress = s == "true";
    } else if (key == "ruleAction" || key == "RuleAction") {
      std::string_view s;
      if (value.get(s) == simdjson::SUCCESS) ctx.deny = s == "deny";
    }
  }
  for (auto [key, value] : obj) {
    std::string_view s;
    if (is_cidr_key(key) && value.get(s) == simdjson::SUCCESS) {
      Permission p = ctx;
      p.cidr = std::string(s);
      out.push_back(std::move(p));
    } else if (value.is_object() || value.is_array()) {
      walk(value, ctx, out, depth + 1);
    }
  }
}

/// Protocol numbers as their names, so reports read the same for every form.
std::string protocol_name(std::string_view p) {
  if (p.empty() || p == "6") return "tcp";
  if (p == "17") return "udp";
  if (p == "1") return "icmp";
  if (p == "58") return "icmpv6";
  return std::string(p);
}

bool all_protocols(std::string_view p) { return p == "-1" || p == "all"; }
bool port_based(std::string_view p) {
  return p.empty() || p == "tcp" || p == "udp" || p == "6" || p == "17";
}

}  // namespace

std::vector<Permission> read_permissions(simdjson::dom::parser& parser, const RawJson& json) {
  std::vector<Permission> perms;
  const std::string_view text = json.text();
  if (text.empty() || text == "null") return perms;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) return perms;
  walk(root, Permission{}, perms, 0);
  return perms;
}

std::optional<PermissionVerdict> judge_permission(const Permission& p, const DetectConfig& config) {
  if (p.egress || p.deny) return std::nullopt;
  intel::Prefix prefix;
  if (!intel::parse_prefix(p.cidr, prefix)) return std::nullopt;
  const bool world = prefix.length == 0;
  const bool wide = !world && (prefix.addr.v4 ? prefix.length <= config.wide_v4
                                              : prefix.length <= config.wide_v6);
  if (!world && !wide) return std::nullopt;
  PermissionVerdict v;
  const std::string range = intel::to_string(prefix);
  const bool all = all_protocols(p.protocol);
  std::string ports;
  int risky = -1;
  if (all) {
    ports = "all protocols and ports";
  } else if (port_based(p.protocol)) {
    const bool any_port = p.from_port < 0 || (p.from_port == 0 && p.to_port >= 65535);
    const int lo = any_port ? 0 : p.from_port;
    const int hi = any_port ? 65535 : (p.to_port < 0 ? p.from_port : p.to_port);
    const std::string proto = protocol_name(p.protocol);
    ports = lo == hi ? fmt::format("{} port {}", proto, lo)
                     : fmt::format("{} ports {}-{}", proto, lo, hi);
    for (int port : config.risky_ports) {
      if (port >= lo && port <= hi) {
        risky = port;
        break;
      }
    }
  } else {
    ports = fmt::format("protocol {}", protocol_name(p.protocol));
  }
  const std::string written = p.cidr == range ? range : fmt::format("{} (written {})", range, p.cidr);
  if (world && (all || risky >= 0)) {
    v.severity = Severity::High;
    v.reason = risky >= 0 ? fmt::format("world-open {} to {} (risky port {})", written, ports, risky)
                          : fmt::format("world-open {} to {}", written, ports);
  } else if (world) {
    v.severity = Severity::Medium;
    v.reason = fmt::format("world-open {} to {}", written, ports);
  } else {
    v.severity = Severity::Low;
    v.reason = risky >= 0 ? fmt::format("wide range {} to {} (risky port {})", written, ports, risky)
                          : fmt::format("wide range {} to {}", written, ports);
  }
  return v;
}

void report_open_ingress(Worker& worker, const EventContext& ctx, std::string_view rule,
                         bool with_response) {
  const EventView& e = ctx.event;
  std::vector<Permission> perms = read_permissions(worker.json, e.request_parameters);
  if (with_response) {
    for (auto& p : read_permissions(worker.json, e.response_elements)) perms.push_back(std::move(p));
  }
  Severity worst = Severity::Informational;
  std::vector<std::string> reasons;
  for (const auto& p : perms) {
    const auto v = judge_permission(p, worker.config);
    if (!v) continue;
    if (std::find(reasons.begin(), reasons.end(), v->reason) != reasons.end()) continue;
    reasons.push_back(v->reason);
    worst = std::max(worst, v->severity);
  }
  if (reasons.empty()) return;
  Finding f = worker.make_finding(ctx, rule, worst, false);
  for (const auto& why : reasons) worker.reason(f, why);
  worker.emit(std::move(f), ctx);
}

}  // namespace trailhound::detect
