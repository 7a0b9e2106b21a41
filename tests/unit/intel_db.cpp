// Tests for IntelDb: roles, several lists on one prefix, most specific prefix per list, inline.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  std::string path = "/tmp/trailhound_intel_db_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

IpAddr ip(std::string_view text) {
  IpAddr a;
  REQUIRE(parse_address(text, a));
  return a;
}

}  // namespace

TEST_CASE("several lists on one prefix are all reported in load order", "[intel][db]") {
  IntelDb db;
  std::string error;
  REQUIRE(
      db.add_list(ListRole::Threat, "a=" + write_temp("a.txt", "198.51.100.0/24\n"), {}, &error));
  REQUIRE(
      db.add_list(ListRole::Threat, "b=" + write_temp("b.txt", "198.51.100.0/24\n"), {}, &error));
  LookupResult r;
  db.lookup(ip("198.51.100.5"), r);
  REQUIRE(r.count == 2);
  CHECK(r.hits[0].list == 0);
  CHECK(r.hits[1].list == 1);
  CHECK(r.threat);
  CHECK(r.malicious());
  CHECK(db.prefix_count() == 1);
}

TEST_CASE("a list matched at two depths reports only its most specific prefix", "[intel][db]") {
  IntelDb db;
  std::string error;
  REQUIRE(db.add_list(ListRole::Threat,
                      "nested=" + write_temp("n.txt", "10.0.0.0/8\n10.1.0.0/16\n"), {}, &error));
  REQUIRE(db.add_list(ListRole::Threat, "wide=" + write_temp("w.txt", "10.0.0.0/8\n"), {}, &error));
  LookupResult r;
  db.lookup(ip("10.1.2.3"), r);
  REQUIRE(r.count == 2);
  CHECK(to_string(r.hits[0].prefix) == "10.1.0.0/16");
  CHECK(to_string(r.hits[1].prefix) == "10.0.0.0/8");
  db.lookup(ip("10.2.0.1"), r);
  REQUIRE(r.count == 2);
  CHECK(to_string(r.hits[0].prefix) == "10.0.0.0/8");
}

TEST_CASE("a trusted list wins over a threat list but both are shown", "[intel][db]") {
  IntelDb db;
  std::string error;
  REQUIRE(db.add_list(ListRole::Threat, "tor-exits=" + write_temp("t.txt", "203.0.113.9\n"), {},
                      &error));
  REQUIRE(db.add_list(ListRole::Trusted, "office=" + write_temp("o.txt", "203.0.113.0/24\n"), {},
                      &error));
  LookupResult r;
  db.lookup(ip("203.0.113.9"), r);
  REQUIRE(r.count == 2);
  CHECK(r.threat);
  CHECK(r.tor);
  CHECK(r.trusted);
  CHECK_FALSE(r.malicious());
  CHECK(db.lists()[0].tor);
  CHECK_FALSE(db.lists()[1].tor);
  CHECK(db.has_threat_lists());
  CHECK(db.has_trusted_lists());
  CHECK_FALSE(db.has_signin_allowlist());
}

TEST_CASE("inline sign-in allow entries share one list", "[intel][db]") {
  IntelDb db;
  std::string error;
  REQUIRE(db.add_inline(ListRole::SigninAllow, "allow-signin", "192.0.2.0/24", &error));
  REQUIRE(db.add_inline(ListRole::SigninAllow, "allow-signin", "2001:db8::/32", &error));
  CHECK_FALSE(db.add_inline(ListRole::SigninAllow, "allow-signin", "192.0.2.0/33", &error));
  CHECK(error.find("out of range") != std::string::npos);
  REQUIRE(db.lists().size() == 1);
  CHECK(db.lists()[0].ipv4 == 1);
  CHECK(db.lists()[0].ipv6 == 1);
  CHECK(db.has_signin_allowlist());
  LookupResult r;
  db.lookup(ip("2001:db8::77"), r);
  CHECK(r.signin_allowed);
  CHECK_FALSE(r.threat);
}

TEST_CASE("a sign-in allow list may be given as a bare path", "[intel][db]") {
  IntelDb db;
  std::string error;
  REQUIRE(db.add_list(ListRole::SigninAllow, write_temp("s.txt", "192.0.2.7\n"), {}, &error));
  CHECK(db.lists()[0].name == "signin-allowlist");
  CHECK_FALSE(db.add_list(ListRole::Threat, write_temp("s2.txt", "192.0.2.7\n"), {}, &error));
  CHECK(error.find("NAME=PATH") != std::string::npos);
}

TEST_CASE("a format suffix is taken only when it names a format", "[intel][db]") {
  IntelDb db;
  std::string error;
  std::string path =
      write_temp("fmt.txt", "198.51.100.40#4#2#Malicious Host#US#Chicago#41.85,-87.62#11\n");
  REQUIRE(db.add_list(ListRole::Threat, "av=" + path + ":alienvault", {}, &error));
  CHECK(db.lists()[0].format == "alienvault");
  CHECK_FALSE(db.add_list(ListRole::Threat, "x=" + path + ":nosuch", {}, &error));
  CHECK(error.find("cannot read") != std::string::npos);
  CHECK_FALSE(db.add_list(ListRole::Threat, "av=" + path, {}, &error));
  CHECK(error.find("twice") != std::string::npos);
}

