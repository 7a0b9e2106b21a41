// The OCSF 1.1.0 printer: findings as Detection Finding (2004), events as API Activity (6003),
// one JSON object per line, mapped field by field as docs/ocsf-mapping.md specifies.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "print_buffer.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

using detect::Finding;
using detect::Severity;
namespace dom = simdjson::dom;

/// Appends JSON members and array items with the commas in the right places. Nothing here
/// writes `null`: an OCSF consumer reads it as absent, so an empty value is left out instead.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void key(std::string_view k) {
    sep();
    out_ += '"';
    out_ += k;  // keys are this file's own literals, or pass through key_text()
    out_ += "\":";
  }
  /// A member whose name comes from the log (unmapped fields): escaped like any value.
  void key_text(std::string_view k) {
    sep();
    append_json_string(out_, k);
    out_ += ':';
  }
  /// A string member; left out when empty.
  void str(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    append_json_string(out_, v);
  }
  void num(std::string_view k, std::int64_t v) {
    key(k);
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
  }
  void open_obj(std::string_view k) {
    key(k);
    out_ += '{';
    first_ = true;
  }
  void open_arr(std::string_view k) {
    key(k);
    out_ += '[';
    first_ = true;
  }
  void open_item_obj() {
    sep();
    out_ += '{';
    first_ = true;
  }
  void item_str(std::string_view v) {
    sep();
    append_json_string(out_, v);
  }
  void close_obj() {
    out_ += '}';
    first_ = false;
  }
  void close_arr() {
    out_ += ']';
    first_ = false;
  }
  /// Raw JSON text the caller has made valid.
  void raw(std::string_view k, std::string_view json) {
    key(k);
    out_ += json;
  }
  std::string& text() { return out_; }
  void begin_line() {
    out_ += '{';
    first_ = true;
  }
  void end_line() {
    out_ += "}\n";
    first_ = false;
  }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// -- MITRE ATT&CK ---------------------------------------------------------------------------

/// The Enterprise tactics with a fixed id, by the name Sigma tags use (attack.<name>). A tactic
/// tag not in this table (a newer one) keeps its name and has no uid.
struct TacticId {
  std::string_view tag, uid, name;
};
constexpr TacticId kTactics[] = {
    {"reconnaissance", "TA0043", "Reconnaissance"},
    {"resource-development", "TA0042", "Resource Development"},
    {"initial-access", "TA0001", "Initial Access"},
    {"execution", "TA0002", "Execution"},
    {"persistence", "TA0003", "Persistence"},
    {"privilege-escalation", "TA0004", "Privilege Escalation"},
    {"defense-evasion", "TA0005", "Defense Evasion"},
    {"credential-access", "TA0006", "Credential Access"},
    {"discovery", "TA0007", "Discovery"},
    {"lateral-movement", "TA0008", "Lateral Movement"},
    {"collection", "TA0009", "Collection"},
    {"exfiltration", "TA0010", "Exfiltration"},
    {"command-and-control", "TA0011", "Command and Control"},
    {"impact", "TA0040", "Impact"},
};

struct Tactic {
  std::string uid, name;
};
struct Technique {
  std::string uid, sub;  ///< T1078, and T1078.004 for a sub-technique
};

/// `attack.t1078.004` → T1078 / T1078.004; nothing when `id` is not t, four digits and an
/// optional dot and three digits.
std::optional<Technique> technique_of(std::string_view id) {
  auto digits = [](std::string_view d, std::size_t n) {
    return d.size() == n && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (id.size() < 5 || (id[0] != 't' && id[0] != 'T') || !digits(id.substr(1, 4), 4)) return std::nullopt;
  Technique t;
  t.uid = "T" + std::string(id.substr(1, 4));
  if (id.size() == 5) return t;
  if (id[5] != '.' || !digits(id.substr(6), 3)) return std::nullopt;
  t.sub = t.uid + "." + std::string(id.substr(6));
  return t;
}

/// `attack.privilege_escalation` → TA0004 Privilege Escalation; a tactic not in the table gets
/// its name from the tag (`attack.stealth` → Stealth) and no uid. Nothing for a tag that is
/// not a word of letters, '-' and '_' (groups g0001, software s0001, anything else).
std::optional<Tactic> tactic_of(std::string_view id) {
  if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
      })) {
    return std::nullopt;
  }
  std::string tag;
  for (char c : id) tag += c == '_' ? '-' : static_cast<char>(c | 0x20);
  for (const TacticId& t : kTactics) {
    if (t.tag == tag) return Tactic{std::string(t.uid), std::string(t.name)};
  }
  Tactic t;
  bool start = true;
  for (char c : tag) {
    if (c == '-') {
      t.name += ' ';
      start = true;
      continue;
    }
    t.name += start ? static_cast<char>(c & ~0x20) : c;
    start = false;
  }
  return t;
}

