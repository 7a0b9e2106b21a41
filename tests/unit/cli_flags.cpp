// Tests for src/cli/flags.cpp and src/cli/commands.cpp: the flag table, its checks and the
// argv preparation (help COMMAND, did you mean, config flags before the command line's).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <string>

#include "trailhound/cli.hpp"
#include "trailhound/flags.hpp"
#include "trailhound/format.hpp"

using namespace trailhound;
using namespace trailhound::cli;

TEST_CASE("every flag is declared once, with a target, a group and a command") {
  std::set<std::string_view> names;
  std::set<char> shorts_of_reading;
  for (const auto& f : flag_table()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK(f.target != nullptr);
    CHECK_FALSE(f.group.empty());
    CHECK(f.commands != 0);
    CHECK(f.takes_value() == !f.value_name.empty());
    if (f.kind == ValueKind::Choice) CHECK(f.choices != nullptr);
  }
}

TEST_CASE("every flag stores into the requests of every command that has it") {
  RequestSet rs;
  for (const auto& c : command_table()) {
    if (c.id == kCompletions) continue;
    const Requests r = rs.for_command(c.id);
    for (const auto& f : flag_table()) {
      if ((f.commands & c.id) == 0) continue;
      INFO(f.name << " of " << c.name);
      const Target t = f.target(r);
      CHECK(std::visit([](auto* p) { return p != nullptr; }, t));
    }
  }
}

TEST_CASE("--format takes exactly the report stage's format names") {
  const Flag* f = find_flag("format");
  REQUIRE(f != nullptr);
  std::vector<std::string> expected;
  for (const auto& n : format_names()) expected.emplace_back(n.name);
  CHECK(f->choices() == expected);
  CHECK((f->commands & kRules) != 0);
  CHECK((f->commands & kIpLookup) != 0);
}

TEST_CASE("the flags whose request fields had none now exist") {
  for (const char* name : {"wide", "strict", "color", "output"}) {
    INFO(name);
    CHECK(find_flag(name) != nullptr);
  }
  CHECK((find_flag("wide")->commands & kRules) != 0);
  CHECK((find_flag("output")->commands & kIpLists) != 0);
  CHECK((find_flag("strict")->commands & kRules) == 0);
}

TEST_CASE("a config key may use _ or -") {
  REQUIRE(find_flag("fail_on") != nullptr);
  CHECK(find_flag("fail_on") == find_flag("fail-on"));
  CHECK(find_flag("fail-onn") == nullptr);
}

TEST_CASE("severities are case-insensitive and stored in lower case") {
  const Flag& f = *find_flag("fail-on");
  CHECK(*check_value(f, "HIGH") == "high");
  CHECK(*check_value(f, "Critical") == "critical");
  const auto bad = check_value(f, "hihg");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("did you mean 'high'"));
}

TEST_CASE("numbers are checked against the flag's range") {
  const Flag& f = *find_flag("max-depth");
  CHECK(check_value(f, "256").ok());
  CHECK_FALSE(check_value(f, "7").ok());
  CHECK_FALSE(check_value(f, "4097").ok());
  CHECK_FALSE(check_value(f, "12x").ok());
  CHECK_FALSE(check_value(f, "-1").ok());
}

TEST_CASE("sizes take K, M, G and T suffixes in powers of 1024") {
  CHECK(parse_size("0") == 0u);
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("256M") == 256ULL << 20);
  CHECK(parse_size("256m") == 256ULL << 20);
  CHECK(parse_size("256MB") == 256ULL << 20);
  CHECK(parse_size("256MiB") == 256ULL << 20);
  CHECK(parse_size("1G") == 1ULL << 30);
  CHECK(parse_size("3k") == 3072u);
  CHECK(parse_size("2T") == 2ULL << 40);
  CHECK(parse_size("16777215T") == 16777215ULL << 40);
  CHECK_FALSE(parse_size("16777216T"));  // 2^64: overflow
  CHECK_FALSE(parse_size("18446744073709551616"));
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("M"));
  CHECK_FALSE(parse_size("-1G"));
  CHECK_FALSE(parse_size("1.5G"));
  CHECK_FALSE(parse_size("1X"));
  CHECK_FALSE(parse_size("1GG"));
  CHECK_FALSE(parse_size("1 G"));
  CHECK_FALSE(parse_size(" 1G"));
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("12Q"));
  CHECK(parse_size("64K") == 65536u);
  CHECK(parse_size("1GB") == 1ULL << 30);
  const Flag& f = *find_flag("max-memory");
  CHECK(f.kind == ValueKind::Size);
  CHECK(*check_value(f, "256M") == "268435456");
  const auto bad = check_value(f, "lots");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("'lots' is not a size"));
  CHECK_THAT(bad.error().path, Catch::Contains("--max-memory"));
}

