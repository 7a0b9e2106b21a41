// The CSV printer: RFC 4180, a header row, CRLF after every row, formulas neutralised.
// A cell holding several values separates them with ';'. File problems and the closing
// summary are not printed (stderr has the former); investigate prints findings and events
// under one header whose first column, `type`, says which a row is.
#include <fmt/format.h>

#include "print_buffer.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

constexpr std::string_view kSep = ";";

template <class Strings>
std::string join(const Strings& items) {
  std::string s;
  for (const auto& x : items) {
    if (!s.empty()) s += kSep;
    s += x;
  }
  return s;
}

std::string join_keys(const CountMap& m) {
  std::string s;
  for (const auto& [k, v] : m) {
    if (!s.empty()) s += kSep;
    s += k;
  }
  return s;
}

/// "name (count)" joined, most frequent first (ties by name), at most `n` and "+N more".
std::string join_counts(const CountMap& m, std::size_t n) {
  std::vector<std::pair<std::string_view, std::uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < n; ++i) {
    if (!s.empty()) s += kSep;
    s += fmt::format("{} ({})", v[i].first.empty() ? "-" : v[i].first, v[i].second);
  }
  if (m.size() > n) s += fmt::format("{}+{} more", kSep, m.size() - n);
  return s;
}

constexpr std::string_view kEventHeader =
    "time,principal_type,user,arn,access_key,account,event_source,event_name,region,source_ip,"
    "user_agent,error_code,event_id,file,index";
constexpr std::string_view kFindingHeader =
    "time,severity,rule,principal_type,user,arn,access_key,account,source_ip,lists,aws_service,"
    "event_source,event_name,region,user_agent,error_code,event_id,reasons,guardduty_type,file,"
    "index";
constexpr std::string_view kGroupHeader =
    "first_seen,last_seen,severity,rule,count,principal_type,user,arn,access_key,account,"
    "source_ip,event_names,guardduty_type";
constexpr std::size_t kFindingColumns = 21;

