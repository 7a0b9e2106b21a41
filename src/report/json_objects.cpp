// The JSON objects the jsonl and json printers share: one name and one shape per thing.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "trailhound/escape.hpp"
#include "trailhound/parallel.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

using detect::Finding;
using detect::Severity;

/// A string, or null when it is empty: absent values are null, never "".
void append_nullable(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else append_json_string(out, s);
}

void append_time(std::string& out, TimeMs t) {
  out += '"';
  append_iso(out, t);
  out += '"';
}

/// Appends a string literal, its length known when compiled.
template <std::size_t N>
void put(std::string& out, const char (&text)[N]) {
  out.append(text, N - 1);
}

/// A whole number in decimal, without a formatting call: printed once or more per line.
void append_uint(std::string& out, std::uint64_t v) {
  char digits[20];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out += digits[--n];
}

void append_source(std::string& out, const SourceRef& source, const FileTable& files) {
  out += "{\"file\":";
  append_json_string(out, source.file < files.size() ? files[source.file].path : "");
  out += ",\"index\":";
  append_uint(out, source.index);
  out += '}';
}

template <class Strings>
void append_string_list(std::string& out, const Strings& items) {
  out += '[';
  bool first = true;
  for (const auto& s : items) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, s);
  }
  out += ']';
}

void append_keys(std::string& out, const CountMap& m) {
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

void append_severity(std::string& out, Severity severity) {
  out += "\"severity\":\"";
  out += detect::to_string(severity);
  out += "\",\"severity_id\":";
  append_uint(out, static_cast<std::uint64_t>(detect::severity_id(severity)));
}

}  // namespace

void JsonTextMemo::append(std::string& out, std::string_view text) {
  // Below this length escaping costs less than a lookup; past the store's cap the rest of
  // the run is escaped directly, so a run with millions of distinct long strings holds no
  // second copy of them.
  constexpr std::size_t kMinLength = 24;
  constexpr std::size_t kMaxStore = std::size_t{64} << 20;
  if (text.size() < kMinLength || text.size() > UINT32_MAX || store_.size() > kMaxStore) {
    append_json_string(out, text);
    return;
  }
  if ((used_ + 1) * 4 > slots_.size() * 3) grow();
  const std::size_t mask = slots_.size() - 1;
  const auto key = reinterpret_cast<std::uintptr_t>(text.data()) ^ (text.size() << 48);
  for (std::size_t i = (key * 0x9E3779B97F4A7C15ULL) >> 40 & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.data == text.data() && s.size == text.size()) {
      out.append(store_, s.at, s.length);
      return;
    }
    if (s.data == nullptr) {
      const std::size_t at = store_.size();
      append_json_string(store_, text);
      s = Slot{text.data(), static_cast<std::uint32_t>(text.size()),
               static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(store_.size() - at)};
      ++used_;
      out.append(store_, at, s.length);
      return;
    }
  }
}

namespace {

std::uint64_t block_key(std::span<const std::string_view> parts) {
  std::uint64_t h = parts.size();
  for (std::string_view p : parts) {
    h = (h ^ reinterpret_cast<std::uintptr_t>(p.data())) * 0x9E3779B97F4A7C15ULL;
    h = (h ^ p.size() ^ (h >> 29)) * 0xBF58476D1CE4E5B9ULL;
  }
  return h ^ (h >> 31);
}

bool same_parts(const std::vector<std::pair<const char*, std::size_t>>& kept,
                std::span<const std::string_view> parts) {
  if (kept.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (kept[i].first != parts[i].data() || kept[i].second != parts[i].size()) return false;
  }
  return true;
}

}  // namespace

JsonTextMemo::Block* JsonTextMemo::find_block(std::span<const std::string_view> parts) {
  const auto it = blocks_.find(block_key(parts));
  if (it == blocks_.end()) return nullptr;
  for (Block& b : it->second) {
    if (same_parts(b.parts, parts)) return &b;
  }
  return nullptr;
}

