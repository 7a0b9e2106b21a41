// Tests for src/report/owned_event.cpp and src/report/activity.cpp: one-line JSON, activity
// statistics, event order, and the timeline printers.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/format.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;

namespace {

const TimeMs kT = *parse_timestamp("2026-03-14T10:00:00Z");

/// Reads `json` with the real reader and hands every event to `visit`.
ParseOutcome read_events(const std::string& json, const std::function<void(const EventView&)>& visit,
                         std::uint32_t file = 0) {
  std::string buffer = json;
  buffer.append(kBufferPadding, '\0');
  EventReader reader;
  return reader.read(std::string_view(buffer.data(), json.size()), file, visit);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

EventView view(TimeMs time, std::string_view name, std::string_view ip, std::string_view region,
               std::string_view error = {}, std::string_view key = {}) {
  EventView e;
  e.time = time;
  e.event_name = name;
  e.event_source = "s3.amazonaws.com";
  e.source_ip = ip;
  e.aws_region = region;
  e.error_code = error;
  e.user_agent = "aws-cli/2";
  e.identity.access_key_id = key;
  return e;
}

using PrincipalMap = std::map<std::string, ActivityStats, std::less<>>;

/// Prints a timeline through the printer of `format`, as the timeline command does.
void print_timeline(std::ostream& out, std::string_view format,
                    const std::vector<OwnedEvent>& events, const ActivityStats& stats,
                    const RunTotals& totals, const FileTable& files) {
  auto printer = make_printer(format, Command::Timeline, out, {});
  REQUIRE(printer);
  (*printer)->begin(PrintBegin{Command::Timeline, &files, false, {}});
  for (const auto& e : events) (*printer)->event(e);
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = stats.events;
  summary.stats = &stats;
  (*printer)->summary(summary);
  (*printer)->end();
}

bool same(const ActivityStats& a, const ActivityStats& b) {
  return a.events == b.events && a.errors == b.errors && a.first_seen == b.first_seen &&
         a.last_seen == b.last_seen && a.source_ips == b.source_ips && a.regions == b.regions &&
         a.user_agents == b.user_agents && a.access_keys == b.access_keys &&
         a.actions == b.actions && a.error_codes == b.error_codes;
}

}  // namespace

// ---- compact_json -----------------------------------------------------------------------------

TEST_CASE("compact_json puts pretty JSON on one line", "[report][compact]") {
  std::string out;
  REQUIRE(compact_json("{\n  \"a\" : [ 1,\r\n\t2 ],\n  \"b\": { \"c\": null }\n}\n", out));
  CHECK(out == R"({"a":[1,2],"b":{"c":null}})");
}

TEST_CASE("compact_json keeps white space and escapes inside strings", "[report][compact]") {
  std::string out;
  REQUIRE(compact_json(R"({ "k" : "a b\t\"c\" \\ \u00e9 \n" })", out));
  CHECK(out == R"({"k":"a b\t\"c\" \\ \u00e9 \n"})");
}

