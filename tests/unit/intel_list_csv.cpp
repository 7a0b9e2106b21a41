// Tests for the CSV threat-list formats: OTX, FireEye iSIGHT and Proofpoint ET.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "intel_list_support.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

using namespace trailhound::intel::testing;

TEST_CASE("OTX CSV reads IPv4, IPv6 and CIDR rows", "[intel][list]") {
  Loaded l;
  load(l, "otx.csv");
  CHECK(l.info().format == "otx");
  CHECK(l.info().ipv4 == 2);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 2);
  REQUIRE(l.warnings.size() == 2);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/otx.csv:5: unsupported indicator type `domain`");
  CHECK(l.warnings[1] == TH_TEST_DATA "/lists/otx.csv:6: IPv4 octet above 255");
  CHECK(hit(l.db, "198.51.100.9") == "198.51.100.9/32");
  CHECK(hit(l.db, "203.0.113.63") == "203.0.113.0/26");
}

TEST_CASE("FireEye CSV uses whichever of cidr and ip a row fills", "[intel][list]") {
  Loaded l;
  load(l, "fireeye.csv");
  CHECK(l.info().format == "fireeye");
  CHECK(l.info().ipv4 == 2);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/fireeye.csv:5: malformed IPv4 address");
  CHECK(hit(l.db, "198.51.100.20") == "198.51.100.20/32");
  CHECK(hit(l.db, "203.0.113.15") == "203.0.113.0/28");
  CHECK(hit(l.db, "2001:db8::20") == "2001:db8::20/128");
}

TEST_CASE("Proofpoint CSV reads the ip column", "[intel][list]") {
  Loaded l;
  load(l, "proofpoint.csv");
  CHECK(l.info().format == "proofpoint");
  CHECK(l.info().ipv4 == 1);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/proofpoint.csv:4: IPv4 octet above 255");
  CHECK(hit(l.db, "198.51.100.30") == "198.51.100.30/32");
}

TEST_CASE("a quoted CSV field may hold commas and newlines", "[intel][list]") {
  std::vector<std::size_t> lines;
  ListVisitor v{[&](const Prefix&, bool, std::size_t line) { lines.push_back(line); },
                [](std::size_t, std::string_view) {}};
  read_otx_list("Indicator type,Indicator,Description\nIPv4,1.2.3.4,\"a,\nb\"\nIPv4,5.6.7.8,x\n",
                v);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == 2);
  CHECK(lines[1] == 4);
}