/// finding_info.attacks from a Sigma rule's tags: one attack per technique (its
/// sub-technique too), carrying the tactic when the rule names exactly one; otherwise each
/// tactic on its own. Nothing is written for a finding without ATT&CK tags. The ATT&CK
/// version is left out: a Sigma rule does not say which one its tags follow.
void append_attacks(JsonWriter& w, std::span<const std::string_view> tags) {
  std::vector<Technique> techniques;
  std::vector<Tactic> tactics;
  for (std::string_view tag : tags) {
    if (tag.size() <= 7 || (tag.substr(0, 7) != "attack." && tag.substr(0, 7) != "ATTACK.")) continue;
    const std::string_view id = tag.substr(7);
    if (auto t = technique_of(id)) {
      if (std::none_of(techniques.begin(), techniques.end(), [&](const Technique& o) {
            return o.uid == t->uid && o.sub == t->sub;
          })) {
        techniques.push_back(std::move(*t));
      }
    } else if (auto a = tactic_of(id)) {
      if (std::none_of(tactics.begin(), tactics.end(),
                       [&](const Tactic& o) { return o.name == a->name; })) {
        tactics.push_back(std::move(*a));
      }
    }
  }
  if (techniques.empty() && tactics.empty()) return;
  auto tactic = [&](const Tactic& t) {
    w.open_obj("tactic");
    w.str("name", t.name);
    w.str("uid", t.uid);
    w.close_obj();
  };
  w.open_arr("attacks");
  for (const Technique& t : techniques) {
    w.open_item_obj();
    w.open_obj("technique");
    w.str("uid", t.uid);
    w.close_obj();
    if (!t.sub.empty()) {
      w.open_obj("sub_technique");
      w.str("uid", t.sub);
      w.close_obj();
    }
    if (tactics.size() == 1) tactic(tactics.front());
    w.close_obj();
  }
  if (techniques.empty() || tactics.size() > 1) {
    for (const Tactic& t : tactics) {
      w.open_item_obj();
      tactic(t);
      w.close_obj();
    }
  }
  w.close_arr();
}

// -- classification -------------------------------------------------------------------------

constexpr std::string_view kSeverityCaption[] = {"Informational", "Low", "Medium", "High",
                                                 "Critical"};

std::string_view severity_caption(Severity s) {
  return kSeverityCaption[static_cast<int>(s)];
}

/// §3.2: substrings of eventName, case-sensitive, tested in this order, first match wins.
int api_activity_id(std::string_view event_name) {
  struct Rule {
    int id;
    std::initializer_list<std::string_view> words;
  };
  static const Rule rules[] = {
      {1, {"Create", "Run", "Generate"}},
      {2, {"Get", "List", "Describe", "Search", "Lookup"}},
      {3, {"Update", "Put", "Modify", "Add", "Remove", "Start", "Stop", "Attach", "Detach",
           "Associate", "Disassociate", "Tag", "Untag", "Enable", "Disable", "Register",
           "Deregister"}},
      {4, {"Delete", "Terminate"}},
  };
  for (const Rule& r : rules) {
    for (std::string_view w : r.words) {
      if (event_name.find(w) != std::string_view::npos) return r.id;
    }
  }
  return 99;
}

std::string_view api_activity_caption(int id) {
  switch (id) {
    case 1: return "Create";
    case 2: return "Read";
    case 3: return "Update";
    case 4: return "Delete";
    default: return "Other";
  }
}

/// True when `text` is an IPv4 or IPv6 address (§2.5: inet_pton, AF_INET then AF_INET6).
bool is_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN + 8) return false;
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// -- shared objects -------------------------------------------------------------------------

