// `ip lookup`, `ip lists` and `rules`: commands that read no CloudTrail file.
#include <iostream>

#include <fmt/format.h>

#include "output.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"

namespace trailhound::app {
namespace {

Result<OutputFormat> format_of(const std::string& name) {
  const auto format = parse_output_format(name);
  if (!format) return Error::usage(fmt::format("unknown format '{}'", terminal_safe(name)), "--format");
  return *format;
}

/// Loads the lists, runs `body` into the output, and decides the exit code.
template <class Body>
int run_ip(const IpRequest& request, Body body) {
  const auto format = format_of(request.format);
  if (!format) return report_error(format.error());
  intel::IntelDb db;
  if (auto s = load_intel(request.intel, request.verbose, db); !s) return report_error(s.error());
  Output output;
  if (auto s = output.open(request.output, request.color); !s) return report_error(s.error());
  const int code = body(db, *format, output.stream());
  if (auto s = output.finish(); !s) return report_error(s.error());
  return code;
}

}  // namespace

int run_ip_lookup(const IpRequest& request) {
  return run_ip(request, [&](const intel::IntelDb& db, OutputFormat format, std::ostream& out) {
    return trailhound::run_ip_lookup(db, request.addresses, std::cin, format, out, std::cerr);
  });
}

int run_ip_lists(const IpRequest& request) {
  return run_ip(request, [&](const intel::IntelDb& db, OutputFormat format, std::ostream& out) {
    return trailhound::run_ip_lists(db, format, out);
  });
}

int run_rules(const RulesRequest& request) {
  const auto parsed = format_of(request.format);
  if (!parsed) return report_error(parsed.error());
  const OutputFormat format = *parsed;
  Output output;
  if (auto s = output.open(request.output, request.color); !s) return report_error(s.error());
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
  output.stream() << s;
  if (auto st = output.finish(); !st) return report_error(st.error());
  return kExitOk;
}

}  // namespace trailhound::app
