// Tests for the printers (print_text, print_jsonl, print_json, print_csv) and the format table.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <deque>
#include <sstream>

#include "trailhound/escape.hpp"
#include "trailhound/format.hpp"
#include "trailhound/printer.hpp"

using namespace trailhound;

namespace {

detect::Finding sample_finding() {
  detect::Finding f;
  f.rule = "malicious-ip-caller";
  f.severity = detect::Severity::High;
  f.time = 1773482400000;
  f.principal.type = "IAMUser";
  f.principal.user = "=bob";
  f.source_ip = "203.0.113.66";
  f.lists.push_back({"tor", "203.0.113.0/24", "threat"});
  f.event_name = "ListBuckets";
  f.event_source = "s3.amazonaws.com";
  f.reasons = {"first reason", "second reason"};
  return f;
}

OwnedEvent sample_event() {
  OwnedEvent e;
  e.time = 1773482401000;
  e.principal.type = "IAMUser";
  e.principal.user = "bob";
  e.event_name = "GetObject";
  e.event_source = "s3.amazonaws.com";
  e.record = R"({"eventName":"GetObject"})";
  return e;
}

/// Prints scan or investigate results the way the app does.
std::string print_detect(std::string_view format, Command command, bool grouped,
                         PrinterOptions options = {}) {
  static const FileTable files{InputFile{"logs/a.json", false, true}};
  detect::FindingList findings;
  findings.adopt(detect::FindingStore{sample_finding()});
  detect::DetectResult result;
  RunTotals totals;
  std::ostringstream out;
  auto printer = make_printer(format, command, out, options);
  REQUIRE(printer);
  Printer& p = **printer;
  p.begin(PrintBegin{command, &files, grouped, {}});
  p.file_problem(FileProblem{"logs/bad.gz", true, {"truncated gzip data"}});
  if (grouped) {
    for (const auto& g : group_findings(findings)) p.group(g);
  } else {
    for (const auto& f : findings) p.finding(f);
  }
  ActivityStats stats;
  if (command == Command::Investigate) {
    p.section("timeline (all of its activity)");
    p.event(sample_event());
    stats.add(sample_event());
  }
  RunSummary s;
  s.totals = &totals;
  s.findings = &findings;
  s.detect = &result;
  if (command == Command::Investigate) s.stats = &stats;
  p.summary(s);
  p.end();
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

}  // namespace

TEST_CASE("format_names comes from the format table, ndjson still names jsonl", "[report][format]") {
  const auto names = format_names();
  REQUIRE(names.size() == output_formats().size());
  CHECK(names[0].name == "text");
  CHECK(find_format("ndjson") == find_format("jsonl"));
  CHECK(find_format("JSON") == nullptr);
  std::ostringstream out;
  CHECK_FALSE(make_printer("xml", Command::Scan, out, {}));
}

TEST_CASE("every JSON Lines line parses; absent values are null, never empty strings",
          "[report][jsonl]") {
  const std::string out = print_detect("jsonl", Command::Investigate, false);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == 4);  // file, finding, event, summary
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element doc;
    REQUIRE(parser.parse(lines[i]).get(doc) == simdjson::SUCCESS);
    // The summary's value arrays list what was seen, the empty value included.
    if (i + 1 < lines.size()) CHECK(lines[i].find("\"\"") == std::string::npos);
  }
  simdjson::dom::element file, finding, event, summary;
  REQUIRE(parser.parse(lines[0]).get(file) == simdjson::SUCCESS);
  CHECK(std::string_view(file["status"]) == "failed");
  REQUIRE(parser.parse(lines[1]).get(finding) == simdjson::SUCCESS);
  CHECK(int64_t(finding["severity_id"]) == 4);
  CHECK(finding["id"].is_null());
  CHECK(finding["principal"]["arn"].is_null());
  CHECK(finding["guardduty_type"].is_null());
  REQUIRE(parser.parse(lines[2]).get(event) == simdjson::SUCCESS);
  CHECK(std::string_view(event["event_name"]) == "GetObject");
  CHECK(std::string_view(event["event_source"]) == "s3.amazonaws.com");
  REQUIRE(parser.parse(lines[3]).get(summary) == simdjson::SUCCESS);
  CHECK(std::string_view(summary["schema"]) == "2");
}

TEST_CASE("a JSON Lines group says first_seen, last_seen and severity_id", "[report][jsonl]") {
  const auto lines = lines_of(print_detect("jsonl", Command::Scan, true));
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].find("\"first_seen\":\"") != std::string::npos);
  CHECK(lines[1].find("\"severity_id\":4") != std::string::npos);
  CHECK(lines[1].find("\"first\":") == std::string::npos);
}

TEST_CASE("the JSON document holds files, findings, events and the summary", "[report][json]") {
  const std::string out = print_detect("json", Command::Investigate, false);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(out).get(doc) == simdjson::SUCCESS);
  CHECK(simdjson::dom::array(doc["files"]).size() == 1);
  CHECK(simdjson::dom::array(doc["findings"]).size() == 1);
  CHECK(simdjson::dom::array(doc["events"]).size() == 1);
  CHECK(std::string_view(doc["summary"]["type"]) == "summary");
}