TEST_CASE("compact_json escapes a raw control character inside a string", "[report][compact]") {
  std::string out;
  REQUIRE(compact_json("{\"k\":\"line1\nline2\ttab\x01\x1b[31m\x7f\"}", out));
  CHECK(out == R"({"k":"line1\nline2\ttab\u0001\u001b[31m\u007f"})");
  CHECK(out.find('\n') == std::string::npos);
}

TEST_CASE("compact_json replaces invalid UTF-8 and counts it", "[report][compact]") {
  std::string out;
  std::size_t replaced = 0;
  REQUIRE(compact_json("{\"k\":\"a\xFF\xFE z \xC3\xA9 \xED\xA0\x80\"}", out, &replaced));
  CHECK(out == "{\"k\":\"a\xEF\xBF\xBD\xEF\xBF\xBD z \xC3\xA9 "
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  CHECK(replaced == 5);
  CHECK(is_valid_utf8(out));
}

TEST_CASE("compact_json refuses text that is not JSON", "[report][compact]") {
  std::string out;
  CHECK_FALSE(compact_json(R"({"a":)", out));
  CHECK_FALSE(compact_json(R"({"a":"unterminated})", out));
  CHECK_FALSE(compact_json(R"({"a" 1})", out));
  CHECK_FALSE(compact_json("not json", out));
  CHECK_FALSE(compact_json(R"({"a":1}})", out));
  CHECK_FALSE(compact_json(R"({"a":"\)", out));
  CHECK_FALSE(compact_json("", out));
}

TEST_CASE("compact_json accepts scalars and arrays", "[report][compact]") {
  std::string out;
  CHECK(compact_json(" [ 1 , true , null ] ", out));
  CHECK(out == "[1,true,null]");
  CHECK(compact_json(" \"x y\" ", out));
  CHECK(out == R"("x y")");
}

// ---- ActivityStats ----------------------------------------------------------------------------

TEST_CASE("ActivityStats counts events, errors and distinct values", "[report][stats]") {
  ActivityStats s;
  s.add(view(kT + 5000, "GetObject", "1.2.3.4", "us-east-1", "", "AKIA1"));
  s.add(view(kT, "GetObject", "1.2.3.4", "us-east-1", "AccessDenied", "AKIA1"));
  s.add(view(kT + 9000, "ListBuckets", "5.6.7.8", "eu-west-1", "AccessDenied"));
  CHECK(s.events == 3);
  CHECK(s.errors == 2);
  CHECK(s.first_seen == kT);
  CHECK(s.last_seen == kT + 9000);
  CHECK(s.source_ips == decltype(s.source_ips){{"1.2.3.4", 2}, {"5.6.7.8", 1}});
  CHECK(s.regions.size() == 2);
  CHECK(s.access_keys == decltype(s.access_keys){{"AKIA1", 2}});
  CHECK(s.actions == decltype(s.actions){{"s3.amazonaws.com:GetObject", 2},
                                                          {"s3.amazonaws.com:ListBuckets", 1}});
  CHECK(s.error_codes == decltype(s.error_codes){{"AccessDenied", 2}});
}

TEST_CASE("ActivityStats first and last seen work before 1970", "[report][stats]") {
  ActivityStats s;
  s.add(view(-5000, "A", "1.1.1.1", "r"));
  s.add(view(-9000, "A", "1.1.1.1", "r"));
  CHECK(s.first_seen == -9000);
  CHECK(s.last_seen == -5000);
}

TEST_CASE("ActivityStats merged from parts equal adding all to one", "[report][stats]") {
  std::vector<EventView> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(view(kT + (i * 7919) % 100000 - 50000, i % 3 ? "GetObject" : "PutObject",
                          i % 5 ? "10.0.0.1" : "10.0.0.2", i % 4 ? "us-east-1" : "eu-west-1",
                          i % 6 ? "" : "AccessDenied", i % 2 ? "AKIA1" : ""));
  }
  ActivityStats all;
  for (const auto& e : events) all.add(e);
  // split three ways, including an empty part, merged in a different order
  ActivityStats a, b, empty, merged;
  for (std::size_t i = 0; i < events.size(); ++i) (i % 3 == 0 ? a : b).add(events[i]);
  merged.merge(empty);
  merged.merge(b);
  merged.merge(empty);
  merged.merge(a);
  CHECK(same(merged, all));
  // merging into a non-empty one is the same too
  ActivityStats c = a;
  c.merge(b);
  CHECK(same(c, all));
}

TEST_CASE("merging keeps the first principal type and name", "[report][stats]") {
  ActivityStats a, b;
  b.principal.type = "IAMUser";
  b.principal.user = "alice";
  b.add(view(kT, "A", "1.1.1.1", "r"));
  a.merge(b);
  CHECK(a.principal.type == "IAMUser");
  CHECK(a.principal.user == "alice");
}

// ---- OwnedEvent -------------------------------------------------------------------------------

TEST_CASE("owned events sort by time, then file, then record index", "[report][order]") {
  auto make = [](TimeMs t, std::uint32_t file, std::uint64_t index) {
    OwnedEvent e;
    e.time = t;
    e.source = SourceRef{file, index};
    return e;
  };
  std::vector<OwnedEvent> v{make(kT + 1, 0, 0), make(kT, 2, 0), make(kT, 1, 5), make(kT, 1, 2),
                            make(kT - 1, 9, 9)};
  std::sort(v.begin(), v.end());
  std::vector<std::tuple<TimeMs, std::uint32_t, std::uint64_t>> got;
  for (const auto& e : v) got.emplace_back(e.time, e.source.file, e.source.index);
  CHECK(got == std::vector<std::tuple<TimeMs, std::uint32_t, std::uint64_t>>{
                   {kT - 1, 9, 9}, {kT, 1, 2}, {kT, 1, 5}, {kT, 2, 0}, {kT + 1, 0, 0}});
  CHECK_FALSE(make(kT, 1, 1) < make(kT, 1, 1));
}

TEST_CASE("an owned event copies the fields and a one-line record", "[report][owned]") {
  const std::string json = "{\"Records\":[{\n  \"eventTime\": \"2026-03-14T10:00:00Z\",\n"
                           "  \"eventName\": \"GetObject\",\n  \"userIdentity\": {\"type\": "
                           "\"AssumedRole\", \"arn\": \"arn:aws:sts::1:assumed-role/r/s\", "
                           "\"sessionContext\": {\"sessionIssuer\": {\"userName\": \"r\", "
                           "\"arn\": \"arn:aws:iam::1:role/r\"}}},\n  \"userAgent\": \"x\\ty\"\n}]}";
  std::vector<OwnedEvent> kept;
  const auto outcome = read_events(json, [&](const EventView& e) { kept.push_back(OwnedEvent::from(e)); });
  REQUIRE(outcome.records_used == 1);
  REQUIRE(kept.size() == 1);
  const auto& o = kept[0];
  CHECK(o.event_name == "GetObject");
  CHECK(o.user_agent == "x\ty");
  CHECK(o.principal.type == "AssumedRole");
  CHECK(o.principal.user == "r/s");
  CHECK(o.principal.session_issuer == "arn:aws:iam::1:role/r");
  CHECK(o.principal.key() == "arn:aws:sts::1:assumed-role/r/s");
  CHECK(o.record.find('\n') == std::string::npos);
  CHECK(o.record.find('\t') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(o.record).get(doc) == simdjson::SUCCESS);
  std::string_view agent;
  REQUIRE(doc["userAgent"].get(agent) == simdjson::SUCCESS);
  CHECK(agent == "x\ty");
}

TEST_CASE("a principal key falls back from ARN to principalId to type and name",
          "[report][owned]") {
  Principal p;
  p.type = "AWSService";
  p.user = "ec2.amazonaws.com";
  CHECK(p.key() == "AWSService:ec2.amazonaws.com");
  p.principal_id = "AIDA1";
  CHECK(p.key() == "AIDA1");
  p.arn = "arn:aws:iam::1:user/a";
  CHECK(p.key() == "arn:aws:iam::1:user/a");
}

// ---- printers ---------------------------------------------------------------------------------

namespace {

/// A small run through the real reader, with one hostile record, for the printers.
struct Fixture {
  std::vector<OwnedEvent> events;
  ActivityStats stats;
  RunTotals totals;
  FileTable files{InputFile{"logs/a.json", false, true},
                  InputFile{"logs/\x1b[2Jb\xFF.json", false, true}};

  Fixture() {
    const std::string a =
        R"({"Records":[)"
        R"({"eventTime":"2026-03-14T10:00:02Z","eventName":"GetObject","eventSource":"s3.amazonaws.com",)"
        R"("awsRegion":"us-east-1","sourceIPAddress":"104.102.221.250","userAgent":"=cmd|' /C calc'!A0",)"
        R"("userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::1:user/alice",)"
        R"("accessKeyId":"AKIA1"},"requestParameters":{"key":"a\"b\u0000"}},)"
        R"({"eventTime":"2026-03-14T10:00:00.500Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com",)"
        "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"AWS Internal\",\"userAgent\":\"odd \\u00ff\","
        R"("errorCode":"AccessDenied"},)"
        R"({"eventName":"NoTime"}]})";
    const std::string b =
        "{\"eventTime\":\"2026-03-14T10:00:01Z\",\"eventName\":\"Ctl\\u001b[31m\",\"userAgent\":"
        "\"tab\\tcontrol\",\"userIdentity\":{\"type\":\"Brand\\\"New\"}}";
    for (std::uint32_t file = 0; file < 2; ++file) {
      const auto po = read_events(file == 0 ? a : b, [&](const EventView& e) {
        events.push_back(OwnedEvent::from(e));
        stats.add(e);
      }, file);
      totals.records_read += po.records_read;
      totals.records_used += po.records_used;
      totals.records_rejected += po.records_rejected;
      ++totals.files_read;
    }
    std::sort(events.begin(), events.end());
  }
};

}  // namespace

