// Tests for src/detect/sigma.cpp and src/detect/rules/sigma_rules.cpp: the Sigma engine, one
// case per value modifier and condition form (the specification's examples), the refusals,
// placeholders and the pre-filter.
#include <filesystem>
#include <fstream>

#include "rule_test_support.hpp"
#include "trailhound/sigma.hpp"

using namespace rule_test;
using trailhound::detect::Severity;
namespace sigma = trailhound::detect::sigma;

namespace {

/// A whole rule around `detection` (indented by four spaces, condition included).
std::string rule(const std::string& detection, const std::string& extra = "") {
  return "title: Test rule\nid: 11111111-2222-3333-4444-555555555555\nstatus: test\n"
         "author: Jane Doe\nreferences:\n    - https://example.com/ref\n"
         "tags:\n    - attack.persistence\n    - attack.t1098\nlevel: high\n" + extra +
         "logsource:\n    product: aws\n    service: cloudtrail\ndetection:\n" + detection;
}

struct Outcome {
  std::shared_ptr<sigma::RuleSet> set;
  detect::DetectResult result;
};

Outcome run_sigma(const std::string& yaml, const std::vector<Record>& records,
                  const intel::IntelDb& db = intel::IntelDb(),
                  const std::vector<sigma::PlaceholderSpec>& placeholders = {}) {
  Outcome o;
  o.set = sigma::compile_text(yaml, placeholders, &db);
  REQUIRE(o.set->rules().size() == 1);
  INFO("refused: " << o.set->rules().front().refused);
  REQUIRE(o.set->rules().front().refused.empty());
  detect::DetectConfig config = only({"sigma"});
  config.sigma = o.set;
  o.result = run(records, db, config);
  return o;
}

/// How many of `records` the rule finds (one finding per matching record).
std::size_t hits(const std::string& yaml, const std::vector<Record>& records,
                 const intel::IntelDb& db = intel::IntelDb(),
                 const std::vector<sigma::PlaceholderSpec>& placeholders = {}) {
  return run_sigma(yaml, records, db, placeholders).result.findings.size();
}

/// Why the rule is refused ("" when it loads).
std::string refusal(const std::string& yaml) {
  auto set = sigma::compile_text(yaml);
  REQUIRE(set->rules().size() == 1);
  return set->rules().front().refused;
}

Record named(const std::string& name, const std::string& source = "cloudtrail.amazonaws.com") {
  Record r;
  r.event_name = name;
  r.event_source = source;
  return r;
}

Record with_request(const std::string& request) {
  Record r = named("PutUserPolicy", "iam.amazonaws.com");
  r.request = request;
  return r;
}

}  // namespace

TEST_CASE("sigma: a plain value matches whole and ignores case", "[sigma]") {
  const auto y = rule("    selection:\n        eventName: stoplogging\n    condition: selection\n");
  CHECK(hits(y, {named("StopLogging")}) == 1);
  CHECK(hits(y, {named("StopLoggingNow")}) == 0);
  CHECK(hits(y, {named("Stop")}) == 0);
}

TEST_CASE("sigma: cased matches with case", "[sigma]") {
  const auto y = rule("    selection:\n        eventName|cased: stoplogging\n    condition: selection\n");
  CHECK(hits(y, {named("StopLogging")}) == 0);
  CHECK(hits(y, {named("stoplogging")}) == 1);
}

TEST_CASE("sigma: a map is AND, a list of values is OR", "[sigma]") {
  const auto y = rule(
      "    selection:\n        eventSource: cloudtrail.amazonaws.com\n        eventName:\n"
      "            - StopLogging\n            - DeleteTrail\n    condition: selection\n");
  CHECK(hits(y, {named("StopLogging"), named("DeleteTrail"), named("UpdateTrail"),
                 named("StopLogging", "s3.amazonaws.com")}) == 2);
}

TEST_CASE("sigma: a list of maps is OR of ANDs", "[sigma]") {
  const auto y = rule(
      "    selection:\n        - eventName: StopLogging\n          eventSource: cloudtrail.amazonaws.com\n"
      "        - eventName: DeleteBucket\n    condition: selection\n");
  CHECK(hits(y, {named("StopLogging"), named("DeleteBucket", "s3.amazonaws.com"),
                 named("StopLogging", "s3.amazonaws.com")}) == 2);
}