TEST_CASE("grouped CSV prints group rows (it printed ungrouped findings)", "[report][csv]") {
  const std::string out = print_detect("csv", Command::Scan, true);
  CHECK(out.rfind("first_seen,last_seen,severity,rule,count,", 0) == 0);
  CHECK(out.find(",malicious-ip-caller,1,IAMUser,") != std::string::npos);
}

TEST_CASE("investigate CSV has the timeline (it dropped it), rows typed", "[report][csv]") {
  const auto lines = lines_of(print_detect("csv", Command::Investigate, false));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("type,time,severity,rule,", 0) == 0);
  CHECK(lines[1].rfind("finding,", 0) == 0);
  CHECK(lines[2].rfind("event,", 0) == 0);
}

TEST_CASE("CSV joins several values with ';', quotes formulas and ends rows in CRLF",
          "[report][csv]") {
  const std::string out = print_detect("csv", Command::Scan, false);
  CHECK(out.find("first reason;second reason") != std::string::npos);
  CHECK(out.find("'=bob") != std::string::npos);
  CHECK(out.find('\n') == out.find("\r\n") + 1);
  CHECK(out.substr(out.size() - 2) == "\r\n");
}

TEST_CASE("text prints findings, the timeline heading and the totals", "[report][text]") {
  const std::string out = print_detect("text", Command::Investigate, false);
  CHECK(out.find("HIGH") == std::string::npos);
  CHECK(out.find("high  malicious-ip-caller") != std::string::npos);
  CHECK(out.find("\ntimeline (all of its activity):\nTIME") != std::string::npos);
  CHECK(out.find("findings: 1 (critical 0, high 1") != std::string::npos);
}

TEST_CASE("a text table cuts its widest columns to the width, never the time", "[report][text]") {
  TextTable t({"TIME", "PRINCIPAL", "EVENT"});
  t.keep_whole(0);
  t.add_row({"2026-03-14T10:00:00Z", std::string(60, 'p'), "caf\xC3\xA9-" + std::string(40, 'e')});
  std::string cut, wide;
  t.print(cut, false, 60);
  t.print(wide, false, 0);
  for (const auto& line : lines_of(cut)) CHECK(display_width(line) <= 60);
  CHECK(cut.find("2026-03-14T10:00:00Z") != std::string::npos);
  CHECK(cut.find("\u2026") != std::string::npos);
  CHECK(is_valid_utf8(cut));
  CHECK(wide.find(std::string(60, 'p')) != std::string::npos);
  CHECK(wide.find("\u2026") == std::string::npos);
}

TEST_CASE("cut_cell cuts on a UTF-8 boundary after escaping", "[report][text]") {
  CHECK(cut_cell("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\u2026");
  CHECK(cut_cell("abc", 3) == "abc");
  CHECK(display_width(cut_cell(terminal_safe("a\x1b[31mlong"), 5)) == 5);
}

TEST_CASE("findings rendered on several threads print as on one, in every format",
          "[report][printers]") {
  static const FileTable files{InputFile{"logs/a.json", false, true},
                               InputFile{"logs/b.json", false, true}};
  // More findings than one batch, with text that repeats (pooled, memoised) and text that
  // does not, and a few that need escaping.
  std::vector<std::string> text;
  text.reserve(9000);
  detect::FindingStore store;
  for (int i = 0; i < 9000; ++i) {
    detect::Finding f = sample_finding();
    f.time += i * 1000;
    f.source.file = static_cast<std::uint32_t>(i % 2);
    f.source.index = static_cast<std::uint64_t>(i);
    text.push_back(fmt::format("evt-{}{}", i, i % 97 == 0 ? "\"\x01\xe2\x80\xa8" : ""));
    f.event_id = text.back();
    if (i % 3 == 0) f.principal.user = "alice";
    store.emplace_back(std::move(f));
  }
  detect::FindingList findings;
  findings.adopt(std::move(store));
  const auto print = [&](std::string_view format, unsigned threads) {
    std::ostringstream out;
    auto printer = make_printer(format, Command::Scan, out, PrinterOptions{});
    REQUIRE(printer);
    Printer& p = **printer;
    p.begin(PrintBegin{Command::Scan, &files, false, {}});
    p.findings(findings, threads);
    RunTotals totals;
    detect::DetectResult result;
    RunSummary summary;
    summary.totals = &totals;
    summary.findings = &findings;
    summary.detect = &result;
    p.summary(summary);
    p.end();
    return out.str();
  };
  for (const FormatInfo& info : output_formats()) {
    if ((info.commands & command_bit(Command::Scan)) == 0) continue;
    const std::string_view format = info.name;
    INFO(format);
    const std::string one = print(format, 1);
    CHECK(one.size() > 9000 * 100);
    CHECK(print(format, 2) == one);
    CHECK(print(format, 3) == one);
  }
}
