// `scan`, `investigate` and `rules`: run the detections, pivot on a principal, list the rules.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::cli {
namespace {

/// Flags of the detections.
struct DetectOptions {
  std::string min_severity = "informational";
  std::string fail_on;
  bool group = false;
  std::vector<std::string> rules, network_kinds, network_admins, suppress_principals,
      suppress_events;
  std::vector<int> risky_ports;
  int wide_v4 = 16, wide_v6 = 48;
  std::string baseline_since, baseline_until, baseline_in, baseline_out;
};

void add_detect_options(CLI::App& app, DetectOptions& o) {
  const char* g = "Detections";
  app.add_option("--min-severity", o.min_severity,
                 "print findings at or above: informational, low, medium, high, critical")
      ->group(g);
  app.add_option("--fail-on", o.fail_on,
                 "exit 1 when a finding at or above this severity exists")
      ->group(g);
  app.add_flag("--group", o.group, "one row per rule, principal and source address")->group(g);
  app.add_option("--rules", o.rules, "run only these rule ids (repeatable; see 'rules')")
      ->delimiter(',')
      ->group(g);
  app.add_option("--network-kinds", o.network_kinds,
                 "resource kinds network-config-change watches (default all; see 'rules')")
      ->delimiter(',')
      ->group(g);
  app.add_option("--network-admin", o.network_admins,
                 "a principal expected to change networks (repeatable; same forms as --user)")
      ->group(g);
  app.add_option("--risky-ports", o.risky_ports,
                 "ports that make a world-open rule high (default 22,3389,21,23,445,1433,3306,"
                 "5432,5985,5986,6379,9200,27017)")
      ->delimiter(',')
      ->group(g);
  app.add_option("--wide-prefix-v4", o.wide_v4,
                 "IPv4 ranges this wide or wider are reported as wide (default 16)")
      ->check(CLI::Range(1, 32))
      ->group(g);
  app.add_option("--wide-prefix-v6", o.wide_v6,
                 "IPv6 ranges this wide or wider are reported as wide (default 48)")
      ->check(CLI::Range(1, 128))
      ->group(g);
  app.add_option("--baseline-since", o.baseline_since,
                 "learn each principal's baseline only from this time on")
      ->group(g);
  app.add_option("--baseline-until", o.baseline_until, "learn the baseline only before this time")
      ->group(g);
  app.add_option("--baseline-in", o.baseline_in, "add a baseline saved by --baseline-out")
      ->group(g);
  app.add_option("--baseline-out", o.baseline_out, "save the learned baseline to this file")
      ->group(g);
  app.add_option("--suppress-principal", o.suppress_principals,
                 "no findings for this principal (repeatable; same forms as --user)")
      ->group(g);
  app.add_option("--suppress-event", o.suppress_events,
                 "no findings for events with this name; * and ? glob (repeatable)")
      ->group(g);
}

/// Turns the flags into a DetectConfig; false (having printed why) on a bad value.
bool build_detect_config(const DetectOptions& o, detect::DetectConfig& c,
                         std::optional<detect::Severity>& min, std::optional<detect::Severity>& fail,
                         detect::Baseline& loaded) {
  min = detect::parse_severity(o.min_severity);
  if (!min) {
    print_error(fmt::format("--min-severity: unknown severity '{}'", terminal_safe(o.min_severity)));
    return false;
  }
  if (!o.fail_on.empty()) {
    fail = detect::parse_severity(o.fail_on);
    if (!fail) {
      print_error(fmt::format("--fail-on: unknown severity '{}'", terminal_safe(o.fail_on)));
      return false;
    }
  }
  for (const auto& r : o.rules) {
    const auto& cat = detect::rule_catalog();
    if (std::none_of(cat.begin(), cat.end(), [&](const auto& i) { return i.id == r; })) {
      print_error(fmt::format("--rules: unknown rule '{}' (see 'trailhound rules')", terminal_safe(r)));
      return false;
    }
    c.rules.insert(r);
  }
  for (const auto& k : o.network_kinds) {
    const auto& kinds = detect::network_kinds();
    if (std::none_of(kinds.begin(), kinds.end(), [&](const auto& n) { return n.name == k; })) {
      print_error(fmt::format("--network-kinds: unknown kind '{}' (see 'trailhound rules')",
                              terminal_safe(k)));
      return false;
    }
    c.network_kinds.insert(k);
  }
  c.network_admins = o.network_admins;
  if (!o.risky_ports.empty()) c.risky_ports = {o.risky_ports.begin(), o.risky_ports.end()};
  c.wide_v4 = o.wide_v4;
  c.wide_v6 = o.wide_v6;
  c.suppress_principals = o.suppress_principals;
  c.suppress_events = o.suppress_events;
  const TimeMs now = now_ms();
  if (!o.baseline_until.empty()) {
    c.baseline_until = parse_time_arg(o.baseline_until, now);
    if (!c.baseline_until) {
      print_error(fmt::format("--baseline-until: cannot read '{}' as a time", terminal_safe(o.baseline_until)));
      return false;
    }
  }
  if (!o.baseline_since.empty()) {
    c.baseline_since = parse_time_arg(o.baseline_since, c.baseline_until.value_or(now));
    if (!c.baseline_since) {
      print_error(fmt::format("--baseline-since: cannot read '{}' as a time", terminal_safe(o.baseline_since)));
      return false;
    }
  }
  if (!o.baseline_in.empty()) {
    std::ifstream in(o.baseline_in, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (!in || !loaded.load_json(text.str(), error)) {
      print_error(fmt::format("--baseline-in {}: {}", terminal_safe(o.baseline_in),
                              in ? error : "cannot read the file"));
      return false;
    }
  }
  return true;
}

/// Runs the detector on every event one worker reads; for investigate, also keeps the
/// principal's own events.
class DetectSink final : public EventSink {
 public:
  DetectSink(const intel::IntelDb& intel, const detect::DetectConfig& config,
             const EventFilter& filter, bool keep_events)
      : detector_(intel, config, filter), filter_(filter), keep_events_(keep_events) {}
  void on_event(const EventView& e) override {
    detector_.on_event(e);
    if (keep_events_ && filter_.matches(e)) events_.push_back(OwnedEvent::from(e));
  }
  detect::Detector detector_;
  std::vector<OwnedEvent> events_;

 private:
  const EventFilter& filter_;
  bool keep_events_;
};

struct ScanState {
  InputOptions input;
  IntelOptions intel;
  DetectOptions detect;
  std::string before = "24h";
  std::string after;
};

/// The shared body of scan and investigate.
int run_detections(ScanState& st, bool investigate) {
  PreparedRun p;
  if (!prepare_run(st.input, p)) return kExitUsage;
  intel::IntelDb db;
  if (!load_intel(st.intel, st.input.verbose, db)) return kExitUsage;
  detect::DetectConfig config;
  std::optional<detect::Severity> min, fail;
  detect::Baseline loaded;
  if (!build_detect_config(st.detect, config, min, fail, loaded)) return kExitUsage;
  std::optional<TimeMs> before_span, after_span;
  if (investigate) {
    if (st.input.users.empty() && st.input.access_keys.empty()) {
      print_error("investigate needs --access-key or --user");
      return kExitUsage;
    }
    before_span = parse_span(st.before);
    if (!before_span) {
      print_error(fmt::format("--before: cannot read '{}' as a span such as 24h", terminal_safe(st.before)));
      return kExitUsage;
    }
    if (!st.after.empty()) {
      after_span = parse_span(st.after);
      if (!after_span) {
        print_error(fmt::format("--after: cannot read '{}' as a span such as 24h", terminal_safe(st.after)));
        return kExitUsage;
      }
    }
  }

  std::vector<std::unique_ptr<EventSink>> sinks;
  RunTotals totals = run_files(
      p.files, p.run,
      [&] { return std::make_unique<DetectSink>(db, config, p.filter, investigate); }, sinks);
  p.account(totals);
  std::vector<detect::Detector*> detectors;
  std::vector<OwnedEvent> events;
  for (auto& s : sinks) {
    auto& ds = static_cast<DetectSink&>(*s);
    detectors.push_back(&ds.detector_);
    std::move(ds.events_.begin(), ds.events_.end(), std::back_inserter(events));
  }
  detect::DetectResult result =
      detect::finish(detectors, db, config, st.detect.baseline_in.empty() ? nullptr : &loaded);
  for (const auto& note : result.notes) {
    if (!st.input.quiet) print_error(fmt::format("note: {}", note));
  }
  if (!st.detect.baseline_out.empty()) {
    std::ofstream out(st.detect.baseline_out, std::ios::binary | std::ios::trunc);
    out << result.baseline.to_json();
    if (!out.flush()) {
      print_error(fmt::format("--baseline-out {}: cannot write the file",
                              terminal_safe(st.detect.baseline_out)));
      return kExitUsage;
    }
  }

  bool failing = false;
  const bool any_findings = !result.findings.empty();
  for (const auto& f : result.findings) {
    if (fail && f.severity >= *fail) failing = true;
  }
  // The findings below --min-severity are dropped in place; the rest keep their order.
  detect::FindingList shown = std::move(result.findings);
  shown.drop_if([&](const detect::Finding& f) { return f.severity < *min; });

  FindingReport report;
  report.findings = &shown;
  report.result = &result;
  report.totals = &totals;
  report.files = &p.files;
  report.grouped = st.detect.group;
  ActivityStats stats;
  std::vector<OwnedEvent> timeline;
  if (investigate) {
    std::sort(events.begin(), events.end());
    TimeMs from = events.empty() ? 0 : events.front().time;
    std::optional<TimeMs> to;
    if (any_findings) {
      const TimeMs first = shown.empty() ? from : shown.front().time;
      from = first - *before_span;
      if (after_span) to = first + *after_span;
      report.timeline_note = fmt::format("from {} ({} before the first finding) to {}",
                                         format_iso(from), st.before,
                                         to ? format_iso(*to) : "the end of the data");
    } else {
      report.timeline_note = "no findings for this principal: all of its activity";
    }
    for (auto& e : events) {
      if (e.time < from || (to && e.time >= *to)) continue;
      timeline.push_back(std::move(e));
    }
    // Statistics over the window shown, from the kept events.
    for (const auto& e : timeline) stats.add(e);
    report.timeline = &timeline;
    report.timeline_stats = &stats;
  }
  print_findings(p.output.stream(), p.format, report, p.output.color());
  const int code = finish_run(p.output, totals);
  // Findings at --fail-on outrank unreadable inputs: the CI job must fail on them either way.
  if (failing) return kExitFindings;
  return code;
}

}  // namespace

void register_scan_commands(CLI::App& app, int& exit_code) {
  auto scan_state = std::make_shared<ScanState>();
  auto* scan = app.add_subcommand(
      "scan", "run every detection over the events and print the findings");
  add_input_options(*scan, scan_state->input);
  add_intel_options(*scan, scan_state->intel);
  add_detect_options(*scan, scan_state->detect);
  scan->callback([scan_state, &exit_code] { exit_code = run_detections(*scan_state, false); });

  auto inv_state = std::make_shared<ScanState>();
  auto* investigate = app.add_subcommand(
      "investigate",
      "the findings for one principal (--access-key or --user) and its whole activity around "
      "them, with a summary");
  add_input_options(*investigate, inv_state->input);
  add_intel_options(*investigate, inv_state->intel);
  add_detect_options(*investigate, inv_state->detect);
  investigate->add_option("--before", inv_state->before,
                          "timeline starts this long before the first finding (default 24h)")
      ->group("Timeline");
  investigate->add_option("--after", inv_state->after,
                          "timeline ends this long after the first finding (default: the end "
                          "of the data)")
      ->group("Timeline");
  investigate->callback([inv_state, &exit_code] { exit_code = run_detections(*inv_state, true); });

  auto rules_format = std::make_shared<std::string>("text");
  auto* rules = app.add_subcommand("rules", "list every rule: id, severity logic, events, GuardDuty mapping");
  rules->add_option("--format", *rules_format, "output format: text, jsonl, json, csv")
      ->check(CLI::IsMember({"text", "jsonl", "json", "csv"}));
  rules->callback([rules_format, &exit_code] {
    const OutputFormat format = *parse_output_format(*rules_format);
    std::string s;
    const auto& cat = detect::rule_catalog();
    if (format == OutputFormat::Text) {
      for (const auto& r : cat) {
        s += fmt::format("{}\n  severity:  {}\n  events:    {}\n", r.id, r.severity, r.events);
        if (!r.guardduty.empty()) s += fmt::format("  GuardDuty: {}\n", r.guardduty);
        if (!r.needs.empty()) s += fmt::format("  needs:     {}\n", r.needs);
        s += '\n';
      }
      s += "network kinds (--network-kinds):\n";
      for (const auto& k : detect::network_kinds()) {
        std::string names;
        for (auto n : k.events) names += (names.empty() ? "" : ", ") + std::string(n);
        s += fmt::format("  {}: {}\n", k.name, names);
      }
    } else if (format == OutputFormat::Csv) {
      s = "id,severity,events,guardduty,needs\r\n";
      for (const auto& r : cat) {
        for (auto cell : {r.id, r.severity, r.events, r.guardduty}) {
          append_csv_cell(s, cell);
          s += ',';
        }
        append_csv_cell(s, r.needs);
        s += "\r\n";
      }
    } else {
      const bool jsonl = format == OutputFormat::Jsonl;
      if (!jsonl) s = "[";
      for (std::size_t i = 0; i < cat.size(); ++i) {
        const auto& r = cat[i];
        if (!jsonl && i) s += ',';
        s += "{\"type\":\"rule\",\"id\":";
        append_json_string(s, r.id);
        s += ",\"severity\":";
        append_json_string(s, r.severity);
        s += ",\"events\":";
        append_json_string(s, r.events);
        s += ",\"guardduty\":";
        append_json_string(s, r.guardduty);
        s += ",\"needs\":";
        append_json_string(s, r.needs);
        s += '}';
        if (jsonl) s += '\n';
      }
      if (!jsonl) s += "]\n";
    }
    std::cout << s;
    exit_code = kExitOk;
  });
}

}  // namespace trailhound::cli