TEST_CASE("sigma: contains, startswith and endswith", "[sigma]") {
  Record r = named("CreateAccessKey", "iam.amazonaws.com");
  r.agent = "S3 Browser 9.5.5";
  CHECK(hits(rule("    s:\n        userAgent|contains: 'browser 9'\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        userAgent|contains: 'browser 8'\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        userAgent|startswith: 's3 b'\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        userAgent|startswith: 'browser'\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        userAgent|endswith: '9.5.5'\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        userAgent|endswith: 'S3'\n    condition: s\n"), {r}) == 0);
}

TEST_CASE("sigma: contains|all needs every value; a list without all needs one", "[sigma]") {
  const Record r = with_request("{\"policyDocument\":\"s3:GetObject Allow\"}");
  CHECK(hits(rule("    s:\n        requestParameters|contains|all:\n            - 's3:GetObject'\n"
                  "            - 'Allow'\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters|contains|all:\n            - 's3:GetObject'\n"
                  "            - 'Deny'\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        requestParameters|contains:\n            - 's3:GetObject'\n"
                  "            - 'Deny'\n    condition: s\n"), {r}) == 1);
}

TEST_CASE("sigma: wildcards * and ?, and their escapes", "[sigma]") {
  Record star = named("Get*Data", "ec2.amazonaws.com");
  Record plain = named("GetPasswordData", "ec2.amazonaws.com");
  CHECK(hits(rule("    s:\n        eventName: 'get*data'\n    condition: s\n"), {star, plain}) == 2);
  CHECK(hits(rule("    s:\n        eventName: 'Get?Data'\n    condition: s\n"), {star, plain}) == 1);
  // \* is the character itself
  CHECK(hits(rule("    s:\n        eventName: 'Get\\*Data'\n    condition: s\n"), {star, plain}) == 1);
  Record backslash = named("a\\\\b", "ec2.amazonaws.com");  // JSON "a\\b": a\b
  CHECK(hits(rule("    s:\n        eventName: 'a\\\\b'\n    condition: s\n"), {backslash}) == 1);
  // A backslash before another character is itself.
  CHECK(hits(rule("    s:\n        eventName: 'a\\b'\n    condition: s\n"), {backslash}) == 1);
  // contains with * inside: the value's own wildcard
  Record layers = named("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com");
  layers.request = "{\"layers\":[\"arn:aws:lambda:us-east-1:111122223333:layer:x:1\"]}";
  CHECK(hits(rule("    s:\n        eventName|startswith: 'UpdateFunctionConfiguration'\n"
                  "        requestParameters.layers|contains: '*'\n    condition: s\n"),
             {layers, named("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com")}) == 1);
}

TEST_CASE("sigma: re is case-sensitive, re|i is not", "[sigma]") {
  Record r = named("DescribeInstances", "ec2.amazonaws.com");
  r.arn = "arn:aws:sts::111122223333:assumed-role/aws:ec2-instance/i-0abc";
  const auto y = rule("    s:\n        userIdentity.arn|re: '.+:assumed-role/aws:.+'\n    condition: s\n");
  CHECK(hits(y, {r, named("DescribeInstances", "ec2.amazonaws.com")}) == 1);
  CHECK(hits(rule("    s:\n        userIdentity.arn|re: 'ASSUMED-ROLE'\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        userIdentity.arn|re|i: 'ASSUMED-ROLE'\n    condition: s\n"), {r}) == 1);
}

