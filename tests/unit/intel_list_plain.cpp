// Tests for plain lists: comments, trailing spaces, CRLF, ranges, and GuardDuty TXT.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "intel_list_support.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

using namespace trailhound::intel::testing;

TEST_CASE("plain list reads comments, trailing spaces, CRLF and ranges", "[intel][list]") {
  Loaded l;
  load(l, "plain.txt");
  CHECK(l.info().format == "plain");
  CHECK(l.info().ipv4 == 7);
  CHECK(l.info().ipv6 == 2);
  CHECK(l.info().skipped == 1);
  CHECK(l.info().masked == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA
        "/lists/plain.txt:10: leading zero in IPv4 octet (octal-ambiguous)");
  CHECK(hit(l.db, "198.51.100.200") == "198.51.100.0/24");
  CHECK(hit(l.db, "203.0.113.7") == "203.0.113.7/32");
  CHECK(hit(l.db, "192.0.2.9") == "none");
  CHECK(hit(l.db, "192.0.2.10") == "192.0.2.10/31");
  CHECK(hit(l.db, "192.0.2.20") == "192.0.2.20/32");
  CHECK(hit(l.db, "192.0.2.21") == "none");
  CHECK(hit(l.db, "10.200.0.1") == "10.0.0.0/8");
  CHECK(hit(l.db, "2001:db8:aa:1::1") == "2001:db8:aa::/48");
  CHECK(hit(l.db, "2001:db8:bb::1") == "2001:db8:bb::1/128");
}

TEST_CASE("GuardDuty TXT list is a plain list", "[intel][list]") {
  Loaded l;
  load(l, "guardduty.txt");
  CHECK(l.info().format == "plain");
  CHECK(l.info().ipv4 == 2);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/guardduty.txt:5: malformed IPv4 address");
  CHECK(hit(l.db, "203.0.113.127") == "203.0.113.0/25");
}

TEST_CASE("a list entry with trailing words is refused", "[intel][list]") {
  std::vector<std::string> bad;
  ListVisitor v{[](const Prefix&, bool, std::size_t) {},
                [&](std::size_t, std::string_view reason) { bad.emplace_back(reason); }};
  read_plain_list("1.2.3.4 extra\n1.2.3.4-1.2.3.1\n1.2.3.4-::1\n", v);
  REQUIRE(bad.size() == 3);
  CHECK(bad[0] == "unexpected text after the address");
  CHECK(bad[1].find("above") != std::string::npos);
  CHECK(bad[2].find("families") != std::string::npos);
}

TEST_CASE("a tor list name marks the list as Tor", "[intel][list]") {
  Loaded l;
  load(l, "guardduty.txt", "TorExits");
  CHECK(l.info().tor);
}