TEST_CASE("a missing file is an error, not a warning", "[intel][db]") {
  IntelDb db;
  std::string error;
  CHECK_FALSE(db.add_list(ListRole::Threat, "x=/nonexistent/list.txt", {}, &error));
  CHECK(error.find("/nonexistent/list.txt") != std::string::npos);
}

TEST_CASE("masked CIDRs are counted and noted", "[intel][db]") {
  IntelDb db;
  std::string error;
  std::vector<std::string> notes;
  REQUIRE(db.add_list(ListRole::Threat, "m=" + write_temp("m.txt", "10.1.2.3/8\n10.0.0.0/8\n"), {},
                      &error, [&](std::string_view n) { notes.emplace_back(n); }));
  CHECK(db.lists()[0].masked == 1);
  CHECK(db.lists()[0].ipv4 == 1);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find(":1: host bits set, masked to 10.0.0.0/8") != std::string::npos);
}

TEST_CASE("an address on no list gives an empty result", "[intel][db]") {
  IntelDb db;
  LookupResult r;
  db.lookup(ip("8.8.8.8"), r);
  CHECK(r.count == 0);
  CHECK(r.aws == nullptr);
  CHECK_FALSE(r.malicious());
}

TEST_CASE("a list path that is a folder is an error naming it", "[intel][db][regression]") {
  // An ifstream opens a folder and reads nothing: the list used to load empty, silently.
  IntelDb db;
  std::string error;
  for (ListRole role : {ListRole::Threat, ListRole::Trusted, ListRole::SigninAllow}) {
    CHECK_FALSE(db.add_list(role, "dir=/tmp", {}, &error));
    CHECK(error == "cannot read /tmp: is a folder");
  }
  CHECK(db.lists().empty());
  CHECK_FALSE(db.load_aws_ranges("/tmp", {}, &error));
  CHECK(error == "cannot read /tmp: is a folder");
  CHECK_FALSE(db.has_aws_ranges());
}

TEST_CASE("an unreadable ip-ranges path is an error with the errno text", "[intel][db]") {
  IntelDb db;
  std::string error;
  CHECK_FALSE(db.load_aws_ranges("/nonexistent/ip-ranges.json", {}, &error));
  CHECK(error == "cannot read /nonexistent/ip-ranges.json: No such file or directory");
}

TEST_CASE("a threat list entry wider than /8 or /16 is loaded with a warning naming the line",
          "[intel][db][regression]") {
  IntelDb db;
  std::string error;
  std::vector<std::string> warnings;
  const std::string path =
      write_temp("wide.txt", "198.51.100.0/24\n0.0.0.0/0\n10.0.0.0/8\n2001:db8::/15\n::/16\n");
  REQUIRE(db.add_list(ListRole::Threat, "wide=" + path, [&](std::string_view w) {
    warnings.emplace_back(w);
  }, &error));
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0] == path + ":2: 0.0.0.0/0 is wider than /8; it lists a large part of the "
                             "Internet");
  CHECK(warnings[1].find(path + ":4: 2000::/15 is wider than /16") == 0);
  CHECK(db.lists()[0].wide == 2);
  CHECK(db.lists()[0].ipv4 == 3);  // /8 itself is not wide
  LookupResult r;
  db.lookup(ip("8.8.8.8"), r);
  CHECK(r.threat);  // loaded as asked, but never silently
}

TEST_CASE("a trusted list refuses an entry wider than /8 unless allowed",
          "[intel][db][regression]") {
  const std::string path =
      write_temp("trust-all.txt", "0.0.0.0/0\n203.0.113.99\n0.0.0.0-1.255.255.255\n");
  std::vector<std::string> warnings;
  const WarningSink warn = [&](std::string_view w) { warnings.emplace_back(w); };
  std::string error;
  {
    IntelDb db;
    REQUIRE(db.add_list(ListRole::Trusted, "all=" + path, warn, &error));
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0] == path + ":1: 0.0.0.0/0 is wider than /8; refused in a trusted list "
                               "(--allow-wide-trusted)");
    CHECK(warnings[1].find(path + ":3: 0.0.0.0/7 is wider than /8") == 0);
    CHECK(db.lists()[0].ipv4 == 1);
    CHECK(db.lists()[0].skipped == 2);
    LookupResult r;
    db.lookup(ip("8.8.8.8"), r);
    CHECK_FALSE(r.trusted);
    db.lookup(ip("203.0.113.99"), r);
    CHECK(r.trusted);
    CHECK_FALSE(db.add_inline(ListRole::Trusted, "cli", "0.0.0.0/1", &error));
    CHECK(error.find("refused in a trusted list") != std::string::npos);
  }
  warnings.clear();
  {
    IntelDb db;
    db.allow_wide_trusted(true);
    REQUIRE(db.add_list(ListRole::Trusted, "all=" + path, warn, &error));
    CHECK(warnings.size() == 2);  // still warned about
    LookupResult r;
    db.lookup(ip("8.8.8.8"), r);
    CHECK(r.trusted);
    CHECK(db.add_inline(ListRole::Trusted, "cli", "0.0.0.0/1", &error));
  }
}