void JsonTextMemo::keep_block(std::span<const std::string_view> parts, std::string_view text) {
  // The same cap as the strings': past it, blocks are rendered each time.
  constexpr std::size_t kMaxStore = std::size_t{64} << 20;
  if (blocks_text_.size() > kMaxStore) return;
  Block b;
  b.parts.reserve(parts.size());
  for (std::string_view p : parts) b.parts.emplace_back(p.data(), p.size());
  b.at = blocks_text_.size();
  b.length = text.size();
  blocks_text_.append(text);
  blocks_[block_key(parts)].push_back(std::move(b));
}

void JsonTextMemo::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 256 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.data == nullptr) continue;
    const auto key = reinterpret_cast<std::uintptr_t>(s.data) ^ (std::uintptr_t{s.size} << 48);
    std::size_t i = (key * 0x9E3779B97F4A7C15ULL) >> 40 & mask;
    while (slots_[i].data != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void append_ip_info_json(std::string& out, const intel::GeoInfo* g) {
  if (g == nullptr) {
    out += "null";
    return;
  }
  out += "{\"country\":";
  append_nullable(out, g->country);
  out += ",\"country_name\":";
  append_nullable(out, g->country_name);
  out += ",\"city\":";
  append_nullable(out, g->city);
  out += ",\"asn\":";
  out += g->asn != 0 ? std::to_string(g->asn) : "null";
  out += ",\"as_org\":";
  append_nullable(out, g->as_org);
  out += ",\"anonymous\":";
  if (!g->anonymity_known) {
    out += "null}";
    return;
  }
  auto flag = [&](std::string_view name, bool on) {
    out += '"';
    out += name;
    out += on ? "\":true" : "\":false";
  };
  out += '{';
  flag("vpn", g->anonymous_vpn);
  out += ',';
  flag("hosting", g->hosting_provider);
  out += ',';
  flag("public_proxy", g->public_proxy);
  out += ',';
  flag("residential_proxy", g->residential_proxy);
  out += ',';
  flag("tor", g->tor_exit_node);
  out += ',';
  flag("any", g->anonymiser());
  out += "}}";
}

void append_ip_info_member(std::string& out, const GeoLookup* geo, std::string_view address) {
  if (geo == nullptr || !*geo) return;
  out += ",\"ip_info\":";
  append_ip_info_json(out, (*geo)(address));
}

void count_places(const CountMap& addresses, const GeoLookup& geo, CountMap& countries,
                  CountMap& asns) {
  for (const auto& [address, events] : addresses) {
    const intel::GeoInfo* g = geo(address);
    if (g == nullptr) continue;
    if (!g->country.empty()) countries[g->country] += events;
    if (g->asn != 0) asns[fmt::format("AS{}", g->asn)] += events;
  }
}

void append_totals_json(std::string& out, const RunTotals& t, std::uint64_t matched) {
  out += fmt::format(
      "\"files\":{{\"read\":{},\"skipped\":{},\"failed\":{},\"pruned\":{}}},"
      "\"records\":{{\"read\":{},\"used\":{},\"rejected\":{},\"duplicates\":{},"
      "\"matched\":{}}}",
      t.files_read, t.files_skipped, t.files_failed, t.files_pruned, t.records_read,
      t.records_used, t.records_rejected, t.records_duplicate, matched);
}

void append_principal_json(std::string& out, const Principal& p) {
  append_principal_json(out, PrincipalView{p.type, p.user, p.arn, p.principal_id, p.access_key,
                                           p.account, p.session_issuer});
}

void append_principal_json(std::string& out, const PrincipalView& p) {
  out += "{\"type\":";
  append_nullable(out, p.type);
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

void append_event_json(std::string& out, const OwnedEvent& e, const FileTable& files,
                       const GeoLookup* geo) {
  out += "{\"type\":\"event\",\"time\":";
  append_time(out, e.time);
  out += ",\"event_name\":";
  append_nullable(out, e.event_name);
  out += ",\"event_source\":";
  append_nullable(out, e.event_source);
  out += ",\"principal\":";
  append_principal_json(out, e.principal);
  append_ip_info_member(out, geo, e.source_ip);
  out += ",\"source\":";
  append_source(out, e.source, files);
  out += ",\"record\":";
  out += e.record;
  out += '}';
}

void append_stats_json(std::string& out, const ActivityStats& s) {
  out += fmt::format("\"events\":{},\"first_seen\":", s.events);
  if (s.events) append_time(out, s.first_seen);
  else out += "null";
  out += ",\"last_seen\":";
  if (s.events) append_time(out, s.last_seen);
  else out += "null";
  out += ",\"source_ips\":";
  append_keys(out, s.source_ips);
  out += ",\"regions\":";
  append_keys(out, s.regions);
  out += ",\"user_agents\":";
  append_keys(out, s.user_agents);
  out += ",\"access_keys\":";
  append_keys(out, s.access_keys);
  // Events without the value: not a distinct value of the lists above.
  out += fmt::format(",\"absent\":{{\"source_ip\":{},\"region\":{},\"user_agent\":{}}}",
                     s.absent_source_ip, s.absent_region, s.absent_user_agent);
  out += fmt::format(",\"errors\":{},\"error_codes\":", s.errors);
  append_count_object(out, s.error_codes);
  out += ",\"actions\":";
  append_count_object(out, s.actions);
}

void append_finding_json(std::string& out, const Finding& f, const FileTable& files,
                         const GeoLookup* geo, JsonTextMemo* memo) {
  // A finding's text is pooled (or static, or the file table's): with a memo, each long
  // string is escaped once per run.
  const auto str = [&](std::string_view s) {
    if (memo != nullptr) memo->append(out, s);
    else append_json_string(out, s);
  };
  const auto nullable = [&](std::string_view s) {
    if (s.empty()) put(out, "null");
    else str(s);
  };
  const auto list = [&](const auto& items) {
    out += '[';
    bool first = true;
    for (const auto& item : items) {
      if (!first) out += ',';
      first = false;
      str(item);
    }
    out += ']';
  };
  put(out, "{\"type\":\"finding\",\"id\":");
  nullable(f.id);
  put(out, ",\"rule\":");
  str(f.rule);
  out += ',';
  append_severity(out, f.severity);
  put(out, ",\"time\":");
  append_time(out, f.time);
  const PrincipalView& p = f.principal;
  const auto principal = [&](std::string&) {
    put(out, ",\"principal\":{\"type\":");
    nullable(p.type);
    put(out, ",\"user\":");
    nullable(p.user);
    put(out, ",\"arn\":");
    nullable(p.arn);
    put(out, ",\"principal_id\":");
    nullable(p.principal_id);
    put(out, ",\"access_key\":");
    nullable(p.access_key);
    put(out, ",\"account\":");
    nullable(p.account);
    put(out, ",\"session_issuer\":");
    nullable(p.session_issuer);
    out += '}';
  };
  if (memo != nullptr) {
    // The same principal's findings share the whole object.
    const std::string_view parts[] = {p.type,       p.user,    p.arn,          p.principal_id,
                                      p.access_key, p.account, p.session_issuer};
    memo->append_block(out, parts, principal);
  } else {
    principal(out);
  }
  put(out, ",\"source_ip\":");
  nullable(f.source_ip);
  append_ip_info_member(out, geo, f.source_ip);
  put(out, ",\"ip\":{\"lists\":[");
  for (std::size_t i = 0; i < f.lists.size(); ++i) {
    if (i) out += ',';
    put(out, "{\"name\":");
    str(f.lists[i].name);
    put(out, ",\"prefix\":");
    str(f.lists[i].prefix);
    put(out, ",\"role\":");
    str(f.lists[i].role);
    out += '}';
  }
  put(out, "],\"aws\":");
  if (f.aws) {
    put(out, "{\"service\":");
    list(f.aws->services);
    put(out, ",\"region\":");
    nullable(f.aws->region);
    put(out, ",\"prefix\":");
    nullable(f.aws->prefix);
    out += '}';
  } else {
    put(out, "null");
  }
  put(out, ",\"aws_known\":");
  out += f.aws_known ? "true" : "false";
  put(out, "},\"event_name\":");
  nullable(f.event_name);
  put(out, ",\"event_source\":");
  nullable(f.event_source);
  put(out, ",\"region\":");
  nullable(f.region);
  put(out, ",\"user_agent\":");
  nullable(f.user_agent);
  put(out, ",\"error_code\":");
  nullable(f.error_code);
  put(out, ",\"event_id\":");
  append_nullable(out, f.event_id);  // one per event: nothing to share
  put(out, ",\"source\":{\"file\":");
  str(f.source.file < files.size() ? std::string_view(files[f.source.file].path) : "");
  put(out, ",\"index\":");
  append_uint(out, f.source.index);
  put(out, "},\"reasons\":");
  if (memo != nullptr && !f.reasons.empty()) {
    // Reasons are pooled too, and a rule's findings often give the same ones.
    memo->append_block(out, f.reasons, [&](std::string&) { list(f.reasons); });
  } else {
    list(f.reasons);
  }
  put(out, ",\"guardduty_type\":");
  nullable(f.guardduty_type);
  if (!f.title.empty()) {
    // A Sigma rule's finding: its title, author, tags and references, the same on every
    // finding of the rule.
    const auto sigma = [&](std::string&) {
      put(out, ",\"sigma\":{\"title\":");
      str(f.title);
      put(out, ",\"author\":");
      nullable(f.author);
      put(out, ",\"tags\":");
      list(f.tags);
      put(out, ",\"references\":");
      list(f.references);
      out += '}';
    };
    constexpr std::size_t kMaxParts = 64;
    if (memo != nullptr && 3 + f.tags.size() + f.references.size() <= kMaxParts) {
      // The number of tags is a part too (its length), so that a tag never passes for a
      // reference.
      static constexpr char kCount[kMaxParts] = {};
      std::array<std::string_view, kMaxParts> parts;
      std::size_t n = 0;
      parts[n++] = f.title;
      parts[n++] = f.author;
      parts[n++] = std::string_view(kCount, f.tags.size());
      for (std::string_view t : f.tags) parts[n++] = t;
      for (std::string_view r : f.references) parts[n++] = r;
      memo->append_block(out, std::span<const std::string_view>(parts.data(), n), sigma);
    } else {
      sigma(out);
    }
  }
  out += '}';
}

void append_group_json(std::string& out, const FindingGroup& g, const GeoLookup* geo) {
  const Finding& f = *g.first;
  out += "{\"type\":\"finding-group\",\"rule\":";
  append_json_string(out, f.rule);
  out += ',';
  append_severity(out, g.severity);
  out += fmt::format(",\"count\":{},\"first_seen\":", g.count);
  append_time(out, g.first_seen);
  out += ",\"last_seen\":";
  append_time(out, g.last_seen);
  out += ",\"principal\":";
  append_principal_json(out, f.principal);
  out += ",\"source_ip\":";
  append_nullable(out, f.source_ip);
  append_ip_info_member(out, geo, f.source_ip);
  out += ",\"event_names\":";
  append_count_object(out, g.events);
  out += ",\"guardduty_type\":";
  append_nullable(out, f.guardduty_type);
  out += '}';
}

void append_principal_row_json(std::string& out, std::string_view key, const ActivityStats& s,
                               const GeoLookup* geo) {
  out += "{\"type\":\"principal\",\"key\":";
  append_json_string(out, key);
  out += ",\"principal\":";
  append_principal_json(out, s.principal);
  out += ',';
  append_stats_json(out, s);
  if (geo != nullptr && *geo) {
    CountMap countries, asns;
    count_places(s.source_ips, *geo, countries, asns);
    out += ",\"countries\":";
    append_count_object(out, countries);
    out += ",\"asns\":";
    append_count_object(out, asns);
  }
  out += '}';
}

void append_file_problem_json(std::string& out, const FileProblem& p) {
  out += "{\"type\":\"file\",\"path\":";
  append_json_string(out, p.path);
  out += p.failed ? ",\"status\":\"failed\",\"reason\":" : ",\"status\":\"skipped\",\"reason\":";
  std::string reason;
  for (const auto& r : p.reasons) {
    if (!reason.empty()) reason += "; ";
    reason += r;
  }
  append_nullable(out, reason);
  out += ",\"reasons\":";
  append_string_list(out, p.reasons);
  out += '}';
}

void append_summary_json(std::string& out, Command command, const RunSummary& r) {
  out += "{\"type\":\"summary\",\"schema\":\"2\",";
  append_totals_json(out, *r.totals, r.matched);
  if (command == Command::Timeline && r.stats) {
    out += ',';
    append_stats_json(out, *r.stats);
  }
  if (command == Command::Summary) out += fmt::format(",\"principals\":{}", r.principals);
  if (r.findings && r.detect) {
    CountMap by_rule;
    std::uint64_t by_sev[5] = {0, 0, 0, 0, 0};
    for (const auto& f : *r.findings) {
      ++by_rule[std::string(f.rule)];
      ++by_sev[static_cast<int>(f.severity)];
    }
    out += fmt::format(",\"findings\":{{\"total\":{},\"by_severity\":{{", r.findings->size());
    for (int i = 0; i < 5; ++i) {
      if (i) out += ',';
      out += fmt::format("\"{}\":{}", detect::to_string(static_cast<Severity>(i)), by_sev[i]);
    }
    out += "},\"by_rule\":";
    append_count_object(out, by_rule);
    const auto& s = r.detect->suppressed;
    out += fmt::format("}},\"suppressed\":{{\"trusted\":{},\"principal\":{},\"event\":{}}}",
                       s.trusted, s.principal, s.event);
    out += fmt::format(",\"sources\":{{\"service\":{},\"invalid\":{},\"absent\":{}}},\"notes\":",
                       r.detect->service_sources, r.detect->invalid_sources,
                       r.detect->absent_sources);
    append_string_list(out, r.detect->notes);
    if (command == Command::Investigate && r.stats) {
      out += ",\"timeline\":{";
      append_stats_json(out, *r.stats);
      out += ",\"window\":";
      append_nullable(out, r.window);
      out += '}';
    }
  }
  out += '}';
}

void append_ip_json(std::string& out, const IpRow& row, const GeoLookup* geo) {
  using intel::SourceClass;
  const bool valid = row.kind == SourceClass::Address;
  out += "{\"type\":\"ip\",\"address\":";
  append_json_string(out, row.input);
  out += valid ? ",\"valid\":true" : ",\"valid\":false";
  out += ",\"family\":";
  out += !valid ? "null" : row.addr->v4 ? "4" : "6";
  out += row.kind == SourceClass::Service ? ",\"service_source\":true" : ",\"service_source\":false";
  out += ",\"error\":";
  append_nullable(out, row.kind == SourceClass::Invalid ? row.error : std::string_view());
  out += ",\"lists\":[";
  if (valid) {
    for (std::size_t i = 0; i < row.result->count; ++i) {
      const intel::ListHit& hit = row.result->hits[i];
      const intel::ListInfo& list = row.db->lists()[hit.list];
      if (i) out += ',';
      out += "{\"name\":";
      append_json_string(out, list.name);
      out += ",\"prefix\":";
      append_json_string(out, to_string(hit.prefix));
      out += ",\"role\":";
      append_json_string(out, to_string(list.role));
      out += '}';
    }
  }
  out += "],\"trusted\":";
  out += valid && row.result->trusted ? "true" : "false";
  out += ",\"private_network\":";
  out += valid && row.result->private_network ? "true" : "false";
  out += ",\"aws\":";
  const intel::AwsInfo* aws = valid ? row.result->aws : nullptr;
  if (!aws) {
    out += "null";
  } else {
    out += "{\"service\":";
    append_string_list(out, aws->services);
    std::string regions;
    for (const auto& r : aws->regions) {
      if (!regions.empty()) regions += ',';
      regions += r;
    }
    out += ",\"region\":";
    append_nullable(out, regions);
    out += ",\"prefix\":";
    append_json_string(out, to_string(aws->prefix));
    out += '}';
  }
  append_ip_info_member(out, geo, row.input);
  out += '}';
}

void append_ip_list_json(std::string& out, const intel::ListInfo& l) {
  out += "{\"type\":\"list\",\"name\":";
  append_json_string(out, l.name);
  out += ",\"role\":";
  append_json_string(out, to_string(l.role));
  out += ",\"format\":";
  append_nullable(out, l.format);
  out += ",\"path\":";
  append_nullable(out, l.path);
  out += fmt::format(",\"ipv4\":{},\"ipv6\":{},\"skipped\":{},\"masked\":{},\"tor\":{}}}", l.ipv4,
                     l.ipv6, l.skipped, l.masked, l.tor ? "true" : "false");
}

void append_aws_ranges_json(std::string& out, const intel::AwsRangesInfo& a) {
  out += "{\"type\":\"aws-ranges\",\"path\":";
  append_nullable(out, a.path);
  out += ",\"create_date\":";
  append_nullable(out, a.create_date);
  out += ",\"sync_token\":";
  append_nullable(out, a.sync_token);
  out += fmt::format(",\"ipv4\":{},\"ipv6\":{},\"skipped\":{}}}", a.ipv4, a.ipv6, a.skipped);
}

void append_rule_json(std::string& out, const detect::RuleInfo& r) {
  out += "{\"type\":\"rule\",\"id\":";
  append_json_string(out, r.id);
  out += ",\"severity\":";
  append_nullable(out, r.severity);
  out += ",\"events\":";
  append_nullable(out, r.events);
  out += ",\"guardduty_type\":";
  append_nullable(out, r.guardduty);
  out += ",\"needs\":";
  append_nullable(out, r.needs);
  if (!r.title.empty() || !r.refused.empty()) {
    out += ",\"sigma\":{\"title\":";
    append_nullable(out, r.title);
    out += ",\"status\":";
    append_nullable(out, r.status);
    out += ",\"tags\":";
    append_nullable(out, r.tags);
    out += ",\"author\":";
    append_nullable(out, r.author);
    out += ",\"references\":";
    append_nullable(out, r.references);
    out += ",\"refused\":";
    append_nullable(out, r.refused);
    out += '}';
  }
  out += '}';
}

void append_network_kind_json(std::string& out, const detect::NetworkKind& k) {
  out += "{\"type\":\"network-kind\",\"name\":";
  append_json_string(out, k.name);
  out += ",\"events\":";
  append_string_list(out, k.events);
  out += '}';
}

void render_findings(
    const detect::FindingList& findings, std::size_t from, unsigned threads, JsonTextMemo& memo,
    const std::function<void(std::string&, const detect::Finding&, JsonTextMemo&)>& render,
    const std::function<void(std::string_view)>& write) {
  // A batch bounds what is held before it is written (about 2 MB of JSON Lines); a run of
  // fewer findings than kRun is not worth a thread.
  constexpr std::size_t kBatch = 1024, kRun = 256;
  const std::size_t most = threads == 0 ? 1 : threads;
  std::vector<JsonTextMemo> memos(most - 1);
  std::vector<std::string> texts(most);
  for (std::size_t start = from; start < findings.size(); start += kBatch) {
    const std::size_t n = std::min(kBatch, findings.size() - start);
    const std::size_t runs = std::clamp<std::size_t>(n / kRun, 1, most);
    run_side_by_side(runs, [&](std::size_t r) {
      std::string& out = texts[r];
      out.clear();
      JsonTextMemo& m = r == 0 ? memo : memos[r - 1];
      for (std::size_t i = start + n * r / runs; i < start + n * (r + 1) / runs; ++i) {
        render(out, findings[i], m);
      }
    });
    for (std::size_t r = 0; r < runs; ++r) write(texts[r]);
  }
}

}  // namespace trailhound
