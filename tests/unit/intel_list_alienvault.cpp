// Tests for AlienVault reputation lists.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

struct Loaded {
  IntelDb db;
  std::vector<std::string> warnings;
  const ListInfo& info() const { return db.lists().front(); }
};

// Loads one fixture under test-data/lists with auto-detection and collects its warnings.
void load(Loaded& l, const std::string& file, const std::string& name = "fixture") {
  std::string error;
  bool ok = l.db.add_list(
      ListRole::Threat, name + "=" TH_TEST_DATA "/lists/" + file,
      [&](std::string_view w) { l.warnings.emplace_back(w); }, &error);
  INFO(error);
  REQUIRE(ok);
}

std::string hit(const IntelDb& db, std::string_view addr) {
  IpAddr a;
  REQUIRE(parse_address(addr, a));
  LookupResult r;
  db.lookup(a, r);
  return r.count ? to_string(r.hits[0].prefix) : "none";
}

}  // namespace

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
