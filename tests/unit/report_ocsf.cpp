// Tests for the OCSF printer (print_ocsf): the Detection Finding and API Activity mappings.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <deque>
#include <sstream>

#include "trailhound/format.hpp"
#include "trailhound/printer.hpp"

using namespace trailhound;
namespace dom = simdjson::dom;

namespace {

detect::Finding tor_finding() {
  detect::Finding f;
  f.id = "f3c1d2a4b5e60718";
  f.rule = "malicious-ip-caller";
  f.severity = detect::Severity::High;
  f.time = 1700000000000;
  f.principal.type = "AssumedRole";
  f.principal.user = "ops-admin/alice";
  f.principal.arn = "arn:aws:sts::123456789012:assumed-role/ops-admin/alice";
  f.principal.principal_id = "AROAEXAMPLEROLEID1234:alice";
  f.principal.access_key = "ASIAEXAMPLEKEY123456";
  f.principal.account = "123456789012";
  f.principal.session_issuer = "arn:aws:iam::123456789012:role/ops-admin";
  f.source_ip = "198.51.100.7";
  f.lists.push_back({"tor-exit", "198.51.100.0/24", "threat"});
  f.aws_known = true;
  f.event_name = "ListBuckets";
  f.event_source = "s3.amazonaws.com";
  f.region = "us-east-1";
  f.event_id = "3c5e9d0a-6f1b-4c2e-9a47-0d8b1e2f3a4b";
  f.reasons = {"198.51.100.7 is on threat list tor-exit", "s3 List* is unusual"};
  f.guardduty_type = "Recon:IAMUser/TorIPCaller";
  return f;
}

/// An event as the engine keeps it: the fields it reads, plus the record's text.
OwnedEvent event_of(std::string_view name, std::string_view source_ip, std::string_view error,
                    std::string record) {
  OwnedEvent e;
  e.time = 1700000000000;
  e.principal.type = "IAMUser";
  e.principal.user = "bob";
  e.principal.arn = "arn:aws:iam::123456789012:user/bob";
  e.principal.access_key = "AKIAEXAMPLEBOB000001";
  e.principal.account = "123456789012";
  e.event_name = std::string(name);
  e.event_source = "iam.amazonaws.com";
  e.region = "us-east-1";
  e.source_ip = std::string(source_ip);
  e.user_agent = "aws-cli/2.13.0";
  e.error_code = std::string(error);
  e.event_id = "11111111-2222-3333-4444-555555555555";
  e.record = std::move(record);
  return e;
}

OwnedEvent plain_event(std::string_view name) {
  return event_of(name, "203.0.113.9", "",
                  R"({"eventVersion":"1.08","eventTime":"2023-11-14T22:13:20Z","eventName":")" +
                      std::string(name) + R"(","requestID":"req-1","eventType":"AwsApiCall"})");
}

const FileTable& files() {
  static const FileTable table{InputFile{"logs/a.json", false, true}};
  return table;
}

/// Runs findings and events through the ocsf printer; returns stdout's lines.
std::vector<std::string> print_ocsf(const std::vector<detect::Finding>& findings,
                                    const std::vector<OwnedEvent>& events,
                                    const PrinterOptions& options = {}) {
  std::ostringstream out;
  auto printer = make_printer("ocsf", Command::Investigate, out, options);
  REQUIRE(printer);
  Printer& p = **printer;
  p.begin(PrintBegin{Command::Investigate, &files(), false, {}});
  p.file_problem(FileProblem{"logs/bad.gz", true, {"truncated gzip data"}});
  for (const auto& f : findings) p.finding(f);
  p.section("timeline");
  for (const auto& e : events) p.event(e);
  RunTotals totals;
  RunSummary s;
  s.totals = &totals;
  p.summary(s);
  p.end();
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

/// Fails when `e` or anything inside it is null.
void require_no_null(dom::element e, const std::string& path = "") {
  INFO("at " << path);
  REQUIRE_FALSE(e.is_null());
  if (e.is_object()) {
    for (auto [k, v] : dom::object(e)) require_no_null(v, path + "." + std::string(k));
  } else if (e.is_array()) {
    for (dom::element v : dom::array(e)) require_no_null(v, path + "[]");
  }
}

dom::element parse_line(dom::parser& parser, const std::string& line) {
  dom::element doc;
  REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  require_no_null(doc);
  return doc;
}

bool has(dom::element obj, std::string_view key) { return obj.at_key(key).error() == simdjson::SUCCESS; }

}  // namespace

