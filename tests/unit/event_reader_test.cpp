// Tests for src/parse/event_reader.cpp and src/parse/identity.cpp: every export shape, the
// identity fields, raw record text, and hostile input. Buffers carry kBufferPadding zero bytes
// after the data, as the decode stage guarantees.
#include <catch2/catch.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;

namespace {

/// What a test keeps of one visited event (views die when the visit returns).
struct Seen {
  std::string event_time, event_name, event_source, event_id, region, source_ip, user_agent,
      error_code, event_type, recipient;
  TimeMs time = 0;
  std::optional<bool> read_only;
  IdentityType type = IdentityType::Missing;
  std::string type_text, principal_id, arn, account_id, access_key_id, user_name, invoked_by,
      issuer_type, issuer_arn, issuer_user_name, on_behalf_user_id, mfa, identity_provider,
      session_name, display_name;
  std::string record, request_parameters, response_elements, additional;
  bool request_present = false;
  SourceRef source;
};

Seen keep(const EventView& e) {
  Seen s;
  s.event_time = e.event_time;
  s.event_name = e.event_name;
  s.event_source = e.event_source;
  s.event_id = e.event_id;
  s.region = e.aws_region;
  s.source_ip = e.source_ip;
  s.user_agent = e.user_agent;
  s.error_code = e.error_code;
  s.event_type = e.event_type;
  s.recipient = e.recipient_account_id;
  s.time = e.time;
  s.read_only = e.read_only;
  const IdentityView& id = e.identity;
  s.type = id.type;
  s.type_text = id.type_text;
  s.principal_id = id.principal_id;
  s.arn = id.arn;
  s.account_id = id.account_id;
  s.access_key_id = id.access_key_id;
  s.user_name = id.user_name;
  s.invoked_by = id.invoked_by;
  s.issuer_type = id.issuer_type;
  s.issuer_arn = id.issuer_arn;
  s.issuer_user_name = id.issuer_user_name;
  s.on_behalf_user_id = id.on_behalf_user_id;
  s.mfa = id.mfa_authenticated;
  s.identity_provider = id.identity_provider;
  s.session_name = id.session_name();
  s.display_name = id.display_name();
  s.record = e.record.text();
  s.request_parameters = e.request_parameters.text();
  s.request_present = e.request_parameters.present();
  s.response_elements = e.response_elements.text();
  s.additional = e.additional_event_data.text();
  s.source = e.source;
  return s;
}

struct Result {
  ParseOutcome outcome;
  std::vector<Seen> events;
  [[nodiscard]] std::string messages() const {
    std::string all;
    for (const auto& m : outcome.messages) all += m + "\n";
    return all;
  }
};

/// Reads `json` as one file, with the padding the reader needs, and checks the accounting
/// invariant that holds for every input.
Result read(std::string_view json, ParseLimits limits = {}, std::uint32_t file_index = 3) {
  std::string buffer(json);
  buffer.append(kBufferPadding, '\0');
  EventReader reader(limits);
  Result r;
  r.outcome = reader.read(std::string_view(buffer.data(), json.size()), file_index,
                          [&](const EventView& e) { r.events.push_back(keep(e)); });
  INFO("messages:\n" << r.messages());
  CHECK(r.outcome.records_read == r.outcome.records_used + r.outcome.records_rejected);
  CHECK(r.outcome.records_used == r.events.size());
  return r;
}

std::string event(const std::string& time, const std::string& name, const std::string& id = "",
                  const std::string& extra = "") {
  std::string s = R"({"eventVersion":"1.09","eventTime":")" + time + R"(","eventName":")" +
                  name + R"(","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1")";
  if (!id.empty()) s += R"(,"eventID":")" + id + "\"";
  if (!extra.empty()) s += "," + extra;
  s += "}";
  return s;
}

/// `text` as a JSON string literal (for records embedded as strings).
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const std::string E1 = event("2026-03-14T10:00:00Z", "ListBuckets", "e1");
const std::string E2 = event("2026-03-14T10:01:00Z", "GetObject", "e2");
const std::string E3 = event("2026-03-14T10:02:00Z", "PutObject", "e3");

std::vector<std::string> names(const Result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.events) out.push_back(e.event_name);
  return out;
}

const std::vector<std::string> kThree{"ListBuckets", "GetObject", "PutObject"};

TimeMs at(const char* iso) { return *parse_timestamp(iso); }

/// 2026-03-14T10:MM:SSZ for the `i`th second.
std::string fmt_time(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-03-14T1%d:%02d:%02dZ", i / 3600, i / 60 % 60, i % 60);
  return buf;
}

}  // namespace

// ---- export shapes ----------------------------------------------------------------------------

TEST_CASE("an S3 Records file gives every record", "[parse][shape]") {
  const auto r = read(R"({"Records":[)" + E1 + "," + E2 + "," + E3 + "]}");
  CHECK(r.outcome.shape == Shape::Records);
  CHECK(names(r) == kThree);
  CHECK(r.outcome.records_read == 3);
  CHECK(r.outcome.records_rejected == 0);
  CHECK_FALSE(r.outcome.file_error);
  CHECK(r.events[0].time == at("2026-03-14T10:00:00Z"));
  CHECK(r.events[1].source.index == 1);
  CHECK(r.events[2].source.file == 3);
}

TEST_CASE("an empty Records array is read without error", "[parse][shape]") {
  const auto r = read(R"({"Records":[]})");
  CHECK(r.outcome.shape == Shape::Records);
  CHECK(r.outcome.records_read == 0);
  CHECK_FALSE(r.outcome.file_error);
}

TEST_CASE("a bare JSON array of events is read", "[parse][shape]") {
  const auto r = read("[" + E1 + ",\n " + E2 + ",\n " + E3 + "]\n");
  CHECK(r.outcome.shape == Shape::Array);
  CHECK(names(r) == kThree);
  CHECK_FALSE(r.outcome.file_error);
}

TEST_CASE("an empty array is an array of no events, not an error", "[parse][shape]") {
  const auto r = read("[]");
  CHECK(r.outcome.shape == Shape::Array);
  CHECK(r.outcome.records_read == 0);
  CHECK_FALSE(r.outcome.file_error);
  CHECK_FALSE(r.outcome.not_json);
}

TEST_CASE("a single event object is read", "[parse][shape]") {
  const auto r = read("\n  " + E2 + "\n");
  CHECK(r.outcome.shape == Shape::Single);
  CHECK(names(r) == std::vector<std::string>{"GetObject"});
  CHECK(r.events[0].source.index == 0);
}

TEST_CASE("a single event is told by any event key, even after unknown keys", "[parse][shape]") {
  const auto r =
      read(R"({"something":1,"eventID":"x","eventTime":"2026-03-14T10:00:00Z","eventName":"A"})");
  CHECK(r.outcome.shape == Shape::Single);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].event_name == "A");
  CHECK(r.events[0].event_id == "x");
}