void append_account(JsonWriter& w, std::string_view key, std::string_view uid) {
  if (uid.empty()) return;
  w.open_obj(key);
  w.str("uid", uid);
  w.num("type_id", 10);
  w.str("type", "AWS Account");
  w.close_obj();
}

/// A `user` object from trailhound's principal; `name` "unknown" keeps its constraint met.
void append_user(JsonWriter& w, std::string_view key, const PrincipalView& p, bool with_key) {
  w.open_obj(key);
  w.str("uid", p.arn);
  w.str("uid_alt", p.principal_id);
  if (!p.user.empty()) w.str("name", p.user);
  else if (p.arn.empty() && p.account.empty()) w.str("name", "unknown");
  if (p.type != "Missing") w.str("type", p.type);
  if (with_key) w.str("credential_uid", p.access_key);
  append_account(w, "account", p.account);
  w.close_obj();
}

PrincipalView view_of(const Principal& p) {
  return PrincipalView{p.type, p.user, p.arn, p.principal_id, p.access_key, p.account,
                       p.session_issuer};
}

/// The address's place from the GeoIP callback, when it is set and knows the address.
const intel::GeoInfo* geo_of(const PrinterOptions& o, std::string_view ip) {
  if (!o.geo) return nullptr;
  const intel::GeoInfo* g = o.geo(ip);
  return g != nullptr && g->found() ? g : nullptr;
}

/// `src_endpoint` (§2.5, §3.6); `vpc_endpoint` is only known for events.
void append_src_endpoint(JsonWriter& w, std::string_view source, std::string_view vpc_endpoint,
                         const intel::GeoInfo* geo) {
  w.open_obj("src_endpoint");
  if (is_address(source)) {
    w.str("ip", source);
  } else if (!source.empty()) {
    w.str("domain", source);  // 1.1.0: domain alone fails network_endpoint's constraint
    w.str("svc_name", source);
  }
  w.str("uid", vpc_endpoint);
  if (source.empty() && vpc_endpoint.empty()) w.str("name", "unknown");
  const bool coords = geo && geo->latitude && geo->longitude;
  if (geo && (!geo->country.empty() || !geo->city.empty() || coords)) {
    w.open_obj("location");
    w.str("country", geo->country);
    w.str("city", geo->city);
    if (coords) {
      w.raw("coordinates", fmt::format("[{},{}]", *geo->longitude, *geo->latitude));
    }
    w.close_obj();
  }
  w.close_obj();
}

/// `asn` and `as_org` members (OCSF 1.1.0 has no place for them outside `unmapped`).
void append_as(JsonWriter& w, const intel::GeoInfo* geo) {
  if (geo == nullptr) return;
  if (geo->asn != 0) w.num("asn", geo->asn);
  w.str("as_org", geo->as_org);
}

void append_observable(JsonWriter& w, std::string_view name, int type_id, std::string_view type,
                       std::string_view value) {
  if (value.empty()) return;
  w.open_item_obj();
  w.str("name", name);
  w.str("type", type);
  w.num("type_id", type_id);
  w.str("value", value);
  w.close_obj();
}

void append_source(JsonWriter& w, const SourceRef& source, const FileTable* files) {
  w.open_obj("source");
  if (files != nullptr && source.file < files->size()) w.str("file", (*files)[source.file].path);
  w.num("index", static_cast<std::int64_t>(source.index));
  w.close_obj();
}

/// The class, category, activity and type members of one line.
void append_classification(JsonWriter& w, int activity_id, std::string_view activity_name,
                           int category_uid, std::string_view category_name, int class_uid,
                           std::string_view class_name, std::string_view activity_caption) {
  w.num("activity_id", activity_id);
  w.str("activity_name", activity_name);
  w.num("category_uid", category_uid);
  w.str("category_name", category_name);
  w.num("class_uid", class_uid);
  w.str("class_name", class_name);
  w.num("type_uid", static_cast<std::int64_t>(class_uid) * 100 + activity_id);
  w.str("type_name", fmt::format("{}: {}", class_name, activity_caption));
}

// -- a JSON value of the record, without nulls ---------------------------------------------