TEST_CASE("ocsf prints a finding as a Detection Finding with its evidence", "[report][ocsf]") {
  const auto lines = print_ocsf({tor_finding()}, {});
  REQUIRE(lines.size() == 1);  // the file problem and the totals are not on stdout
  dom::parser parser;
  const dom::element d = parse_line(parser, lines[0]);
  CHECK(int64_t(d["class_uid"]) == 2004);
  CHECK(int64_t(d["category_uid"]) == 2);
  CHECK(int64_t(d["activity_id"]) == 1);
  CHECK(int64_t(d["type_uid"]) == 2004 * 100 + 1);
  CHECK(std::string_view(d["type_name"]) == "Detection Finding: Create");
  CHECK(int64_t(d["severity_id"]) == 4);
  CHECK(std::string_view(d["severity"]) == "High");
  CHECK(int64_t(d["time"]) == 1700000000000);
  CHECK(std::string_view(d["finding_info"]["uid"]) == "f3c1d2a4b5e60718");
  CHECK(std::string_view(d["metadata"]["uid"]) == "f3c1d2a4b5e60718");
  CHECK(std::string_view(d["metadata"]["product"]["version"]) == TRAILHOUND_VERSION);
  CHECK(std::string_view(d["metadata"]["profiles"].at(0)) == "cloud");
  CHECK(std::string_view(d["finding_info"]["types"].at(0)) == "Recon:IAMUser/TorIPCaller");
  CHECK(int64_t(d["finding_info"]["related_events"].at(0)["type_uid"]) == 600302);
  const dom::element ev = d["evidences"].at(0);
  CHECK(std::string_view(ev["src_endpoint"]["ip"]) == "198.51.100.7");
  CHECK(std::string_view(ev["actor"]["user"]["credential_uid"]) == "ASIAEXAMPLEKEY123456");
  CHECK(std::string_view(ev["actor"]["user"]["account"]["uid"]) == "123456789012");
  CHECK(std::string_view(ev["api"]["operation"]) == "ListBuckets");
  CHECK_FALSE(has(d, "actor"));         // 1.1.0: only with the host profile
  CHECK_FALSE(has(d, "src_endpoint"));  // 1.1.0: Detection Finding has none
  CHECK(std::string_view(d["resources"].at(0)["type"]) == "AwsIamAccessKey");
  CHECK(std::string_view(d["observables"].at(0)["name"]) == "evidences.src_endpoint.ip");
  CHECK_FALSE(has(d["unmapped"]["trailhound"]["ip"], "aws"));  // never null
}

TEST_CASE("a Sigma finding's ATT&CK tags become finding_info.attacks", "[report][ocsf]") {
  detect::Finding f = tor_finding();
  f.rule = "sigma:11111111-2222-3333-4444-555555555555";
  f.title = "Test rule";
  dom::parser parser;
  SECTION("techniques and sub-techniques, with the rule's one tactic") {
    static constexpr std::string_view kTags[] = {"attack.persistence", "attack.t1098",
                                                 "attack.t1078.004",   "attack.g0016",
                                                 "detection.threat-hunting", "attack.t1098"};
    f.tags = kTags;
    const auto lines = print_ocsf({f}, {});
    REQUIRE(lines.size() == 1);
    const dom::element a = parse_line(parser, lines[0])["finding_info"]["attacks"];
    REQUIRE(dom::array(a).size() == 2);  // the repeated tag once; group g0016 and others not
    CHECK(std::string_view(a.at(0)["technique"]["uid"]) == "T1098");
    CHECK_FALSE(has(a.at(0), "sub_technique"));
    CHECK(std::string_view(a.at(0)["tactic"]["uid"]) == "TA0003");
    CHECK(std::string_view(a.at(0)["tactic"]["name"]) == "Persistence");
    CHECK(std::string_view(a.at(1)["technique"]["uid"]) == "T1078");
    CHECK(std::string_view(a.at(1)["sub_technique"]["uid"]) == "T1078.004");
    CHECK(std::string_view(a.at(1)["tactic"]["uid"]) == "TA0003");
    CHECK_FALSE(has(a.at(0), "version"));  // a Sigma rule does not say which ATT&CK version
  }
  SECTION("two tactics stand on their own; an unknown tactic keeps its name, no uid") {
    static constexpr std::string_view kTags[] = {"attack.t1562", "attack.privilege_escalation",
                                                 "attack.defense-impairment"};
    f.tags = kTags;
    const auto lines = print_ocsf({f}, {});
    const dom::element a = parse_line(parser, lines[0])["finding_info"]["attacks"];
    REQUIRE(dom::array(a).size() == 3);
    CHECK(std::string_view(a.at(0)["technique"]["uid"]) == "T1562");
    CHECK_FALSE(has(a.at(0), "tactic"));
    CHECK(std::string_view(a.at(1)["tactic"]["uid"]) == "TA0004");
    CHECK(std::string_view(a.at(1)["tactic"]["name"]) == "Privilege Escalation");
    CHECK(std::string_view(a.at(2)["tactic"]["name"]) == "Defense Impairment");
    CHECK_FALSE(has(a.at(2)["tactic"], "uid"));
  }
  SECTION("no ATT&CK tag, no attacks; malformed ids are not techniques") {
    static constexpr std::string_view kTags[] = {"cve.2021-1234", "attack.t12", "attack.t1234.5",
                                                 "attack.", "attack.t1234x"};
    f.tags = kTags;
    const auto lines = print_ocsf({f}, {});
    CHECK_FALSE(has(parse_line(parser, lines[0])["finding_info"], "attacks"));
  }
}

