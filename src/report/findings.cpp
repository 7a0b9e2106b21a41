// Printers for findings (scan, investigate) in every output format.
#include <map>

#include <fmt/format.h>

#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

using detect::Finding;
using detect::Severity;

void append_nullable(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else append_json_string(out, s);
}

/// One row per rule, principal and source address, with the worst severity and the span.
struct Group {
  const Finding* first = nullptr;
  Severity severity = Severity::Informational;
  std::uint64_t count = 0;
  TimeMs first_time = 0, last_time = 0;
  CountMap events;
};

std::vector<Group> group_findings(const detect::FindingList& findings) {
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  std::vector<Group> groups;
  for (const auto& f : findings) {
    const auto key = std::make_tuple(std::string(f.rule), f.principal.key(), std::string(f.source_ip));
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, groups.size()).first;
      groups.push_back(Group{&f, f.severity, 0, f.time, f.time, {}});
    }
    Group& g = groups[it->second];
    ++g.count;
    g.severity = std::max(g.severity, f.severity);
    g.first_time = std::min(g.first_time, f.time);
    g.last_time = std::max(g.last_time, f.time);
    ++g.events[std::string(f.event_name)];
  }
  return groups;
}

void append_summary_json(std::string& out, const FindingReport& r) {
  const auto& findings = *r.findings;
  CountMap by_rule;
  std::uint64_t by_sev[5] = {0, 0, 0, 0, 0};
  for (const auto& f : findings) {
    ++by_rule[std::string(f.rule)];
    ++by_sev[static_cast<int>(f.severity)];
  }
  out += "{\"type\":\"summary\",";
  append_totals_json(out, *r.totals, r.result->events_matched);
  out += fmt::format(",\"findings\":{{\"total\":{},\"by_severity\":{{", findings.size());
  for (int i = 0; i < 5; ++i) {
    if (i) out += ',';
    out += fmt::format("\"{}\":{}", detect::to_string(static_cast<Severity>(i)), by_sev[i]);
  }
  out += "},\"by_rule\":{";
  bool first = true;
  for (const auto& [rule, n] : by_rule) {
    if (!first) out += ',';
    first = false;
    out += fmt::format("\"{}\":{}", rule, n);
  }
  const auto& s = r.result->suppressed;
  out += fmt::format("}}}},\"suppressed\":{{\"trusted\":{},\"principal\":{},\"event\":{}}}",
                     s.trusted, s.principal, s.event);
  out += fmt::format(",\"sources\":{{\"service\":{},\"invalid\":{}}},\"notes\":[",
                     r.result->service_sources, r.result->invalid_sources);
  for (std::size_t i = 0; i < r.result->notes.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, r.result->notes[i]);
  }
  out += ']';
  if (r.timeline_stats) {
    out += ",\"timeline\":{";
    append_stats_json(out, *r.timeline_stats);
    out += ",\"window\":";
    append_json_string(out, r.timeline_note);
    out += '}';
  }
  out += '}';
}

template <class Strings>
std::string join(const Strings& v, std::string_view sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

}  // namespace

void append_finding_json(std::string& out, const Finding& f, const FileTable& files) {
  out += "{\"type\":\"finding\",\"rule\":";
  append_json_string(out, f.rule);
  out += ",\"severity\":\"";
  out += detect::to_string(f.severity);
  out += "\",\"time\":\"";
  out += format_iso(f.time);
  out += "\",\"principal\":";
  append_principal_json(out, f.principal);
  out += ",\"source_ip\":";
  append_nullable(out, f.source_ip);
  out += ",\"ip\":{\"lists\":[";
  for (std::size_t i = 0; i < f.lists.size(); ++i) {
    if (i) out += ',';
    out += "{\"name\":";
    append_json_string(out, f.lists[i].name);
    out += ",\"prefix\":";
    append_json_string(out, f.lists[i].prefix);
    out += ",\"role\":";
    append_json_string(out, f.lists[i].role);
    out += '}';
  }
  out += "],\"aws\":";
  if (f.aws) {
    out += "{\"service\":[";
    for (std::size_t i = 0; i < f.aws->services.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, f.aws->services[i]);
    }
    out += "],\"region\":";
    append_json_string(out, f.aws->region);
    out += ",\"prefix\":";
    append_json_string(out, f.aws->prefix);
    out += '}';
  } else {
    out += "null";
  }
  out += ",\"aws_known\":";
  out += f.aws_known ? "true" : "false";
  out += "},\"event_name\":";
  append_nullable(out, f.event_name);
  out += ",\"event_source\":";
  append_nullable(out, f.event_source);
  out += ",\"region\":";
  append_nullable(out, f.region);
  out += ",\"user_agent\":";
  append_nullable(out, f.user_agent);
  out += ",\"error_code\":";
  append_nullable(out, f.error_code);
  out += ",\"event_id\":";
  append_nullable(out, f.event_id);
  out += ",\"source\":{\"file\":";
  append_json_string(out, f.source.file < files.size() ? files[f.source.file].path : "");
  out += fmt::format(",\"index\":{}}},\"reasons\":[", f.source.index);
  for (std::size_t i = 0; i < f.reasons.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, f.reasons[i]);
  }
  out += "],\"guardduty_type\":";
  append_nullable(out, f.guardduty_type);
  out += '}';
}