/// Writes `v` as JSON, leaving out null members and null array items (never print null).
void append_value(std::string& out, dom::element v) {
  switch (v.type()) {
    case dom::element_type::OBJECT: {
      out += '{';
      bool first = true;
      dom::object obj;
      if (v.get(obj) != simdjson::SUCCESS) return;
      for (dom::key_value_pair kv : obj) {
        if (kv.value.is_null()) continue;
        if (!first) out += ',';
        first = false;
        append_json_string(out, kv.key);
        out += ':';
        append_value(out, kv.value);
      }
      out += '}';
      break;
    }
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      dom::array arr;
      if (v.get(arr) != simdjson::SUCCESS) return;
      for (dom::element item : arr) {
        if (item.is_null()) continue;
        if (!first) out += ',';
        first = false;
        append_value(out, item);
      }
      out += ']';
      break;
    }
    case dom::element_type::STRING: {
      std::string_view s;
      if (v.get(s) != simdjson::SUCCESS) return;
      append_json_string(out, s);
      break;
    }
    case dom::element_type::INT64: {
      std::int64_t n = 0;
      if (v.get(n) != simdjson::SUCCESS) return;
      fmt::format_to(std::back_inserter(out), "{}", n);
      break;
    }
    case dom::element_type::UINT64: {
      std::uint64_t n = 0;
      if (v.get(n) != simdjson::SUCCESS) return;
      fmt::format_to(std::back_inserter(out), "{}", n);
      break;
    }
    case dom::element_type::DOUBLE: {
      double d = 0;
      if (v.get(d) != simdjson::SUCCESS) return;
      fmt::format_to(std::back_inserter(out), "{}", d);
      break;
    }
    case dom::element_type::BOOL: {
      bool b = false;
      if (v.get(b) != simdjson::SUCCESS) return;
      out += b ? "true" : "false";
      break;
    }
    case dom::element_type::NULL_VALUE: out += "null"; break;  // callers skip nulls
  }
}

/// An element that may be missing (its error is then set).
using MaybeElement = simdjson::simdjson_result<dom::element>;

MaybeElement missing() { return MaybeElement(simdjson::NO_SUCH_FIELD); }

/// The string at `key` of `obj`, or "" when absent or not a string.
std::string_view str_at(MaybeElement obj, std::string_view key) {
  std::string_view s;
  if (obj.at_key(key).get(s) != simdjson::SUCCESS) return {};
  return s;
}

std::string_view str_at(dom::element obj, std::string_view key) {
  std::string_view s;
  if (obj.at_key(key).get(s) != simdjson::SUCCESS) return {};
  return s;
}

/// True when `e` exists and is not null.
bool present(const MaybeElement& e) { return e.error() == simdjson::SUCCESS && !e.value_unsafe().is_null(); }

/// The top-level fields of a CloudTrail record that API Activity maps; the rest is unmapped.
struct RecordFields {
  MaybeElement identity = missing(), request_parameters = missing(),
               response_elements = missing(), resources = missing();
  std::string_view event_time, event_version, error_message, event_type, event_category,
      request_id, api_version, vpc_endpoint, recipient_account;
  std::vector<dom::key_value_pair> rest;  ///< unmapped, in record order, first of duplicates
};

RecordFields read_record(dom::element record) {
  RecordFields f;
  dom::object obj;
  if (record.get(obj) != simdjson::SUCCESS) return f;
  std::vector<std::string_view> seen;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
    seen.push_back(k);
    std::string_view s;
    const bool is_str = kv.value.get(s) == simdjson::SUCCESS;
    auto text = [&](std::string_view& into) {
      if (is_str) into = s;
    };
    if (k == "userIdentity") f.identity = MaybeElement(dom::element(kv.value));
    else if (k == "requestParameters") f.request_parameters = MaybeElement(dom::element(kv.value));
    else if (k == "responseElements") f.response_elements = MaybeElement(dom::element(kv.value));
    else if (k == "resources") f.resources = MaybeElement(dom::element(kv.value));
    else if (k == "eventTime") text(f.event_time);
    else if (k == "eventVersion") text(f.event_version);
    else if (k == "errorMessage") text(f.error_message);
    else if (k == "eventCategory") text(f.event_category);
    else if (k == "requestID") text(f.request_id);
    else if (k == "apiVersion") text(f.api_version);
    else if (k == "vpcEndpointId") text(f.vpc_endpoint);
    else if (k == "eventName" || k == "eventSource" || k == "awsRegion" ||
             k == "sourceIPAddress" || k == "userAgent" || k == "errorCode" || k == "eventID") {
      // OwnedEvent carries these already.
    } else {
      // Kept under their own names as well, as Security Lake does.
      if (k == "eventType") text(f.event_type);
      if (k == "recipientAccountId") text(f.recipient_account);
      if (!kv.value.is_null()) f.rest.push_back(kv);
    }
  }
  return f;
}