TEST_CASE("sigma: re is PCRE: inline flags, atomic and possessive groups, lookbehind", "[sigma]") {
  Record r = named("DescribeInstances", "ec2.amazonaws.com");
  r.arn = "arn:aws:sts::111122223333:assumed-role/Admin/session-42";
  auto arn = [](const std::string& re) {
    return rule("    s:\n        userIdentity.arn|re: '" + re + "'\n    condition: s\n");
  };
  // (?i) inside the pattern: ECMAScript has no inline flags.
  CHECK(hits(arn("(?i)ASSUMED-ROLE/admin"), {r}) == 1);
  CHECK(hits(arn("ASSUMED-ROLE/admin"), {r}) == 0);
  // A lookbehind holding \d, and one that does not hold.
  CHECK(hits(arn("(?<=\\d{12}):assumed"), {r}) == 1);
  CHECK(hits(arn("(?<=user\\d):assumed"), {r}) == 0);
  // Atomic groups and possessive quantifiers give back nothing once matched.
  CHECK(hits(arn("session-(?>\\d+)$"), {r}) == 1);
  CHECK(hits(arn("session-\\d++2"), {r}) == 0);
  CHECK(hits(arn("session-\\d+2"), {r}) == 1);
  // \A and \z, PCRE's anchors, and a named group referred back to.
  CHECK(hits(arn("\\Aarn:aws:sts::(?<acct>\\d+):.*\\z"), {r}) == 1);
  CHECK(hits(arn("(?<w>s)e(?P=w)sion"), {r}) == 1);
  // The re sub-modifiers: i, m (^ and $ at line breaks), s (dot matches a line break).
  Record lines = named("PutUserPolicy", "iam.amazonaws.com");
  lines.request = "{\"policyDocument\":\"first line\\nsecond line\"}";
  auto doc = [](const std::string& mods, const std::string& re) {
    return rule("    s:\n        requestParameters.policyDocument|re" + mods + ": '" + re +
                "'\n    condition: s\n");
  };
  CHECK(hits(doc("", "^second"), {lines}) == 0);
  CHECK(hits(doc("|m", "^second"), {lines}) == 1);
  CHECK(hits(doc("", "line.second"), {lines}) == 0);
  CHECK(hits(doc("|s", "line.second"), {lines}) == 1);
  CHECK(hits(doc("|i", "FIRST LINE"), {lines}) == 1);
}

TEST_CASE("sigma: a literal is not demanded from what a pattern's syntax means otherwise",
          "[sigma]") {
  Record r = named("DescribeInstances", "ec2.amazonaws.com");
  r.arn = "arn:aws:sts::111122223333:assumed-role/Admin/AAA";
  auto arn = [](const std::string& re) {
    return rule("    s:\n        userIdentity.arn|re: '" + re + "'\n    condition: s\n");
  };
  // Escapes and counted quantifiers written with letters and digits are not text to find.
  CHECK(hits(arn("\\x{41}{3}$"), {r}) == 1);
  CHECK(hits(arn("\\x41{3}$"), {r}) == 1);
  CHECK(hits(arn("\\p{Lu}{3}$"), {r}) == 1);
  CHECK(hits(arn("role/Admin/A{1,300}"), {r}) == 1);
  CHECK(hits(arn("\\d{12}:assumed"), {r}) == 1);
  // An inline flag: the text after it is matched without case.
  CHECK(hits(arn("(?i)ASSUMED-ROLE/ADMIN"), {r}) == 1);
  // re|i folds case as Unicode does: the Kelvin sign (U+212A) is a K.
  Record kelvin = r;
  kelvin.arn = "arn:aws:sts::111122223333:assumed-role/\xE2\x84\xAA" "elvin/AAA";
  CHECK(hits(rule("    s:\n        userIdentity.arn|re|i: 'role/kelvin'\n    condition: s\n"), {kelvin}) == 1);
}

TEST_CASE("sigma: a catastrophically backtracking re on a long value stops at the match limit",
          "[sigma]") {
  // (a+)+$ against "aaaa...a!" backtracks exponentially in a backtracking engine; PCRE2's
  // match limit ends the search as no match. The value is far over the old 4 KiB cut-off.
  Record r = named("PutUserPolicy", "iam.amazonaws.com");
  r.request = "{\"policyName\":\"" + std::string(20000, 'a') + "!\"}";
  auto set = sigma::compile_text(rule("    s:\n        requestParameters.policyName|re: '^(a+)+$'\n"
                                      "    condition: s\n"));
  REQUIRE(set->active() == 1);
  sigma::Matcher m(*set, nullptr);
  std::size_t n = 0;
  std::string buffer = "{\"Records\":[" + r.json() + "]}";
  const std::size_t size = buffer.size();
  buffer.append(kBufferPadding, '\0');
  EventReader reader;
  (void)reader.read(std::string_view(buffer.data(), size), 0, [&](const EventView& e) {
    m.match(e, [&](std::size_t, const auto&) { ++n; });
  });
  CHECK(n == 0);
  CHECK(m.regex_limited() == 1);
  // Values past 4 KiB are searched: the same long value with a pattern that matches it.
  auto found = sigma::compile_text(rule("    s:\n        requestParameters.policyName|re: 'a{20000}!$'\n"
                                        "    condition: s\n"));
  sigma::Matcher m2(*found, nullptr);
  (void)reader.read(std::string_view(buffer.data(), size), 0, [&](const EventView& e) {
    m2.match(e, [&](std::size_t, const auto&) { ++n; });
  });
  CHECK(n == 1);
  CHECK(m2.regex_limited() == 0);
}

