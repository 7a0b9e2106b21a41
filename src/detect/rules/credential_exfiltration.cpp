// credential-exfiltration: a temporary key used from outside AWS after it was used from AWS.
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "../rule.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::detect {
namespace {

bool is_temporary(std::string_view key_id) {
  return key_id.size() >= 4 && key_id.substr(0, 4) == "ASIA";
}

class CredentialExfiltration final : public Rule {
 public:
  using Rule::Rule;

  [[nodiscard]] bool learns() const override { return true; }

  // Each temporary key's history is kept whatever the filter says: a use from outside AWS is
  // judged against the first use from AWS anywhere in the run.
  void learn(const EventContext& ctx) override {
    const std::string_view key_id = ctx.event.identity.access_key_id;
    if (!is_temporary(key_id) || !ctx.from_aws()) return;
    const TimeMs t = ctx.event.time;
    auto it = first_aws_.find(key_id);
    if (it == first_aws_.end()) first_aws_.emplace(std::string(key_id), t);
    else if (t < it->second) it->second = t;
  }

  // A use from outside AWS waits as a candidate until the whole run's history is known.
  void judge(const EventContext& ctx) override {
    // A private address is a VPC endpoint or on-premises: not evidence of a stolen key.
    if (!is_temporary(ctx.event.identity.access_key_id) || !ctx.outside_aws(true)) return;
    Worker& w = worker();
    Finding f = w.make_finding(ctx, kRuleExfiltration, Severity::High, true);
    f.guardduty_type = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    if (Finding* kept = w.emit(std::move(f), ctx)) candidates_.push_back(kept);
  }

  void settle(std::span<Rule* const> peers, const SettleContext& /*run*/) override {
    // The other workers' first uses join this one's (its own history is not needed after).
    KeyTimes& first_aws = first_aws_;
    for (Rule* peer : peers.subspan(1)) {
      for (const auto& [k, t] : static_cast<CredentialExfiltration*>(peer)->first_aws_) {
        auto [it, added] = first_aws.try_emplace(k, t);
        if (!added && t < it->second) it->second = t;
      }
    }
    for (Rule* peer : peers) static_cast<CredentialExfiltration*>(peer)->settle_own(first_aws);
  }

  void save_state(StateWriter& out) const override {
    out.varint(first_aws_.size());
    for (const auto& [key, t] : first_aws_) {
      out.str(key);
      out.varint(static_cast<std::uint64_t>(t));
    }
    out.findings(candidates_);
  }

  bool load_state(StateReader& in) override {
    std::uint64_t n = 0;
    if (!in.count(n, 2)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string_view key;
      std::uint64_t t = 0;
      if (!in.str(key) || !in.varint(t)) return false;
      auto it = first_aws_.find(key);
      if (it == first_aws_.end()) first_aws_.emplace(std::string(key), static_cast<TimeMs>(t));
      else if (static_cast<TimeMs>(t) < it->second) it->second = static_cast<TimeMs>(t);
    }
    return in.findings(candidates_);
  }

 private:
  using KeyTimes = std::unordered_map<std::string, TimeMs, StringHash, std::equal_to<>>;

  void settle_own(const KeyTimes& first_aws) {
    for (Finding* candidate : candidates_) {
      Finding& f = *candidate;
      const std::string_view key = f.principal.access_key;
      const auto it = first_aws.find(key);
      if (it == first_aws.end() || it->second > f.time) {
        f.rule = {};  // not a finding: the key was not seen from AWS before
        continue;
      }
      worker().reason(f, fmt::format(
          "temporary key {} was used from AWS (first at {}) and now from {}, outside AWS", key,
          format_iso(it->second), f.source_ip));
    }
    candidates_.clear();
  }

  /// The first time each temporary key was seen from AWS...
  KeyTimes first_aws_;
  /// ...and its uses from outside AWS, which become findings if that came first.
  std::vector<Finding*> candidates_;
};

}  // namespace

namespace rules {
const RuleDef& credential_exfiltration() {
  static const RuleDef def{
      {kRuleExfiltration, "high",
       "temporary credentials (ASIA keys) seen from AWS addresses or AWS service sources, "
       "then from a public address outside AWS (a private address, a VPC endpoint or "
       "on-premises, does not count)",
       "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "--aws-ip-ranges"},
      Requires::AwsRanges,
      make_rule<CredentialExfiltration>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
