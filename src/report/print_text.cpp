// The text printer: aligned tables and short blocks for a person, escaped for the terminal,
// each table row fitted to the terminal's width unless that is 0 (--wide, or not a terminal).
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "print_buffer.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

using detect::Severity;

/// The most frequent entries, most frequent first (ties by name), as "name (count)".
std::string join_top(const CountMap& m, std::size_t n) {
  std::vector<std::pair<std::string_view, std::uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < n; ++i) {
    if (!s.empty()) s += ", ";
    s += fmt::format("{} ({})", v[i].first.empty() ? "-" : terminal_safe(v[i].first), v[i].second);
  }
  if (m.size() > n) s += fmt::format(", +{} more", m.size() - n);
  return s;
}

/// An absent value is shown as `-`.
std::string or_dash(std::string_view value) { return value.empty() ? "-" : std::string(value); }

std::string short_source(std::string_view event_source) {
  const auto dot = event_source.find(".amazonaws.com");
  return std::string(dot == std::string_view::npos ? event_source : event_source.substr(0, dot));
}

template <class Strings>
std::string join(const Strings& items, std::string_view sep) {
  std::string s;
  for (const auto& x : items) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

/// A table whose time, severity and address columns are never cut: a cut address would read
/// as another one.
TextTable make_table(std::vector<std::string> header) {
  static const std::string_view whole[] = {"TIME", "SEVERITY", "FIRST", "LAST", "FIRST SEEN",
                                           "LAST SEEN", "SOURCE IP", "ADDRESS"};
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (std::find(std::begin(whole), std::end(whole), header[i]) != std::end(whole)) keep.push_back(i);
  }
  TextTable t(std::move(header));
  for (auto i : keep) t.keep_whole(i);
  return t;
}

TextTable event_table() {
  return make_table({"TIME", "PRINCIPAL", "SERVICE", "EVENT", "REGION", "SOURCE IP", "ERROR"});
}

class TextPrinter final : public Printer {
 public:
  TextPrinter(std::ostream& out, const PrinterOptions& o) : buf_(out), options_(o) {}