TEST_CASE("sigma: cidr matches addresses inside the network", "[sigma]") {
  Record in = named("ListBuckets", "s3.amazonaws.com");
  in.ip = "203.0.113.77";
  Record out = in;
  out.ip = "198.51.100.1";
  Record v6 = in;
  v6.ip = "2001:db8::5";
  const auto y = rule("    s:\n        sourceIPAddress|cidr:\n            - 203.0.113.0/24\n"
                      "            - 2001:db8::/32\n    condition: s\n");
  CHECK(hits(y, {in, out, v6}) == 2);
}

TEST_CASE("sigma: exists, null and empty", "[sigma]") {
  Record with_error = named("StopLogging");
  with_error.error_code = "AccessDenied";
  Record without = named("StopLogging");
  CHECK(hits(rule("    s:\n        errorCode|exists: true\n    condition: s\n"), {with_error, without}) == 1);
  CHECK(hits(rule("    s:\n        errorCode|exists: false\n    condition: s\n"), {with_error, without}) == 1);
  // null: the field is absent or null
  CHECK(hits(rule("    s:\n        errorCode: null\n    condition: s\n"), {with_error, without}) == 1);
  CHECK(hits(rule("    s:\n        responseElements: null\n    condition: s\n"), {without}) == 1);
  Record empty = named("StopLogging");
  empty.request = "{\"name\":\"\"}";
  Record filled = named("StopLogging");
  filled.request = "{\"name\":\"trail\"}";
  CHECK(hits(rule("    s:\n        requestParameters.name: ''\n    condition: s\n"), {empty, filled, without}) == 1);
}

TEST_CASE("sigma: numbers and booleans compare as their text; gt/lt compare numbers", "[sigma]") {
  Record r = named("DescribeInstances", "ec2.amazonaws.com");
  r.request = "{\"maxResults\":50,\"dryRun\":false}";
  CHECK(hits(rule("    s:\n        requestParameters.maxResults: 50\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters.maxResults: 5\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        requestParameters.dryRun: false\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters.maxResults|gt: 49\n    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters.maxResults|lt: 50\n    condition: s\n"), {r}) == 0);
  CHECK(hits(rule("    s:\n        requestParameters.maxResults|lte: 50\n    condition: s\n"), {r}) == 1);
}

TEST_CASE("sigma: fieldref compares two fields of the event", "[sigma]") {
  Record self = named("UpdateLoginProfile", "iam.amazonaws.com");
  self.request = "{\"userName\":\"alice\"}";
  Record other = self;
  other.request = "{\"userName\":\"bob\"}";
  const auto y = rule("    selection:\n        eventName: UpdateLoginProfile\n"
                      "    filter:\n        userIdentity.userName|fieldref: requestParameters.userName\n"
                      "    condition: selection and not filter\n");
  CHECK(hits(y, {self, other}) == 1);
  const auto c = rule("    s:\n        userIdentity.arn|fieldref|endswith: requestParameters.userName\n"
                      "    condition: s\n");
  CHECK(hits(c, {self, other}) == 1);
}

TEST_CASE("sigma: dotted paths reach nested members and look into lists", "[sigma]") {
  Record r = named("ModifySnapshotAttribute", "ec2.amazonaws.com");
  r.request = "{\"createVolumePermission\":{\"add\":{\"items\":[{\"userId\":\"999988887777\"},"
              "{\"group\":\"all\"}]}}}";
  CHECK(hits(rule("    s:\n        requestParameters.createVolumePermission.add.items.group: all\n"
                  "    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters.createVolumePermission.add.items.userId: '999988887777'\n"
                  "    condition: s\n"), {r}) == 1);
  CHECK(hits(rule("    s:\n        requestParameters.createVolumePermission.remove.items.userId|exists: true\n"
                  "    condition: s\n"), {r}) == 0);
}