TEST_CASE("NDJSON gives one event a line", "[parse][shape]") {
  const auto r = read(E1 + "\n" + E2 + "\r\n" + E3 + "\n");
  CHECK(r.outcome.shape == Shape::Lines);
  CHECK(names(r) == kThree);
  CHECK(r.events[2].source.index == 2);
}

TEST_CASE("concatenated event objects with no separator are read", "[parse][shape]") {
  const auto r = read(E1 + E2 + E3);
  CHECK(r.outcome.shape == Shape::Lines);
  CHECK(names(r) == kThree);
  CHECK_FALSE(r.outcome.file_error);
}

TEST_CASE("lookup-events output gives the record inside each CloudTrailEvent string",
          "[parse][shape]") {
  const std::string json = R"({"Events":[{"EventId":"e1","EventName":"ListBuckets",)"
                           R"("EventTime":"2021-11-18T09:41:02-08:00","CloudTrailEvent":)" +
                           quoted(E1) + R"(},{"EventId":"e2","CloudTrailEvent":)" + quoted(E2) +
                           R"(,"Resources":[]}],"NextToken":"abc"})";
  const auto r = read(json);
  CHECK(r.outcome.shape == Shape::LookupEvents);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
  // the time is the inner eventTime, not the outer EventTime
  CHECK(r.events[0].time == at("2026-03-14T10:00:00Z"));
  // the record's text is the embedded record, unescaped
  CHECK(r.events[0].record == E1);
  CHECK(r.events[1].source.index == 1);
}

TEST_CASE("lookup-events entries whose CloudTrailEvent is null, a number or not JSON are "
          "rejected and counted while the good ones beside them are used",
          "[parse][shape]") {
  const std::string json = R"({"Events":[)"
                           R"({"EventId":"a","CloudTrailEvent":)" + quoted(E1) + "},"
                           R"({"EventId":"b","CloudTrailEvent":null},)"
                           R"({"EventId":"c","CloudTrailEvent":42},)"
                           R"({"EventId":"d","CloudTrailEvent":"{not json at all"},)"
                           R"({"EventId":"e","CloudTrailEvent":)" + quoted(E2) + "},"
                           R"({"EventId":"f"},)"
                           R"({"EventId":"g","CloudTrailEvent":)" + quoted(E3) + "}]}";
  const auto r = read(json);
  CHECK(r.outcome.shape == Shape::LookupEvents);
  CHECK(names(r) == kThree);
  CHECK(r.outcome.records_read == 7);
  CHECK(r.outcome.records_used == 3);
  CHECK(r.outcome.records_rejected == 4);
  CHECK_FALSE(r.outcome.file_error);
  CHECK(r.outcome.messages.size() == 4);
  // record indexes follow the entries' positions
  CHECK(r.events[1].source.index == 4);
  CHECK(r.events[2].source.index == 6);
}

TEST_CASE("CloudTrail Lake rows are merged into one record each", "[parse][shape]") {
  const std::string json = R"({"QueryStatus":"FINISHED","QueryResultRows":[)"
                           R"([{"eventTime":"2026-03-14 10:00:00.000"},{"eventName":"ListBuckets"},)"
                           R"({"userIdentity":{"type":"IAMUser","userName":"alice"}},{"eventID":"l1"}],)"
                           R"([{"eventTime":"2026-03-14 10:01:00.250"},{"eventName":"GetObject"},{}]]})";
  const auto r = read(json);
  CHECK(r.outcome.shape == Shape::Lake);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
  CHECK(r.events[0].user_name == "alice");
  CHECK(r.events[0].type == IdentityType::IAMUser);
  CHECK(r.events[0].event_id == "l1");
  CHECK(r.events[1].time == at("2026-03-14T10:01:00.250Z"));
  CHECK(r.events[1].type == IdentityType::Missing);
  CHECK(r.outcome.records_rejected == 0);
}

TEST_CASE("a Lake row that is not an array is rejected, the other rows used",
          "[parse][shape]") {
  const auto r = read(R"({"QueryResultRows":[5,[{"eventTime":"2026-03-14T10:00:00Z"},)"
                      R"({"eventName":"A"}]]})");
  CHECK(r.outcome.records_read == 2);
  CHECK(r.outcome.records_rejected == 1);
  CHECK(names(r) == std::vector<std::string>{"A"});
}

TEST_CASE("concatenated CloudWatch Logs envelopes give every message's record",
          "[parse][shape]") {
  auto envelope = [](const std::vector<std::string>& records) {
    std::string s = R"({"messageType":"DATA_MESSAGE","owner":"111122223333","logEvents":[)";
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (i) s += ',';
      s += R"({"id":")" + std::to_string(i) + R"(","timestamp":1773482400000,"message":)" +
           quoted(records[i]) + "}";
    }
    return s + "]}";
  };
  const auto r = read(envelope({E1, E2}) + envelope({E3}));
  CHECK(r.outcome.shape == Shape::CloudWatch);
  CHECK(names(r) == kThree);
  CHECK(r.outcome.records_read == 3);
  CHECK_FALSE(r.outcome.file_error);
}

TEST_CASE("a CloudWatch logEvents entry without a message is rejected", "[parse][shape]") {
  const auto r = read(R"({"logEvents":[{"id":"1"},{"id":"2","message":)" + quoted(E1) + "}]}");
  CHECK(r.outcome.records_read == 2);
  CHECK(r.outcome.records_rejected == 1);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
}

TEST_CASE("an EventBridge event gives the record under detail", "[parse][shape]") {
  const std::string json = R"({"version":"0","id":"6a7e","detail-type":"AWS API Call via CloudTrail",)"
                           R"("source":"aws.s3","account":"111122223333","time":"2030-01-01T00:00:00Z",)"
                           R"("region":"eu-west-1","resources":[],"detail":)" + E2 + "}";
  const auto r = read(json);
  CHECK(r.outcome.shape == Shape::EventBridge);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].event_name == "GetObject");
  CHECK(r.events[0].time == at("2026-03-14T10:01:00Z"));
  CHECK(r.events[0].region == "us-east-1");
  CHECK(r.events[0].record == E2);
}

TEST_CASE("a CloudTrail digest file is flagged and gives no events", "[parse][shape]") {
  const auto r = read(R"({"awsAccountId":"111122223333","digestStartTime":"2026-03-14T09:00:00Z",)"
                      R"("digestEndTime":"2026-03-14T10:00:00Z","logFiles":[]})");
  CHECK(r.outcome.digest);
  CHECK(r.outcome.shape == Shape::Digest);
  CHECK(r.outcome.records_read == 0);
  CHECK(r.events.empty());
}

