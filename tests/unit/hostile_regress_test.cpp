// Regression tests for what hostile input broke (fuzzing, the hostile corpus, review). Each
// test names what broke; its reproducer lives in test-data/hostile/regress/. Tests tagged
// [!shouldfail][product-bug] pin a bug that is not fixed yet: they pass while the bug is there
// and fail once it is fixed, as a reminder to drop the tag.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;

namespace {

std::string regress_file(const std::string& name) {
  std::ifstream in(std::string(TH_TEST_DATA) + "/hostile/regress/" + name, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Read {
  ParseOutcome outcome;
  std::vector<std::string> names, user_names, user_agents;
};

Read read_all(const std::string& text, ParseLimits limits = {}) {
  ByteBuffer buf;
  buf.reserve(text.size());
  if (!text.empty()) std::memcpy(buf.data(), text.data(), text.size());
  buf.set_size(text.size());
  EventReader reader(limits);
  Read r;
  r.outcome = reader.read(buf.view(), 0, [&](const EventView& e) {
    r.names.emplace_back(e.event_name);
    r.user_names.emplace_back(e.identity.user_name);
    r.user_agents.emplace_back(e.user_agent);
  });
  CHECK(r.outcome.records_read == r.outcome.records_used + r.outcome.records_rejected);
  return r;
}

/// True when `s` holds a C0 control other than tab, CR and LF, DEL, or a C1 control.
bool has_terminal_control(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
  }
  return false;
}

}  // namespace

// Broke: append_csv_cell copied ESC, BEL and C1 CSI bytes into the cell, so `trailhound ...
// --format csv` on a terminal (or `cat` of the file) ran an attacker's escape sequences
// (window title, screen clear). Fixed in src/report/escape.cpp.
TEST_CASE("CSV cells carry no terminal escape sequences from log fields",
          "[hostile][regress][csv]") {
  const Read r = read_all(regress_file("csv-control-characters.json"));
  REQUIRE(r.user_names.size() == 1);
  std::string user, agent;
  append_csv_cell(user, r.user_names[0]);
  append_csv_cell(agent, r.user_agents[0]);
  CHECK_FALSE(has_terminal_control(user));
  CHECK_FALSE(has_terminal_control(agent));
  CHECK(user == "\\x1b]0;pwned\\x07\\x1b[2J");
  CHECK(agent == "\\xc2\\x9b31m=1");
  // The formula and quoting rules still hold, and tab, CR and LF are still kept in quotes.
  std::string formula;
  append_csv_cell(formula, "=1\x1b");
  CHECK(formula == "\"'=1\\x1b\"");
  std::string lines;
  append_csv_cell(lines, "a\tb\r\nc");
  CHECK(lines == "\"a\tb\r\nc\"");
}

// Broke: a zone offset or leap second could move a parsed time out of years 0000..9999, and
// format_iso then printed `-001-12-31T23:00:00Z` or `10000-01-01T00:00:00Z`, which no reader
// (trailhound included) parses back. Fixed in src/parse/timeutil.cpp. Guarded by fuzz_time's
// round-trip assertion.
TEST_CASE("timestamps outside years 0000-9999 after their offset are refused",
          "[hostile][regress][time]") {
  CHECK_FALSE(parse_timestamp(regress_file("time-before-year-0.txt")));
  CHECK_FALSE(parse_timestamp(regress_file("time-after-year-9999.txt")));
  CHECK_FALSE(parse_timestamp("0000-01-01T00:00:00.000+00:01"));
  CHECK_FALSE(parse_timestamp("9999-12-31T23:59:59-00:01"));
  for (const char* edge : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                           "0000-01-01T00:00:00-01:00", "9999-12-31T23:59:59+01:00"}) {
    const auto t = parse_timestamp(edge);
    REQUIRE(t);
    CHECK(parse_timestamp(format_iso(*t)) == t);
  }
}

// Broke: --max-depth was handed to simdjson's On Demand parser, which (simdjson 3.0.1) enforces
// no depth limit outside its development checks, and the reader skips the nested values it does
// not need (requestParameters), so they were never measured: a record nested 12 deep under
// --max-depth 8 was used as a normal event. Fixed in read_record (json_nests_deeper_than).
TEST_CASE("--max-depth rejects a record whose requestParameters nest deeper",
          "[hostile][regress][limits]") {
  ParseLimits limits;
  limits.max_depth = 8;
  const Read r = read_all(regress_file("depth-12-request-parameters.json"), limits);
  CHECK(r.names == std::vector<std::string>{"Good"});
  CHECK(r.outcome.records_rejected == 1);
  REQUIRE_FALSE(r.outcome.messages.empty());
  CHECK(r.outcome.messages.front().find("--max-depth") != std::string::npos);
}

