// malicious-ip-caller: calls from threat-listed addresses, judged against the principal's
// baseline of calls from addresses on no list.
#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "../hash.hpp"
#include "../rule.hpp"

namespace trailhound::detect {
namespace {

/// The GuardDuty type of a malicious-ip-caller finding.
std::string_view guardduty_malicious_type(bool recon, bool tor) {
  if (recon) return tor ? "Recon:IAMUser/TorIPCaller" : "Recon:IAMUser/MaliciousIPCaller.Custom";
  return tor ? "UnauthorizedAccess:IAMUser/TorIPCaller"
             : "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom";
}

bool is_recon(std::string_view name) {
  return name.rfind("List", 0) == 0 || name.rfind("Describe", 0) == 0 || name.rfind("Get", 0) == 0;
}

/// The baseline profile of each principal seen by one worker, found by the hash of its key
/// (the key is compared too, so two principals never share a profile).
class ProfileIndex {
 public:
  explicit ProfileIndex(Baseline& baseline) : baseline_(baseline) {}

  Baseline::Profile& find(std::string_view key, std::uint64_t hash) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].profile != nullptr) {
      if (slots_[i].hash == hash && slots_[i].key == key) return *slots_[i].profile;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = Slot{hash, std::string(key), &baseline_.profile(key)};
    ++size_;
    return *slots_[i].profile;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::string key;
    Baseline::Profile* profile = nullptr;
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.empty() ? 256 : old.size() * 2);
    for (Slot& s : old) {
      if (s.profile == nullptr) continue;
      std::size_t i = s.hash & (slots_.size() - 1);
      while (slots_[i].profile != nullptr) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = std::move(s);
    }
  }
  Baseline& baseline_;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

class MaliciousIpCaller final : public Rule {
 public:
  explicit MaliciousIpCaller(Worker& w) : Rule(w), profiles_(w.baseline) {
    if (w.config.geo != nullptr) geo_.emplace(*w.config.geo);
  }

  [[nodiscard]] bool learns() const override { return true; }

  // The baseline learns from every call made from an address on no threat list.
  void learn(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    const DetectConfig& cfg = worker().config;
    const bool in_window = (!cfg.baseline_since || e.time >= *cfg.baseline_since) &&
                           (!cfg.baseline_until || e.time < *cfg.baseline_until);
    if (ctx.lookup.threat || !in_window) return;
    // Most calls repeat an action, agent and region their principal was already seen with:
    // a 64-bit hash of each (principal, value) pair remembers them, so only a new pair
    // touches the baseline's string sets. The raw user agent is hashed, so its family is
    // worked out only when the agent is new for the principal.
    const std::string_view key = e.identity.key(key_scratch_);
    const std::uint64_t kh = hash_bytes(key, 0x9E3779B97F4A7C15ULL);
    Baseline::Profile& profile = profiles_.find(key, kh);
    ++profile.events;
    if (learned_.insert(hash_bytes(e.event_name, hash_bytes(e.event_source, kh ^ 1)))) {
      action_scratch_.assign(e.event_source);
      action_scratch_ += ':';
      action_scratch_ += e.event_name;
      if (profile.actions.find(std::string_view(action_scratch_)) == profile.actions.end()) {
        profile.actions.emplace(action_scratch_);
      }
    }
    if (learned_.insert(hash_bytes(e.user_agent, kh ^ 2))) {
      profile.agent_families.emplace(user_agent_family(e.user_agent));
    }
    if (learned_.insert(hash_bytes(e.aws_region, kh ^ 3))) {
      if (profile.regions.find(e.aws_region) == profile.regions.end()) {
        profile.regions.emplace(e.aws_region);
      }
    }
  }

  // A listed call waits for the whole run's baseline: the action, agent family and region it
  // is judged on are worked out from the finding in settle().
  void judge(const EventContext& ctx) override {
    if (!ctx.lookup.threat) return;
    Worker& w = worker();
    if (ctx.lookup.trusted) {
      ++w.suppressed.trusted;
      return;
    }
    const EventView& e = ctx.event;
    Finding* f = w.emit(w.make_finding(ctx, kRuleMaliciousIp, Severity::Informational, true), ctx);
    if (f == nullptr) return;
    f->guardduty_type = guardduty_malicious_type(is_recon(e.event_name), ctx.lookup.tor);
    Candidate& c = candidates_.emplace_back();
    c.finding = f;
    c.outside_aws = ctx.outside_aws(w.intel.has_aws_ranges());
    c.private_network = ctx.from_private_network();
    // Looked up only for listed calls, each distinct address once per worker.
    if (geo_ && ctx.is_address()) {
      const intel::GeoInfo& where = geo_->lookup(ctx.addr);
      if (where.anonymiser()) c.anonymiser = w.text->intern(where.anonymiser_kinds());
    }
    if (e.identity.arn.empty() && e.identity.principal_id.empty()) {
      c.fallback_key = w.text->intern(e.identity.key(key_scratch_));
    }
  }

  void settle(std::span<Rule* const> peers, const SettleContext& run) override {
    for (Rule* peer : peers) static_cast<MaliciousIpCaller*>(peer)->settle_own(run);
  }