TEST_CASE("an object of no known shape is a file error", "[parse][shape]") {
  const auto r = read(R"({"value":[{"time":"2026-03-14T10:00:00Z","operationName":"x"}]})");
  CHECK(r.outcome.file_error);
  CHECK(r.outcome.shape == Shape::Unknown);
  CHECK(r.outcome.records_read == 0);
  CHECK(r.messages().find("not a CloudTrail export shape") != std::string::npos);
}

TEST_CASE("content that does not start like JSON is flagged not_json", "[parse][shape]") {
  for (const char* text : {"time,user,ip\n2026,alice,1.2.3.4\n", "hello", "\"a string\"", "42"}) {
    INFO("content: " << text);
    const auto r = read(text);
    CHECK(r.outcome.not_json);
    CHECK(r.outcome.records_read == 0);
  }
}

TEST_CASE("a byte order mark before the JSON is ignored", "[parse][shape]") {
  const auto r = read("\xEF\xBB\xBF" + E1);
  CHECK_FALSE(r.outcome.not_json);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
}

TEST_CASE("white space only is a file error", "[parse][shape]") {
  const auto r = read(" \n\t ");
  CHECK(r.outcome.file_error);
  CHECK_FALSE(r.outcome.not_json);
}

TEST_CASE("invalid JSON is a file error with the records before it counted",
          "[parse][shape]") {
  // a missing comma between two members of the second record
  const auto r = read(R"({"Records":[)" + E1 +
                      R"(,{"eventTime":"2026-03-14T10:01:00Z" "eventName":"B"}]})");
  CHECK(r.outcome.file_error);
  CHECK(r.outcome.records_read >= 1);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
  CHECK(r.messages().find("invalid JSON") != std::string::npos);
}

TEST_CASE("a record with an invalid value where the time belongs is not used",
          "[parse][shape]") {
  const auto r = read(R"({"Records":[)" + E1 + R"(,{"eventTime": oops}]})");
  CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
  CHECK(r.outcome.records_rejected + (r.outcome.file_error ? 1 : 0) >= 1);
}

TEST_CASE("raw control characters and invalid UTF-8 are repaired, not fatal to the file",
          "[parse][shape]") {
  // The parser refuses the whole text for one bad byte; the reader repairs a copy (a bad byte
  // becomes '?', a raw control character in a string a space), reads every record, and says so.
  const auto tab = read(R"({"eventTime":"2026-03-14T10:00:00Z","userAgent":"x\ty"})");
  CHECK(tab.events.size() == 1);  // an escaped tab is fine
  CHECK(tab.outcome.messages.empty());
  const auto raw = read("{\"eventTime\":\"2026-03-14T10:00:00Z\",\"userAgent\":\"x\ty\"}");
  CHECK_FALSE(raw.outcome.file_error);
  REQUIRE(raw.events.size() == 1);
  CHECK(raw.events[0].user_agent == "x y");
  CHECK(raw.messages().find("1 raw control characters") != std::string::npos);
  const auto utf8 = read(R"({"Records":[)" + E1 +
                         ",{\"eventTime\":\"2026-03-14T10:00:00Z\",\"userAgent\":\"\xFF\"}]}");
  CHECK_FALSE(utf8.outcome.file_error);
  CHECK(utf8.outcome.records_used == 2);
  CHECK(utf8.messages().find("1 invalid UTF-8 bytes and 0 raw control") != std::string::npos);
  REQUIRE(utf8.events.size() == 2);
  CHECK(utf8.events[1].user_agent == "?");
}

TEST_CASE("writable text is repaired in place, with the same records as a copy",
          "[parse][shape][memory]") {
  const std::string json = " \n" + std::string(R"({"Records":[)") + E1 +
                           ",{\"eventTime\":\"2026-03-14T10:00:00Z\",\"userAgent\":\"a\xFF\tb\"}]}";
  const auto copy = read(json);
  std::string buffer(json);
  buffer.append(kBufferPadding, '\0');
  EventReader reader;
  std::vector<std::string> agents;
  const ParseOutcome o = reader.read_writable(
      buffer.data(), json.size(), 0, [&](const EventView& e) { agents.emplace_back(e.user_agent); });
  CHECK(o.records_used == copy.outcome.records_used);
  CHECK(o.messages == copy.outcome.messages);
  REQUIRE(agents.size() == 2);
  CHECK(agents[1] == "a? b");
  // The caller's buffer holds the repair, at the same offsets; nothing else moved.
  const auto at = json.find("a\xFF\tb");
  CHECK(buffer.substr(at, 4) == "a? b");
  CHECK(buffer.substr(0, at) == json.substr(0, at));
  CHECK(buffer.size() == json.size() + kBufferPadding);
}

TEST_CASE("a record over the size limit is rejected from its raw text, whatever its shape",
          "[parse][limits][memory]") {
  ParseLimits limits;
  limits.max_record_bytes = 1000;
  const std::string big = R"({"eventTime":"2026-03-14T10:00:00Z","eventName":"Big","userAgent":")" +
                          std::string(5000, 'A') + R"("})";
  for (const std::string& text : {R"({"Records":[)" + E1 + "," + big + "]}", big,
                                  E1 + "\n" + big + "\n" + E2 + "\n"}) {
    const auto r = read(text, limits);
    CHECK(r.outcome.records_rejected == 1);
    CHECK(r.messages().find("over the record size limit of 1000 bytes") != std::string::npos);
    for (const auto& e : r.events) CHECK(e.event_name != "Big");
  }
}

TEST_CASE("a cut-off Records file keeps the whole records before the cut", "[parse][shape]") {
  const std::string full = R"({"Records":[)" + E1 + "," + E2 + "," + E3 + "]}";
  const auto r = read(full.substr(0, full.size() - 20));
  CHECK(r.outcome.file_error);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
}

// REGRESSION (commit 36ba3f7, src/parse/event_reader.cpp, EventReader::read): a file whose
// top-level value is left open outside a string (cut after a closing brace, or a lone `{`)
// makes doc.raw_json() fail; the code then calls doc.rewind() on that document and crashes
// with SIGSEGV (event_reader.cpp:562). `printf '{' > x.json; trailhound timeline x.json` exits
// 139. These passed against 8006de5 (file_error, records before the cut kept).
TEST_CASE("a Records file cut right after a record's closing brace keeps the records before it",
          "[parse][shape][regression]") {
  const auto r = read(R"({"Records":[)" + E1 + "," + E2);
  CHECK(r.outcome.file_error);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
}

TEST_CASE("NDJSON whose last line is cut keeps the whole lines before it",
          "[parse][shape][regression]") {
  const auto r = read(E1 + "\n" + E2 + "\n" + R"({"eventTime":)");
  CHECK(r.outcome.file_error);
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
}

