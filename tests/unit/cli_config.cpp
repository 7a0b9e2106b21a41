// Tests for src/cli/config.cpp: the strict TOML-subset reader and the check of its keys.
#include <catch2/catch.hpp>

#include <string>

#include "trailhound/config.hpp"

using namespace trailhound;
using namespace trailhound::cli;

namespace {

ConfigFile parsed(std::string_view text, std::string path = "/etc/th/config.toml") {
  auto f = parse_config(text, std::move(path));
  if (!f) FAIL(f.error().what());
  return *f;
}

Error parse_error(std::string_view text) {
  auto f = parse_config(text, "c.toml");
  REQUIRE_FALSE(f.ok());
  return f.error();
}

std::vector<std::string> flags(std::string_view text, Command command,
                               std::string path = "/etc/th/config.toml") {
  auto out = config_flags(parsed(text, std::move(path)), command);
  if (!out) FAIL(out.error().what());
  return *out;
}

Error flags_error(std::string_view text, Command command = kScan) {
  auto out = config_flags(parsed(text, "c.toml"), command);
  REQUIRE_FALSE(out.ok());
  return out.error();
}

}  // namespace

TEST_CASE("keys, strings, numbers, booleans and arrays are read with their lines") {
  const auto f = parsed(
      "# comment\n"
      "quiet = true   # trailing comment\n"
      "jobs = 4\n"
      "user = 'alice'\n"
      "region = [\"us-east-1\",\n"
      "          \"eu-west-1\", # between\n"
      "]\n"
      "[ip.lookup]\n"
      "format = \"jsonl\"\n");
  REQUIRE(f.entries.size() == 5);
  CHECK(f.entries[0].key == "quiet");
  CHECK(f.entries[0].is_bool);
  CHECK(f.entries[0].line == 2);
  CHECK(f.entries[1].values == std::vector<std::string>{"4"});
  CHECK(f.entries[2].values == std::vector<std::string>{"alice"});
  CHECK(f.entries[3].is_array);
  CHECK(f.entries[3].values == std::vector<std::string>{"us-east-1", "eu-west-1"});
  CHECK(f.entries[4].section == "ip.lookup");
  CHECK(f.entries[4].line == 9);
}

TEST_CASE("syntax errors name the file and the line") {
  CHECK(parse_error("fail_on = ...\n").path == "c.toml:1");
  CHECK(parse_error("quiet = true\nnot toml {{{\n").path == "c.toml:2");
  CHECK(parse_error("[scan\nfail-on = \"high\"\n").path == "c.toml:1");
  CHECK(parse_error("user = \"alice\n").path == "c.toml:1");
  CHECK(parse_error("region = [\"a\" \"b\"]\n").message.find(", or ]") != std::string::npos);
  CHECK(parse_error("region = [\"a\",\n").message.find("not closed") != std::string::npos);
  CHECK(parse_error("user = \"a\" extra\n").message.find("after the value") != std::string::npos);
  CHECK(parse_error("user = \"a\"\nuser = \"b\"\n").path == "c.toml:2");
  CHECK(parse_error("[[scan]]\n").message.find("not supported") != std::string::npos);
}

TEST_CASE("an empty [scan] section is valid") {
  CHECK(flags("[scan]\n", kScan).empty());
}

TEST_CASE("a boolean turns a switch on, and false leaves it off") {
  CHECK(flags("quiet = true\n[scan]\ngroup = true\n", kScan) ==
        std::vector<std::string>{"--quiet", "--group"});
  CHECK(flags("quiet = false\n", kScan).empty());
  CHECK(flags_error("quiet = \"yes\"\n").message.find("true or false") != std::string::npos);
  CHECK(flags_error("fail-on = true\n").message.find("not true or false") != std::string::npos);
}

TEST_CASE("top-level keys apply to the commands that have the flag, sections to one") {
  const char* text = "fail_on = \"high\"\nregion = [\"us-east-1\"]\n[timeline]\nquiet = true\n";
  CHECK(flags(text, kScan) ==
        std::vector<std::string>{"--fail-on", "high", "--region", "us-east-1"});
  CHECK(flags(text, kTimeline) == std::vector<std::string>{"--region", "us-east-1", "--quiet"});
  CHECK(flags(text, kRules).empty());
}

