// The detector: runs every rule on each event, holds candidates, and settles them at the end.
#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

#include "detect_internal.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::detect {
namespace {

bool is_signin_event(const EventView& e) {
  const auto& n = e.event_name;
  if (e.event_source == "signin.amazonaws.com") {
    return n == "ConsoleLogin" || n == "GetSigninToken" || n == "CheckMfa" || n == "SwitchRole" ||
           n == "ExternalIdPDirectoryLogin" || n == "UserAuthentication" ||
           n == "CredentialChallenge" || n == "CredentialVerification" || n == "Federate";
  }
  if (e.event_source == "sso.amazonaws.com") return n == "Authenticate" || n == "Federate";
  if (e.event_source == "sts.amazonaws.com") {
    return n == "AssumeRoleWithSAML" || n == "AssumeRoleWithWebIdentity";
  }
  return false;
}

/// Mixes the bytes into `h` eight at a time (a multiply-xorshift per word), with the length
/// folded in so that field boundaries count ("ab"+"c" differs from "a"+"bc"). A collision
/// would only keep one combination out of the baseline.
std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t h) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (h ^ tail ^ (static_cast<std::uint64_t>(bytes.size()) << 56)) * kMul;
  return h ^ (h >> 29);
}

/// A set of non-zero 64-bit hashes in one flat table with linear probing: no allocation per
/// insert, unlike a node-based set, and a probe usually touches one cache line.
class HashSet64 {
 public:
  /// Inserts `h`; true when it was not there yet.
  bool insert(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = h & (slots_.size() - 1);
    while (slots_[i] != 0) {
      if (slots_[i] == h) return false;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = h;
    ++size_;
    return true;
  }

 private:
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t h : old) {
      if (h != 0) insert(h);
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

/// The GuardDuty type of a malicious-ip-caller finding.
std::string_view guardduty_malicious_type(bool recon, bool tor) {
  if (recon) return tor ? "Recon:IAMUser/TorIPCaller" : "Recon:IAMUser/MaliciousIPCaller.Custom";
  return tor ? "UnauthorizedAccess:IAMUser/TorIPCaller"
             : "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom";
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

bool is_recon(std::string_view name) {
  return name.rfind("List", 0) == 0 || name.rfind("Describe", 0) == 0 || name.rfind("Get", 0) == 0;
}

/// The stable grouping key of a principal, owned.
std::string principal_key(const IdentityView& id) {
  std::string scratch;
  return std::string(id.key(scratch));
}

/// Text of a small JSON member (e.g. responseElements.ConsoleLogin), or empty.
std::string member_text(simdjson::dom::parser& parser, const RawJson& json, const char* key) {
  const std::string_view text = json.text();
  if (text.empty() || text == "null") return {};
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (root[key].get(s) == simdjson::SUCCESS) return std::string(s);
  return {};
}

}  // namespace

struct Detector::State {
  const intel::IntelDb& intel;
  const DetectConfig& config;
  const EventFilter& filter;
  simdjson::dom::parser json;
  intel::LookupResult lookup;

  /// Every finding and candidate, where it stays until it is printed: a deque grows without
  /// moving what it holds, so the candidates' pointers stay valid.
  std::deque<Finding> findings;
  /// malicious-ip-caller waits for the whole run's baseline. The action, agent family and
  /// region it is judged on are worked out from the finding then.
  struct MaliciousCandidate {
    Finding* finding;
    /// The baseline key when the principal has neither ARN nor principalId (rare), pooled.
    std::string_view fallback_key;
    bool outside_aws = false;
  };
  std::vector<MaliciousCandidate> malicious;
  /// credential-exfiltration: the first time each temporary key was seen from AWS...
  std::map<std::string, TimeMs, std::less<>> key_first_aws;
  /// ...and its uses from outside AWS, which become findings if that came first.
  std::vector<Finding*> exfil_candidates;

  /// The text of this worker's findings; finish() hands it on with them.
  std::shared_ptr<TextPool> text = std::make_shared<TextPool>();
  Baseline baseline;
  ProfileIndex profiles{baseline};
  /// Hashes of the (principal, action), (principal, user agent) and (principal, region)
  /// pairs already in the baseline. A collision keeps a value out of the baseline, which can
  /// only make a call look more unexpected, never less.
  HashSet64 learned;
  std::string key_scratch, action_scratch;
  Suppressed suppressed;
  std::uint64_t matched = 0, service_sources = 0, invalid_sources = 0;

  State(const intel::IntelDb& i, const DetectConfig& c, const EventFilter& f)
      : intel(i), config(c), filter(f) {}

  bool rule_on(std::string_view id) const {
    return config.rules.empty() || config.rules.count(std::string(id)) > 0;
  }

  Finding make_finding(const EventView& e, std::string_view rule, Severity severity,
                       bool with_lookup) {
    TextPool& t = *text;
    Finding f;
    f.rule = rule;
    f.severity = severity;
    f.time = e.time;
    const IdentityView& id = e.identity;
    f.principal.type = t.intern(id.type_name());
    f.principal.user = t.intern(id.display_name());
    f.principal.arn = t.intern(id.arn);
    f.principal.principal_id = t.intern(id.principal_id);
    f.principal.access_key = t.intern(id.access_key_id);
    f.principal.account = t.intern(id.account_id);
    f.principal.session_issuer = t.intern(id.issuer_arn);
    f.source_ip = t.intern(e.source_ip);
    f.event_name = t.intern(e.event_name);
    f.event_source = t.intern(e.event_source);
    f.region = t.intern(e.aws_region);
    f.user_agent = t.intern(e.user_agent);
    f.error_code = t.intern(e.error_code);
    f.event_id = t.store(e.event_id);
    f.source = e.source;
    f.aws_known = intel.has_aws_ranges();
    if (with_lookup) {
      for (std::size_t i = 0; i < lookup.count; ++i) {
        const auto& hit = lookup.hits[i];
        const auto& info = intel.lists()[hit.list];
        f.lists.push_back(ListMatch{t.intern(info.name), t.intern(intel::to_string(hit.prefix)),
                                    intel::to_string(info.role)});
      }
      if (lookup.aws) {
        AwsMatch a;
        a.services = lookup.aws->services;
        a.region = lookup.aws->regions.empty() ? std::string_view{}
                                               : std::string_view(lookup.aws->regions.front());
        a.prefix = t.intern(intel::to_string(lookup.aws->prefix));
        f.aws = a;
      }
    }
    return f;
  }

  /// Adds a reason to `f`, its text kept in this worker's pool.
  void reason(Finding& f, std::string_view why) { f.reasons.push_back(text->intern(why)); }

  void emit(Finding f, bool principal_suppressed) {
    if (principal_suppressed) {
      ++suppressed.principal;
      return;
    }
    findings.push_back(std::move(f));
  }
};

Detector::Detector(const intel::IntelDb& intel, const DetectConfig& config,
                   const EventFilter& filter)
    : state_(std::make_unique<State>(intel, config, filter)) {}

Detector::~Detector() = default;

Detector::State& Detector::state() { return *state_; }

void Detector::on_event(const EventView& e) {
  State& s = *state_;
  const DetectConfig& cfg = s.config;

  // Where the call came from: an address (looked up once), a service name, or neither.
  intel::IpAddr addr;
  const intel::SourceClass source = intel::classify_source(e.source_ip, &addr);
  s.lookup.count = 0;
  s.lookup.aws = nullptr;
  s.lookup.threat = s.lookup.trusted = s.lookup.tor = s.lookup.signin_allowed = false;
  if (source == intel::SourceClass::Address) {
    s.intel.lookup(addr, s.lookup);
  } else if (source == intel::SourceClass::Service) {
    ++s.service_sources;
  } else {
    ++s.invalid_sources;
  }
  const bool listed = s.lookup.threat;
  const bool has_ranges = s.intel.has_aws_ranges();

  // The baseline learns from every call made from an address on no threat list.
  const bool in_baseline_window = (!cfg.baseline_since || e.time >= *cfg.baseline_since) &&
                                  (!cfg.baseline_until || e.time < *cfg.baseline_until);
  if (!listed && in_baseline_window && s.rule_on(kRuleMaliciousIp) &&
      s.intel.has_threat_lists()) {
    // Most calls repeat an action, agent and region their principal was already seen with:
    // a 64-bit hash of each (principal, value) pair remembers them, so only a new pair
    // touches the baseline's string sets. The raw user agent is hashed, so its family is
    // worked out only when the agent is new for the principal.
    const std::string_view key = e.identity.key(s.key_scratch);
    const std::uint64_t kh = hash_bytes(key, 0x9E3779B97F4A7C15ULL);
    Baseline::Profile& profile = s.profiles.find(key, kh);
    ++profile.events;
    if (s.learned.insert(hash_bytes(e.event_name, hash_bytes(e.event_source, kh ^ 1)))) {
      s.action_scratch.assign(e.event_source);
      s.action_scratch += ':';
      s.action_scratch += e.event_name;
      if (profile.actions.find(std::string_view(s.action_scratch)) == profile.actions.end()) {
        profile.actions.emplace(s.action_scratch);
      }
    }
    if (s.learned.insert(hash_bytes(e.user_agent, kh ^ 2))) {
      profile.agent_families.emplace(user_agent_family(e.user_agent));
    }
    if (s.learned.insert(hash_bytes(e.aws_region, kh ^ 3))) {
      if (profile.regions.find(e.aws_region) == profile.regions.end()) {
        profile.regions.emplace(e.aws_region);
      }
    }
  }

  // credential-exfiltration keeps each temporary key's history whatever the filter says.
  const std::string_view key_id = e.identity.access_key_id;
  const bool temporary = key_id.size() >= 4 && key_id.substr(0, 4) == "ASIA";
  const bool from_aws = source == intel::SourceClass::Service ||
                        (source == intel::SourceClass::Address && s.lookup.aws != nullptr);
  if (temporary && has_ranges && s.rule_on(kRuleExfiltration) && from_aws) {
    auto it = s.key_first_aws.find(key_id);
    if (it == s.key_first_aws.end()) s.key_first_aws.emplace(std::string(key_id), e.time);
    else if (e.time < it->second) it->second = e.time;
  }

  if (!s.filter.matches(e)) return;
  ++s.matched;
  if (std::any_of(cfg.suppress_events.begin(), cfg.suppress_events.end(),
                  [&](const std::string& g) { return glob_match(g, e.event_name); })) {
    ++s.suppressed.event;
    return;
  }
  const bool principal_suppressed =
      std::any_of(cfg.suppress_principals.begin(), cfg.suppress_principals.end(),
                  [&](const std::string& p) { return identity_matches(e.identity, p); });

  if (temporary && has_ranges && s.rule_on(kRuleExfiltration) &&
      source == intel::SourceClass::Address && s.lookup.aws == nullptr) {
    Finding f = s.make_finding(e, kRuleExfiltration, Severity::High, true);
    f.guardduty_type = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    if (principal_suppressed) ++s.suppressed.principal;
    else s.exfil_candidates.push_back(&s.findings.emplace_back(std::move(f)));
  }

  // signin-outside-allowlist
  if (s.rule_on(kRuleSignin) && s.intel.has_signin_allowlist() && is_signin_event(e) &&
      !(source == intel::SourceClass::Address && s.lookup.signin_allowed)) {
    Finding f = s.make_finding(e, kRuleSignin, Severity::High, source == intel::SourceClass::Address);
    const std::string outcome = member_text(s.json, e.response_elements, std::string(e.event_name).c_str());
    if (!outcome.empty()) s.reason(f, fmt::format("{} {}", e.event_name, outcome));
    else if (!e.error_code.empty()) s.reason(f, fmt::format("{} failed: {}", e.event_name, e.error_code));
    const std::string mfa = member_text(s.json, e.additional_event_data, "MFAUsed");
    if (!mfa.empty()) s.reason(f, fmt::format("MFA used: {}", mfa));
    if (source == intel::SourceClass::Address) {
      s.reason(f, fmt::format("source {} is not on the sign-in allow list",
                                      intel::to_string(addr)));
    } else {
      s.reason(f, "source is not an address, so it cannot be on the allow list "
                          "(fail closed)");
    }
    s.emit(std::move(f), principal_suppressed);
  }

  // malicious-ip-caller: settled against the baseline in finish().
  if (listed && s.rule_on(kRuleMaliciousIp)) {
    if (s.lookup.trusted) {
      ++s.suppressed.trusted;
    } else if (principal_suppressed) {
      ++s.suppressed.principal;
    } else {
      State::MaliciousCandidate& c = s.malicious.emplace_back();
      c.finding = &s.findings.emplace_back(
          s.make_finding(e, kRuleMaliciousIp, Severity::Informational, true));
      c.outside_aws = has_ranges && s.lookup.aws == nullptr;
      if (e.identity.arn.empty() && e.identity.principal_id.empty()) {
        c.fallback_key = s.text->intern(principal_key(e.identity));
      }
      c.finding->guardduty_type = guardduty_malicious_type(is_recon(e.event_name), s.lookup.tor);
    }
  }

  // network-config-change and network-config-change-denied
  const std::string_view kind = e.event_source == "ec2.amazonaws.com"
                                    ? network_kind_of(e.event_name)
                                    : std::string_view{};
  const bool watched = !kind.empty() && e.read_only != true &&
                       (cfg.network_kinds.empty() || cfg.network_kinds.count(std::string(kind)));
  if (watched && e.error_code.empty() && s.rule_on(kRuleNetworkChange)) {
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
    Finding f = s.make_finding(e, kRuleNetworkChange, sev, false);
    s.reason(f, std::move(why));
    s.emit(std::move(f), principal_suppressed);
  } else if (watched && !e.error_code.empty() && s.rule_on(kRuleNetworkDenied)) {
    Finding f = s.make_finding(e, kRuleNetworkDenied, Severity::Low, false);
    s.reason(f, fmt::format("{} on {} was attempted and failed: {}", e.event_name, kind,
                                    terminal_safe(e.error_code)));
    s.emit(std::move(f), principal_suppressed);
  }

  // sg-ingress-open and nacl-entry-open: only changes that took effect.
  if (!e.error_code.empty() || e.event_source != "ec2.amazonaws.com") return;
  const bool sg = e.event_name == "AuthorizeSecurityGroupIngress" ||
                  e.event_name == "ModifySecurityGroupRules";
  const bool nacl = e.event_name == "CreateNetworkAclEntry" ||
                    e.event_name == "ReplaceNetworkAclEntry";
  if ((sg && s.rule_on(kRuleSgIngress)) || (nacl && s.rule_on(kRuleNaclEntry))) {
    std::vector<Permission> perms = read_permissions(s.json, e.request_parameters);
    if (sg) {
      // The response repeats the rules with their ids; both are read, duplicates dropped.
      for (auto& p : read_permissions(s.json, e.response_elements)) perms.push_back(std::move(p));
    }
    Severity worst = Severity::Informational;
    std::vector<std::string> reasons;
    for (const auto& p : perms) {
      const auto v = judge_permission(p, cfg);
      if (!v) continue;
      if (std::find(reasons.begin(), reasons.end(), v->reason) != reasons.end()) continue;
      reasons.push_back(v->reason);
      worst = std::max(worst, v->severity);
    }
    if (!reasons.empty()) {
      Finding f = s.make_finding(e, sg ? kRuleSgIngress : kRuleNaclEntry, worst, false);
      for (const auto& why : reasons) s.reason(f, why);
      s.emit(std::move(f), principal_suppressed);
    }
  }
}

DetectResult finish(std::vector<Detector*> workers, const intel::IntelDb& intel,
                    const DetectConfig& config, const Baseline* loaded) {
  DetectResult r;
  std::map<std::string, TimeMs, std::less<>> first_aws;
  for (Detector* w : workers) {
    Detector::State& s = w->state();
    r.baseline.merge(s.baseline);
    r.text.push_back(s.text);
    for (const auto& [k, t] : s.key_first_aws) {
      auto it = first_aws.find(k);
      if (it == first_aws.end() || t < it->second) first_aws[k] = t;
    }
    r.suppressed.trusted += s.suppressed.trusted;
    r.suppressed.principal += s.suppressed.principal;
    r.suppressed.event += s.suppressed.event;
    r.events_matched += s.matched;
    r.service_sources += s.service_sources;
    r.invalid_sources += s.invalid_sources;
  }
  // Findings are settled where the workers hold them, then moved out one by one, each
  // worker's storage freed as it empties, so they are never held twice.
  Baseline combined = r.baseline;
  if (loaded) combined.merge(*loaded);

  for (Detector* w : workers) {
    Detector::State& s = w->state();
    std::string action;
    for (auto& c : s.malicious) {
      Finding& f = *c.finding;
      int unexpected = 0;
      const PrincipalView& who = f.principal;
      const std::string_view key = !who.arn.empty()            ? who.arn
                                   : !who.principal_id.empty() ? who.principal_id
                                                               : c.fallback_key;
      const Baseline::Profile* profile = combined.find(key);
      if (profile == nullptr) {
        s.reason(f, "no baseline for this principal: its calls were all from listed "
                            "addresses");
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
          s.reason(f, fmt::format("unexpected {} {} (baseline: {})", what, value,
                                          known.empty() ? "none" : known));
        };
        action.assign(f.event_source);
        action += ':';
        action += f.event_name;
        check(profile->actions, action, "action");
        check(profile->agent_families, user_agent_family(f.user_agent), "user-agent family");
        check(profile->regions, f.region, "region");
      }
      std::string lists;
      for (const auto& l : f.lists) {
        if (l.role != "threat") continue;
        if (!lists.empty()) lists += ", ";
        lists += fmt::format("{} ({})", l.name, l.prefix);
      }
      f.reasons.insert(f.reasons.begin(), s.text->intern(fmt::format(
                                              "source {} is on threat list {}", f.source_ip, lists)));
      if (c.outside_aws) {
        s.reason(f, "source is outside AWS's address space");
      } else if (!intel.has_aws_ranges()) {
        s.reason(f, "AWS address space unknown (no --aws-ip-ranges): the outside-AWS "
                            "tier was not applied");
      } else {
        s.reason(f, "source is inside AWS's address space");
      }
      f.severity = malicious_ip_severity(c.outside_aws, unexpected);
    }
    for (Finding* candidate : s.exfil_candidates) {
      Finding& f = *candidate;
      const std::string_view key = f.principal.access_key;
      const auto it = first_aws.find(key);
      if (it == first_aws.end() || it->second > f.time) {
        f.rule = {};  // not a finding: the key was not seen from AWS before
        continue;
      }
      s.reason(f, fmt::format(
          "temporary key {} was used from AWS (first at {}) and now from {}, outside AWS",
          key, format_iso(it->second), f.source_ip));
    }
  }
  // The findings stay where the workers made them; the result takes their storage.
  for (Detector* w : workers) {
    Detector::State& s = w->state();
    s.malicious.clear();
    s.exfil_candidates.clear();
    r.findings.adopt(std::move(s.findings));
    s.findings.clear();
  }

  if (intel.has_threat_lists() == false && (config.rules.empty() || config.rules.count(std::string(kRuleMaliciousIp)))) {
    r.notes.push_back("malicious-ip-caller is off: no --threat-list");
  }
  if (!intel.has_signin_allowlist() && (config.rules.empty() || config.rules.count(std::string(kRuleSignin)))) {
    r.notes.push_back("signin-outside-allowlist is off: no --signin-allowlist or --allow-signin");
  }
  if (!intel.has_aws_ranges() && (config.rules.empty() || config.rules.count(std::string(kRuleExfiltration)))) {
    r.notes.push_back("credential-exfiltration is off: no --aws-ip-ranges");
  }
  // Not-taken candidates (rule cleared) drop out here.
  r.findings.sort_and_drop_empty();
  return r;
}

}  // namespace trailhound::detect