// -- the printer ----------------------------------------------------------------------------

class OcsfPrinter final : public Printer {
 public:
  OcsfPrinter(std::ostream& out, const PrinterOptions& options) : buf_(out), options_(options) {}

  void begin(const PrintBegin& b) override { files_ = b.files; }
  void section(std::string_view /*title*/) override {}
  // File problems are on stderr already (the app reports them); stdout holds OCSF only.
  void file_problem(const FileProblem& /*problem*/) override {}
  void event(const OwnedEvent& e) override {
    append_api_activity(e);
    ++events_;
    buf_.maybe_flush();
  }
  void finding(const detect::Finding& f) override {
    append_detection_finding(f, nullptr);
    ++findings_;
    buf_.maybe_flush();
  }
  void group(const FindingGroup& g) override {
    append_detection_finding(*g.first, &g);
    ++findings_;
    buf_.maybe_flush();
  }
  // The commands this format supports (scan, investigate, timeline) never make these calls.
  void principal(std::string_view /*key*/, const ActivityStats& /*stats*/) override {}
  void ip(const IpRow& /*row*/) override {}
  void ip_list(const intel::ListInfo& /*list*/) override {}
  void aws_ranges(const intel::AwsRangesInfo& /*file*/) override {}
  void rule(const detect::RuleInfo& /*rule*/) override {}
  void network_kind(const detect::NetworkKind& /*kind*/) override {}
  /// OCSF has no class for a run's totals: they go to stderr as one line, stdout stays OCSF.
  void summary(const RunSummary& r) override {
    buf_.flush();
    std::string line = fmt::format("trailhound: ocsf: {} findings, {} events", findings_, events_);
    if (r.totals != nullptr) {
      const RunTotals& t = *r.totals;
      line += fmt::format(
          "; files: {} read, {} skipped, {} failed, {} pruned by name; records: {} read, {} "
          "used, {} rejected, {} matched",
          t.files_read, t.files_skipped, t.files_failed, t.files_pruned, t.records_read,
          t.records_used, t.records_rejected, r.matched);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush() override { buf_.flush(); }
  void end() override { buf_.flush(); }

 private:
  /// §2: one finding (or a group of them: the first, with the group's span and count).
  void append_detection_finding(const Finding& f, const FindingGroup* g) {
    JsonWriter w(buf_.text);
    const Severity severity = g ? g->severity : f.severity;
    const TimeMs first = g ? g->first_seen : f.time;
    const TimeMs last = g ? g->last_seen : f.time;
    w.begin_line();
    append_classification(w, 1, "Create", 2, "Findings", 2004, "Detection Finding", "Create");
    w.num("severity_id", detect::severity_id(severity));
    w.str("severity", severity_caption(severity));
    w.num("status_id", 1);
    w.str("status", "New");
    w.num("time", f.time);
    w.num("timezone_offset", 0);
    if (g) {
      w.num("count", static_cast<std::int64_t>(g->count));
      w.num("start_time", first);
      w.num("end_time", last);
    }
    std::string message(f.rule);
    if (!f.event_name.empty()) message += fmt::format(": {}", f.event_name);
    const std::string_view who = f.principal.arn.empty() ? f.principal.user : f.principal.arn;
    if (!who.empty()) message += fmt::format(" by {}", who);
    if (!f.source_ip.empty()) message += fmt::format(" from {}", f.source_ip);
    w.str("message", message);

    w.open_obj("metadata");
    w.str("uid", f.id);
    w.open_obj("product");
    w.str("name", "trailhound");
    w.str("vendor_name", "trailhound");
    w.str("version", TRAILHOUND_VERSION);
    w.close_obj();
    w.str("version", "1.1.0");
    w.open_arr("profiles");
    w.item_str("cloud");
    w.close_arr();
    w.str("original_time", format_iso(f.time));
    w.close_obj();

    // cloud.account would be recipientAccountId, which a finding does not carry (§2.3).
    w.open_obj("cloud");
    w.str("provider", "AWS");
    w.str("region", f.region);
    w.close_obj();

    w.open_obj("finding_info");
    w.str("uid", f.id.empty() ? std::string_view(f.rule) : f.id);
    w.str("title", f.rule);
    std::string desc;
    for (std::string_view r : f.reasons) {
      if (!desc.empty()) desc += "; ";
      desc += r;
    }
    w.str("desc", desc);
    if (!f.guardduty_type.empty()) {
      w.open_arr("types");
      w.item_str(f.guardduty_type);
      w.close_arr();
    }
    w.num("first_seen_time", first);
    w.num("last_seen_time", last);
    w.open_obj("analytic");
    w.str("name", f.title.empty() ? f.rule : f.title);
    w.str("uid", f.rule);
    w.num("type_id", 1);
    w.str("type", "Rule");
    w.close_obj();
    append_attacks(w, f.tags);
    if (!f.event_id.empty()) {
      const int activity = api_activity_id(f.event_name);
      w.open_arr("related_events");
      w.open_item_obj();
      w.str("uid", f.event_id);
      w.num("type_uid", 600300 + activity);
      w.str("type", fmt::format("API Activity: {}", api_activity_caption(activity)));
      w.close_obj();
      w.close_arr();
    }
    w.close_obj();

    const PrincipalView& p = f.principal;
    const bool has_actor = !p.arn.empty() || !p.user.empty() || !p.account.empty() ||
                           !p.principal_id.empty() || !p.access_key.empty();
    const intel::GeoInfo* geo = is_address(f.source_ip) ? geo_of(options_, f.source_ip) : nullptr;
    if (has_actor || !f.source_ip.empty() || !f.event_name.empty()) {
      w.open_arr("evidences");
      w.open_item_obj();
      w.open_obj("actor");
      append_user(w, "user", p, true);
      if (!p.session_issuer.empty()) {
        w.open_obj("session");
        w.str("issuer", p.session_issuer);
        w.close_obj();
      }
      w.close_obj();
      if (!f.event_name.empty()) {
        w.open_obj("api");
        w.str("operation", f.event_name);
        if (!f.event_source.empty()) {
          w.open_obj("service");
          w.str("name", f.event_source);
          w.close_obj();
        }
        if (!f.error_code.empty()) {
          w.open_obj("response");
          w.str("error", f.error_code);
          w.close_obj();
        }
        w.close_obj();
      }
      if (!f.source_ip.empty()) append_src_endpoint(w, f.source_ip, {}, geo);
      w.close_obj();
      w.close_arr();
    }

    if (!p.access_key.empty() || !p.arn.empty()) {
      w.open_arr("resources");
      w.open_item_obj();
      w.str("uid", p.access_key.empty() ? p.arn : p.access_key);
      w.str("type", !p.access_key.empty() ? std::string_view("AwsIamAccessKey")
                                           : (p.type == "Missing" ? std::string_view() : p.type));
      w.str("region", f.region);
      append_user(w, "owner", p, false);
      w.close_obj();
      w.close_arr();
    }

    const bool observe_ip = is_address(f.source_ip);
    if (observe_ip || !p.user.empty() || !p.arn.empty()) {
      w.open_arr("observables");
      if (observe_ip) append_observable(w, "evidences.src_endpoint.ip", 2, "IP Address", f.source_ip);
      append_observable(w, "evidences.actor.user.name", 4, "User Name", p.user);
      append_observable(w, "evidences.actor.user.uid", 99, "ARN", p.arn);
      w.close_arr();
    }

    w.open_obj("unmapped");
    w.open_obj("trailhound");
    append_source(w, f.source, files_);
    w.open_obj("ip");
    w.open_arr("lists");
    for (const auto& l : f.lists) {
      w.open_item_obj();
      w.str("name", l.name);
      w.str("prefix", l.prefix);
      w.str("role", l.role);
      w.close_obj();
    }
    w.close_arr();
    if (f.aws) {  // its absence with aws_known true means "not AWS's"; never a null
      w.open_obj("aws");
      w.open_arr("service");
      for (const auto& s : f.aws->services) w.item_str(s);
      w.close_arr();
      w.str("region", f.aws->region);
      w.str("prefix", f.aws->prefix);
      w.close_obj();
    }
    w.boolean("aws_known", f.aws_known);
    append_as(w, geo);
    w.close_obj();
    w.str("user_agent", f.user_agent);
    if (g && !g->events.empty()) {
      w.open_obj("event_names");
      for (const auto& [name, n] : g->events) {
        w.key_text(name);
        fmt::format_to(std::back_inserter(w.text()), "{}", n);
      }
      w.close_obj();
    }
    w.close_obj();
    w.close_obj();
    // raw_data: a finding keeps no record to print (§2.8: omit it then).
    w.end_line();
  }

  /// §3: one CloudTrail record.
  void append_api_activity(const OwnedEvent& e) {
    dom::element record;
    const bool parsed = parser_.parse(e.record).get(record) == simdjson::SUCCESS;
    const RecordFields r = parsed ? read_record(record) : RecordFields{};
    JsonWriter w(buf_.text);
    const int activity = api_activity_id(e.event_name);
    const std::string_view caption = api_activity_caption(activity);
    w.begin_line();
    append_classification(w, activity,
                          activity == 99 && !e.event_name.empty() ? e.event_name : caption, 6,
                          "Application Activity", 6003, "API Activity", caption);
    w.num("severity_id", 1);
    w.str("severity", "Informational");
    if (e.error_code.empty()) {
      w.num("status_id", 1);
      w.str("status", "Success");
    } else {
      w.num("status_id", 2);
      w.str("status", "Failure");
      w.str("status_code", e.error_code);
      w.str("status_detail", r.error_message);
    }
    w.num("time", e.time);
    w.num("timezone_offset", 0);

    w.open_obj("metadata");
    w.str("uid", e.event_id);
    w.open_obj("product");
    w.str("name", "CloudTrail");
    w.str("vendor_name", "AWS");
    w.str("version", r.event_version);
    if (!r.event_category.empty()) {
      w.open_obj("feature");
      w.str("name", r.event_category);
      w.close_obj();
    }
    w.close_obj();
    w.str("event_code", r.event_type);
    w.str("version", "1.1.0");
    w.open_arr("profiles");
    w.item_str("cloud");
    w.close_arr();
    const std::string iso = r.event_time.empty() ? format_iso(e.time) : std::string();
    w.str("original_time", r.event_time.empty() ? std::string_view(iso) : r.event_time);
    w.close_obj();

    w.open_obj("cloud");
    w.str("provider", "AWS");
    w.str("region", e.region);
    append_account(w, "account", r.recipient_account);
    w.close_obj();

    append_actor(w, view_of(e.principal), r.identity);

    w.open_obj("api");
    w.str("operation", e.event_name.empty() ? std::string_view("unknown") : e.event_name);
    w.str("version", r.api_version);
    if (!e.event_source.empty()) {
      w.open_obj("service");
      w.str("name", e.event_source);
      w.close_obj();
    }
    // request.uid is required: without a requestID the parameters stay in `unmapped`.
    const bool request = !r.request_id.empty();
    if (request) {
      w.open_obj("request");
      w.str("uid", r.request_id);
      if (present(r.request_parameters)) {
        w.key("data");
        append_value(w.text(), r.request_parameters.value_unsafe());
      }
      w.close_obj();
    }
    if (!e.error_code.empty() || !r.error_message.empty() || present(r.response_elements)) {
      w.open_obj("response");
      w.str("error", e.error_code);
      w.str("message", r.error_message);
      if (present(r.response_elements)) {
        w.key("data");
        append_value(w.text(), r.response_elements.value_unsafe());
      }
      w.close_obj();
    }
    w.close_obj();

    const bool ip = is_address(e.source_ip);
    const intel::GeoInfo* geo = ip ? geo_of(options_, e.source_ip) : nullptr;
    append_src_endpoint(w, e.source_ip, r.vpc_endpoint, geo);

    if (!e.user_agent.empty()) {
      w.open_obj("http_request");
      w.str("user_agent", e.user_agent);
      w.close_obj();
    }

    append_resources(w, r.resources);

    if (ip || !e.principal.user.empty() || !e.principal.arn.empty()) {
      w.open_arr("observables");
      if (ip) append_observable(w, "src_endpoint.ip", 2, "IP Address", e.source_ip);
      append_observable(w, "actor.user.name", 4, "User Name", e.principal.user);
      append_observable(w, "actor.user.uid", 99, "ARN", e.principal.arn);
      w.close_arr();
    }

    w.open_obj("unmapped");
    for (const dom::key_value_pair& kv : r.rest) {
      w.key_text(kv.key);
      append_value(w.text(), kv.value);
    }
    if (!request && present(r.request_parameters)) {
      w.key("requestParameters");
      append_value(w.text(), r.request_parameters.value_unsafe());
    }
    w.open_obj("trailhound");
    append_source(w, e.source, files_);
    if (geo && (geo->asn != 0 || !geo->as_org.empty())) {
      w.open_obj("ip");
      append_as(w, geo);
      w.close_obj();
    }
    w.close_obj();
    w.close_obj();

    if (options_.raw_data) {
      w.key("raw_data");
      append_json_string(w.text(), e.record);  // string_t: the record as escaped text
    }
    w.end_line();
  }

  /// §3.4: the principal, with the session and identity provider from userIdentity.
  static void append_actor(JsonWriter& w, const PrincipalView& p, const MaybeElement& identity) {
    w.open_obj("actor");
    append_user(w, "user", p, true);
    const MaybeElement context = identity["sessionContext"]["attributes"];
    std::optional<TimeMs> created;
    if (auto t = str_at(context, "creationDate"); !t.empty()) created = parse_timestamp(t);
    std::optional<bool> mfa;
    const MaybeElement mfa_value = context["mfaAuthenticated"];
    if (std::string_view s; mfa_value.get(s) == simdjson::SUCCESS) {
      if (s == "true") mfa = true;
      else if (s == "false") mfa = false;
    } else if (bool b = false; mfa_value.get(b) == simdjson::SUCCESS) {
      mfa = b;
    }
    if (!p.session_issuer.empty() || created || mfa) {
      w.open_obj("session");
      w.str("issuer", p.session_issuer);
      if (created) w.num("created_time", *created);
      if (mfa) w.boolean("is_mfa", *mfa);
      w.close_obj();
    }
    w.str("invoked_by", str_at(identity, "invokedBy"));
    std::string_view idp =
        str_at(identity["sessionContext"]["webIdFederationData"], "federatedProvider");
    if (idp.empty()) idp = str_at(identity, "identityProvider");
    if (!idp.empty()) {
      w.open_obj("idp");
      w.str("name", idp);
      w.close_obj();
    }
    w.close_obj();
  }

  /// §3.7: CloudTrail resources[] with an ARN (or ARN prefix).
  static void append_resources(JsonWriter& w, const MaybeElement& resources) {
    dom::array arr;
    if (resources.get(arr) != simdjson::SUCCESS) return;
    bool open = false;
    for (dom::element res : arr) {
      std::string_view uid = str_at(res, "ARN");
      if (uid.empty()) uid = str_at(res, "ARNPrefix");
      if (uid.empty()) continue;
      if (!open) w.open_arr("resources");
      open = true;
      w.open_item_obj();
      w.str("uid", uid);
      w.str("type", str_at(res, "type"));
      if (const auto account = str_at(res, "accountId"); !account.empty()) {
        w.open_obj("owner");
        append_account(w, "account", account);
        w.close_obj();
      }
      w.close_obj();
    }
    if (open) w.close_arr();
  }

  PrintBuffer buf_;
  PrinterOptions options_;
  const FileTable* files_ = nullptr;
  dom::parser parser_;  ///< reused for every record: it keeps its buffers
  std::uint64_t findings_ = 0, events_ = 0;
};

}  // namespace

std::unique_ptr<Printer> make_ocsf_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<OcsfPrinter>(out, options);
}

}  // namespace trailhound