TEST_CASE("a lone opening brace or bracket is a file error and no crash",
          "[parse][shape][regression]") {
  for (const char* text : {"{", "[", "[[", "{\"Records\":["}) {
    INFO("content: " << text);
    const auto r = read(text);
    CHECK(r.outcome.file_error);
    CHECK(r.events.empty());
  }
}

namespace {

/// `n` records, one a line.
std::vector<std::string> numbered(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(event(fmt_time(i), "E" + std::to_string(i), "id" + std::to_string(i)));
  }
  return out;
}

}  // namespace

TEST_CASE("one garbage line in NDJSON is rejected with its number; the rest is read",
          "[parse][salvage][regression]") {
  // It used to stop the file: 500 of 1,000 records read.
  const auto recs = numbered(1000);
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) text += "this line is not JSON\n";
    text += recs[std::size_t(i)] + "\n";
  }
  const auto r = read(text);
  CHECK(r.outcome.file_error);
  CHECK(r.outcome.records_used == 1000);
  CHECK(r.outcome.records_rejected == 1);
  CHECK(r.outcome.bytes_skipped == std::string("this line is not JSON").size());
  CHECK(r.outcome.shape == Shape::Lines);
  CHECK(r.messages().find("line 501: not a whole JSON record") != std::string::npos);
}

TEST_CASE("one unbalanced quote loses one record, in NDJSON and in a Records array",
          "[parse][salvage][regression]") {
  // It used to lose every record of the file.
  auto recs = numbered(1000);
  const std::string broken = R"({"eventVersion":"1.09","eventTime":"2026-03-14T10:00:00Z","eventName":"Broken,"awsRegion":"x"})";
  recs[500] = broken;
  std::string lines;
  for (const auto& rec : recs) lines += rec + "\n";
  const auto nd = read(lines);
  CHECK(nd.outcome.records_used == 999);
  CHECK(nd.outcome.records_rejected == 1);
  CHECK(nd.outcome.bytes_skipped == broken.size());
  CHECK(nd.messages().find("line 501:") != std::string::npos);
  std::string array = R"({"Records":[)";
  for (std::size_t i = 0; i < recs.size(); ++i) array += (i ? "," : "") + recs[i];
  array += "]}";
  const auto rs = read(array);
  CHECK(rs.outcome.file_error);
  CHECK(rs.outcome.records_used == 999);
  CHECK(rs.outcome.records_rejected == 1);
  CHECK(rs.outcome.bytes_skipped >= broken.size());
  REQUIRE(rs.events.size() == 999);
  CHECK(rs.events[499].event_name == "E499");
  CHECK(rs.events[500].event_name == "E501");
}

TEST_CASE("a Records file cut at both ends gives its whole records", "[parse][salvage][regression]") {
  // It used to be "not JSON" and skipped with no message.
  const std::string whole = R"({"Records":[)" + E1 + "," + E2 + "," + E3 + "]}";
  const auto r = read(whole.substr(30, whole.size() - 45));
  CHECK_FALSE(r.outcome.not_json);
  CHECK(r.outcome.file_error);
  CHECK(names(r) == std::vector<std::string>{"GetObject"});
  CHECK(r.outcome.records_rejected == 2);
  CHECK(r.outcome.bytes_skipped > 0);
}

TEST_CASE("text with no record in it stays not JSON, with its reason", "[parse][salvage]") {
  const auto r = read("just some text {\"value\": 1} and more\n");
  CHECK(r.outcome.not_json);
  CHECK_FALSE(r.outcome.file_error);
  CHECK(r.outcome.records_read == 0);
  REQUIRE(r.outcome.messages.size() == 1);
  CHECK(r.outcome.messages[0].find("not JSON") != std::string::npos);
}

TEST_CASE("records before a corruption in a Records array are kept, and those after",
          "[parse][salvage]") {
  const auto r = read(R"({"Records":[)" + E1 + ",{\"eventTime\": ]]]}," + E2 + "," + E3 + "]}");
  CHECK(r.outcome.file_error);
  CHECK(names(r) == kThree);
  CHECK(r.outcome.records_rejected == 1);
}

TEST_CASE("salvage stays bounded on braces that never close", "[parse][salvage][limits]") {
  std::string text = "x";
  for (int i = 0; i < 20000; ++i) text += R"({"eventTime":)";
  const auto r = read(text);
  CHECK(r.outcome.records_used == 0);
  CHECK(r.outcome.not_json);
}

TEST_CASE("a record with a key that matters twice is rejected with the key named",
          "[parse][duplicate][regression]") {
  for (const char* key : {"eventTime", "eventName", "eventSource", "sourceIPAddress"}) {
    INFO(key);
    // event() writes every key but sourceIPAddress once already.
    const std::string copy = std::string("\"") + key + "\":\"x\"";
    const std::string twice = event("2026-03-14T10:01:00Z", "Twice", "t",
                                    key == std::string("sourceIPAddress") ? copy + "," + copy : copy);
    const auto r = read(R"({"Records":[)" + E1 + "," + twice + "," + E3 + "]}");
    CHECK(names(r) == std::vector<std::string>{"ListBuckets", "PutObject"});
    CHECK(r.outcome.records_rejected == 1);
    CHECK(r.messages() == "record 1: " + std::string(key) + " appears twice\n");
  }
  const auto id = read(event("2026-03-14T10:01:00Z", "Id", "i",
                             R"("userIdentity":{"type":"Root"},"userIdentity":{"type":"IAMUser"})"));
  CHECK(id.outcome.records_rejected == 1);
  CHECK(id.messages() == "record 0: userIdentity appears twice\n");
  // Keys that matter less may repeat.
  const auto ok = read(event("2026-03-14T10:01:00Z", "Ok", "o", R"("awsRegion":"eu-west-1")"));
  CHECK(ok.outcome.records_used == 1);
}

TEST_CASE("records without a readable time are rejected and counted", "[parse]") {
  const auto r = read(R"({"Records":[)" + E1 +
                      R"(,{"eventName":"NoTime"},{"eventTime":"yesterday","eventName":"Bad"},)"
                      R"({"eventTime":null,"eventName":"Null"},7,"str",)" +
                      E2 + "]}");
  CHECK(names(r) == std::vector<std::string>{"ListBuckets", "GetObject"});
  CHECK(r.outcome.records_read == 7);
  CHECK(r.outcome.records_rejected == 5);
  CHECK(r.events[1].source.index == 6);
  CHECK(r.messages().find("record 1: no eventTime") != std::string::npos);
}

