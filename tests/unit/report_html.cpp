// Tests for the HTML printer (print_html): escaping, bounds, and what the page holds.
#include <catch2/catch.hpp>

#include <deque>
#include <sstream>

#include "trailhound/format.hpp"
#include "trailhound/printer.hpp"

using namespace trailhound;

namespace {

const FileTable& files() {
  static const FileTable table{InputFile{"logs/<a>.json", false, true}};
  return table;
}

OwnedEvent event_at(TimeMs time, std::string user_agent = "aws-cli/2.15.0") {
  OwnedEvent e;
  e.time = time;
  e.principal.type = "IAMUser";
  e.principal.user = "bob";
  e.event_name = "GetObject";
  e.event_source = "s3.amazonaws.com";
  e.source_ip = "203.0.113.66";
  e.user_agent = std::move(user_agent);
  e.record = R"({"eventName":"GetObject","x":"</pre><script>alert(1)</script>"})";
  return e;
}

/// A timeline page of `events`.
std::string timeline_page(const std::vector<OwnedEvent>& events) {
  std::ostringstream out;
  auto printer = make_printer("html", Command::Timeline, out, {});
  REQUIRE(printer);
  Printer& p = **printer;
  p.begin(PrintBegin{Command::Timeline, &files(), false, {{"inputs", "<img src=x>"}}});
  ActivityStats stats;
  for (const auto& e : events) {
    p.event(e);
    stats.add(e);
  }
  RunTotals totals;
  RunSummary s;
  s.totals = &totals;
  s.stats = &stats;
  s.matched = events.size();
  p.summary(s);
  p.end();
  return out.str();
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("html escapes markup in every field and runs only its own script", "[report][html]") {
  const std::string page = timeline_page({event_at(1773482400000, "<script>x()</script>\"'&")});
  CHECK(count(page, "<script") == 1);
  CHECK(page.find("&lt;script&gt;x()&lt;/script&gt;&quot;&#39;&amp;") != std::string::npos);
  CHECK(page.find("&lt;img src=x&gt;") != std::string::npos);  // what was asked
  CHECK(page.find("logs/&lt;a&gt;.json") == std::string::npos);  // the table shows the name only
  CHECK(page.find("&lt;a&gt;.json #0") != std::string::npos);
  CHECK(page.find("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'sha256-") != std::string::npos);
  CHECK(page.find("http:") == std::string::npos);
  CHECK(page.find("https:") == std::string::npos);
}

TEST_CASE("html shows controls, bidi overrides and invalid UTF-8 as visible escapes",
          "[report][html]") {
  const std::string page =
      timeline_page({event_at(1773482400000, "a\x1b[2J b\xe2\x80\xae" "c d\xff e\xc2\x9b f\xe2\x80\x8b")});
  CHECK(page.find("a<span class=\"esc\">\\x1b</span>[2J b<span class=\"esc\">\\u202e</span>c "
                  "d<span class=\"esc\">\\xff</span> e<span class=\"esc\">\\u009b</span> "
                  "f<span class=\"esc\">\\u200b</span>") != std::string::npos);
  CHECK(page.find("\xe2\x80\xae") == std::string::npos);
  CHECK(page.find('\x1b') == std::string::npos);
}

TEST_CASE("html lists the first 5,000 events and says how to get the rest", "[report][html]") {
  std::vector<OwnedEvent> events;
  for (int i = 0; i < 5003; ++i) events.push_back(event_at(1773482400000 + i * 1000LL));
  const std::string page = timeline_page(events);
  const std::string table = page.substr(page.find("id=\"event-table\""));
  CHECK(count(table, "<tr>") == 5001);  // the header row and 5,000 events
  CHECK(page.find("The first 5000 of 5003 events are listed; --format jsonl prints every event.") !=
        std::string::npos);
  // 5,003 seconds: per minute, 84 columns at most.
  CHECK(page.find("events per minute, one lane per principal") != std::string::npos);
  CHECK(count(page, "<rect class=\"bin\"") <= 84);
  CHECK(count(page, "<rect class=\"bin\"") > 0);
}

TEST_CASE("html cuts a huge field and a huge record, saying so", "[report][html]") {
  OwnedEvent e = event_at(1773482400000, std::string(100000, 'A'));
  e.record = "{\"userAgent\":\"" + std::string(100000, '<') + "\"}";
  const std::string page = timeline_page({e});
  CHECK(page.find("\u2026 <span class=\"note\">(100000 bytes)</span>") != std::string::npos);
  CHECK(page.find("The record (100016 bytes) is cut here: --format jsonl prints it whole.") !=
        std::string::npos);
  CHECK(page.size() < 60000);
}

TEST_CASE("html marks findings on the chart and shades investigate's window", "[report][html]") {
  detect::Finding f;
  f.rule = "malicious-ip-caller";
  f.severity = detect::Severity::High;
  f.time = 1773482460000;
  f.principal.type = "IAMUser";
  f.principal.user = "bob";
  f.source_ip = "203.0.113.66";
  f.event_name = "GetObject";
  f.event_source = "s3.amazonaws.com";
  f.reasons = {"source 203.0.113.66 is on threat list <custom>"};
  f.guardduty_type = "Recon:IAMUser/MaliciousIPCaller.Custom";
  detect::FindingList findings;
  findings.adopt(detect::FindingStore{f});
  detect::DetectResult result;
  std::ostringstream out;
  auto printer = make_printer("html", Command::Investigate, out, {});
  REQUIRE(printer);
  Printer& p = **printer;
  p.begin(PrintBegin{Command::Investigate, &files(), false, {{"pivot", "--user bob"}}});
  for (const auto& x : findings) p.finding(x);
  p.section("timeline (window)");
  ActivityStats stats;
  for (int i = 0; i < 3; ++i) {
    p.event(event_at(1773482400000 + i * 60000LL));
    stats.add(event_at(1773482400000 + i * 60000LL));
  }
  RunTotals totals;
  RunSummary s;
  s.totals = &totals;
  s.findings = &findings;
  s.detect = &result;
  s.stats = &stats;
  s.window = "from A to B";
  s.window_span = std::make_pair(TimeMs{1773482400000}, TimeMs{1773482520001});
  p.summary(s);
  p.end();
  const std::string page = out.str();
  CHECK(count(page, "<path class=\"finding\"") == 1);
  CHECK(count(page, "<rect class=\"window\"") == 1);
  CHECK(page.find("one lane per source address") != std::string::npos);
  CHECK(page.find("Recon:IAMUser/MaliciousIPCaller.Custom") != std::string::npos);
  CHECK(page.find("threat list &lt;custom&gt;") != std::string::npos);
  CHECK(page.find("<strong>high (1)</strong>") != std::string::npos);
}

TEST_CASE("html prints scan, investigate and timeline only", "[report][html]") {
  std::ostringstream out;
  CHECK(make_printer("html", Command::Timeline, out, {}));
  CHECK(make_printer("html", Command::Scan, out, {}));
  CHECK(make_printer("html", Command::Investigate, out, {}));
  CHECK_FALSE(make_printer("html", Command::Summary, out, {}));
  CHECK_FALSE(make_printer("html", Command::IpLookup, out, {}));
  CHECK_FALSE(make_printer("html", Command::Rules, out, {}));
}