  void begin(const PrintBegin& b) override {
    command_ = b.command;
    files_ = b.files;
    switch (b.command) {
      case Command::Timeline: table_ = event_table(); break;
      case Command::Summary: {
        std::vector<std::string> header = {"PRINCIPAL", "TYPE",   "EVENTS",  "FIRST SEEN",
                                           "LAST SEEN", "IPS",    "KEYS",    "AGENTS",
                                           "REGIONS",   "ERRORS", "TOP ACTIONS"};
        if (options_.geo) header.insert(header.end(), {"COUNTRIES", "ASNS"});
        table_ = make_table(std::move(header));
        break;
      }
      case Command::Scan:
      case Command::Investigate:
        if (b.grouped) {
          table_ = make_table({"SEVERITY", "RULE", "PRINCIPAL", "SOURCE IP", "COUNT", "FIRST",
                               "LAST", "EVENTS"});
        }
        break;
      case Command::IpLookup: {
        std::vector<std::string> header = {"ADDRESS", "FAMILY", "LISTS", "TRUSTED", "AWS"};
        if (options_.geo) header.insert(header.end(), {"COUNTRY", "CITY", "ASN", "ANONYMOUS"});
        table_ = make_table(std::move(header));
        break;
      }
      case Command::IpLists:
        table_ = make_table({"NAME", "ROLE", "FORMAT", "IPV4", "IPV6", "SKIPPED", "MASKED", "TOR",
                             "PATH"});
        break;
      case Command::Rules: break;
    }
    has_table_ = table_.has_value();
  }
  void section(std::string_view title) override {
    print_table();
    buf_.text += fmt::format("\n{}:\n", terminal_safe(title));
    table_ = event_table();
    has_table_ = true;
  }
  void file_problem(const FileProblem& /*problem*/) override {}  // stderr has said it
  void event(const OwnedEvent& e) override {
    table_->add_row({format_iso(e.time), e.principal.user, short_source(e.event_source),
                     e.event_name, or_dash(e.region), placed(or_dash(e.source_ip)), e.error_code});
  }
  void finding(const detect::Finding& f) override {
    std::string& s = buf_.text;
    s += fmt::format("{}  {}  {}\n", format_iso(f.time), severity_cell(f.severity), f.rule);
    if (!f.title.empty()) s += fmt::format("    title:     {}\n", terminal_safe(f.title));
    s += fmt::format("    principal: {} ({}){}\n", terminal_safe(f.principal.user),
                     terminal_safe(f.principal.type),
                     f.principal.access_key.empty() ? "" : ", key " + terminal_safe(f.principal.access_key));
    s += fmt::format("    event:     {} {} in {} from {}\n", terminal_safe(f.event_source),
                     terminal_safe(f.event_name), terminal_safe(or_dash(f.region)),
                     terminal_safe(placed(or_dash(f.source_ip))));
    for (const auto& reason : f.reasons) s += fmt::format("    - {}\n", terminal_safe(reason));
    if (!f.guardduty_type.empty()) s += fmt::format("    GuardDuty: {}\n", f.guardduty_type);
    s += fmt::format("    record:    {} #{}\n", terminal_safe(files_->at(f.source.file).path),
                     f.source.index);
    buf_.maybe_flush();
  }
  void group(const FindingGroup& g) override {
    std::string names;
    for (const auto& [n, c] : g.events) names += (names.empty() ? "" : ", ") + n + fmt::format(" ({})", c);
    table_->add_row({std::string(detect::to_string(g.severity)), std::string(g.first->rule),
                     std::string(g.first->principal.user), placed(or_dash(g.first->source_ip)),
                     std::to_string(g.count), format_iso(g.first_seen), format_iso(g.last_seen),
                     names});
  }
  void principal(std::string_view key, const ActivityStats& st) override {
    std::vector<std::string> row = {
        st.principal.user.empty() ? std::string(key) : st.principal.user, st.principal.type,
        std::to_string(st.events), format_iso(st.first_seen), format_iso(st.last_seen),
        std::to_string(st.source_ips.size()), std::to_string(st.access_keys.size()),
        std::to_string(st.user_agents.size()), std::to_string(st.regions.size()),
        std::to_string(st.errors), join_top(st.actions, 3)};
    if (options_.geo) {
      CountMap countries, asns;
      count_places(st.source_ips, options_.geo, countries, asns);
      row.push_back(countries.empty() ? "-" : join_top(countries, 3));
      row.push_back(asns.empty() ? "-" : join_top(asns, 3));
    }
    table_->add_row(std::move(row));
  }
  void ip(const IpRow& r) override {
    using intel::SourceClass;
    if (r.kind == SourceClass::Invalid) {
      add_ip_row({std::string(r.input), "-", "invalid: " + std::string(r.error), "-", "-"}, r);
      return;
    }
    if (r.kind == SourceClass::Service) {
      add_ip_row({std::string(r.input), "-", "AWS service source", "-", "-"}, r);
      return;
    }
    std::vector<std::string> hits;
    for (std::size_t i = 0; i < r.result->count; ++i) {
      const intel::ListHit& hit = r.result->hits[i];
      const intel::ListInfo& list = r.db->lists()[hit.list];
      std::string cell = list.name;
      if (list.role != intel::ListRole::Threat) cell += "(" + std::string(to_string(list.role)) + ")";
      cell += " " + to_string(hit.prefix);
      hits.push_back(std::move(cell));
    }
    std::string aws = r.result->private_network ? "private network (VPC endpoint or on-premises)"
                                                : "-";
    if (const intel::AwsInfo* a = r.result->aws) {
      aws = join(a->services, ",") + " " + join(a->regions, ",") + " (" + to_string(a->prefix) + ")";
    }
    add_ip_row({std::string(r.input), r.addr->v4 ? "IPv4" : "IPv6",
                hits.empty() ? "-" : join(hits, ", "), r.result->trusted ? "yes" : "no", aws},
               r);
  }
  void ip_list(const intel::ListInfo& l) override {
    table_->add_row({l.name, std::string(to_string(l.role)), l.format, std::to_string(l.ipv4),
                     std::to_string(l.ipv6), std::to_string(l.skipped), std::to_string(l.masked),
                     l.tor ? "yes" : "no", l.path});
  }
  void aws_ranges(const intel::AwsRangesInfo& a) override {
    table_->add_row({"aws-ip-ranges", "aws", "ip-ranges.json", std::to_string(a.ipv4),
                     std::to_string(a.ipv6), std::to_string(a.skipped), "0", "no",
                     a.path + " (created " + a.create_date + ")"});
  }
  void rule(const detect::RuleInfo& r) override {
    std::string& s = buf_.text;
    s += fmt::format("{}\n  severity:  {}\n  events:    {}\n", terminal_safe(r.id),
                     terminal_safe(r.severity), terminal_safe(r.events));
    if (!r.guardduty.empty()) s += fmt::format("  GuardDuty: {}\n", r.guardduty);
    if (!r.needs.empty()) s += fmt::format("  needs:     {}\n", r.needs);
    // A Sigma rule: what its file says, and why it does not run when it does not.
    if (!r.title.empty()) s += fmt::format("  title:     {}\n", terminal_safe(r.title));
    if (!r.status.empty()) s += fmt::format("  status:    {}\n", terminal_safe(r.status));
    if (!r.tags.empty()) s += fmt::format("  tags:      {}\n", terminal_safe(r.tags));
    if (!r.author.empty()) s += fmt::format("  author:    {}\n", terminal_safe(r.author));
    if (!r.references.empty()) s += fmt::format("  reference: {}\n", terminal_safe(r.references));
    if (!r.refused.empty()) s += fmt::format("  NOT RUN:   {}\n", terminal_safe(r.refused));
    s += '\n';
  }
  void network_kind(const detect::NetworkKind& k) override {
    if (!kinds_heading_) buf_.text += "network kinds (--network-kinds):\n";
    kinds_heading_ = true;
    buf_.text += fmt::format("  {}: {}\n", k.name, join(k.events, ", "));
  }
  void summary(const RunSummary& r) override {
    print_table();
    std::string& s = buf_.text;
    if (command_ == Command::Timeline || command_ == Command::Summary) s += '\n';
    if (command_ == Command::Timeline && r.stats) append_stats(*r.stats);
    if (r.findings && r.detect) {
      std::uint64_t by_sev[5] = {0, 0, 0, 0, 0};
      for (const auto& f : *r.findings) ++by_sev[static_cast<int>(f.severity)];
      s += fmt::format("\nfindings: {} (critical {}, high {}, medium {}, low {}, informational {})\n",
                       r.findings->size(), by_sev[4], by_sev[3], by_sev[2], by_sev[1], by_sev[0]);
      const auto& sp = r.detect->suppressed;
      if (sp.trusted + sp.principal + sp.event > 0) {
        s += fmt::format("suppressed: {} on trusted lists, {} by principal, {} by event name\n",
                         sp.trusted, sp.principal, sp.event);
      }
      for (const auto& n : r.detect->notes) s += "note: " + n + '\n';
    }
    const RunTotals& t = *r.totals;
    s += fmt::format(
        "files: {} read, {} skipped, {} failed, {} pruned by name; records: {} read, {} used, {} "
        "rejected, {}{} matched\n",
        t.files_read, t.files_skipped, t.files_failed, t.files_pruned, t.records_read,
        t.records_used, t.records_rejected,
        t.records_duplicate ? fmt::format("{} duplicates dropped, ", t.records_duplicate) : "",
        r.matched);
  }
  void end() override {
    print_table();
    buf_.flush();
  }