TEST_CASE("an event becomes API Activity with actor, api and its source address",
          "[report][ocsf]") {
  OwnedEvent e = plain_event("GetUser");
  e.record =
      R"({"eventVersion":"1.09","eventTime":"2023-11-14T22:13:20Z","eventName":"GetUser",)"
      R"("userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"creationDate":)"
      R"("2023-11-14T21:13:20Z","mfaAuthenticated":"true"}}},"requestID":"req-9",)"
      R"("requestParameters":{"userName":"eve","marker":null},"responseElements":null,)"
      R"("readOnly":true,"eventCategory":"Management","recipientAccountId":"123456789012",)"
      R"("sharedEventID":null,"resources":[{"ARN":"arn:aws:iam::123456789012:user/eve",)"
      R"("accountId":"123456789012","type":"AWS::IAM::User"},{"type":"nothing"}]})";
  const auto lines = print_ocsf({}, {e});
  REQUIRE(lines.size() == 1);
  dom::parser parser;
  const dom::element a = parse_line(parser, lines[0]);
  CHECK(int64_t(a["class_uid"]) == 6003);
  CHECK(int64_t(a["category_uid"]) == 6);
  CHECK(int64_t(a["activity_id"]) == 2);
  CHECK(int64_t(a["type_uid"]) == 600302);
  CHECK(int64_t(a["severity_id"]) == 1);
  CHECK(int64_t(a["status_id"]) == 1);
  CHECK_FALSE(has(a, "status_code"));
  CHECK(std::string_view(a["metadata"]["uid"]) == "11111111-2222-3333-4444-555555555555");
  CHECK(std::string_view(a["metadata"]["product"]["name"]) == "CloudTrail");
  CHECK(std::string_view(a["metadata"]["product"]["version"]) == "1.09");
  CHECK(std::string_view(a["metadata"]["product"]["feature"]["name"]) == "Management");
  CHECK(std::string_view(a["metadata"]["original_time"]) == "2023-11-14T22:13:20Z");
  CHECK(std::string_view(a["cloud"]["account"]["uid"]) == "123456789012");
  CHECK(std::string_view(a["src_endpoint"]["ip"]) == "203.0.113.9");
  CHECK(std::string_view(a["actor"]["user"]["name"]) == "bob");
  CHECK(int64_t(a["actor"]["session"]["created_time"]) == 1699996400000);
  CHECK(bool(a["actor"]["session"]["is_mfa"]));
  CHECK(std::string_view(a["api"]["request"]["uid"]) == "req-9");
  CHECK(std::string_view(a["api"]["request"]["data"]["userName"]) == "eve");
  CHECK_FALSE(has(a["api"]["request"]["data"], "marker"));  // nulls are left out
  CHECK_FALSE(has(a["api"], "response"));
  CHECK(std::string_view(a["http_request"]["user_agent"]) == "aws-cli/2.13.0");
  CHECK(dom::array(a["resources"]).size() == 1);
  CHECK(std::string_view(a["resources"].at(0)["owner"]["account"]["uid"]) == "123456789012");
  CHECK(bool(a["unmapped"]["readOnly"]));
  CHECK_FALSE(has(a["unmapped"], "sharedEventID"));
  CHECK_FALSE(has(a["unmapped"], "eventName"));  // mapped fields are not repeated
  CHECK(int64_t(a["unmapped"]["trailhound"]["source"]["index"]) == 0);
  CHECK_FALSE(has(a, "raw_data"));
}

