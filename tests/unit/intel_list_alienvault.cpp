// Tests for AlienVault reputation lists.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "intel_list_support.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

using namespace trailhound::intel::testing;

TEST_CASE("AlienVault list reads the address before the first #", "[intel][list]") {
  Loaded l;
  load(l, "alienvault.txt");
  CHECK(l.info().format == "alienvault");
  CHECK(l.info().ipv4 == 2);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/alienvault.txt:4: malformed IPv4 address");
  CHECK(hit(l.db, "203.0.113.31") == "203.0.113.0/27");
  CHECK(hit(l.db, "2001:db8::40") == "2001:db8::40/128");
}