TEST_CASE("sigma: conditions with and, or, not and parentheses", "[sigma]") {
  const std::string sels =
      "    a:\n        eventName: StopLogging\n    b:\n        eventName: DeleteTrail\n"
      "    c:\n        awsRegion: eu-west-1\n";
  Record stop = named("StopLogging");
  Record del = named("DeleteTrail");
  Record del_eu = del;
  del_eu.region = "eu-west-1";
  Record upd = named("UpdateTrail");
  const std::vector<Record> all = {stop, del, del_eu, upd};
  CHECK(hits(rule(sels + "    condition: a or b\n"), all) == 3);
  CHECK(hits(rule(sels + "    condition: b and c\n"), all) == 1);
  CHECK(hits(rule(sels + "    condition: not a\n"), all) == 3);
  CHECK(hits(rule(sels + "    condition: (a or b) and not c\n"), all) == 2);
  CHECK(hits(rule(sels + "    condition: a or b and c\n"), all) == 2);  // and binds tighter
  CHECK(hits(rule(sels + "    condition: not (a or b)\n"), all) == 1);
}

TEST_CASE("sigma: 1 of, all of, them", "[sigma]") {
  const std::string sels =
      "    sel_stop:\n        eventName: StopLogging\n    sel_trail:\n        eventSource: cloudtrail.amazonaws.com\n"
      "    filter_region:\n        awsRegion: eu-west-1\n";
  Record stop = named("StopLogging");
  Record del = named("DeleteTrail");
  Record stop_eu = stop;
  stop_eu.region = "eu-west-1";
  Record s3 = named("ListBuckets", "s3.amazonaws.com");
  const std::vector<Record> all = {stop, del, stop_eu, s3};
  CHECK(hits(rule(sels + "    condition: 1 of sel_*\n"), all) == 3);
  CHECK(hits(rule(sels + "    condition: all of sel_*\n"), all) == 2);
  CHECK(hits(rule(sels + "    condition: all of sel_* and not 1 of filter_*\n"), all) == 1);
  CHECK(hits(rule(sels + "    condition: 1 of them\n"), all) == 3);
  CHECK(hits(rule(sels + "    condition: all of them\n"), all) == 1);
  CHECK(hits(rule(sels + "    condition: any of sel_*\n"), all) == 3);
  // A list of conditions: any of them holds.
  CHECK(hits(rule(sels + "    condition:\n        - sel_stop\n        - filter_region\n"), all) == 2);
}

TEST_CASE("sigma: a finding carries the rule's id, title, level, tags, author and references",
          "[sigma]") {
  Record r = named("StopLogging");
  const auto o = run_sigma(rule("    selection:\n        eventName: StopLogging\n"
                                "        eventSource: cloudtrail.amazonaws.com\n"
                                "    condition: selection\n"), {r});
  REQUIRE(o.result.findings.size() == 1);
  const auto& f = o.result.findings[0];
  CHECK(f.rule == "sigma:11111111-2222-3333-4444-555555555555");
  CHECK(f.severity == Severity::High);
  CHECK(f.title == "Test rule");
  CHECK(f.author == "Jane Doe");
  REQUIRE(f.tags.size() == 2);
  CHECK(f.tags[1] == "attack.t1098");
  REQUIRE(f.references.size() == 1);
  CHECK(f.references[0] == "https://example.com/ref");
  CHECK(has_reason(f, "matched eventName: StopLogging"));
  CHECK(has_reason(f, "matched eventSource: cloudtrail.amazonaws.com"));
  CHECK(has_reason(f, "author: Jane Doe"));
  CHECK(has_reason(f, "reference: https://example.com/ref"));
  CHECK(has_reason(f, "tags: attack.persistence, attack.t1098"));
}

TEST_CASE("sigma: levels map to severities", "[sigma]") {
  for (const auto& [level, sev] : std::vector<std::pair<std::string, Severity>>{
           {"informational", Severity::Informational}, {"low", Severity::Low},
           {"medium", Severity::Medium}, {"critical", Severity::Critical}}) {
    std::string y = rule("    s:\n        eventName: StopLogging\n    condition: s\n");
    y.replace(y.find("level: high"), 11, "level: " + level);
    const auto o = run_sigma(y, {named("StopLogging")});
    REQUIRE(o.result.findings.size() == 1);
    CHECK(o.result.findings[0].severity == sev);
  }
}

