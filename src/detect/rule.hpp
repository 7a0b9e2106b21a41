// The rule interface: what every detection implements, what it shares with the other rules of
// its worker, and the registry that is the only list of rules.
#pragma once

#include <simdjson.h>

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "trailhound/bytes.hpp"
#include "trailhound/detect.hpp"

namespace trailhound::detect {

/// One event as every rule sees it: the source address is classified and looked up once per
/// event, before any rule runs, and shared by all of them.
struct EventContext {
  const EventView& event;
  intel::SourceClass source = intel::SourceClass::Invalid;
  const intel::IpAddr& addr;             ///< valid when source is Address
  const intel::LookupResult& lookup;     ///< empty unless source is Address
  bool principal_suppressed = false;     ///< --suppress-principal matched (set before judge)

  [[nodiscard]] bool is_address() const { return source == intel::SourceClass::Address; }
  /// Made from AWS: a service source, or an address inside the loaded AWS ranges.
  [[nodiscard]] bool from_aws() const {
    return source == intel::SourceClass::Service || (is_address() && lookup.aws != nullptr);
  }
  /// A private, shared or reserved address (RFC 1918, RFC 6598, loopback, link-local, ULA):
  /// a call through a VPC endpoint or from on-premises, neither inside nor outside AWS.
  [[nodiscard]] bool from_private_network() const { return is_address() && lookup.private_network; }
  /// Outside AWS's address space, as far as the loaded ranges tell: a public address that is
  /// in none of them. Needs --aws-ip-ranges.
  [[nodiscard]] bool outside_aws(bool ranges_loaded) const {
    return ranges_loaded && is_address() && lookup.aws == nullptr && !lookup.private_network;
  }
};

/// What the rules of one worker share: the settings, the intel, a JSON parser for the few
/// members rules read, and the findings with the text they point into. One per Detector, so
/// nothing here is shared between threads.
struct Worker {
  Worker(const intel::IntelDb& i, const DetectConfig& c) : intel(i), config(c) {}

  const intel::IntelDb& intel;
  const DetectConfig& config;
  simdjson::dom::parser json;
  /// Every finding and candidate, where it stays until it is printed (candidates are kept
  /// as pointers to them).
  FindingStore findings;
  /// The text of this worker's findings; finish() hands it on with them.
  std::shared_ptr<TextPool> text = std::make_shared<TextPool>();
  /// What this worker's events taught the baseline (malicious-ip-caller learns it).
  Baseline baseline;
  Suppressed suppressed;
  /// Each AWS range's prefix as text in `text`, made on its first finding.
  std::unordered_map<const void*, std::string_view> aws_prefix_text;
  /// make_finding's fields as the previous finding pooled them: consecutive findings mostly
  /// share the principal, service, region and user agent, and a compare is cheaper than a
  /// pool lookup.
  struct Recent {
    std::string_view type, user, arn, principal_id, access_key, account, issuer;
    std::string_view source_ip, event_name, event_source, region, user_agent, error_code;
  } recent;
  std::string name_scratch;  ///< a display name being built (ROLE/SESSION)

  /// A finding of `rule` on the event, its text pooled. With `with_lookup`, the lists and
  /// AWS range holding the source address are recorded too.
  [[nodiscard]] Finding make_finding(const EventContext& ctx, std::string_view rule,
                                     Severity severity, bool with_lookup);
  /// Adds a reason to `f`, its text kept in this worker's pool.
  void reason(Finding& f, std::string_view why) { f.reasons.push_back(text->intern(why)); }
  /// Keeps `f` as a finding, or counts it as held back when the principal is suppressed.
  /// Returns where it is kept (null when held back), for rules that settle it later.
  Finding* emit(Finding&& f, const EventContext& ctx);
};

/// What finish() hands each rule to settle its candidates with.
struct SettleContext {
  const intel::IntelDb& intel;
  const DetectConfig& config;
  const Baseline& baseline;  ///< every worker's baseline merged, plus a loaded one
};

/// Where a rule saves what it holds for settle() (a shard's partial, see save_state): the
/// values, and its candidates as references to the findings its worker saved before it.
class StateWriter : public ByteWriter {
 public:
  StateWriter(std::string& out, const std::unordered_map<const Finding*, std::uint32_t>& index)
      : ByteWriter(out), index_(index) {}
  /// A finding of this worker (one it emitted), by its place in the worker's findings.
  void finding(const Finding* f) { varint(index_.at(f)); }
  /// A list of this worker's findings (a rule's candidates): the count, then each.
  void findings(const std::vector<Finding*>& list) {
    varint(list.size());
    for (const Finding* f : list) finding(f);
  }