TEST_CASE("rejected-record messages are capped per file", "[parse]") {
  std::string json = "[";
  for (int i = 0; i < 30; ++i) json += std::string(i ? "," : "") + R"({"eventName":"x"})";
  json += "]";
  ParseLimits limits;
  limits.max_errors_per_file = 4;
  const auto r = read(json, limits);
  CHECK(r.outcome.records_rejected == 30);
  CHECK(r.outcome.messages.size() == 5);  // 4 plus "further messages ... not shown"
}

// ---- fields -----------------------------------------------------------------------------------

TEST_CASE("the top-level event fields are read", "[parse][fields]") {
  const auto r = read(R"({"eventVersion":"1.08","eventTime":"2026-03-14T10:00:00Z",)"
                      R"("eventSource":"iam.amazonaws.com","eventName":"CreateUser",)"
                      R"("awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9",)"
                      R"("userAgent":"aws-cli/2","errorCode":"AccessDenied","errorMessage":"no",)"
                      R"("eventType":"AwsApiCall","eventID":"abc","recipientAccountId":"1111"})");
  REQUIRE(r.events.size() == 1);
  const auto& e = r.events[0];
  CHECK(e.event_source == "iam.amazonaws.com");
  CHECK(e.region == "eu-west-1");
  CHECK(e.source_ip == "203.0.113.9");
  CHECK(e.user_agent == "aws-cli/2");
  CHECK(e.error_code == "AccessDenied");
  CHECK(e.event_type == "AwsApiCall");
  CHECK(e.event_id == "abc");
  CHECK(e.recipient == "1111");
  CHECK(e.event_time == "2026-03-14T10:00:00Z");
}

TEST_CASE("escaped strings in fields are unescaped", "[parse][fields]") {
  const auto r = read(R"({"eventTime":"2026-03-14T10:00:00Z","eventName":"A\"B\\C\u00e9",)"
                      R"("userAgent":"x\ny"})");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].event_name == "A\"B\\C\xC3\xA9");
  CHECK(r.events[0].user_agent == "x\ny");
}

TEST_CASE("a number where a string belongs is kept as its text", "[parse][fields]") {
  const auto r = read(R"({"eventTime":"2026-03-14T10:00:00Z","sourceIPAddress":12345,)"
                      R"("eventName":null,"awsRegion":{"x":1}})");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].source_ip == "12345");
  CHECK(r.events[0].event_name.empty());
  CHECK(r.events[0].region.empty());
}

TEST_CASE("readOnly is read as a bool or as a string", "[parse][fields]") {
  const auto r = read("[" + event("2026-03-14T10:00:00Z", "A", "", R"("readOnly":true)") + "," +
                      event("2026-03-14T10:00:00Z", "B", "", R"("readOnly":false)") + "," +
                      event("2026-03-14T10:00:00Z", "C", "", R"("readOnly":"true")") + "," +
                      event("2026-03-14T10:00:00Z", "D", "", R"("readOnly":"false")") + "," +
                      event("2026-03-14T10:00:00Z", "E", "", R"("readOnly":"maybe")") + "," +
                      event("2026-03-14T10:00:00Z", "F") + "]");
  REQUIRE(r.events.size() == 6);
  CHECK(r.events[0].read_only == std::optional<bool>(true));
  CHECK(r.events[1].read_only == std::optional<bool>(false));
  CHECK(r.events[2].read_only == std::optional<bool>(true));
  CHECK(r.events[3].read_only == std::optional<bool>(false));
  CHECK_FALSE(r.events[4].read_only.has_value());
  CHECK_FALSE(r.events[5].read_only.has_value());
}

TEST_CASE("@timestamp stands in for a missing eventTime and is counted", "[parse][fields]") {
  const auto r = read(R"({"@timestamp":"2020-09-14T00:44:20.000Z","@version":"1","eventName":"A"})"
                      "\n" +
                      E1 + "\n" +
                      R"({"@timestamp":"2020-09-14T00:44:21.500Z","eventName":"B"})" "\n");
  CHECK(names(r) == std::vector<std::string>{"A", "ListBuckets", "B"});
  CHECK(r.outcome.time_from_timestamp == 2);
  CHECK(r.events[0].time == at("2020-09-14T00:44:20Z"));
  CHECK(r.events[0].event_time == "2020-09-14T00:44:20.000Z");
  CHECK(r.events[2].time == at("2020-09-14T00:44:21.500Z"));
}

TEST_CASE("eventTime wins over @timestamp when both are present", "[parse][fields]") {
  const auto r = read(R"({"@timestamp":"2020-01-01T00:00:00Z","eventTime":"2026-03-14T10:00:00Z"})");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].time == at("2026-03-14T10:00:00Z"));
  CHECK(r.outcome.time_from_timestamp == 0);
}

// ---- identities -------------------------------------------------------------------------------

namespace {
Seen one_identity(const std::string& identity_json) {
  const auto r = read(event("2026-03-14T10:00:00Z", "X", "", R"("userIdentity":)" + identity_json));
  REQUIRE(r.events.size() == 1);
  return r.events[0];
}
}  // namespace

TEST_CASE("an IAMUser identity gives its user, ARN, principal, account and key",
          "[parse][identity]") {
  const auto s = one_identity(R"({"type":"IAMUser","principalId":"AIDAALICE","arn":)"
                              R"("arn:aws:iam::111122223333:user/alice","accountId":"111122223333",)"
                              R"("accessKeyId":"AKIAALICE","userName":"alice"})");
  CHECK(s.type == IdentityType::IAMUser);
  CHECK(s.type_text == "IAMUser");
  CHECK(s.principal_id == "AIDAALICE");
  CHECK(s.arn == "arn:aws:iam::111122223333:user/alice");
  CHECK(s.account_id == "111122223333");
  CHECK(s.access_key_id == "AKIAALICE");
  CHECK(s.user_name == "alice");
  CHECK(s.session_name.empty());
  CHECK(s.display_name == "alice");
}

TEST_CASE("an AssumedRole identity gives its session issuer and session name",
          "[parse][identity]") {
  const auto s = one_identity(
      R"({"type":"AssumedRole","principalId":"AROADEPLOY:ci-run-42",)"
      R"("arn":"arn:aws:sts::111122223333:assumed-role/deploy/ci-run-42","accountId":"111122223333",)"
      R"("accessKeyId":"ASIADEPLOY","sessionContext":{"sessionIssuer":{"type":"Role",)"
      R"("principalId":"AROADEPLOY","arn":"arn:aws:iam::111122223333:role/deploy",)"
      R"("accountId":"111122223333","userName":"deploy"},"webIdFederationData":{},)"
      R"("attributes":{"creationDate":"2026-03-14T09:00:00Z","mfaAuthenticated":"true"}}})");
  CHECK(s.type == IdentityType::AssumedRole);
  CHECK(s.principal_id == "AROADEPLOY:ci-run-42");
  CHECK(s.access_key_id == "ASIADEPLOY");
  CHECK(s.issuer_type == "Role");
  CHECK(s.issuer_arn == "arn:aws:iam::111122223333:role/deploy");
  CHECK(s.issuer_user_name == "deploy");
  CHECK(s.mfa == "true");
  CHECK(s.session_name == "ci-run-42");
  CHECK(s.display_name == "deploy/ci-run-42");
  CHECK(s.user_name.empty());
}