TEST_CASE("every JSON Lines timeline line parses and the last is the summary",
          "[report][print]") {
  Fixture fx;
  REQUIRE(fx.events.size() == 3);
  std::ostringstream out;
  print_timeline(out, "jsonl", fx.events, fx.stats, fx.totals, fx.files);
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 4);
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    INFO("line: " << line);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    CHECK(is_valid_utf8(line));
  }
  // events in time order
  std::vector<std::string> times;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    simdjson::dom::element doc;
    REQUIRE(parser.parse(lines[i]).get(doc) == simdjson::SUCCESS);
    std::string_view type, time;
    REQUIRE(doc["type"].get(type) == simdjson::SUCCESS);
    CHECK(type == "event");
    REQUIRE(doc["time"].get(time) == simdjson::SUCCESS);
    times.emplace_back(time);
    simdjson::dom::element record;
    CHECK(doc["record"].get(record) == simdjson::SUCCESS);
  }
  CHECK(times == std::vector<std::string>{"2026-03-14T10:00:00.500Z", "2026-03-14T10:00:01Z",
                                          "2026-03-14T10:00:02Z"});
  simdjson::dom::element summary;
  REQUIRE(parser.parse(lines.back()).get(summary) == simdjson::SUCCESS);
  std::string_view type;
  REQUIRE(summary["type"].get(type) == simdjson::SUCCESS);
  CHECK(type == "summary");
  std::uint64_t read = 0, used = 0, rejected = 0, matched = 0;
  REQUIRE(summary["records"]["read"].get(read) == simdjson::SUCCESS);
  REQUIRE(summary["records"]["used"].get(used) == simdjson::SUCCESS);
  REQUIRE(summary["records"]["rejected"].get(rejected) == simdjson::SUCCESS);
  REQUIRE(summary["records"]["matched"].get(matched) == simdjson::SUCCESS);
  CHECK(read == 4);
  CHECK(used == 3);
  CHECK(rejected == 1);
  CHECK(read == used + rejected);
  CHECK(matched == 3);
  std::uint64_t events = 0;
  REQUIRE(summary["events"].get(events) == simdjson::SUCCESS);
  CHECK(events == 3);
}

