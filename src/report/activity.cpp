// Activity statistics and the timeline and summary printers for every output format.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {

namespace {
void bump(CountMap& m, std::string_view key) {
  const auto it = m.find(key);
  if (it == m.end()) m.emplace(std::string(key), 1);
  else ++it->second;
}
}  // namespace

namespace {
/// Counts one event into `s`, whichever form (view or owned) its fields come in.
void count_event(ActivityStats& s, TimeMs time, std::string_view error_code,
                 std::string_view source_ip, std::string_view region, std::string_view agent,
                 std::string_view access_key, std::string_view source, std::string_view name) {
  if (s.events == 0 || time < s.first_seen) s.first_seen = time;
  if (s.events == 0 || time > s.last_seen) s.last_seen = time;
  ++s.events;
  if (!error_code.empty()) {
    ++s.errors;
    bump(s.error_codes, error_code);
  }
  bump(s.source_ips, source_ip);
  bump(s.regions, region);
  bump(s.user_agents, agent);
  if (!access_key.empty()) bump(s.access_keys, access_key);
  thread_local std::string action;  // reused: no allocation once it has grown
  action.assign(source);
  action += ':';
  action += name;
  bump(s.actions, action);
}
}  // namespace

void ActivityStats::add(const EventView& e) {
  count_event(*this, e.time, e.error_code, e.source_ip, e.aws_region, e.user_agent,
              e.identity.access_key_id, e.event_source, e.event_name);
}

void ActivityStats::add(const OwnedEvent& e) {
  count_event(*this, e.time, e.error_code, e.source_ip, e.region, e.user_agent,
              e.principal.access_key, e.event_source, e.event_name);
}

void ActivityStats::merge(const ActivityStats& o) {
  if (o.events == 0) return;
  if (events == 0 || o.first_seen < first_seen) first_seen = o.first_seen;
  if (events == 0 || o.last_seen > last_seen) last_seen = o.last_seen;
  events += o.events;
  errors += o.errors;
  if (type.empty()) type = o.type;
  if (user.empty()) user = o.user;
  auto add_all = [](auto& into, const auto& from) {
    for (const auto& [k, v] : from) into[k] += v;
  };
  add_all(source_ips, o.source_ips);
  add_all(regions, o.regions);
  add_all(user_agents, o.user_agents);
  add_all(access_keys, o.access_keys);
  add_all(actions, o.actions);
  add_all(error_codes, o.error_codes);
}

bool use_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(fd) == 1;
}

namespace {

/// The most frequent entries, most frequent first (ties by name), as "name (count)".
std::vector<std::pair<std::string, std::uint64_t>> top(const CountMap& m,
                                                       std::size_t n) {
  std::vector<std::pair<std::string, std::uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

void append_string_array(std::string& out, const CountMap& m) {
  out += '[';
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, k);
  }
  out += ']';
}

void append_count_object(std::string& out, const CountMap& m) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, k);
    out += fmt::format(":{}", v);
  }
  out += '}';
}

void append_nullable(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else append_json_string(out, s);
}

std::string join_top(const CountMap& m, std::size_t n) {
  std::string s;
  for (const auto& [k, v] : top(m, n)) {
    if (!s.empty()) s += ", ";
    s += fmt::format("{} ({})", k.empty() ? "-" : terminal_safe(k), v);
  }
  if (m.size() > n) s += fmt::format(", +{} more", m.size() - n);
  return s;
}

std::string short_source(std::string_view event_source) {
  const auto dot = event_source.find(".amazonaws.com");
  return std::string(dot == std::string_view::npos ? event_source : event_source.substr(0, dot));
}


}  // namespace

void write_text_totals(std::ostream& out, const RunTotals& t, std::uint64_t matched) {
  out << fmt::format(
      "files: {} read, {} skipped, {} failed, {} pruned by name; records: {} read, {} used, {} "
      "rejected, {} matched\n",
      t.files_read, t.files_skipped, t.files_failed, t.files_pruned, t.records_read,
      t.records_used, t.records_rejected, matched);
}

void append_totals_json(std::string& out, const RunTotals& t, std::uint64_t matched) {
  out += fmt::format(
      "\"files\":{{\"read\":{},\"skipped\":{},\"failed\":{},\"pruned\":{}}},"
      "\"records\":{{\"read\":{},\"used\":{},\"rejected\":{},\"matched\":{}}}",
      t.files_read, t.files_skipped, t.files_failed, t.files_pruned, t.records_read,
      t.records_used, t.records_rejected, matched);
}

void append_principal_json(std::string& out, const Principal& p) {
  append_principal_json(out, PrincipalView{p.type, p.user, p.arn, p.principal_id, p.access_key,
                                           p.account, p.session_issuer});
}