TEST_CASE("--color takes auto, always or never") {
  const Flag& f = *find_flag("color");
  CHECK(check_value(f, "always").ok());
  CHECK_FALSE(check_value(f, "sometimes").ok());
}

TEST_CASE("the edit distance counts a swap of neighbours as one edit") {
  CHECK(edit_distance("scan", "scan") == 0);
  CHECK(edit_distance("scna", "scan") == 1);
  CHECK(edit_distance("fromat", "format") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("nearest suggests a typo's word and nothing for an unrelated one") {
  const std::vector<std::string> words = {"timeline", "summary", "scan", "investigate"};
  CHECK(nearest("scna", words) == "scan");
  CHECK(nearest("investgate", words) == "investigate");
  CHECK(nearest("zzzz", words).empty());
}

TEST_CASE("help COMMAND becomes COMMAND --help") {
  ::setenv("TRAILHOUND_CONFIG", "", 1);
  ::setenv("XDG_CONFIG_HOME", "/nonexistent-trailhound-test", 1);
  auto args = prepare_args({"help", "scan"});
  REQUIRE(args.ok());
  CHECK(*args == std::vector<std::string>{"scan", "--help"});
  auto root = prepare_args({"help"});
  REQUIRE(root.ok());
  CHECK(*root == std::vector<std::string>{"--help"});
}

TEST_CASE("a mistyped command or flag names the nearest one") {
  ::setenv("TRAILHOUND_CONFIG", "", 1);
  ::setenv("XDG_CONFIG_HOME", "/nonexistent-trailhound-test", 1);
  auto cmd = prepare_args({"scna", "logs/"});
  REQUIRE_FALSE(cmd.ok());
  CHECK(cmd.error().kind == ErrorKind::Usage);
  CHECK_THAT(cmd.error().message, Catch::Contains("did you mean 'scan'"));
  auto flag = prepare_args({"scan", "--fromat", "jsonl", "logs/"});
  REQUIRE_FALSE(flag.ok());
  CHECK_THAT(flag.error().message, Catch::Contains("did you mean '--format'"));
  // A flag of another command is not accepted either.
  CHECK_FALSE(prepare_args({"timeline", "--fail-on", "high", "logs/"}).ok());
  // A flag's value is not taken for a flag.
  CHECK(prepare_args({"timeline", "--user", "--odd", "logs/"}).ok());
}

TEST_CASE("$TRAILHOUND_CONFIG naming a missing file is an error, not an empty config") {
  ::setenv("TRAILHOUND_CONFIG", "/nonexistent-trailhound-test/config.toml", 1);
  auto args = prepare_args({"scan", "--fail-on", "high", "logs/"});
  ::setenv("TRAILHOUND_CONFIG", "", 1);
  REQUIRE_FALSE(args.ok());
  CHECK(args.error().kind == ErrorKind::Config);
  CHECK(args.error().errno_value == ENOENT);
}

TEST_CASE("config flags go right after the command, before the command line's own") {
  ::setenv("TRAILHOUND_CONFIG", TH_TEST_DATA "/config/bool.toml", 1);
  auto args = prepare_args({"scan", "--fail-on", "critical", "logs/"});
  ::setenv("TRAILHOUND_CONFIG", "", 1);
  REQUIRE(args.ok());
  CHECK(*args == std::vector<std::string>{"scan", "--quiet", "--group", "--fail-on", "high",
                                          "--fail-on", "critical", "logs/"});
}