TEST_CASE("a service-name source goes to domain and svc_name, not ip", "[report][ocsf]") {
  const auto lines = print_ocsf({}, {event_of("AssumeRole", "ec2.amazonaws.com", "", "{}")});
  dom::parser parser;
  const dom::element a = parse_line(parser, lines.at(0));
  CHECK(std::string_view(a["src_endpoint"]["domain"]) == "ec2.amazonaws.com");
  CHECK(std::string_view(a["src_endpoint"]["svc_name"]) == "ec2.amazonaws.com");
  CHECK_FALSE(has(a["src_endpoint"], "ip"));
  CHECK(std::string_view(a["observables"].at(0)["name"]) == "actor.user.name");
}

TEST_CASE("a failed call is status_id 2 with its errorCode and errorMessage", "[report][ocsf]") {
  const auto lines = print_ocsf(
      {}, {event_of("ListUsers", "2001:db8::7", "AccessDenied",
                    R"({"errorCode":"AccessDenied","errorMessage":"not authorized"})")});
  dom::parser parser;
  const dom::element a = parse_line(parser, lines.at(0));
  CHECK(int64_t(a["status_id"]) == 2);
  CHECK(std::string_view(a["status"]) == "Failure");
  CHECK(std::string_view(a["status_code"]) == "AccessDenied");
  CHECK(std::string_view(a["status_detail"]) == "not authorized");
  CHECK(std::string_view(a["api"]["response"]["error"]) == "AccessDenied");
  CHECK(std::string_view(a["src_endpoint"]["ip"]) == "2001:db8::7");
  CHECK_FALSE(has(a["api"], "request"));  // no requestID: request.uid would be missing
}

TEST_CASE("activity_id follows the event name's verb, first match wins", "[report][ocsf]") {
  const auto lines = print_ocsf({}, {plain_event("CreateUser"), plain_event("BatchGetItem"),
                                     plain_event("PutObject"), plain_event("DeleteBucket"),
                                     plain_event("ConsoleLogin"),
                                     plain_event("UpdateGeneratedTemplate")});
  REQUIRE(lines.size() == 6);
  dom::parser parser;
  const std::pair<int64_t, std::string_view> expected[] = {
      {1, "Create"}, {2, "Read"}, {3, "Update"}, {4, "Delete"}, {99, "ConsoleLogin"}, {1, "Create"}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const dom::element a = parse_line(parser, lines[i]);
    CHECK(int64_t(a["activity_id"]) == expected[i].first);
    CHECK(int64_t(a["type_uid"]) == 600300 + expected[i].first);
    CHECK(std::string_view(a["activity_name"]) == expected[i].second);
  }
  const dom::element other = parse_line(parser, lines[4]);
  CHECK(std::string_view(other["type_name"]) == "API Activity: Other");
}

TEST_CASE("src_endpoint.location comes from the geo callback, ASN in unmapped",
          "[report][ocsf]") {
  intel::GeoInfo amsterdam;
  amsterdam.country = "NL";
  amsterdam.city = "Amsterdam";
  amsterdam.latitude = 52.374;
  amsterdam.longitude = 4.8897;
  amsterdam.asn = 64500;
  amsterdam.as_org = "Example Transit BV";
  std::vector<std::string> asked;
  PrinterOptions options;
  options.geo = [&](std::string_view address) -> const intel::GeoInfo* {
    asked.emplace_back(address);
    return address == "198.51.100.7" ? &amsterdam : nullptr;
  };
  OwnedEvent unknown = plain_event("GetUser");  // 203.0.113.9: the callback knows nothing
  const auto lines =
      print_ocsf({tor_finding()}, {unknown, event_of("AssumeRole", "sts.amazonaws.com", "", "{}")},
                 options);
  REQUIRE(lines.size() == 3);
  dom::parser parser;
  const dom::element d = parse_line(parser, lines[0]);
  const dom::element loc = d["evidences"].at(0)["src_endpoint"]["location"];
  CHECK(std::string_view(loc["country"]) == "NL");
  CHECK(std::string_view(loc["city"]) == "Amsterdam");
  CHECK(double(loc["coordinates"].at(0)) == Approx(4.8897));  // GeoJSON order: lon, lat
  CHECK(double(loc["coordinates"].at(1)) == Approx(52.374));
  CHECK_FALSE(has(loc, "isp"));
  CHECK(int64_t(d["unmapped"]["trailhound"]["ip"]["asn"]) == 64500);
  CHECK(std::string_view(d["unmapped"]["trailhound"]["ip"]["as_org"]) == "Example Transit BV");
  const dom::element a = parse_line(parser, lines[1]);
  CHECK_FALSE(has(a["src_endpoint"], "location"));
  CHECK(asked == std::vector<std::string>{"198.51.100.7", "203.0.113.9"});  // no service names
}