// Broke (same cause): NDJSON goes through simdjson's document stream, which enforced no depth
// limit either.
TEST_CASE("--max-depth rejects a deeper record in an NDJSON file",
          "[hostile][regress][limits]") {
  ParseLimits limits;
  limits.max_depth = 8;
  const Read r = read_all(regress_file("depth-12-ndjson.json"), limits);
  CHECK(r.names == std::vector<std::string>{"Good"});
  CHECK(r.outcome.records_rejected == 1);
}

// Broke: simdjson validates UTF-8 over the whole buffer before any record is read, so one
// invalid byte in one userAgent failed the whole file ("invalid JSON: The input is not valid
// UTF-8") and every good record in it was lost: a caller who could get bytes into one field
// could hide a file's worth of evidence. Fixed in src/parse/event_reader.cpp (the file's text
// is repaired in a copy, offsets kept, and the replacements counted).
TEST_CASE("one invalid UTF-8 byte in a field does not lose the file's other records",
          "[hostile][regress][utf8]") {
  const Read r = read_all(regress_file("invalid-utf8-one-field.json"));
  CHECK(r.names == std::vector<std::string>{"Good", "Bad"});
  REQUIRE_FALSE(r.outcome.messages.empty());
  CHECK(r.outcome.messages.front().find("1 invalid UTF-8 bytes") == 0);
  CHECK_FALSE(r.outcome.file_error);
}

// Broke: refusing a decompression bomb ended with a reallocation for one byte past the budget,
// and ByteBuffer::reserve doubled that request, so a worker briefly held two buffers the size
// of --max-file-bytes (2.06 GiB peak RSS for a 4 GiB bomb under the default 1 GiB limit;
// /dev/zero likewise). Fixed in src/decode/decode.cpp and inflate.cpp: growth goes straight to
// limit + 1 and reserve allocates what it is asked for. tests/hostile_big.sh bounds the RSS.
TEST_CASE("refusing a bomb never grows the buffer past the budget",
          "[hostile][regress][decode]") {
  constexpr std::uint64_t kLimit = 4u << 20;  // a power of two, as the default is
  const std::string bomb = regress_file("bomb-8-members-of-1m.json.gz");
  ByteBuffer out;
  const DecodeResult r = inflate_gzip(bomb, kLimit, out);
  CHECK(r.status == DecodeStatus::TooLarge);
  CHECK(out.capacity() <= kLimit + 1);

  ByteBuffer scratch, decoded;
  InputFile zero;
  zero.path = "/dev/zero";
  DecodeLimits limits;
  limits.max_inflated = kLimit;
  const DecodeResult z = read_input(zero, limits, scratch, decoded);
  // Refused from its first KiB as binary, long before the budget.
  CHECK(z.status == DecodeStatus::NotText);
  CHECK(scratch.capacity() <= kLimit + 1);
}

// REGRESSION: one garbage line stopped an NDJSON file half way (500 of 1,000 records), one
// unbalanced quote lost all 1,000 records, and a file cut at both ends was skipped as not
// JSON. Every whole record is now read and what was lost is counted.
TEST_CASE("the salvage fixtures give every whole record with exact counts",
          "[hostile][salvage][regression]") {
  struct Case {
    const char* file;
    std::uint64_t used, rejected;
  };
  for (const Case& c : {Case{"ndjson-garbage-line.ndjson", 1000, 1},
                        Case{"ndjson-unbalanced-quote.ndjson", 999, 1},
                        Case{"records-unbalanced-quote.json", 999, 1},
                        Case{"records-garbage.json", 1000, 1},
                        Case{"records-cut-both-ends.json", 998, 2},
                        Case{"ndjson-cut-both-ends.ndjson", 998, 2},
                        Case{"duplicate-eventtime.json", 2, 1}}) {
    INFO(c.file);
    std::ifstream in(std::string(TH_TEST_DATA) + "/hostile/salvage/" + c.file, std::ios::binary);
    REQUIRE(in.good());
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const Read r = read_all(text);
    CHECK(r.outcome.records_used == c.used);
    CHECK(r.outcome.records_rejected == c.rejected);
    CHECK_FALSE(r.outcome.not_json);
  }
}
