// The GeoIP reader against MaxMind's own test databases, with their JSON sources as the oracle:
// every network's first address must read back as the source says.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <string>

#include "trailhound/geoip.hpp"

using namespace trailhound;
using namespace trailhound::intel;

namespace {

const std::string kData = TH_GEOIP "/maxmind-test-data/";
const std::string kSource = TH_GEOIP "/maxmind-source-data/";
const std::string kBad = TH_GEOIP "/maxmind-bad-data/";

GeoDb open_db(const std::string& name) {
  GeoDb db;
  const Status s = db.add(kData + name);
  INFO((s ? std::string() : s.error().what()));
  REQUIRE(s.ok());
  return db;
}

std::string str(simdjson::dom::element e, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (e[k].get(e) != simdjson::SUCCESS) return {};
  }
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

bool flag(simdjson::dom::element e, const char* key) {
  bool b = false;
  return e[key].get(b) == simdjson::SUCCESS && b;
}

/// Calls `check(first address, record)` for every network of a source JSON file.
template <class Check>
std::size_t for_each_network(const std::string& json_name, Check check) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(kSource + json_name);
  std::size_t n = 0;
  for (simdjson::dom::element item : root.get_array()) {
    for (auto [cidr, record] : item.get_object()) {
      Prefix p;
      REQUIRE(parse_prefix(cidr, p, nullptr, nullptr));
      INFO(cidr);
      check(p.addr, record);
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("each database's kind is told from its metadata", "[geoip]") {
  CHECK(open_db("GeoLite2-City-Test.mmdb").files().front().kind == GeoKind::City);
  CHECK(open_db("GeoIP2-City-Test.mmdb").files().front().kind == GeoKind::City);
  CHECK(open_db("GeoLite2-Country-Test.mmdb").files().front().kind == GeoKind::Country);
  CHECK(open_db("GeoLite2-ASN-Test.mmdb").files().front().kind == GeoKind::Asn);
  CHECK(open_db("GeoIP2-Anonymous-IP-Test.mmdb").files().front().kind == GeoKind::AnonymousIp);
  CHECK(open_db("GeoLite2-ASN-Test.mmdb").files().front().database_type == "GeoLite2-ASN");
}

TEST_CASE("City: every network reads back its country and city", "[geoip]") {
  const GeoDb db = open_db("GeoLite2-City-Test.mmdb");
  const std::size_t n = for_each_network("GeoLite2-City-Test.json", [&](const IpAddr& a, auto r) {
    const GeoInfo info = db.lookup(a);
    const std::string country = str(r, {"country", "iso_code"});
    CHECK(info.country == (country.empty() ? str(r, {"registered_country", "iso_code"}) : country));
    CHECK(info.city == str(r, {"city", "names", "en"}));
  });
  CHECK(n > 100);
}

TEST_CASE("ASN: every network reads back its number and organisation", "[geoip]") {
  const GeoDb db = open_db("GeoLite2-ASN-Test.mmdb");
  const std::size_t n = for_each_network("GeoLite2-ASN-Test.json", [&](const IpAddr& a, auto r) {
    const GeoInfo info = db.lookup(a);
    std::uint64_t asn = 0;
    if (r["autonomous_system_number"].get(asn) != simdjson::SUCCESS) asn = 0;
    CHECK(info.asn == asn);
    CHECK(info.as_org == str(r, {"autonomous_system_organization"}));
  });
  CHECK(n > 10);
}

TEST_CASE("Anonymous-IP: every network reads back its flags", "[geoip]") {
  const GeoDb db = open_db("GeoIP2-Anonymous-IP-Test.mmdb");
  const std::size_t n =
      for_each_network("GeoIP2-Anonymous-IP-Test.json", [&](const IpAddr& a, auto r) {
        const GeoInfo info = db.lookup(a);
        CHECK(info.anonymity_known);
        CHECK(info.anonymous == flag(r, "is_anonymous"));
        CHECK(info.anonymous_vpn == flag(r, "is_anonymous_vpn"));
        CHECK(info.hosting_provider == flag(r, "is_hosting_provider"));
        CHECK(info.public_proxy == flag(r, "is_public_proxy"));
        CHECK(info.residential_proxy == flag(r, "is_residential_proxy"));
        CHECK(info.tor_exit_node == flag(r, "is_tor_exit_node"));
      });
  CHECK(n > 3);
}

TEST_CASE("several databases add up for one address; the brief form names each part", "[geoip]") {
  GeoDb db;
  REQUIRE(db.add(kData + "GeoLite2-City-Test.mmdb").ok());
  REQUIRE(db.add(kData + "GeoLite2-ASN-Test.mmdb").ok());
  REQUIRE(db.add(kData + "GeoIP2-Anonymous-IP-Test.mmdb").ok());
  Prefix london;
  REQUIRE(parse_prefix("81.2.69.142", london));
  const GeoInfo l = db.lookup(london.addr);
  CHECK(l.country == "GB");
  CHECK(l.country_name == "United Kingdom");
  CHECK(l.city == "London");
  // The Anonymous-IP test database flags 81.2.69.0/24 with every kind.
  CHECK(l.anonymiser());
  CHECK(l.brief() == "GB, London, vpn, hosting, public proxy, residential proxy, tor");
  Prefix boxford;
  REQUIRE(parse_prefix("2.125.160.216", boxford));
  const GeoInfo b = db.lookup(boxford.addr);
  CHECK(b.city == "Boxford");
  CHECK(b.anonymity_known);
  CHECK_FALSE(b.anonymiser());
  CHECK(b.brief() == "GB, Boxford");
  Prefix telstra;
  REQUIRE(parse_prefix("1.128.0.1", telstra));
  const GeoInfo t = db.lookup(telstra.addr);
  CHECK(t.asn == 1221);
  CHECK(t.brief().find("AS1221 Telstra Pty Ltd") != std::string::npos);
  Prefix tor;
  REQUIRE(parse_prefix("1.124.213.1", tor));
  const GeoInfo v = db.lookup(tor.addr);
  CHECK(v.tor_exit_node);
  CHECK(v.anonymiser_kinds() == "vpn, tor");
  Prefix nowhere;
  REQUIRE(parse_prefix("192.0.2.1", nowhere));
  CHECK_FALSE(db.lookup(nowhere.addr).found());
}

TEST_CASE("the cache answers as the database does, once per address", "[geoip]") {
  const GeoDb db = open_db("GeoLite2-City-Test.mmdb");
  GeoCache cache(db);
  Prefix a;
  REQUIRE(parse_prefix("81.2.69.142", a));
  CHECK(cache.lookup(a.addr).city == "London");
  CHECK(cache.lookup(a.addr).city == "London");
  CHECK(cache.size() == 1);
}

TEST_CASE("corrupt, missing and non-MaxMind files are refused with the file named", "[geoip]") {
  std::size_t refused = 0, files = 0;
  for (const char* name : {"libmaxminddb-corrupt-search-tree.mmdb", "libmaxminddb-metadata-marker-only.mmdb",
                           "libmaxminddb-offset-integer-overflow.mmdb", "libmaxminddb-oversized-map.mmdb",
                           "libmaxminddb-oversized-array.mmdb", "libmaxminddb-deep-nesting.mmdb",
                           "libmaxminddb-deep-array-nesting.mmdb", "libmaxminddb-uint64-max-epoch.mmdb",
                           "libmaxminddb-empty-array-last-in-metadata.mmdb",
                           "libmaxminddb-empty-map-last-in-metadata.mmdb",
                           "libmaxminddb-separator-record-max-left.mmdb",
                           "libmaxminddb-separator-record-min-left.mmdb",
                           "libmaxminddb-separator-record-min-right.mmdb"}) {
    GeoDb db;
    const Status s = db.add(kBad + name);
    ++files;
    if (!s.ok()) {
      ++refused;
      CHECK(s.error().kind == ErrorKind::Config);
      CHECK(s.error().what().find(name) != std::string::npos);
    } else {
      // Opened: then lookups must not crash, whatever the file holds.
      Prefix p;
      REQUIRE(parse_prefix("1.1.1.1", p));
      (void)db.lookup(p.addr);
    }
  }
  CHECK(refused >= 1);
  CHECK(files == 13);
  GeoDb db;
  const Status missing = db.add("/nonexistent/GeoLite2-City.mmdb");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().what().find("/nonexistent/GeoLite2-City.mmdb") != std::string::npos);
  const Status not_mmdb = db.add(kSource + "GeoLite2-ASN-Test.json");
  REQUIRE_FALSE(not_mmdb.ok());
  CHECK(db.empty());
}
