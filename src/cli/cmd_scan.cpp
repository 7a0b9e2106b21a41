// `scan`, `investigate` and `rules`: the flags of the detections; the work is the app layer's.
#include "trailhound/cli.hpp"

namespace trailhound::cli {
namespace {

void add_detect_options(CLI::App& app, app::DetectRequest& o) {
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

}  // namespace

void register_scan_commands(CLI::App& app, int& exit_code) {
  auto scan_state = std::make_shared<app::ScanRequest>();
  auto* scan = app.add_subcommand(
      "scan", "run every detection over the events and print the findings");
  add_input_options(*scan, scan_state->input);
  add_intel_options(*scan, scan_state->intel);
  add_detect_options(*scan, scan_state->detect);
  scan->callback([scan_state, &exit_code] { exit_code = app::run_scan(*scan_state); });

  auto inv_state = std::make_shared<app::ScanRequest>();
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
  investigate->callback([inv_state, &exit_code] { exit_code = app::run_investigate(*inv_state); });

  auto rules_state = std::make_shared<app::RulesRequest>();
  auto* rules = app.add_subcommand("rules", "list every rule: id, severity logic, events, GuardDuty mapping");
  rules->add_option("--format", rules_state->format, "output format: text, jsonl, json, csv")
      ->check(CLI::IsMember({"text", "jsonl", "json", "csv"}));
  rules->callback([rules_state, &exit_code] { exit_code = app::run_rules(*rules_state); });
}

}  // namespace trailhound::cli