TEST_CASE("an assumed-role session name may itself hold a slash-free email", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"AssumedRole","arn":)"
                              R"("arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_abc/bob@example.com"})");
  CHECK(s.session_name == "bob@example.com");
  CHECK(s.display_name == "AWSReservedSSO_Admin_abc/bob@example.com");
}

TEST_CASE("a Root identity", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"Root","principalId":"111122223333",)"
                              R"("arn":"arn:aws:iam::111122223333:root","accountId":"111122223333",)"
                              R"("accessKeyId":"ASIAROOT"})");
  CHECK(s.type == IdentityType::Root);
  CHECK(s.arn == "arn:aws:iam::111122223333:root");
  CHECK(s.display_name == "root");
}

TEST_CASE("a FederatedUser identity", "[parse][identity]") {
  const auto s = one_identity(
      R"({"type":"FederatedUser","principalId":"111122223333:bob",)"
      R"("arn":"arn:aws:sts::111122223333:federated-user/bob","accountId":"111122223333",)"
      R"("accessKeyId":"ASIAFED","sessionContext":{"sessionIssuer":{"type":"IAMUser",)"
      R"("principalId":"AIDAFED","arn":"arn:aws:iam::111122223333:user/broker","userName":"broker"}}})");
  CHECK(s.type == IdentityType::FederatedUser);
  CHECK(s.issuer_type == "IAMUser");
  CHECK(s.issuer_user_name == "broker");
  CHECK(s.display_name == "bob");
}

TEST_CASE("an AWSService identity gives invokedBy", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"AWSService","invokedBy":"ec2.amazonaws.com"})");
  CHECK(s.type == IdentityType::AWSService);
  CHECK(s.invoked_by == "ec2.amazonaws.com");
  CHECK(s.display_name == "ec2.amazonaws.com");
}

TEST_CASE("an AWSAccount identity", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"AWSAccount","principalId":"AIDAOTHER",)"
                              R"("accountId":"444455556666","invokedBy":"s3.amazonaws.com"})");
  CHECK(s.type == IdentityType::AWSAccount);
  CHECK(s.account_id == "444455556666");
  CHECK(s.principal_id == "AIDAOTHER");
  CHECK(s.invoked_by == "s3.amazonaws.com");
  CHECK(s.display_name == "444455556666");
}

TEST_CASE("an IdentityCenterUser identity gives onBehalfOf.userId", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"IdentityCenterUser","accountId":"111122223333",)"
                              R"("onBehalfOf":{"userId":"94482488-3041-7026-18f3-be45837cd0e4",)"
                              R"("identityStoreArn":"arn:aws:identitystore::1:identitystore/d-1"},)"
                              R"("credentialId":"cred"})");
  CHECK(s.type == IdentityType::IdentityCenterUser);
  CHECK(s.on_behalf_user_id == "94482488-3041-7026-18f3-be45837cd0e4");
  CHECK(s.display_name == "94482488-3041-7026-18f3-be45837cd0e4");
}

TEST_CASE("a SAMLUser identity", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"SAMLUser","principalId":"SAMPLE:alice@example.com",)"
                              R"("userName":"alice@example.com","identityProvider":"bdGOnTesti4Gwa"})");
  CHECK(s.type == IdentityType::SAMLUser);
  CHECK(s.user_name == "alice@example.com");
  CHECK(s.identity_provider == "bdGOnTesti4Gwa");
  CHECK(s.display_name == "alice@example.com");
}

TEST_CASE("a WebIdentityUser identity", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"WebIdentityUser","principalId":"accounts.google.com:1",)"
                              R"("userName":"1","identityProvider":"accounts.google.com"})");
  CHECK(s.type == IdentityType::WebIdentityUser);
  CHECK(s.identity_provider == "accounts.google.com");
  CHECK(s.user_name == "1");
  CHECK(s.principal_id == "accounts.google.com:1");
}

TEST_CASE("an Unknown identity", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"Unknown","principalId":"x","userName":"ghost"})");
  CHECK(s.type == IdentityType::Unknown);
  CHECK(s.type_text == "Unknown");
  CHECK(s.display_name == "ghost");
}

TEST_CASE("an unlisted identity type is Other and keeps its spelling", "[parse][identity]") {
  const auto s = one_identity(R"({"type":"DirectoryUser","principalId":"d-1"})");
  CHECK(s.type == IdentityType::Other);
  CHECK(s.type_text == "DirectoryUser");
}

TEST_CASE("a userIdentity without a type is Unknown", "[parse][identity]") {
  const auto s = one_identity(R"({"principalId":"p"})");
  CHECK(s.type == IdentityType::Unknown);
  CHECK(s.principal_id == "p");
}

TEST_CASE("a record without userIdentity is Missing", "[parse][identity]") {
  const auto r = read(E1);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == IdentityType::Missing);
  CHECK(r.events[0].display_name.empty());
  const auto n = read(event("2026-03-14T10:00:00Z", "X", "", R"("userIdentity":null)"));
  REQUIRE(n.events.size() == 1);
  CHECK(n.events[0].type == IdentityType::Missing);
}

TEST_CASE("identity type names round trip", "[parse][identity]") {
  for (auto t : {IdentityType::IAMUser, IdentityType::AssumedRole, IdentityType::Root,
                 IdentityType::FederatedUser, IdentityType::AWSService, IdentityType::AWSAccount,
                 IdentityType::IdentityCenterUser, IdentityType::SAMLUser,
                 IdentityType::WebIdentityUser, IdentityType::Unknown}) {
    CHECK(parse_identity_type(to_string(t)) == t);
  }
  CHECK(to_string(IdentityType::Missing) == "Missing");
  CHECK(parse_identity_type("Missing") == IdentityType::Other);
  CHECK(parse_identity_type("iamuser") == IdentityType::Other);
}

// ---- raw text ---------------------------------------------------------------------------------