TEST_CASE("the JSON Lines event names its file and keeps an unlisted identity type",
          "[report][print]") {
  Fixture fx;
  std::ostringstream out;
  print_timeline(out, "jsonl", fx.events, fx.stats, fx.totals, fx.files);
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 4);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(lines[1]).get(doc) == simdjson::SUCCESS);
  std::string_view file, type;
  REQUIRE(doc["source"]["file"].get(file) == simdjson::SUCCESS);
  // JSON-escaped in the line, the invalid byte replaced by U+FFFD
  CHECK(file == "logs/\x1b[2Jb\xEF\xBF\xBD.json");
  CHECK(lines[1].find('\x1b') == std::string::npos);
  REQUIRE(doc["principal"]["type"].get(type) == simdjson::SUCCESS);
  CHECK(type == "Brand\"New");
}

TEST_CASE("an empty JSON Lines timeline is the summary alone", "[report][print]") {
  std::ostringstream out;
  RunTotals totals;
  print_timeline(out, "jsonl", {}, ActivityStats{}, totals, {});
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 1);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(lines[0]).get(doc) == simdjson::SUCCESS);
  CHECK(doc["first_seen"].is_null());
}

TEST_CASE("the JSON timeline is one valid document", "[report][print]") {
  Fixture fx;
  std::ostringstream out;
  print_timeline(out, "json", fx.events, fx.stats, fx.totals, fx.files);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(out.str()).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array events;
  REQUIRE(doc["events"].get(events) == simdjson::SUCCESS);
  CHECK(events.size() == 3);
}