 private:
  const std::unordered_map<const Finding*, std::uint32_t>& index_;
};

/// Reads what a StateWriter wrote, into the worker that has loaded the findings back.
class StateReader : public ByteReader {
 public:
  StateReader(std::string_view in, Worker& worker) : ByteReader(in), worker_(worker) {}
  /// A finding saved with StateWriter::finding, or null (and the reader failed) when the
  /// reference is out of range.
  [[nodiscard]] Finding* finding() {
    std::uint64_t i = 0;
    if (!varint(i) || i >= worker_.findings.size()) {
      fail();
      return nullptr;
    }
    return &worker_.findings[i];
  }  /// What StateWriter::findings wrote, appended to `list`; false on damaged input.
  [[nodiscard]] bool findings(std::vector<Finding*>& list) {
    std::uint64_t n = 0;
    if (!count(n)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
      Finding* f = finding();
      if (f == nullptr) return false;
      list.push_back(f);
    }
    return true;
  }

  /// Text read into the worker's pool (what a finding or candidate points at).
  [[nodiscard]] bool text(std::string_view& s) {
    if (!str(s)) return false;
    s = worker_.text->intern(s);
    return true;
  }
  [[nodiscard]] Worker& worker() { return worker_; }

 private:
  Worker& worker_;
};

/// One detection. An instance belongs to one worker (one thread), so its state needs no
/// locks; finish() settles the instances of all workers together.
class Rule {
 public:
  explicit Rule(Worker& worker) : worker_(worker) {}
  virtual ~Rule() = default;
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  /// True when the rule learns from every event, whatever the filter says (then learn() is
  /// called for each); asked once, so rules that do not learn cost nothing per event.
  [[nodiscard]] virtual bool learns() const { return false; }
  /// Learns from one event (see learns()). Runs before the filter is applied.
  virtual void learn(const EventContext& /*ctx*/) {}
  /// Judges one event that passed the filter and --suppress-event; findings go through
  /// worker().emit so that --suppress-principal is honoured and counted.
  virtual void judge(const EventContext& ctx) = 0;
  /// Settles what waited for the whole run. Called once, on the first worker's instance, with
  /// `peers` holding this rule's instance in every worker (this one included) in worker order.
  virtual void settle(std::span<Rule* const> /*peers*/, const SettleContext& /*run*/) {}

  /// Saves what settle() will need (a shard's part of the run: candidates, key histories),
  /// after the worker's findings, so that a merge can load it into a fresh instance and
  /// settle the instances of every shard as one run would. A rule that settles nothing
  /// saves nothing. learn()'s own caches need not be saved: a merge reads no more events.
  virtual void save_state(StateWriter& /*out*/) const {}
  /// Loads what save_state wrote, in a worker whose findings are loaded; false when the
  /// input is damaged.
  [[nodiscard]] virtual bool load_state(StateReader& /*in*/) { return true; }

 protected:
  [[nodiscard]] Worker& worker() { return worker_; }

 private:
  Worker& worker_;
};

/// Intelligence a rule cannot run without. The notes of rules that are off come in this
/// order (then registry order), grouped by what is missing.
enum class Requires { Nothing, ThreatLists, SigninAllowlist, AwsRanges };

/// Why a rule that requires `what` cannot run with `intel` ("no --threat-list"), or empty.
[[nodiscard]] std::string_view missing_input(Requires what, const intel::IntelDb& intel);

/// A registry entry: what a rule is, what it needs, and how a worker makes its instance.
struct RuleDef {
  RuleInfo info;
  Requires requires_intel = Requires::Nothing;
  std::unique_ptr<Rule> (*make)(Worker& worker) = nullptr;
};

/// Every rule, in catalog order: the only list (src/detect/rules/registry.cpp). `trailhound
/// rules`, --rules validation, the Detector and the "is off" notes are all made from it.
[[nodiscard]] std::span<const RuleDef> rule_registry();

/// Makes a RuleDef's `make` for a rule class constructed from a Worker.
template <typename R>
std::unique_ptr<Rule> make_rule(Worker& worker) {
  return std::make_unique<R>(worker);
}

}  // namespace trailhound::detect