TEST_CASE("a section's keys come after the top-level ones, so the section wins") {
  CHECK(flags("[scan]\nfail-on = \"low\"\n\n[ip.lookup]\nformat = \"csv\"\n", kIpLookup) ==
        std::vector<std::string>{"--format", "csv"});
  CHECK(flags("[scan]\nformat = \"csv\"\n", kScan) ==
        std::vector<std::string>{"--format", "csv"});
}

TEST_CASE("an unknown key names its line and the nearest key") {
  const Error e = flags_error("quiet = true\nfial-on = \"high\"\n");
  CHECK(e.kind == ErrorKind::Config);
  CHECK(e.path == "c.toml:2");
  CHECK(e.message.find("did you mean 'fail-on'") != std::string::npos);
  // A key of another command in a section is unknown there.
  CHECK(flags_error("[timeline]\nfail-on = \"high\"\n").path == "c.toml:2");
  // 'config' is not a key: a config file does not name another.
  CHECK_FALSE(config_flags(parsed("config = \"x.toml\"\n"), kScan).ok());
}

TEST_CASE("an unknown section names its line and the nearest command, even when empty") {
  const Error e = flags_error("quiet = true\n\n[scna]\n");
  CHECK(e.path == "c.toml:3");
  CHECK(e.message.find("did you mean [scan]") != std::string::npos);
  CHECK_FALSE(config_flags(parsed("[ip]\n"), kScan).ok());
  CHECK_FALSE(config_flags(parsed("[completions]\n"), kScan).ok());
}

TEST_CASE("values are checked like on the command line, for every command") {
  CHECK(flags_error("fail-on = \"severe\"\n", kTimeline).path == "c.toml:1: fail-on");
  CHECK(flags_error("max-depth = 3\n").message.find("8..4096") != std::string::npos);
  CHECK(flags_error("format = \"xml\"\n").message.find("text, jsonl") != std::string::npos);
  CHECK(flags_error("fail-on = [\"high\"]\n").message.find("one value") != std::string::npos);
  CHECK(flags("[scan]\nmin_severity = \"HIGH\"\n", kScan) ==
        std::vector<std::string>{"--min-severity", "high"});
}

TEST_CASE("paths are relative to the config file's folder") {
  const char* text =
      "threat-list = [\"custom=lists/t.txt:plain\", \"/abs/t.txt\"]\n"
      "signin-allowlist = [\"office.txt\", \"office=lists/o.txt\"]\n"
      "aws-ip-ranges = [\"ranges.json\"]\n"
      "[scan]\n"
      "baseline-in = \"base/in.json\"\n"
      "output = \"-\"\n"
      "user = \"lists/not-a-path\"\n";
  CHECK(flags(text, kScan, "conf/th.toml") ==
        std::vector<std::string>{
            "--threat-list", "custom=conf/lists/t.txt:plain", "--threat-list", "/abs/t.txt",
            "--signin-allowlist", "conf/office.txt", "--signin-allowlist", "office=conf/lists/o.txt",
            "--aws-ip-ranges", "conf/ranges.json", "--baseline-in", "conf/base/in.json",
            "--output", "-", "--user", "lists/not-a-path"});
  // A file in the working directory has no folder to add.
  CHECK(flags("aws-ip-ranges = \"r.json\"\n", kScan, "th.toml") ==
        std::vector<std::string>{"--aws-ip-ranges", "r.json"});
}

TEST_CASE("a missing config file is a config error with errno") {
  auto out = load_config(TH_TEST_DATA "/config/missing.toml", kScan);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().kind == ErrorKind::Config);
  CHECK(out.error().errno_value == ENOENT);
}

TEST_CASE("the sample config loads, its lists taken from its own folder") {
  auto out = load_config(TH_TEST_DATA "/sample/trailhound.toml", kScan);
  REQUIRE(out.ok());
  REQUIRE(out->size() >= 2);
  CHECK((*out)[1] == "custom=" TH_TEST_DATA "/sample/lists/threat-custom.txt");
}