void append_principal_json(std::string& out, const PrincipalView& p) {
  out += "{\"type\":";
  append_json_string(out, p.type);
  out += ",\"user\":";
  append_nullable(out, p.user);
  out += ",\"arn\":";
  append_nullable(out, p.arn);
  out += ",\"principal_id\":";
  append_nullable(out, p.principal_id);
  out += ",\"access_key\":";
  append_nullable(out, p.access_key);
  out += ",\"account\":";
  append_nullable(out, p.account);
  out += ",\"session_issuer\":";
  append_nullable(out, p.session_issuer);
  out += '}';
}

void append_event_json(std::string& out, const OwnedEvent& e, const FileTable& files) {
  out += "{\"type\":\"event\",\"time\":\"";
  out += format_iso(e.time);
  out += "\",\"principal\":";
  append_principal_json(out, e.principal);
  out += ",\"source\":{\"file\":";
  append_json_string(out, e.source.file < files.size() ? files[e.source.file].path : "");
  out += fmt::format(",\"index\":{}}},\"record\":", e.source.index);
  out += e.record;
  out += '}';
}

void append_stats_json(std::string& out, const ActivityStats& s) {
  out += fmt::format("\"events\":{},\"first_seen\":", s.events);
  if (s.events) out += '"' + format_iso(s.first_seen) + '"';
  else out += "null";
  out += ",\"last_seen\":";
  if (s.events) out += '"' + format_iso(s.last_seen) + '"';
  else out += "null";
  out += ",\"source_ips\":";
  append_string_array(out, s.source_ips);
  out += ",\"regions\":";
  append_string_array(out, s.regions);
  out += ",\"user_agents\":";
  append_string_array(out, s.user_agents);
  out += ",\"access_keys\":";
  append_string_array(out, s.access_keys);
  out += fmt::format(",\"errors\":{},\"error_codes\":", s.errors);
  append_count_object(out, s.error_codes);
  out += ",\"actions\":";
  append_count_object(out, s.actions);
}

void TextTable::add_row(std::vector<std::string> cells) {
  for (auto& c : cells) c = terminal_safe(c);
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out, bool color) const {
  std::vector<std::size_t> width(header_.size(), 0);
  auto measure = [](const std::string& s) {
    std::size_t n = 0;  // display columns: count UTF-8 lead bytes only
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (std::size_t i = 0; i < header_.size(); ++i) width[i] = measure(header_[i]);
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], measure(r[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool bold) {
    std::string s;
    if (bold && color) s += "\033[1m";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s.append(width[i] - measure(cells[i]) + 2, ' ');
    }
    if (bold && color) s += "\033[0m";
    s += '\n';
    out << s;
  };
  line(header_, true);
  for (const auto& r : rows_) line(r, false);
}

void print_timeline(std::ostream& out, OutputFormat format, const std::vector<OwnedEvent>& events,
                    const ActivityStats& stats, const RunTotals& totals, const FileTable& files,
                    bool color) {
  switch (format) {
    case OutputFormat::Jsonl: {
      std::string line;
      for (const auto& e : events) {
        line.clear();
        append_event_json(line, e, files);
        line += '\n';
        out << line;
      }
      line = "{\"type\":\"summary\",";
      append_totals_json(line, totals, stats.events);
      line += ',';
      append_stats_json(line, stats);
      line += "}\n";
      out << line;
      break;
    }
    case OutputFormat::Json: {
      std::string doc = "{\"events\":[";
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (i) doc += ',';
        doc += "\n";
        append_event_json(doc, events[i], files);
      }
      doc += "\n],\"summary\":{\"type\":\"summary\",";
      append_totals_json(doc, totals, stats.events);
      doc += ',';
      append_stats_json(doc, stats);
      doc += "}}\n";
      out << doc;
      break;
    }
    case OutputFormat::Csv: {
      std::string s =
          "time,principal_type,user,arn,access_key,account,event_source,event_name,region,"
          "source_ip,user_agent,error_code,event_id,file,index\r\n";
      for (const auto& e : events) {
        const std::string cells[] = {format_iso(e.time), e.principal.type, e.principal.user,
                                     e.principal.arn, e.principal.access_key, e.principal.account,
                                     e.event_source, e.event_name, e.region, e.source_ip,
                                     e.user_agent, e.error_code, e.event_id,
                                     files[e.source.file].path, std::to_string(e.source.index)};
        append_csv_row(s, cells);
      }
      out << s;
      break;
    }
    case OutputFormat::Text: {
      TextTable table({"TIME", "PRINCIPAL", "SERVICE", "EVENT", "REGION", "SOURCE IP", "ERROR"});
      for (const auto& e : events) {
        table.add_row({format_iso(e.time), e.principal.user, short_source(e.event_source),
                       e.event_name, e.region, e.source_ip, e.error_code});
      }
      table.print(out, color);
      out << '\n';
      std::string summary;
      summary += fmt::format("events: {}", stats.events);
      if (stats.events) {
        summary += fmt::format(", first {}, last {}", format_iso(stats.first_seen),
                               format_iso(stats.last_seen));
      }
      summary += fmt::format("\nsource IPs ({}): {}\n", stats.source_ips.size(),
                             join_top(stats.source_ips, 10));
      summary += fmt::format("regions ({}): {}\n", stats.regions.size(), join_top(stats.regions, 10));
      summary += fmt::format("user agents ({}): {}\n", stats.user_agents.size(),
                             join_top(stats.user_agents, 5));
      summary += fmt::format("access keys ({}): {}\n", stats.access_keys.size(),
                             join_top(stats.access_keys, 10));
      summary += fmt::format("errors: {}{}{}\n", stats.errors, stats.errors ? ": " : "",
                             join_top(stats.error_codes, 10));
      out << summary;
      write_text_totals(out, totals, stats.events);
      break;
    }
  }
}

