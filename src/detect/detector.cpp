// The detector: looks each event's source up once and runs every enabled rule on it; finish()
// merges the workers, lets each rule settle what waited for the whole run, and sorts.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "detect_internal.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/parallel.hpp"
#include "hash.hpp"
#include "rule.hpp"

namespace trailhound::detect {

struct Detector::State {
  const EventFilter& filter;
  Worker worker;
  /// The enabled rules that can run with the loaded intel, in registry order. Every worker
  /// has the same list, so finish() pairs the workers' instances by position.
  std::vector<std::unique_ptr<Rule>> rules;
  std::vector<std::string_view> ids;  ///< each rule's id, for a saved state
  /// The rules that learn from every event, whatever the filter says.
  std::vector<Rule*> learners;
  intel::LookupResult lookup;
  std::uint64_t matched = 0, service_sources = 0, invalid_sources = 0, absent_sources = 0;

  State(const intel::IntelDb& i, const DetectConfig& c, const EventFilter& f)
      : filter(f), worker(i, c) {
    for (const RuleDef& def : rule_registry()) {
      if (!rule_enabled(c, def.info.id) || !missing_input(def.requires_intel, i).empty()) continue;
      rules.push_back(def.make(worker));
      ids.push_back(def.info.id);
      if (rules.back()->learns()) learners.push_back(rules.back().get());
    }
  }

  static bool rule_enabled(const DetectConfig& config, std::string_view id) {
    return config.rules.empty() || config.rules.count(std::string(id)) > 0;
  }
};

Detector::Detector(const intel::IntelDb& intel, const DetectConfig& config,
                   const EventFilter& filter)
    : state_(std::make_unique<State>(intel, config, filter)) {}

Detector::~Detector() = default;

Detector::State& Detector::state() { return *state_; }

bool Detector::on_event(const EventView& e) {
  State& s = *state_;
  const DetectConfig& cfg = s.worker.config;

  // Where the call came from: an address (looked up once for every rule), a service name, or
  // neither.
  intel::IpAddr addr;
  const intel::SourceClass source = intel::classify_source(e.source_ip, &addr);
  s.lookup.count = 0;
  s.lookup.aws = nullptr;
  s.lookup.threat = s.lookup.trusted = s.lookup.tor = s.lookup.signin_allowed = false;
  if (source == intel::SourceClass::Address) {
    s.worker.intel.lookup(addr, s.lookup);
  } else if (source == intel::SourceClass::Service) {
    ++s.service_sources;
  } else if (e.source_ip.empty()) {
    ++s.absent_sources;  // no address is not an invalid one
  } else {
    ++s.invalid_sources;
  }
  EventContext ctx{e, source, addr, s.lookup};

  // What rules learn (the baseline, key histories) comes from every event; findings only
  // from events that pass the filter and no --suppress-event.
  for (Rule* rule : s.learners) rule->learn(ctx);
  if (!s.filter.matches(e)) return false;
  ++s.matched;
  if (std::any_of(cfg.suppress_events.begin(), cfg.suppress_events.end(),
                  [&](const std::string& g) { return glob_match(g, e.event_name); })) {
    ++s.worker.suppressed.event;
    return true;
  }
  ctx.principal_suppressed =
      std::any_of(cfg.suppress_principals.begin(), cfg.suppress_principals.end(),
                  [&](const std::string& p) { return identity_matches(e.identity, p); });
  for (const auto& rule : s.rules) rule->judge(ctx);
  return true;
}

void Detector::save_state(std::string& out, std::span<const std::uint32_t> files) const {
  const State& s = *state_;
  const Worker& w = s.worker;
  std::string body;
  std::unordered_map<const Finding*, std::uint32_t> index;
  index.reserve(w.findings.size());
  StateWriter o(body, index);
  for (const std::uint64_t v : {s.matched, s.service_sources, s.invalid_sources, s.absent_sources,
                                w.suppressed.trusted, w.suppressed.principal, w.suppressed.event}) {
    o.varint(v);
  }
  w.baseline.save(o);
  o.varint(w.findings.size());
  for (const Finding& f : w.findings) {
    index.emplace(&f, static_cast<std::uint32_t>(index.size()));
    save_finding(o, f, files);
  }
  // Each rule by id: a merge made with other rules refuses the state rather than misread it.
  o.varint(s.rules.size());
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    o.str(s.ids[i]);
    s.rules[i]->save_state(o);
  }
  ByteWriter(out).str(body);
}

bool Detector::load_state(std::string_view in, std::uint32_t file_count, std::string& error) {
  State& s = *state_;
  Worker& w = s.worker;
  StateReader r(in, w);
  std::uint64_t n = 0;
  bool ok = true;
  for (std::uint64_t* v : {&s.matched, &s.service_sources, &s.invalid_sources, &s.absent_sources,
                           &w.suppressed.trusted, &w.suppressed.principal, &w.suppressed.event}) {
    ok = ok && r.varint(*v);
  }
  ok = ok && w.baseline.load(r) && r.count(n, 20);
  for (std::uint64_t i = 0; ok && i < n; ++i) {
    const Finding& f = w.findings.emplace_back();
    ok = load_finding(r, w.findings.back()) && f.source.file < file_count;
  }
  ok = ok && r.count(n);
  if (ok && n != s.rules.size()) {
    error = fmt::format("the partial holds the state of {} rules; this run has {}", n,
                        s.rules.size());
    return false;
  }
  for (std::size_t i = 0; ok && i < s.rules.size(); ++i) {
    std::string_view id;
    ok = r.str(id);
    if (ok && id != s.ids[i]) {
      error = fmt::format("the partial holds the state of rule {} where this run has {}",
                          terminal_safe(id),
                          s.ids[i]);
      return false;
    }
    ok = ok && s.rules[i]->load_state(r);
  }
  if (!ok || !r.done()) {
    error = "a detection state is damaged";
    return false;
  }
  return true;
}