class CsvPrinter final : public Printer {
 public:
  CsvPrinter(std::ostream& out, const PrinterOptions& o) : buf_(out), geo_(o.geo) {}
  void begin(const PrintBegin& b) override {
    files_ = b.files;
    mixed_ = b.command == Command::Investigate;
    std::string_view header;
    // --geoip adds columns at the end of a row: an address's country and ASN, a summary
    // row's countries and ASNs, an ip lookup's whole answer.
    std::string_view geo_columns = ",country,asn";
    switch (b.command) {
      case Command::Timeline: header = kEventHeader; break;
      case Command::Summary:
        header = "principal,type,user,events,first_seen,last_seen,source_ips,access_keys,"
                 "user_agents,regions,top_actions,errors";
        geo_columns = ",countries,asns";
        break;
      case Command::Scan: header = b.grouped ? kGroupHeader : kFindingHeader; break;
      case Command::Investigate: break;
      case Command::IpLookup:
        header = "address,valid,lists,trusted,aws_service,aws_region";
        geo_columns = ",country,country_name,city,asn,as_org,anonymous";
        break;
      case Command::IpLists:
        header = "type,name,role,format,path,ipv4,ipv6,skipped,masked,tor,create_date,sync_token";
        geo_columns = "";
        break;
      case Command::Rules:
        header = "id,severity,events,guardduty,needs,title,status,tags,author,references,not_run";
        geo_columns = "";
        break;
    }
    if (mixed_) {
      // Findings (or groups) and timeline events share one header: the finding columns, and
      // for groups the count and the last time (their `time` is the first).
      buf_.text += "type,";
      buf_.text += kFindingHeader;
      buf_.text += ",count,last_seen";
    } else {
      buf_.text += header;
    }
    if (geo_) buf_.text += geo_columns;
    buf_.text += "\r\n";
  }
  void section(std::string_view /*title*/) override {}
  void file_problem(const FileProblem& /*problem*/) override {}
  void event(const OwnedEvent& e) override {
    const std::string time = format_iso(e.time), index = std::to_string(e.source.index);
    const std::string_view file = files_->at(e.source.file).path;
    if (mixed_) {
      const std::string_view cells[] = {"event", time, "", "", e.principal.type, e.principal.user,
                                        e.principal.arn, e.principal.access_key,
                                        e.principal.account, e.source_ip, "", "", e.event_source,
                                        e.event_name, e.region, e.user_agent, e.error_code,
                                        e.event_id, "", "", file, index, "", ""};
      placed_row(cells, e.source_ip);
      return;
    }
    const std::string_view cells[] = {time, e.principal.type, e.principal.user, e.principal.arn,
                                      e.principal.access_key, e.principal.account, e.event_source,
                                      e.event_name, e.region, e.source_ip, e.user_agent,
                                      e.error_code, e.event_id, file, index};
    placed_row(cells, e.source_ip);
  }
  void finding(const detect::Finding& f) override {
    std::vector<std::string> lists;
    for (const auto& l : f.lists) lists.push_back(fmt::format("{}={}", l.name, l.prefix));
    const std::string time = format_iso(f.time), index = std::to_string(f.source.index);
    const std::string list_cell = join(lists), services = f.aws ? join(f.aws->services) : "";
    const std::string reasons = join(f.reasons);
    const std::string_view cells[kFindingColumns] = {
        time, detect::to_string(f.severity), f.rule, f.principal.type, f.principal.user,
        f.principal.arn, f.principal.access_key, f.principal.account, f.source_ip, list_cell,
        services, f.event_source, f.event_name, f.region, f.user_agent, f.error_code, f.event_id,
        reasons, f.guardduty_type, files_->at(f.source.file).path, index};
    if (!mixed_) {
      placed_row(cells, f.source_ip);
      return;
    }
    std::string_view mixed[kFindingColumns + 3] = {"finding"};
    std::copy(std::begin(cells), std::end(cells), mixed + 1);
    placed_row(mixed, f.source_ip);
  }
  void group(const FindingGroup& g) override {
    const detect::Finding& f = *g.first;
    const std::string first = format_iso(g.first_seen), last = format_iso(g.last_seen);
    const std::string count = std::to_string(g.count), names = join_counts(g.events, g.events.size());
    if (mixed_) {
      const std::string_view cells[] = {"finding-group", first, detect::to_string(g.severity),
                                        f.rule, f.principal.type, f.principal.user,
                                        f.principal.arn, f.principal.access_key,
                                        f.principal.account, f.source_ip, "", "", "", names, "",
                                        "", "", "", "", f.guardduty_type, "", "", count, last};
      placed_row(cells, f.source_ip);
      return;
    }
    const std::string_view cells[] = {first, last, detect::to_string(g.severity), f.rule, count,
                                      f.principal.type, f.principal.user, f.principal.arn,
                                      f.principal.access_key, f.principal.account, f.source_ip,
                                      names, f.guardduty_type};
    placed_row(cells, f.source_ip);
  }
  void principal(std::string_view key, const ActivityStats& st) override {
    const std::string cells[] = {std::string(key), st.principal.type, st.principal.user,
                                 std::to_string(st.events), format_iso(st.first_seen),
                                 format_iso(st.last_seen), join_keys(st.source_ips),
                                 join_keys(st.access_keys), join_keys(st.user_agents),
                                 join_keys(st.regions), join_counts(st.actions, 5),
                                 std::to_string(st.errors)};
    if (!geo_) {
      row(cells);
      return;
    }
    CountMap countries, asns;
    count_places(st.source_ips, geo_, countries, asns);
    std::vector<std::string> all(std::begin(cells), std::end(cells));
    all.push_back(join_counts(countries, countries.size()));
    all.push_back(join_counts(asns, asns.size()));
    row(all);
  }
  void ip(const IpRow& r) override {
    const bool valid = r.kind == intel::SourceClass::Address;
    std::vector<std::string> hits;
    for (std::size_t i = 0; valid && i < r.result->count; ++i) {
      const intel::ListHit& hit = r.result->hits[i];
      hits.push_back(r.db->lists()[hit.list].name + "=" + to_string(hit.prefix));
    }
    const intel::AwsInfo* aws = valid ? r.result->aws : nullptr;
    const std::string cells[] = {std::string(r.input), valid ? "true" : "false", join(hits),
                                 valid && r.result->trusted ? "true" : "false",
                                 aws ? join(aws->services) : "", aws ? join(aws->regions) : ""};
    if (!geo_) {
      row(cells);
    } else {
      const intel::GeoInfo* g = geo_(r.input);
      std::vector<std::string> all(std::begin(cells), std::end(cells));
      all.push_back(g ? g->country : "");
      all.push_back(g ? g->country_name : "");
      all.push_back(g ? g->city : "");
      all.push_back(g && g->asn ? std::to_string(g->asn) : "");
      all.push_back(g ? g->as_org : "");
      all.push_back(!g || !g->anonymity_known ? "" : g->anonymiser() ? g->anonymiser_kinds() : "no");
      row(all);
    }
    buf_.flush();  // one answer per input as it is read: ip lookup may be fed interactively
  }
  void ip_list(const intel::ListInfo& l) override {
    const std::string cells[] = {"list", l.name, std::string(to_string(l.role)), l.format, l.path,
                                 std::to_string(l.ipv4), std::to_string(l.ipv6),
                                 std::to_string(l.skipped), std::to_string(l.masked),
                                 l.tor ? "true" : "false", "", ""};
    row(cells);
  }
  void aws_ranges(const intel::AwsRangesInfo& a) override {
    const std::string cells[] = {"aws-ranges", "aws-ip-ranges", "aws", "ip-ranges.json", a.path,
                                 std::to_string(a.ipv4), std::to_string(a.ipv6),
                                 std::to_string(a.skipped), "0", "false", a.create_date,
                                 a.sync_token};
    row(cells);
  }
  void rule(const detect::RuleInfo& r) override {
    const std::string_view cells[] = {r.id,    r.severity, r.events, r.guardduty,
                                      r.needs, r.title,    r.status, r.tags,
                                      r.author, r.references, r.refused};
    row(cells);
  }
  void network_kind(const detect::NetworkKind& /*kind*/) override {}
  void summary(const RunSummary& /*summary*/) override {}
  void flush() override { buf_.flush(); }
  void end() override { buf_.flush(); }

 private:
  template <class Cells>
  void row(const Cells& cells) {
    append_csv_row(buf_.text, cells);
    buf_.maybe_flush();
  }
  /// A row about `address`: with --geoip, its country and ASN end the row.
  template <class Cells>
  void placed_row(const Cells& cells, std::string_view address) {
    if (!geo_) {
      row(cells);
      return;
    }
    const intel::GeoInfo* g = geo_(address);
    const std::string asn = g && g->asn ? std::to_string(g->asn) : std::string();
    std::vector<std::string_view> all(std::begin(cells), std::end(cells));
    all.push_back(g ? std::string_view(g->country) : std::string_view());
    all.push_back(asn);
    row(all);
  }
  PrintBuffer buf_;
  GeoLookup geo_;  ///< --geoip
  const FileTable* files_ = nullptr;
  bool mixed_ = false;
};

}  // namespace

std::unique_ptr<Printer> make_csv_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<CsvPrinter>(out, options);
}

}  // namespace trailhound