void print_findings(std::ostream& out, OutputFormat format, const FindingReport& r, bool color) {
  const auto& findings = *r.findings;
  const auto& files = *r.files;
  const std::vector<Group> groups = r.grouped ? group_findings(findings) : std::vector<Group>{};
  auto append_group_json = [&](std::string& s, const Group& g) {
    const Finding& f = *g.first;
    s += "{\"type\":\"finding-group\",\"rule\":";
    append_json_string(s, f.rule);
    s += fmt::format(",\"severity\":\"{}\",\"count\":{},\"first\":\"{}\",\"last\":\"{}\",\"principal\":",
                     detect::to_string(g.severity), g.count, format_iso(g.first_time),
                     format_iso(g.last_time));
    append_principal_json(s, f.principal);
    s += ",\"source_ip\":";
    append_nullable(s, f.source_ip);
    s += ",\"event_names\":{";
    bool first = true;
    for (const auto& [name, n] : g.events) {
      if (!first) s += ',';
      first = false;
      append_json_string(s, name);
      s += fmt::format(":{}", n);
    }
    s += "},\"guardduty_type\":";
    append_nullable(s, f.guardduty_type);
    s += '}';
  };

  switch (format) {
    case OutputFormat::Jsonl: {
      // Line by line through one reused buffer: the output is never held whole in memory.
      std::string s;
      auto flush_line = [&] {
        s += '\n';
        out << s;
        s.clear();
      };
      if (r.grouped) {
        for (const auto& g : groups) {
          append_group_json(s, g);
          flush_line();
        }
      } else {
        for (const auto& f : findings) {
          append_finding_json(s, f, files);
          flush_line();
        }
      }
      if (r.timeline) {
        for (const auto& e : *r.timeline) {
          append_event_json(s, e, files);
          flush_line();
        }
      }
      append_summary_json(s, r);
      flush_line();
      break;
    }
    case OutputFormat::Json: {
      std::string s = "{\"findings\":[";
      if (r.grouped) {
        for (std::size_t i = 0; i < groups.size(); ++i) {
          s += i ? ",\n" : "\n";
          append_group_json(s, groups[i]);
        }
      } else {
        for (std::size_t i = 0; i < findings.size(); ++i) {
          s += i ? ",\n" : "\n";
          append_finding_json(s, findings[i], files);
        }
      }
      s += "\n]";
      if (r.timeline) {
        s += ",\"events\":[";
        for (std::size_t i = 0; i < r.timeline->size(); ++i) {
          s += i ? ",\n" : "\n";
          append_event_json(s, (*r.timeline)[i], files);
        }
        s += "\n]";
      }
      s += ",\"summary\":";
      append_summary_json(s, r);
      s += "}\n";
      out << s;
      break;
    }
    case OutputFormat::Csv: {
      std::string s =
          "time,severity,rule,principal_type,user,arn,access_key,account,source_ip,lists,"
          "aws_service,event_source,event_name,region,user_agent,error_code,event_id,reasons,"
          "guardduty_type,file,index\r\n";
      for (const auto& f : findings) {
        std::string lists;
        for (const auto& l : f.lists) {
          if (!lists.empty()) lists += ' ';
          lists.append(l.name).append("=").append(l.prefix);
        }
        const std::string time = format_iso(f.time), index = std::to_string(f.source.index);
        const std::string services = f.aws ? join(f.aws->services, " ") : "";
        const std::string reasons = join(f.reasons, "; ");
        const std::string_view cells[] = {time, detect::to_string(f.severity), f.rule,
                                          f.principal.type, f.principal.user, f.principal.arn,
                                          f.principal.access_key, f.principal.account, f.source_ip,
                                          lists, services, f.event_source, f.event_name, f.region,
                                          f.user_agent, f.error_code, f.event_id, reasons,
                                          f.guardduty_type, files[f.source.file].path, index};
        append_csv_row(s, cells);
      }
      out << s;
      break;
    }
    case OutputFormat::Text: {
      auto sev_cell = [&](Severity sev) {
        std::string name(detect::to_string(sev));
        if (!color) return name;
        const char* code = sev >= Severity::High ? "\033[31m" : sev == Severity::Medium ? "\033[33m" : "\033[36m";
        return std::string(code) + name + "\033[0m";
      };
      if (r.grouped) {
        TextTable t({"SEVERITY", "RULE", "PRINCIPAL", "SOURCE IP", "COUNT", "FIRST", "LAST", "EVENTS"});
        for (const auto& g : groups) {
          std::string names;
          for (const auto& [n, c] : g.events) names += (names.empty() ? "" : ", ") + n + fmt::format(" ({})", c);
          t.add_row({std::string(detect::to_string(g.severity)), std::string(g.first->rule),
                     std::string(g.first->principal.user), std::string(g.first->source_ip), std::to_string(g.count),
                     format_iso(g.first_time), format_iso(g.last_time), names});
        }
        t.print(out, color);
      } else {
        std::string s;
        for (const auto& f : findings) {
          s += fmt::format("{}  {}  {}\n", format_iso(f.time), sev_cell(f.severity), f.rule);
          s += fmt::format("    principal: {} ({}){}\n", terminal_safe(f.principal.user),
                           terminal_safe(f.principal.type),
                           f.principal.access_key.empty() ? "" : ", key " + terminal_safe(f.principal.access_key));
          s += fmt::format("    event:     {} {} in {} from {}\n", terminal_safe(f.event_source),
                           terminal_safe(f.event_name), terminal_safe(f.region),
                           terminal_safe(f.source_ip));
          for (const auto& reason : f.reasons) s += fmt::format("    - {}\n", terminal_safe(reason));
          if (!f.guardduty_type.empty()) s += fmt::format("    GuardDuty: {}\n", f.guardduty_type);
          s += fmt::format("    record:    {} #{}\n", terminal_safe(files[f.source.file].path),
                           f.source.index);
        }
        out << s;
      }
      if (r.timeline) {
        out << fmt::format("\ntimeline ({}):\n", r.timeline_note);
        TextTable t({"TIME", "PRINCIPAL", "SERVICE", "EVENT", "REGION", "SOURCE IP", "ERROR"});
        for (const auto& e : *r.timeline) {
          const auto dot = e.event_source.find(".amazonaws.com");
          t.add_row({format_iso(e.time), e.principal.user, e.event_source.substr(0, dot),
                     e.event_name, e.region, e.source_ip, e.error_code});
        }
        t.print(out, color);
      }
      std::uint64_t by_sev[5] = {0, 0, 0, 0, 0};
      for (const auto& f : findings) ++by_sev[static_cast<int>(f.severity)];
      out << fmt::format("\nfindings: {} (critical {}, high {}, medium {}, low {}, informational {})\n",
                         findings.size(), by_sev[4], by_sev[3], by_sev[2], by_sev[1], by_sev[0]);
      const auto& sp = r.result->suppressed;
      if (sp.trusted + sp.principal + sp.event > 0) {
        out << fmt::format("suppressed: {} on trusted lists, {} by principal, {} by event name\n",
                           sp.trusted, sp.principal, sp.event);
      }
      for (const auto& n : r.result->notes) out << "note: " << n << '\n';
      write_text_totals(out, *r.totals, r.result->events_matched);
      break;
    }
  }
}

}  // namespace trailhound