TEST_CASE("the raw text of a record and of requestParameters is the original text",
          "[parse][raw]") {
  const std::string request = R"({ "bucketName" : "b}]", "key" : "a \"quoted\" \\ }", "n":[1,[2,{"x":null}]] })";
  const std::string response = R"([1, 2, "]"])";
  const std::string rec = R"({"eventTime":"2026-03-14T10:00:00Z", "eventName":"GetObject",)"
                          R"( "requestParameters" : )" + request +
                          R"(, "responseElements":)" + response +
                          R"(, "additionalEventData":{"a":"\u007d"}})";
  const auto r = read(R"({"Records":[  )" + rec + "  ,  " + E1 + " ]}");
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].record == rec);
  CHECK(r.events[0].request_parameters == request);
  CHECK(r.events[0].response_elements == response);
  CHECK(r.events[0].additional == R"({"a":"\u007d"})");
  CHECK(r.events[1].record == E1);
  CHECK_FALSE(r.events[1].request_present);
  CHECK(r.events[1].request_parameters.empty());
}

TEST_CASE("scalar requestParameters have their token as text", "[parse][raw]") {
  const auto r = read("[" + event("2026-03-14T10:00:00Z", "A", "", R"("requestParameters":null)") +
                      "," + event("2026-03-14T10:00:00Z", "B", "", R"("requestParameters":"s\"x")") +
                      "]");
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].request_present);
  CHECK(r.events[0].request_parameters == "null");
  CHECK(r.events[1].request_parameters == R"("s\"x")");
}

TEST_CASE("the raw text of the last record of a file ends at its brace", "[parse][raw]") {
  const auto r = read(E1);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].record == E1);
}

TEST_CASE("json_value_length measures strings with escaped quotes", "[parse][raw]") {
  const std::string s = R"("a\"b" , rest)";
  CHECK(json_value_length(s.data(), s.data() + s.size()) == 6);
  const std::string bs = R"("a\\" , rest)";
  CHECK(json_value_length(bs.data(), bs.data() + bs.size()) == 5);
  const std::string empty = R"("")";
  CHECK(json_value_length(empty.data(), empty.data() + empty.size()) == 2);
}

TEST_CASE("json_value_length measures nested containers with brackets in strings",
          "[parse][raw]") {
  const std::string v = R"([[1,[2]],{"a":"]}","b":{"c":[]}},"\"]"] trailing ])";
  CHECK(json_value_length(v.data(), v.data() + v.size()) == v.find(" trailing"));
  const std::string o = R"({"k":{"k":{"k":{}}}}})";
  CHECK(json_value_length(o.data(), o.data() + o.size()) == o.size() - 1);
}

TEST_CASE("json_value_length measures scalars up to their delimiter", "[parse][raw]") {
  const std::string n = "12345,";
  CHECK(json_value_length(n.data(), n.data() + n.size()) == 5);
  const std::string t = "true}";
  CHECK(json_value_length(t.data(), t.data() + t.size()) == 4);
  const std::string f = "-1.5e3]";
  CHECK(json_value_length(f.data(), f.data() + f.size()) == 6);
  std::string padded = "null";
  padded.append(kBufferPadding, '\0');
  CHECK(json_value_length(padded.data(), padded.data() + padded.size()) == 4);
}

TEST_CASE("json_value_length gives 0 for a value that does not end before the limit",
          "[parse][raw]") {
  const std::string obj = R"({"a":[1,2)";
  CHECK(json_value_length(obj.data(), obj.data() + obj.size()) == 0);
  const std::string str = R"("abc)";
  CHECK(json_value_length(str.data(), str.data() + str.size()) == 0);
  const std::string esc = R"("abc\)";
  CHECK(json_value_length(esc.data(), esc.data() + esc.size()) == 0);
  const std::string in_str = R"({"a":"}})";
  CHECK(json_value_length(in_str.data(), in_str.data() + in_str.size()) == 0);
  CHECK(json_value_length(obj.data(), obj.data()) == 0);
}

// ---- hostile input ----------------------------------------------------------------------------

namespace {
std::string deep_array(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string deep_object(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += R"({"a":)";
  return s + "1" + std::string(depth, '}');
}
}  // namespace

TEST_CASE("nesting deeper than max_depth does not crash and keeps the record accounting",
          "[parse][limits]") {
  ParseLimits limits;
  limits.max_depth = 64;
  // read() checks records_read == used + rejected for each of these
  const auto a = read(R"({"Records":[{"eventTime":"2026-03-14T10:00:00Z","requestParameters":)" +
                          deep_array(200) + "}]}",
                      limits);
  CHECK(a.outcome.records_read == 1);
  const auto b = read(R"({"eventTime":"2026-03-14T10:00:00Z","userIdentity":{"sessionContext":)" +
                          deep_object(100) + "}}",
                      limits);
  CHECK(b.outcome.records_read == 1);
  const auto c = read(R"({"Events":[{"CloudTrailEvent":)" +
                          quoted(R"({"eventTime":"2026-03-14T10:00:00Z","x":)" + deep_array(200) + "}") +
                          R"(},{"CloudTrailEvent":)" + quoted(E1) + "}]}",
                      limits);
  CHECK(c.outcome.records_read == 2);
  CHECK(c.events.back().event_name == "ListBuckets");
}

// Broke: the depth limit was handed to simdjson's On Demand parser, which checks it only in
// its development builds, and the values the reader skips (requestParameters, unknown keys,
// anything inside an embedded record) were never measured; a record nested 200 deep under
// max_depth 64 was used as a normal event. Fixed in read_record (json_nests_deeper_than over
// the record's text): the record is rejected and the records beside it are still read.
TEST_CASE("nesting deeper than max_depth rejects the record", "[parse][limits]") {
  ParseLimits limits;
  limits.max_depth = 64;
  SECTION("inside requestParameters of a Records file") {
    const auto r = read(R"({"Records":[{"eventTime":"2026-03-14T10:00:00Z","requestParameters":)" +
                            deep_array(200) + R"(},)" + E1 + "]}",
                        limits);
    CHECK(r.outcome.records_rejected == 1);
    CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
    REQUIRE_FALSE(r.outcome.messages.empty());
    CHECK(r.outcome.messages.front() == "record 0: nests deeper than 64 levels (--max-depth)");
  }
  SECTION("inside userIdentity of a single event") {
    const auto r = read(R"({"eventTime":"2026-03-14T10:00:00Z","userIdentity":{"sessionContext":)" +
                            deep_object(100) + "}}",
                        limits);
    CHECK(r.outcome.records_rejected == 1);
    CHECK(r.events.empty());
  }
  SECTION("inside an embedded lookup-events record") {
    const std::string inner = R"({"eventTime":"2026-03-14T10:00:00Z","x":)" + deep_array(200) + "}";
    const auto r = read(R"({"Events":[{"CloudTrailEvent":)" + quoted(inner) +
                            R"(},{"CloudTrailEvent":)" + quoted(E1) + "}]}",
                        limits);
    CHECK(r.outcome.records_rejected == 1);
    CHECK(names(r) == std::vector<std::string>{"ListBuckets"});
  }
}

TEST_CASE("extremely deep nesting with the default limit does not crash", "[parse][limits]") {
  const auto r = read(deep_array(100000));
  CHECK(r.events.empty());
  CHECK((r.outcome.file_error || r.outcome.records_rejected > 0));
  const auto obj = read(R"({"Records":[)" + deep_object(100000) + "]}");
  CHECK(obj.events.empty());
  const auto unclosed = read(std::string(100000, '{'));
  CHECK(unclosed.outcome.file_error);
  CHECK(unclosed.events.empty());
}

TEST_CASE("an embedded record over max_record_bytes is rejected", "[parse][limits]") {
  ParseLimits limits;
  limits.max_record_bytes = 64;
  const auto r = read(R"({"Events":[{"CloudTrailEvent":)" + quoted(E1) + "}]}", limits);
  CHECK(r.outcome.records_rejected == 1);
  CHECK(r.events.empty());
}

TEST_CASE("a reader is reused across files without carrying state over", "[parse]") {
  EventReader reader;
  std::size_t seen = 0;
  auto run = [&](const std::string& json) {
    std::string buf = json;
    buf.append(kBufferPadding, '\0');
    return reader.read(std::string_view(buf.data(), json.size()), 0,
                       [&](const EventView&) { ++seen; });
  };
  const auto a = run(R"({"Records":[)" + E1 + "," + E2 + "]}");
  const auto b = run("not json");
  const auto c = run(E3);
  CHECK(a.records_used == 2);
  CHECK(b.not_json);
  CHECK(b.records_read == 0);
  CHECK(c.records_used == 1);
  CHECK(c.shape == Shape::Single);
  CHECK(seen == 3);
}

TEST_CASE("shape names", "[parse]") {
  CHECK(to_string(Shape::Records) == "records");
  CHECK(to_string(Shape::Lines) == "ndjson");
  CHECK(to_string(Shape::LookupEvents) == "lookup-events");
}

// ---- split NDJSON: ranges read line by line ---------------------------------------------------

namespace {

/// Reads `text` as one range of a split file starting at record `first`, line `line`.
ParseOutcome read_range_text(const std::string& text, std::uint64_t first, std::uint64_t line,
                             std::vector<SourceRef>& seen) {
  std::string buf = text;
  buf.append(kBufferPadding, '\0');
  EventReader reader;
  return reader.read_lines(buf.data(), text.size(), 3, first, line,
                           [&](const EventView& e) { seen.push_back(e.source); });
}

std::string event_line(int i) {
  return R"({"eventTime":"2026-03-14T10:00:0)" + std::to_string(i % 10) +
         R"(Z","eventName":"E)" + std::to_string(i) + R"("})";
}

}  // namespace

