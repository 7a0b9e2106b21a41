// Shared helpers of the list-format tests: load a fixture, look an address up.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

namespace trailhound::intel::testing {

/// A database holding one fixture list, with the warnings its loading gave.
struct Loaded {
  IntelDb db;
  std::vector<std::string> warnings;
  const ListInfo& info() const { return db.lists().front(); }
};

/// Loads one fixture under test-data/lists with auto-detection and collects its warnings.
inline void load(Loaded& l, const std::string& file, const std::string& name = "fixture") {
  std::string error;
  bool ok = l.db.add_list(
      ListRole::Threat, name + "=" TH_TEST_DATA "/lists/" + file,
      [&](std::string_view w) { l.warnings.emplace_back(w); }, &error);
  INFO(error);
  REQUIRE(ok);
}

/// The most specific prefix holding `addr` in the first matching list, or "none".
inline std::string hit(const IntelDb& db, std::string_view addr) {
  IpAddr a;
  REQUIRE(parse_address(addr, a));
  LookupResult r;
  db.lookup(a, r);
  return r.count ? to_string(r.hits[0].prefix) : "none";
}

}  // namespace trailhound::intel::testing