TEST_CASE("sigma: what the engine does not support is refused by name", "[sigma]") {
  CHECK(refusal(rule("    s:\n        eventName|base64: x\n    condition: s\n")).find("base64") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName|sorta: x\n    condition: s\n")).find("modifier 'sorta'") != std::string::npos);
  CHECK(refusal(rule("    keywords:\n        - evil\n    condition: keywords\n")).find("keyword") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName: x\n    condition: s | count() > 5\n")).find("aggregation") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName: x\n    timeframe: 5m\n    condition: s\n")).find("timeframe") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName: x\n    condition: s and t\n")).find("'t'") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName: x\n    condition: 1 of f_*\n")).find("names no selection") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName: x\n    condition: (s\n")).find("not closed") != std::string::npos);
  CHECK(refusal(rule("    s:\n        eventName|re: '(unclosed'\n    condition: s\n")).find("regular expression") != std::string::npos);
  CHECK(refusal(rule("    s:\n        sourceIPAddress|cidr: 'nope'\n    condition: s\n")).find("not a CIDR") != std::string::npos);
  CHECK(refusal("title: x\ncorrelation:\n    type: event_count\n").find("correlation") != std::string::npos);
  CHECK(refusal("title: [unclosed\n").find("YAML") != std::string::npos);
  // yaml-cpp would loop forever on these (found by fuzz_sigma).
  CHECK(refusal(",itie").find("YAML") != std::string::npos);
  CHECK(refusal(", a\ntitle: x\n").find("YAML") != std::string::npos);
  // A rule for other logs is skipped, not refused.
  auto set = sigma::compile_text("title: w\nlogsource:\n    product: windows\ndetection:\n"
                                 "    s:\n        EventID: 1\n    condition: s\n");
  REQUIRE(set->rules().size() == 1);
  CHECK(set->rules()[0].skipped);
  CHECK(set->rules()[0].refused.find("windows") != std::string::npos);
  CHECK(set->active() == 0);
}

TEST_CASE("sigma: placeholders are filled from lists, addresses through the radix tree",
          "[sigma]") {
  const auto dir = std::filesystem::temp_directory_path() / "trailhound-sigma-test";
  std::filesystem::create_directories(dir);
  const auto ips = (dir / "ips.txt").string();
  const auto countries = (dir / "countries.txt").string();
  std::ofstream(ips) << "# office\n203.0.113.0/24\n2001:db8::/32\n";
  std::ofstream(countries) << "US\n";
  const std::string detection =
      "    selection:\n        eventName: 'ConsoleLogin'\n        responseElements.ConsoleLogin: 'Success'\n"
      "    filter_main_country:\n        src_country|expand: '%Legitimate_Countries%'\n"
      "    filter_main_ip:\n        src_ip|expand: '%Legitimate_IP_Ranges%'\n"
      "    condition: selection and not 1 of filter_main_*\n";
  auto login = [](const std::string& ip) {
    Record r = named("ConsoleLogin", "signin.amazonaws.com");
    r.ip = ip;
    r.response = "{\"ConsoleLogin\":\"Success\"}";
    return r;
  };
  const std::vector<Record> logins = {login("203.0.113.9"), login("198.51.100.4"),
                                      login("2001:db8::1")};
  const intel::IntelDb none;
  // From a file; no GeoIP, so the country filter excludes nothing: only the list counts.
  CHECK(hits(rule(detection), logins, none,
             {{"Legitimate_IP_Ranges", ips}, {"Legitimate_Countries", countries}}) == 1);
  // From the sign-in allow list when no file is given.
  intel::IntelDb allow;
  add(allow, intel::ListRole::SigninAllow, "office", "198.51.100.0/24");
  CHECK(hits(rule(detection), logins, allow) == 2);
  // Unfilled: matches nothing (every login is reported), with a note naming it.
  auto set = sigma::compile_text(rule(detection));
  bool noted = false;
  for (const auto& n : set->notes()) noted |= n.find("%Legitimate_IP_Ranges%") != std::string::npos;
  CHECK(noted);
  CHECK(hits(rule(detection), logins) == 3);
  // Text values match as text, ignoring case.
  const auto agents = (dir / "agents.txt").string();
  std::ofstream(agents) << "Terraform\n";
  Record tf = named("StopLogging");
  tf.agent = "terraform";
  CHECK(hits(rule("    s:\n        userAgent|expand: '%Tools%'\n    condition: s\n"),
             {tf, named("StopLogging")}, none, {{"Tools", agents}}) == 1);
  std::filesystem::remove_all(dir);
}

