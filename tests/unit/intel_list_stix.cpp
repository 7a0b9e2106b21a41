// Tests for STIX 1.x lists: Address_Value elements, InclusiveBetween ranges, bad values.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "intel_list_support.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

using namespace trailhound::intel::testing;

TEST_CASE("STIX list reads values, a ##comma## range, and warns on a bad one", "[intel][list]") {
  Loaded l;
  load(l, "stix.xml");
  CHECK(l.info().format == "stix");
  CHECK(l.info().ipv4 == 2);
  CHECK(l.info().ipv6 == 1);
  CHECK(l.info().skipped == 1);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == TH_TEST_DATA "/lists/stix.xml:29: IPv4 octet above 255");
  CHECK(hit(l.db, "198.51.100.255") == "198.51.100.0/24");
  CHECK(hit(l.db, "203.0.113.1") == "203.0.113.0/24");
  CHECK(hit(l.db, "2001:db8::5") == "2001:db8::5/128");
}

TEST_CASE("STIX values without a range condition are separate entries", "[intel][list]") {
  std::vector<std::string> got;
  ListVisitor v{[&](const Prefix& p, bool, std::size_t) { got.push_back(to_string(p)); },
                [](std::size_t, std::string_view) {}};
  read_stix_list(
      "<x:Address_Value condition=\"Equals\" apply_condition=\"ANY\">1.2.3.4##comma##"
      "5.6.7.0/24</x:Address_Value><x:Address_Value_Other>9.9.9.9</x:Address_Value_Other>",
      v);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "1.2.3.4/32");
  CHECK(got[1] == "5.6.7.0/24");
}