  // The baseline is the worker's (saved with it); the candidates are what is left.
  void save_state(StateWriter& out) const override {
    out.varint(candidates_.size());
    for (const Candidate& c : candidates_) {
      out.finding(c.finding);
      out.str(c.fallback_key);
      out.str(c.anonymiser);
      out.flag(c.outside_aws);
      out.flag(c.private_network);
    }
  }

  bool load_state(StateReader& in) override {
    std::uint64_t n = 0;
    if (!in.count(n, 5)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
      Candidate c;
      c.finding = in.finding();
      if (c.finding == nullptr || !in.text(c.fallback_key) || !in.text(c.anonymiser) ||
          !in.flag(c.outside_aws) || !in.flag(c.private_network)) {
        return false;
      }
      candidates_.push_back(c);
    }
    return true;
  }

 private:
  struct Candidate {
    Finding* finding = nullptr;
    /// The baseline key when the principal has neither ARN nor principalId (rare), pooled.
    std::string_view fallback_key;
    bool outside_aws = false;
    bool private_network = false;
    /// The anonymiser kinds GeoIP gives the address ("vpn, tor"), pooled; empty when none.
    std::string_view anonymiser;
  };

  void settle_own(const SettleContext& run) {
    Worker& w = worker();
    std::string action;
    for (const Candidate& c : candidates_) {
      Finding& f = *c.finding;
      int unexpected = 0;
      const PrincipalView& who = f.principal;
      const std::string_view key = !who.arn.empty()            ? who.arn
                                   : !who.principal_id.empty() ? who.principal_id
                                                               : c.fallback_key;
      const Baseline::Profile* profile = run.baseline.find(key);
      if (profile == nullptr) {
        w.reason(f, "no baseline for this principal: its calls were all from listed addresses");
      } else {
        auto check = [&](const auto& set, std::string_view value, std::string_view what) {
          if (set.find(value) != set.end()) return;
          ++unexpected;
          std::vector<std::string_view> sorted(set.begin(), set.end());
          std::sort(sorted.begin(), sorted.end());
          std::string known;
          std::size_t shown = 0;
          for (const auto& v : sorted) {
            if (shown++ == 5) {
              known += fmt::format(", +{} more", sorted.size() - 5);
              break;
            }
            if (!known.empty()) known += ", ";
            known.append(v);
          }
          w.reason(f, fmt::format("unexpected {} {} (baseline: {})", what, value,
                                  known.empty() ? "none" : known));
        };
        action.assign(f.event_source);
        action += ':';
        action += f.event_name;
        check(profile->actions, action, "action");
        check(profile->agent_families, user_agent_family(f.user_agent), "user-agent family");
        check(profile->regions, f.region, "region");
      }
      if (!c.anonymiser.empty()) {
        ++unexpected;
        w.reason(f, fmt::format("source is an anonymiser ({}) per GeoIP", c.anonymiser));
      }
      std::string lists;
      for (const auto& l : f.lists) {
        if (l.role != "threat") continue;
        if (!lists.empty()) lists += ", ";
        lists += fmt::format("{} ({})", l.name, l.prefix);
      }
      f.reasons.insert(f.reasons.begin(), w.text->intern(fmt::format(
                                              "source {} is on threat list {}", f.source_ip, lists)));
      if (c.private_network) {
        w.reason(f, "source is a private network address (VPC endpoint or on-premises): "
                    "neither inside nor outside AWS, so the outside-AWS tier was not applied");
      } else if (c.outside_aws) {
        w.reason(f, "source is outside AWS's address space");
      } else if (!run.intel.has_aws_ranges()) {
        w.reason(f, "AWS address space unknown (no --aws-ip-ranges): the outside-AWS tier was "
                    "not applied");
      } else {
        w.reason(f, "source is inside AWS's address space");
      }
      f.severity = malicious_ip_severity(c.outside_aws, unexpected);
    }
    candidates_.clear();
  }

  ProfileIndex profiles_;
  /// Hashes of the (principal, action), (principal, user agent) and (principal, region)
  /// pairs already in the baseline. A collision keeps a value out of the baseline, which can
  /// only make a call look more unexpected, never less.
  HashSet64 learned_;
  std::string key_scratch_, action_scratch_;
  std::vector<Candidate> candidates_;
  std::optional<intel::GeoCache> geo_;  ///< --geoip: this worker's lookups
};

}  // namespace

namespace rules {
const RuleDef& malicious_ip_caller() {
  static const RuleDef def{
      {kRuleMaliciousIp,
       "informational when a listed address is seen; low when the action, user-agent family "
       "or region is unexpected for the principal, or GeoIP calls the address an anonymiser "
       "(VPN, hosting, proxy, Tor); high when two or more are, or when the address is outside "
       "AWS's address space (a private address, a VPC endpoint or on-premises, is neither "
       "inside nor outside)",
       "every event whose sourceIPAddress is on a threat list and on no trusted list",
       "Recon:IAMUser/MaliciousIPCaller.Custom (List*, Describe*, Get*), "
       "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (others), "
       "...TorIPCaller when the list is a Tor list",
       "--threat-list (and --aws-ip-ranges for the outside-AWS tier, --geoip with an "
       "Anonymous-IP database for the anonymiser one)"},
      Requires::ThreatLists,
      make_rule<MaliciousIpCaller>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