TEST_CASE("CSV output neutralises a formula in the user agent", "[report][print]") {
  Fixture fx;
  std::ostringstream out;
  print_timeline(out, "csv", fx.events, fx.stats, fx.totals, fx.files);
  const std::string csv = out.str();
  CHECK(csv.find(R"("'=cmd|' /C calc'!A0")") != std::string::npos);
  CHECK(csv.find(",=cmd") == std::string::npos);
  CHECK(is_valid_utf8(csv));
  // header plus three rows, each ending in CRLF
  std::size_t rows = 0;
  for (std::size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", at + 2)) {
    ++rows;
  }
  CHECK(rows == 4);
  CHECK(csv.rfind("time,principal_type,user,", 0) == 0);
}

TEST_CASE("the text timeline shows no raw control characters", "[report][print]") {
  Fixture fx;
  std::ostringstream out;
  print_timeline(out, "text", fx.events, fx.stats, fx.totals, fx.files);
  const std::string text = out.str();
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\t') == std::string::npos);
  CHECK(text.find("records: 4 read, 3 used, 1 rejected, 3 matched") != std::string::npos);
}

TEST_CASE("the principal summary in JSON Lines parses line by line", "[report][print]") {
  PrincipalMap principals;
  auto& a = principals["arn:aws:iam::1:user/alice"];
  a.principal.type = "IAMUser";
  a.principal.user = "alice";
  a.add(view(kT, "GetObject", "1.2.3.4", "us-east-1"));
  auto& b = principals["AWSService:ec2.amazonaws.com"];
  b.principal.type = "AWSService";
  b.principal.user = "ec2\x1b.amazonaws.com";
  b.add(view(kT, "A", "ec2.amazonaws.com", "us-east-1"));
  b.add(view(kT + 1, "A", "ec2.amazonaws.com", "us-east-1"));
  RunTotals totals;
  totals.records_read = totals.records_used = 3;
  std::ostringstream out;
  auto printer = make_printer("jsonl", Command::Summary, out, {});
  REQUIRE(printer);
  FileTable files;
  (*printer)->begin(PrintBegin{Command::Summary, &files, false, {}});
  (*printer)->principal("AWSService:ec2.amazonaws.com", principals["AWSService:ec2.amazonaws.com"]);
  (*printer)->principal("arn:aws:iam::1:user/alice", principals["arn:aws:iam::1:user/alice"]);
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = 3;
  summary.principals = 2;
  (*printer)->summary(summary);
  (*printer)->end();
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 3);
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    simdjson::dom::element doc;
    CHECK(parser.parse(line).get(doc) == simdjson::SUCCESS);
  }
  // busiest first
  CHECK(lines[0].find("AWSService") != std::string::npos);
}

TEST_CASE("the JSON text memo writes what append_json_string writes, each address once",
          "[report][memo]") {
  JsonTextMemo memo;
  // Long and short, plain and with escapes: kept alive and unchanged, as a finding's text is.
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) {
    std::string t = "reference: https://example.com/rules/" + std::to_string(i);
    if (i % 5 == 0) t += " \"quoted\" \\ \n \x01 \xC3\xA9 \xFF";
    if (i % 7 == 0) t = "short" + std::to_string(i);
    texts.push_back(std::move(t));
  }
  for (int round = 0; round < 3; ++round) {
    for (const std::string& t : texts) {
      std::string want = "x", got = "x";
      append_json_string(want, t);
      memo.append(got, t);
      REQUIRE(got == want);
    }
  }
  // The same bytes at another address, and a prefix of a memoised string at its address,
  // are strings of their own.
  const std::string copy = texts[1];
  std::string got;
  memo.append(got, copy);
  CHECK(got == json_string(texts[1]));
  const std::string_view head = std::string_view(texts[1]).substr(0, 30);
  got.clear();
  memo.append(got, head);
  CHECK(got == json_string(head));
}