TEST_CASE("a range numbers its records from the file's count, blank lines holding none",
          "[parse][split]") {
  const std::string text = event_line(1) + "\n\n  \r\n" + event_line(2) + "\r\n" + event_line(3);
  std::vector<SourceRef> seen;
  const ParseOutcome po = read_range_text(text, 40, 7, seen);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].file == 3);
  CHECK(seen[0].index == 40);
  CHECK(seen[1].index == 41);
  CHECK(seen[2].index == 42);
  CHECK(po.records_read == 3);
  CHECK_FALSE(po.file_error);
}

TEST_CASE("a line that is not one record is rejected with its line and record number",
          "[parse][split]") {
  const std::string text = event_line(1) + "\n" + R"({"eventTime":"2026-03-14T10:00:00Z","eventN)" +
                           "\n" + R"({"Records":[)" + event_line(2) + "," + event_line(3) +
                           "]}\n" + event_line(4) + " extra\n" + event_line(5) + "\n";
  std::vector<SourceRef> seen;
  const ParseOutcome po = read_range_text(text, 10, 100, seen);
  CHECK(po.records_read == 5);
  CHECK(po.records_rejected == 3);  // the cut line, the envelope line, the line with more text
  CHECK(po.file_error);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].index == 10);
  CHECK(seen[1].index == 14);  // the records after the bad lines keep their numbers
  REQUIRE(po.messages.size() == 3);
  CHECK(po.messages[0].rfind("line 101 (record 11): not a whole JSON record", 0) == 0);
  CHECK(po.messages[1].rfind("line 102 (record 12): an export of several records", 0) == 0);
  CHECK(po.messages[2].rfind("line 103 (record 13): not a whole JSON record", 0) == 0);
}

TEST_CASE("count_lines counts what read_lines reads, in pieces too", "[parse][split]") {
  const std::string text = "\xEF\xBB\xBF" + event_line(1) + "\n \t\n" + event_line(2) +
                           "\r\n\n" + event_line(3);
  for (std::size_t cut = 0; cut <= text.size(); cut += 7) {
    LineCount count;
    count_lines(std::string_view(text).substr(0, cut), count);
    count_lines(std::string_view(text).substr(cut), count);
    end_lines(count);
    CHECK(count.newlines == 4);
    CHECK(count.records == 3);
  }
}

TEST_CASE("join_ranges keeps the first messages of the file, as one read does", "[parse][split]") {
  ParseLimits limits;
  limits.max_errors_per_file = 3;
  std::vector<ParseOutcome> parts(3);
  parts[0].messages = {"a", "b"};
  parts[0].records_read = 5;
  parts[1].repaired_bytes = 2;
  parts[2].messages = {"c", "d"};
  parts[2].records_read = 1;
  parts[2].file_error = true;
  const ParseOutcome joined = join_ranges(parts, limits);
  CHECK(joined.records_read == 6);
  CHECK(joined.file_error);
  REQUIRE(joined.messages.size() == 5);
  CHECK(joined.messages[0].rfind("2 invalid UTF-8 bytes", 0) == 0);
  CHECK(joined.messages[1] == "a");
  CHECK(joined.messages[3] == "c");
  CHECK(joined.messages[4] == "further messages for this file are not shown");
}

TEST_CASE("splittable_ndjson takes event lines, not envelopes or one document", "[parse][split]") {
  const std::string lines = event_line(1) + "\n" + event_line(2) + "\n" + event_line(3);
  CHECK(splittable_ndjson(lines));
  CHECK(splittable_ndjson("\xEF\xBB\xBF\n" + lines));
  CHECK_FALSE(splittable_ndjson(R"({"Records":[)" + event_line(1) + "]}\n" +
                                R"({"Records":[)" + event_line(2) + "]}\n"));
  CHECK_FALSE(splittable_ndjson(std::string(R"({"Records":[)") + "\n" + event_line(1) + ",\n" +
                                event_line(2) + "\n]}"));
  CHECK_FALSE(splittable_ndjson(event_line(1)));
}