namespace {

/// The id of a finding: 16 hex digits of a hash of what names the event and the rule, so the
/// same input gives the same id on every run, whatever the number of workers. Written into
/// `hex`, which holds 16 characters.
void finding_digest(const Finding& f, char* hex) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = hash_bytes(f.rule, h);
  h = hash_bytes(f.event_id, h);
  const auto time = static_cast<std::uint64_t>(f.time);
  h = hash_bytes(std::string_view(reinterpret_cast<const char*>(&time), sizeof time), h);
  h = hash_bytes(f.event_source, h);
  h = hash_bytes(f.event_name, h);
  // The principal's key (PrincipalView::key) without building it.
  const PrincipalView& p = f.principal;
  if (!p.arn.empty()) {
    h = hash_bytes(p.arn, h);
  } else if (!p.principal_id.empty()) {
    h = hash_bytes(p.principal_id, h);
  } else {
    std::string key = p.key();
    h = hash_bytes(key, h);
  }
  h = hash_bytes(f.principal.access_key, h);
  h = hash_bytes(f.source_ip, h);
  for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = "0123456789abcdef"[h & 0xf];
}

}  // namespace

DetectResult finish(std::vector<Detector*> workers, const intel::IntelDb& intel,
                    const DetectConfig& config, const Baseline* loaded) {
  DetectResult r;
  for (Detector* w : workers) {
    Detector::State& s = w->state();
    // The worker's baseline is not needed after this: the first is taken whole, not copied.
    if (r.baseline.size() == 0) r.baseline = std::move(s.worker.baseline);
    else r.baseline.merge(s.worker.baseline);
    r.text.push_back(s.worker.text);
    r.suppressed.trusted += s.worker.suppressed.trusted;
    r.suppressed.principal += s.worker.suppressed.principal;
    r.suppressed.event += s.worker.suppressed.event;
    r.events_matched += s.matched;
    r.service_sources += s.service_sources;
    r.invalid_sources += s.invalid_sources;
    r.absent_sources += s.absent_sources;
  }
  // What the rules settle against: this run's baseline, and a loaded one merged in (a copy
  // only then: --baseline-out writes this run's alone).
  Baseline combined;
  if (loaded) {
    combined = r.baseline;
    combined.merge(*loaded);
  }

  // Each rule settles its candidates where the workers hold them, with every worker's
  // instance at hand (the same position in each worker's list is the same rule).
  const SettleContext run{intel, config, loaded ? combined : r.baseline};
  const std::size_t rule_count = workers.empty() ? 0 : workers.front()->state().rules.size();
  std::vector<Rule*> peers;
  for (std::size_t i = 0; i < rule_count; ++i) {
    peers.clear();
    for (Detector* w : workers) peers.push_back(w->state().rules[i].get());
    peers.front()->settle(peers, run);
  }

  // The findings stay where the workers made them; the result takes their storage. Their ids
  // are pooled with the rest of their text, each worker's on a thread of its own (one
  // digest is as dear as printing half the finding).
  const auto digest = [](Worker& worker) {
    char hex[16];
    for (Finding& f : worker.findings) {
      if (f.rule.empty()) continue;
      finding_digest(f, hex);
      f.id = worker.text->store(std::string_view(hex, sizeof hex));
    }
  };
  run_side_by_side(workers.size(), [&](std::size_t i) { digest(workers[i]->state().worker); });
  for (Detector* w : workers) {
    Worker& worker = w->state().worker;
    r.findings.adopt(std::move(worker.findings));
    worker.findings.clear();
  }

  // Rules that cannot run say why, grouped by the input they miss.
  for (Requires what : {Requires::ThreatLists, Requires::SigninAllowlist, Requires::AwsRanges}) {
    const std::string_view missing = missing_input(what, intel);
    if (missing.empty()) continue;
    for (const RuleDef& def : rule_registry()) {
      if (def.requires_intel != what || !Detector::State::rule_enabled(config, def.info.id)) continue;
      r.notes.push_back(fmt::format("{} is off: {}", def.info.id, missing));
    }
  }

  // Not-taken candidates (rule cleared) drop out here.
  r.findings.sort_and_drop_empty();

  // Findings of identical events share a digest: the later ones in report order, which is
  // the same for every worker count, are told apart by a suffix.
  // Most runs have none: a flat set finds the ids that may repeat, and only those are
  // counted, in report order.
  HashSet64 once;
  std::unordered_set<std::string_view> repeated;
  for (const Finding* f : r.findings.items_) {
    if (!once.insert(hash_bytes(f->id, 0))) repeated.insert(f->id);
  }
  if (!repeated.empty()) {
    std::unordered_map<std::string_view, int> seen;
    for (Finding* f : r.findings.items_) {
      if (!repeated.count(f->id)) continue;
      const int n = ++seen[f->id];
      if (n > 1) f->id = r.text.front()->store(fmt::format("{}-{}", f->id, n));
    }
  }
  return r;
}

}  // namespace trailhound::detect