 private:
  /// `address (GB, London, AS1221 Telstra, vpn)` when --geoip places it; else the address.
  std::string placed(std::string_view address) const {
    const intel::GeoInfo* g = options_.geo ? options_.geo(address) : nullptr;
    std::string brief = g != nullptr ? g->brief() : std::string();
    if (brief.empty()) return std::string(address);
    return fmt::format("{} ({})", address, brief);
  }
  /// An ip lookup row, with the --geoip columns when they are shown.
  void add_ip_row(std::vector<std::string> cells, const IpRow& r) {
    if (options_.geo) {
      const intel::GeoInfo* g = options_.geo(r.input);
      auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
      cells.push_back(g ? or_dash(g->country_name.empty()
                                      ? g->country
                                      : fmt::format("{} {}", g->country, g->country_name))
                        : "-");
      cells.push_back(g ? or_dash(g->city) : "-");
      std::string asn = "-";
      if (g && g->asn != 0) {
        asn = g->as_org.empty() ? fmt::format("AS{}", g->asn) : fmt::format("AS{} {}", g->asn, g->as_org);
      }
      cells.push_back(asn);
      std::string anon = "-";
      if (g && g->anonymity_known) anon = g->anonymiser() ? g->anonymiser_kinds() : "no";
      cells.push_back(anon);
    }
    table_->add_row(std::move(cells));
  }
  std::string severity_cell(Severity sev) const {
    std::string name(detect::to_string(sev));
    if (!options_.color) return name;
    const char* code = sev >= Severity::High ? "\033[31m" : sev == Severity::Medium ? "\033[33m" : "\033[36m";
    return std::string(code) + name + "\033[0m";
  }
  /// The events without a value, as the list's last entry "- (N)"; the list's count is of
  /// the values present.
  static std::string absent_note(const CountMap& values, std::uint64_t n) {
    if (n == 0) return {};
    return fmt::format("{}- ({})", values.empty() ? "" : ", ", n);
  }
  void append_stats(const ActivityStats& st) {
    std::string& s = buf_.text;
    s += fmt::format("events: {}", st.events);
    if (st.events) {
      s += fmt::format(", first {}, last {}", format_iso(st.first_seen), format_iso(st.last_seen));
    }
    s += fmt::format("\nsource IPs ({}): {}{}\n", st.source_ips.size(), join_top(st.source_ips, 10),
                     absent_note(st.source_ips, st.absent_source_ip));
    s += fmt::format("regions ({}): {}{}\n", st.regions.size(), join_top(st.regions, 10),
                     absent_note(st.regions, st.absent_region));
    s += fmt::format("user agents ({}): {}{}\n", st.user_agents.size(), join_top(st.user_agents, 5),
                     absent_note(st.user_agents, st.absent_user_agent));
    s += fmt::format("access keys ({}): {}\n", st.access_keys.size(), join_top(st.access_keys, 10));
    s += fmt::format("errors: {}{}{}\n", st.errors, st.errors ? ": " : "",
                     join_top(st.error_codes, 10));
  }
  /// Writes the pending table, once.
  void print_table() {
    if (!has_table_) return;
    table_->print(buf_.text, options_.color, options_.width);
    buf_.flush();
    table_.reset();
    has_table_ = false;
  }

  PrintBuffer buf_;
  PrinterOptions options_;
  Command command_ = Command::Timeline;
  const FileTable* files_ = nullptr;
  std::optional<TextTable> table_;
  bool has_table_ = false;
  bool kinds_heading_ = false;
};

}  // namespace

std::unique_ptr<Printer> make_text_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<TextPrinter>(out, options);
}

}  // namespace trailhound