TEST_CASE("raw_data is the record as a JSON string, only with --ocsf-raw", "[report][ocsf]") {
  const OwnedEvent e = plain_event("GetUser");
  PrinterOptions raw;
  raw.raw_data = true;
  dom::parser parser;
  CHECK_FALSE(has(parse_line(parser, print_ocsf({}, {e}).at(0)), "raw_data"));
  const auto lines = print_ocsf({tor_finding()}, {e}, raw);
  REQUIRE(lines.size() == 2);
  CHECK_FALSE(has(parse_line(parser, lines[0]), "raw_data"));  // a finding keeps no record
  const dom::element a = parse_line(parser, lines[1]);
  CHECK(std::string_view(a["raw_data"]) == e.record);
}

TEST_CASE("attacker-controlled text stays one valid JSON line", "[report][ocsf]") {
  detect::Finding f = tor_finding();
  f.principal.user = "x\"},\n{\"class_uid\":1\x01\xff";
  f.user_agent = "\x1b[31mred\\";
  OwnedEvent e = event_of("Get\"Evil\nName", "not an ip\"", "Err\"\n",
                          R"({"requestID":"r\"1","requestParameters":{"k\"ey\u0000":"v\n"},)"
                          R"("weird\"key":[1,null,"\u2028"]})");
  e.principal.user = f.principal.user;
  PrinterOptions raw;
  raw.raw_data = true;
  const auto lines = print_ocsf({f}, {e}, raw);
  REQUIRE(lines.size() == 2);
  dom::parser parser;
  const dom::element d = parse_line(parser, lines[0]);
  CHECK(std::string_view(d["evidences"].at(0)["actor"]["user"]["name"]).substr(0, 3) == "x\"}");
  const dom::element a = parse_line(parser, lines[1]);
  CHECK(std::string_view(a["api"]["operation"]) == "Get\"Evil\nName");
  const dom::object data = a["api"]["request"]["data"];
  REQUIRE(data.size() == 1);
  CHECK((*data.begin()).key == std::string_view("k\"ey\0", 5));
  CHECK(std::string_view((*data.begin()).value) == "v\n");
  CHECK(dom::array(a["unmapped"]["weird\"key"]).size() == 2);
  CHECK(std::string_view(a["raw_data"]) == e.record);
}

TEST_CASE("a finding group is one Detection Finding with its count and span", "[report][ocsf]") {
  detect::FindingList findings;
  detect::Finding later = tor_finding();
  later.time += 60000;
  later.event_name = "GetCallerIdentity";
  findings.adopt(detect::FindingStore{tor_finding(), later});
  const auto groups = group_findings(findings);
  REQUIRE(groups.size() == 1);
  std::ostringstream out;
  auto printer = make_printer("ocsf", Command::Scan, out, {});
  REQUIRE(printer);
  (*printer)->begin(PrintBegin{Command::Scan, &files(), true, {}});
  (*printer)->group(groups[0]);
  (*printer)->end();
  dom::parser parser;
  const dom::element d = parse_line(parser, out.str());
  CHECK(int64_t(d["count"]) == 2);
  CHECK(int64_t(d["finding_info"]["first_seen_time"]) == 1700000000000);
  CHECK(int64_t(d["finding_info"]["last_seen_time"]) == 1700000060000);
  CHECK(int64_t(d["unmapped"]["trailhound"]["event_names"]["GetCallerIdentity"]) == 1);
}

TEST_CASE("ocsf prints scan, investigate and timeline only", "[report][ocsf][format]") {
  std::ostringstream out;
  CHECK(make_printer("ocsf", Command::Timeline, out, {}));
  CHECK(make_printer("ocsf", Command::Scan, out, {}));
  CHECK_FALSE(make_printer("ocsf", Command::Summary, out, {}));
  CHECK_FALSE(make_printer("ocsf", Command::Rules, out, {}));
  CHECK_FALSE(make_printer("ocsf", Command::IpLookup, out, {}));
}