void print_principal_summary(std::ostream& out, OutputFormat format,
                             const std::map<std::string, ActivityStats, std::less<>>& principals,
                             const RunTotals& totals, std::uint64_t matched, bool color) {
  // Busiest principals first; ties by key so the order is stable.
  std::vector<std::pair<const std::string*, const ActivityStats*>> rows;
  for (const auto& [k, s] : principals) rows.emplace_back(&k, &s);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second->events > b.second->events; });
  switch (format) {
    case OutputFormat::Jsonl:
    case OutputFormat::Json: {
      const bool jsonl = format == OutputFormat::Jsonl;
      std::string doc = jsonl ? "" : "{\"principals\":[";
      bool first = true;
      for (const auto& [key, s] : rows) {
        if (!jsonl && !first) doc += ',';
        first = false;
        if (!jsonl) doc += '\n';
        doc += "{\"type\":\"principal\",\"key\":";
        append_json_string(doc, *key);
        doc += ",\"principal_type\":";
        append_json_string(doc, s->type);
        doc += ",\"user\":";
        append_json_string(doc, s->user);
        doc += ',';
        append_stats_json(doc, *s);
        doc += '}';
        if (jsonl) doc += '\n';
      }
      doc += jsonl ? "{\"type\":\"summary\"," : "\n],\"summary\":{\"type\":\"summary\",";
      append_totals_json(doc, totals, matched);
      doc += fmt::format(",\"principals\":{}}}", principals.size());
      doc += jsonl ? "\n" : "}\n";
      out << doc;
      break;
    }
    case OutputFormat::Csv: {
      std::string s =
          "principal,type,user,events,first_seen,last_seen,source_ips,access_keys,user_agents,"
          "regions,top_actions,errors\r\n";
      for (const auto& [key, st] : rows) {
        auto keys = [](const CountMap& m) {
          std::string j;
          for (const auto& [k, v] : m) {
            if (!j.empty()) j += ' ';
            j += k;
          }
          return j;
        };
        const std::string cells[] = {*key, st->type, st->user, std::to_string(st->events),
                                     format_iso(st->first_seen), format_iso(st->last_seen),
                                     keys(st->source_ips), keys(st->access_keys),
                                     keys(st->user_agents), keys(st->regions),
                                     join_top(st->actions, 5), std::to_string(st->errors)};
        append_csv_row(s, cells);
      }
      out << s;
      break;
    }
    case OutputFormat::Text: {
      TextTable table({"PRINCIPAL", "TYPE", "EVENTS", "FIRST SEEN", "LAST SEEN", "IPS", "KEYS",
                       "AGENTS", "REGIONS", "ERRORS", "TOP ACTIONS"});
      for (const auto& [key, st] : rows) {
        table.add_row({st->user.empty() ? *key : st->user, st->type, std::to_string(st->events),
                       format_iso(st->first_seen), format_iso(st->last_seen),
                       std::to_string(st->source_ips.size()), std::to_string(st->access_keys.size()),
                       std::to_string(st->user_agents.size()), std::to_string(st->regions.size()),
                       std::to_string(st->errors), join_top(st->actions, 3)});
      }
      table.print(out, color);
      out << '\n';
      write_text_totals(out, totals, matched);
      break;
    }
  }
}

}  // namespace trailhound
