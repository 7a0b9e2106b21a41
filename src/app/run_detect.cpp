// `scan` and `investigate`: run the detections over the events, pivot on a principal.
#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "output.hpp"
#include "trailhound/atomic_file.hpp"
#include "trailhound/bytes.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/format.hpp"
#include "trailhound/report.hpp"
#include "trailhound/spool.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::app {
namespace {

/// What the detection settings give: the detector's configuration and the thresholds.
struct DetectSettings {
  detect::DetectConfig config;
  detect::Severity min = detect::Severity::Informational;
  std::optional<detect::Severity> fail;
  detect::Baseline loaded;
  bool has_loaded = false;
};

Error bad_value(std::string_view flag, std::string message) {
  return Error::usage(std::move(message), std::string(flag));
}

/// Turns the detection settings into a DetectConfig and thresholds.
Status build_detect_settings(const DetectRequest& o, TimeMs now, DetectSettings& s) {
  detect::DetectConfig& c = s.config;
  const auto min = detect::parse_severity(o.min_severity);
  if (!min) {
    return bad_value("--min-severity",
                     fmt::format("unknown severity '{}'", terminal_safe(o.min_severity)));
  }
  s.min = *min;
  if (!o.fail_on.empty()) {
    s.fail = detect::parse_severity(o.fail_on);
    if (!s.fail) {
      return bad_value("--fail-on", fmt::format("unknown severity '{}'", terminal_safe(o.fail_on)));
    }
  }
  for (const auto& r : o.rules) {
    const auto& cat = detect::rule_catalog();
    if (std::none_of(cat.begin(), cat.end(), [&](const auto& i) { return i.id == r; })) {
      return bad_value("--rules", fmt::format("unknown rule '{}' (see 'trailhound rules')",
                                              terminal_safe(r)));
    }
    c.rules.insert(r);
  }
  for (const auto& k : o.network_kinds) {
    const auto& kinds = detect::network_kinds();
    if (std::none_of(kinds.begin(), kinds.end(), [&](const auto& n) { return n.name == k; })) {
      return bad_value("--network-kinds", fmt::format("unknown kind '{}' (see 'trailhound rules')",
                                                      terminal_safe(k)));
    }
    c.network_kinds.insert(k);
  }
  c.network_admins = o.network_admins;
  if (!o.risky_ports.empty()) c.risky_ports = {o.risky_ports.begin(), o.risky_ports.end()};
  c.wide_v4 = o.wide_v4;
  c.wide_v6 = o.wide_v6;
  c.suppress_principals = o.suppress_principals;
  c.suppress_events = o.suppress_events;
  if (!o.baseline_until.empty()) {
    c.baseline_until = parse_time_arg(o.baseline_until, now);
    if (!c.baseline_until) {
      return bad_value("--baseline-until",
                       fmt::format("cannot read '{}' as a time", terminal_safe(o.baseline_until)));
    }
  }
  if (!o.baseline_since.empty()) {
    c.baseline_since = parse_time_arg(o.baseline_since, c.baseline_until.value_or(now));
    if (!c.baseline_since) {
      return bad_value("--baseline-since",
                       fmt::format("cannot read '{}' as a time", terminal_safe(o.baseline_since)));
    }
  }
  if (!o.baseline_in.empty()) {
    std::ifstream in(o.baseline_in, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (!in) return Error::config("cannot read the file", "--baseline-in " + terminal_safe(o.baseline_in));
    if (!s.loaded.load_json(text.str(), error)) {
      return Error::config(error, "--baseline-in " + terminal_safe(o.baseline_in));
    }
    s.has_loaded = true;
  }
  return {};
}

/// The kinds of lists as a partial records them: one bit each.
std::uint64_t kinds_bits(const intel::IntelKinds& k) {
  return (k.threat ? 1U : 0U) | (k.trusted ? 2U : 0U) | (k.signin ? 4U : 0U) | (k.aws ? 8U : 0U);
}

/// "threat, sign-in allow" for the bits of kinds_bits.
std::string kinds_text(std::uint64_t bits) {
  std::string out;
  const char* names[] = {"threat", "trusted", "sign-in allow", "AWS ranges"};
  for (unsigned i = 0; i < 4; ++i) {
    if ((bits & (1U << i)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += names[i];
  }
  return out.empty() ? "no kind" : out;
}

/// Runs the detector on every event one worker reads; for investigate, also keeps the
/// principal's own events. Every copy of an event goes to the detector (what it learns from
/// copies is the same); the findings and events of copies not kept are dropped after the run.
class DetectSink final : public EventSink {
 public:
  DetectSink(const intel::IntelDb& intel, const detect::DetectConfig& config,
             const EventFilter& filter, DuplicateIndex& duplicates, EventSpool* keep_events)
      : detector(intel, config, filter),
        duplicates_(duplicates),
        lane_(keep_events != nullptr ? &keep_events->lane() : nullptr) {}
  void on_event(const EventView& e) override {
    // The detector tells whether the event passed the filter: it is not matched twice.
    if (!detector.on_event(e)) return;
    if (lane_ == nullptr && !duplicates_.enabled()) return;
    (void)duplicates_.observe(e);
    if (lane_ != nullptr) lane_->add(OwnedEvent::from(e));
  }
  detect::Detector detector;

 private:
  DuplicateIndex& duplicates_;
  EventSpool::Lane* lane_;
};

/// A scan shard's part of the run: the detections over its files, as far as they go without
/// the other shards (findings, candidates, each rule's and worker's state), and its duplicate
/// keys, saved for the merge. Each worker's state is saved as it is: the merge settles them
/// with every other shard's, as one run settles its workers.
Result<ShardState> detect_shard(const FileTable& files, const std::vector<std::uint32_t>& global,
                                 const RunOptions& run, const EventFilter& filter,
                                 const intel::IntelDb& db, const detect::DetectConfig& config,
                                 bool dedupe, RunTotals& totals) {
  DuplicateIndex duplicates(dedupe);
  std::vector<std::unique_ptr<DetectSink>> sinks;
  const std::function<std::unique_ptr<DetectSink>()> make = [&] {
    return std::make_unique<DetectSink>(db, config, filter, duplicates, nullptr);
  };
  if (!files.empty()) totals = run_files(files, run, make, sinks);
  ShardState state;
  ByteWriter out(state.bytes);
  // The kinds of lists the shard had: the merge, which loads none, checks it assumes these.
  out.varint(kinds_bits(db.kinds()));
  out.varint(sinks.size());
  for (const auto& sink : sinks) sink->detector.save_state(state.bytes, global);
  duplicates.save(out, state.keys, global);
  return state;
}

/// Loads one shard's state (what detect_shard saved) into new detectors and `duplicates`.
Status load_shard(std::string_view state, const std::string& path, const intel::IntelDb& db,
                  const detect::DetectConfig& config, const EventFilter& filter,
                  DuplicateIndex& duplicates, std::uint32_t file_count,
                  std::vector<std::unique_ptr<detect::Detector>>& loaded) {
  ByteReader in(state);
  std::uint64_t kinds = 0, workers = 0;
  std::string error;
  if (!in.varint(kinds)) {
    return Error::input("the partial's scan state is damaged", terminal_safe(path));
  }
  if (kinds != kinds_bits(db.kinds())) {
    return Error::input(
        fmt::format("the shard had lists of {}; the settings the merge read give {}",
                    kinds_text(kinds), kinds_text(kinds_bits(db.kinds()))),
        terminal_safe(path));
  }
  bool ok = in.count(workers);
  for (std::uint64_t i = 0; ok && i < workers; ++i) {
    std::string_view body;
    ok = in.str(body);
    if (!ok) break;
    loaded.push_back(std::make_unique<detect::Detector>(db, config, filter));
    if (!loaded.back()->load_state(body, file_count, error)) {
      return Error::input(fmt::format("the partial's scan state cannot be read: {}", error),
                          terminal_safe(path));
    }
  }
  if (!ok || !duplicates.load(in) || !in.done()) {
    return Error::input("the partial's scan state is damaged", terminal_safe(path));
  }
  return {};
}

/// The investigate window around the first finding.
struct Window {
  TimeMs before = 0;
  std::optional<TimeMs> after;
};

Result<Window> investigate_window(const ScanRequest& st) {
  if (st.input.users.empty() && st.input.access_keys.empty() && st.input.source_ips.empty()) {
    return Error::usage("investigate needs --access-key, --user or --source-ip");
  }
  Window w;
  const auto before = parse_span(st.before);
  if (!before) {
    return bad_value("--before",
                     fmt::format("cannot read '{}' as a span such as 24h", terminal_safe(st.before)));
  }
  w.before = *before;
  if (!st.after.empty()) {
    w.after = parse_span(st.after);
    if (!w.after) {
      return bad_value("--after",
                       fmt::format("cannot read '{}' as a span such as 24h", terminal_safe(st.after)));
    }
  }
  return w;
}

/// The pivots of investigate as typed: `--user alice --source-ip 10.0.0.0/8`.
/// `for_terminal` escapes the values; without it they are as typed (for a printer to escape).
std::string pivot_text(const InputRequest& in, bool for_terminal = true) {
  std::string out;
  auto add = [&](std::string_view flag, const std::vector<std::string>& values) {
    for (const auto& v : values) {
      if (!out.empty()) out += ' ';
      out += fmt::format("--{} {}", flag, for_terminal ? terminal_safe(v) : v);
    }
  };
  add("user", in.users);
  add("access-key", in.access_keys);
  add("source-ip", in.source_ips);
  return out;
}

/// The shared body of scan and investigate.
int run_detections(const ScanRequest& request, bool investigate) {
  // One clock for every relative time of the run (a merge reads the shards' clock).
  ScanRequest st = request;
  if (st.input.now == 0) st.input.now = now_ms();
  // Settings first: a usage error reads nothing.
  std::optional<Window> window_span;
  if (investigate) {
    auto w = investigate_window(st);
    if (!w) return report_error(w.error());
    window_span = *w;
  }
  DetectSettings settings;
  if (auto s = build_detect_settings(st.detect, st.input.now, settings); !s) {
    return report_error(s.error());
  }
  intel::IntelDb db;
  // The Sigma rule files are read and parsed (yaml-cpp: the slow half of loading them) on a
  // second thread while the lists load; they are compiled after, once the sign-in allow list
  // that fills %Legitimate_IP_Ranges% is loaded. Errors come in the same order as before: the
  // lists' first.
  std::future<std::shared_ptr<detect::sigma::ParsedFiles>> sigma_parsing;
  if (!st.detect.sigma.empty()) {
    try {
      sigma_parsing = std::async(std::launch::async,
                                 [&] { return detect::sigma::parse_files(st.detect.sigma); });
    } catch (const std::system_error&) {
      // No thread to spare: the rules are read after the lists.
    }
  }
  // A merge of scan shards looks no address up: the shards did, and its rules settle what
  // they saved. It needs only the kinds of lists the shards had (which rules ran, the notes
  // of those that could not), which the settings give, unless its printer looks addresses
  // up (html). The shards record their kinds, and load_shard checks them.
  Status intel_loaded;
  const FormatInfo* format = find_format(st.input.format);
  if (st.input.replay != nullptr && !investigate && (format == nullptr || !format->looks_up_lists)) {
    db.assume_kinds(requested_kinds(st.intel));
  } else {
    intel_loaded = load_intel(st.intel, st.input.verbose, db);
  }
  std::shared_ptr<detect::sigma::ParsedFiles> parsed;
  if (sigma_parsing.valid()) parsed = sigma_parsing.get();
  if (!intel_loaded) return report_error(intel_loaded.error());
  auto sigma = load_sigma(st.detect.sigma, st.detect.sigma_placeholders, &db, std::move(parsed));
  if (!sigma) return report_error(sigma.error());
  settings.config.sigma = *sigma;
  settings.config.password_data_threshold = st.detect.password_data_threshold;
  // Sigma rules that cannot run count as rules that could not run (--strict); rules for other
  // logs are only mentioned, and the load's time is a timing note.
  std::vector<std::string> sigma_refused;
  if (*sigma) {
    const detect::sigma::RuleSet& set = **sigma;
    for (const auto& m : set.rules()) {
      if (m.refused.empty()) continue;
      std::string line = fmt::format("sigma rule {} ({}) {}: {}", terminal_safe(m.file),
                                     terminal_safe(m.id), m.skipped ? "skipped" : "refused",
                                     terminal_safe(m.refused));
      if (m.skipped) {
        if (!st.input.quiet) print_error("note: " + line);
      } else {
        sigma_refused.push_back(std::move(line));
      }
    }
    if (!st.input.quiet) {
      for (const auto& n : set.notes()) print_error(fmt::format("note: {}", terminal_safe(n)));
      print_error(fmt::format("note: timing: {} Sigma rule(s) of {} file(s) loaded in {:.1f} ms",
                              set.active(), set.rules().size(), set.load_ms()));
    }
  }
  const Command command = investigate ? Command::Investigate : Command::Scan;
  if (is_shard(st.input)) {
    auto when = [](const std::optional<TimeMs>& t) { return t ? format_iso(*t) : "-"; };
    std::string resolved = fmt::format("baseline {} to {}", when(settings.config.baseline_since),
                                       when(settings.config.baseline_until));
    // investigate prints events: they go to the merge, which runs the detections over all
    // of them. scan's shard runs the detections itself and ships their state.
    if (investigate) return run_shard(st.input, command, true, std::move(resolved));
    GeoSource geo;
    if (auto s = geo.load(st.intel.geoip); !s) return report_error(s.error());
    settings.config.geo = geo.db();
    return run_shard(st.input, command, true, std::move(resolved),
                     [&](const FileTable& files, const std::vector<std::uint32_t>& global,
                         const RunOptions& run, const EventFilter& filter, RunTotals& totals) {
                       return detect_shard(files, global, run, filter, db, settings.config,
                                           !st.input.keep_duplicates, totals);
                     });
  }
  PreparedRun p;
  p.intel = &db;
  // The report must not replace the baseline read or written (a baseline read in and
  // written back to one file is how it is kept up to date, and is safe: it is read first).
  const std::string& out = st.input.output;
  for (const std::string* other : {&st.detect.baseline_in, &st.detect.baseline_out}) {
    if (!out.empty() && out != "-" && !other->empty() && same_file(out, *other)) {
      return report_error(Error::usage(
          fmt::format("is the file of --baseline-{}: refusing to overwrite it",
                      other == &st.detect.baseline_in ? "in" : "out"),
          "-o " + terminal_safe(out)));
    }
  }
  if (!st.detect.baseline_out.empty()) {
    p.other_outputs.emplace_back("--baseline-out", st.detect.baseline_out);
  }
  if (auto s = p.geo.load(st.intel.geoip); !s) return report_error(s.error());
  if (auto s = prepare_run(st.input, command, p); !s) return report_error(s.error());
  settings.config.geo = p.geo.db();
  const detect::DetectConfig& config = settings.config;

  std::vector<std::unique_ptr<DetectSink>> sinks;
  EventSpool spool(sort_budget(st.input));
  const std::function<std::unique_ptr<DetectSink>()> make = [&] {
    return std::make_unique<DetectSink>(db, config, p.filter, *p.duplicates,
                                        investigate ? &spool : nullptr);
  };
  std::vector<detect::Detector*> detectors;
  std::vector<std::unique_ptr<detect::Detector>> loaded;
  RunTotals totals;
  if (p.replay != nullptr && !investigate) {
    // merge of scan: each shard's workers come back as detectors that have read their events,
    // and its duplicate keys join the index, so finish() below settles one run.
    auto read = read_states(p, [&](std::string_view state, const std::string& path) {
      return load_shard(state, path, db, config, p.filter, *p.duplicates,
                        static_cast<std::uint32_t>(p.files.size()), loaded);
    });
    if (!read) return report_error(read.error());
    totals = *read;
    for (auto& d : loaded) detectors.push_back(d.get());
  } else {
    auto read = read_events(p, make, sinks);
    if (!read) return report_error(read.error());
    totals = *read;
    for (auto& ds : sinks) detectors.push_back(&ds->detector);
  }
  p.account(totals);
  detect::DetectResult result =
      detect::finish(detectors, db, config, settings.has_loaded ? &settings.loaded : nullptr);
  // One event, one finding: the findings and events of a copy not kept go, and the copies
  // stop counting as matched.
  // With no copy seen, every event is its own kept copy: nothing to look up.
  const DuplicateIndex& dups = *p.duplicates;
  if (dups.duplicates() > 0) {
    result.findings.drop_if([&](const detect::Finding& f) { return !dups.kept(f.event_id, f.source); });
  }
  result.events_matched -= std::min(result.events_matched, totals.records_duplicate);
  result.notes.insert(result.notes.end(), sigma_refused.begin(), sigma_refused.end());
  for (const auto& note : result.notes) {
    if (!st.input.quiet) print_error(fmt::format("note: {}", note));
  }
  if (!st.detect.baseline_out.empty()) {
    // Replaced whole or not at all: a full disk leaves the previous baseline as it was.
    if (auto s = write_file_atomically(st.detect.baseline_out,
                                       "--baseline-out " + terminal_safe(st.detect.baseline_out),
                                       result.baseline.to_json());
        !s) {
      return report_error(s.error());
    }
  }

  bool failing = false;
  const bool any_findings = !result.findings.empty();
  for (const auto& f : result.findings) {
    if (settings.fail && f.severity >= *settings.fail) failing = true;
  }
  // The findings below --min-severity are dropped in place; the rest keep their order.
  detect::FindingList shown = std::move(result.findings);
  shown.drop_if([&](const detect::Finding& f) { return f.severity < settings.min; });

  std::string pivot;
  if (investigate) {
    pivot = pivot_text(st.input, false);
    pivot += fmt::format(" --before {}", st.before);
    if (!st.after.empty()) pivot += fmt::format(" --after {}", st.after);
  }
  begin_printing(p, command, st.detect.group, describe_request(st.input, st.intel.geoip, pivot));
  if (st.detect.group) {
    for (const auto& g : group_findings(shown)) p.printer->group(g);
  } else {
    // As many threads render as read: -j, and no more than the cores.
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    p.printer->findings(shown, std::min(build_run_options(st.input).jobs, cores));
  }
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = result.events_matched;
  summary.findings = &shown;
  summary.detect = &result;
  ActivityStats stats;
  std::string window;
  bool no_events = true;
  if (investigate) {
    // The events come sorted from the spool, one at a time: the window is decided by the
    // first (or the first finding), what is shown is filtered as they pass.
    const auto kept = [&dups](const OwnedEvent& e) { return dups.kept(e.event_id, e.source); };
    TimeMs from = 0;
    std::optional<TimeMs> to;
    std::optional<TimeMs> first_event;
    TimeMs last = 0;
    bool started = false;
    const auto start = [&] {
      started = true;
      no_events = !first_event.has_value();
      from = first_event.value_or(0);
      if (any_findings) {
        const TimeMs first = shown.empty() ? from : shown.front().time;
        from = first - window_span->before;
        if (window_span->after) to = first + *window_span->after;
        window = fmt::format("from {} ({} before the first finding) to {}", format_iso(from),
                             st.before, to ? format_iso(*to) : "the end of the data");
      } else if (no_events) {
        window = "no events for this pivot in the data read";
      } else {
        window = "no findings for this principal: all of its activity";
      }
      p.printer->section(fmt::format("timeline ({})", window));
    };
    const Status sorted = spool.visit(kept, [&](const OwnedEvent& e) {
      if (!started) {
        first_event = e.time;
        start();
      }
      last = e.time;
      if (e.time < from || (to && e.time >= *to)) return;
      p.printer->event(e);
      stats.add(e);  // statistics over the window shown
    });
    if (!sorted) return report_error(sorted.error());
    note_spill(st.input, spool.runs_spilled());
    if (!started) start();
    if (any_findings) {
      const TimeMs end = no_events ? from : last + 1;
      summary.window_span = std::make_pair(from, to ? *to : std::max(from, end));
    }
    summary.stats = &stats;
    summary.window = window;
  }
  p.printer->summary(summary);
  p.printer->end();
  const int code = finish_run(st.input, p.output, totals);
  if (code == kExitWrite || code == kExitUsage) return code;
  if (investigate && no_events) {
    // A pivot that selects nothing is most likely a typo: say so, and do not pass as clean.
    print_error(fmt::format("no events for {} in the data read", pivot_text(st.input)));
    return kExitUsage;
  }
  if (st.input.strict && !result.notes.empty()) {
    print_error(fmt::format("--strict: {} rule(s) could not run", result.notes.size()));
    return kExitUsage;
  }
  // Findings at --fail-on outrank unreadable inputs: the CI job must fail on them either way.
  if (failing) return kExitFindings;
  return code;
}

}  // namespace

int run_scan(const ScanRequest& request) { return run_detections(request, false); }
int run_investigate(const ScanRequest& request) { return run_detections(request, true); }

}  // namespace trailhound::app