namespace {

/// Runs `yaml` over `records` (each a JSON object) as the reader gives them: the matches, and
/// how many records the matcher parsed.
std::pair<std::size_t, std::uint64_t> match_records(const std::string& yaml,
                                                    const std::vector<std::string>& records) {
  auto set = sigma::compile_text(yaml);
  REQUIRE(set->rules().size() == 1);
  REQUIRE(set->rules().front().refused.empty());
  sigma::Matcher m(*set, nullptr);
  std::size_t n = 0;
  std::string buffer = "{\"Records\":[";
  for (std::size_t i = 0; i < records.size(); ++i) buffer += (i ? "," : "") + records[i];
  buffer += "]}";
  const std::size_t size = buffer.size();
  buffer.append(kBufferPadding, '\0');
  EventReader reader;
  (void)reader.read(std::string_view(buffer.data(), size), 0, [&](const EventView& e) {
    m.match(e, [&](std::size_t, const auto&) { ++n; });
  });
  return {n, m.records_parsed()};
}

}  // namespace

TEST_CASE("sigma: the record is parsed only for events a rule's pre-filter lets through",
          "[sigma]") {
  Record stop = named("StopLogging");
  stop.request = "{\"name\":\"main\"}";
  std::vector<std::string> records(20, named("ListBuckets", "s3.amazonaws.com").json());
  records.push_back(stop.json());
  // A rule on the event view's own fields never parses the record.
  CHECK(match_records(rule("    s:\n        eventName: StopLogging\n"
                           "        userIdentity.arn|contains: alice\n    condition: s\n"),
                      records) == std::pair<std::size_t, std::uint64_t>{1, 0});
  // A rule on requestParameters parses only the StopLogging record.
  CHECK(match_records(rule("    s:\n        eventName: StopLogging\n"
                           "        requestParameters.name: main\n    condition: s\n"),
                      records) == std::pair<std::size_t, std::uint64_t>{1, 1});
}

TEST_CASE("sigma: a member the reader saw absent is absent without a parse; null, lists and "
          "other values are looked up in the record", "[sigma]") {
  using Counts = std::pair<std::size_t, std::uint64_t>;
  const std::string head = "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-01T00:00:00Z\","
                           "\"eventSource\":\"sts.amazonaws.com\",\"eventName\":\"AssumeRole\",";
  // An AWS service's call: its userIdentity has no arn, and the record no errorCode.
  const std::string service = head + "\"userIdentity\":{\"type\":\"AWSService\","
                                     "\"invokedBy\":\"ec2.amazonaws.com\"}}";
  const std::string null_arn = head + "\"userIdentity\":{\"type\":\"AWSService\",\"arn\":null},"
                                      "\"errorCode\":null}";
  const std::string number_arn = head + "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":{\"a\":1}}}";
  const std::string listed = head + "\"userIdentity\":[{\"type\":\"IAMUser\",\"arn\":\"arn:x\"}]}";
  const std::string listed_issuer =
      head + "\"userIdentity\":{\"type\":\"AssumedRole\",\"sessionContext\":["
             "{\"sessionIssuer\":{\"type\":\"Role\"}}]}}";
  const auto r = [](const std::string& sel) {
    return rule("    s:\n        eventName: AssumeRole\n        " + sel + "\n    condition: s\n");
  };
  // Absent, told by the reader: no parse.
  CHECK(match_records(r("userIdentity.arn|exists: false"), {service}) == Counts{1, 0});
  CHECK(match_records(r("userIdentity.arn: null"), {service}) == Counts{1, 0});
  CHECK(match_records(r("errorCode|exists: false"), {service}) == Counts{1, 0});
  CHECK(match_records(r("userIdentity.sessionContext.sessionIssuer.type: Role"), {service}) ==
        Counts{0, 0});
  // Present but null, or not text: the record is parsed to tell.
  CHECK(match_records(r("userIdentity.arn|exists: true"), {null_arn}) == Counts{1, 1});
  CHECK(match_records(r("userIdentity.arn: null"), {null_arn}) == Counts{1, 1});
  CHECK(match_records(r("errorCode|exists: true"), {null_arn}) == Counts{1, 1});
  CHECK(match_records(r("userIdentity.arn|contains: '\"a\"'"), {number_arn}) == Counts{1, 1});
  // A list where an object belongs: the lookup goes into its elements, so it is parsed.
  CHECK(match_records(r("userIdentity.arn: 'arn:x'"), {listed}) == Counts{1, 1});
  CHECK(match_records(r("userIdentity.sessionContext.sessionIssuer.type: Role"), {listed_issuer}) ==
        Counts{1, 1});
}
