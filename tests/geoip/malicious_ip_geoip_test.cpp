// malicious-ip-caller with --geoip: an Anonymous-IP hit on a threat-listed address counts as one
// more unexpected property. Uses MaxMind's test databases, where 1.124.213.1 is a VPN and a Tor
// exit and 1.128.0.1 (AS1221) is no anonymiser.
#include "../unit/rules/rule_test_support.hpp"

#include "trailhound/geoip.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

const std::string kData = TH_GEOIP "/maxmind-test-data/";
const std::string kAnonymous = "1.124.213.1";  // vpn, tor
const std::string kPlain = "1.128.0.1";        // AS1221 Telstra, not anonymous
const std::string kClean = "198.51.100.1";
const std::string kCli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1";

intel::GeoDb geo_db(bool with_anonymous) {
  intel::GeoDb db;
  REQUIRE(db.add(kData + "GeoLite2-ASN-Test.mmdb"));
  if (with_anonymous) REQUIRE(db.add(kData + "GeoIP2-Anonymous-IP-Test.mmdb"));
  return db;
}

/// Alice's usual calls from an unlisted address, then one call from `ip` (listed).
const detect::Finding& judged(const std::string& ip, const std::string& name,
                              const intel::GeoDb* geo, detect::DetectResult& keep,
                              std::size_t workers = 1) {
  intel::IntelDb intel;
  add(intel, intel::ListRole::Threat, "feed", kAnonymous);
  add(intel, intel::ListRole::Threat, "feed", kPlain);
  std::vector<Record> records;
  for (int i = 0; i < 3; ++i) {
    Record r;
    r.ip = kClean;
    r.time = "2026-03-14T09:0" + std::to_string(i) + ":00Z";
    records.push_back(r);
  }
  Record call;
  call.ip = ip;
  call.event_name = name;
  call.agent = kCli;
  records.push_back(call);
  detect::DetectConfig config = only({std::string(detect::kRuleMaliciousIp)});
  config.geo = geo;
  keep = run(records, intel, config, {}, nullptr, workers,
             [workers](std::size_t i) { return i % workers; });
  const auto found = of_rule(keep, detect::kRuleMaliciousIp);
  REQUIRE(found.size() == 1);
  return *found[0];
}

}  // namespace

TEST_CASE("malicious-ip-caller: an anonymiser per GeoIP is one more unexpected property",
          "[geoip][rules][malicious]") {
  const intel::GeoDb geo = geo_db(true);
  detect::DetectResult r;
  SECTION("the usual call: informational becomes low") {
    const auto& f = judged(kAnonymous, "ListBuckets", &geo, r);
    CHECK(f.severity == Severity::Low);
    CHECK(has_reason(f, "source is an anonymiser (vpn, tor) per GeoIP"));
  }
  SECTION("an unexpected action as well: low becomes high") {
    const auto& f = judged(kAnonymous, "PutObject", &geo, r);
    CHECK(f.severity == Severity::High);
    CHECK(has_reason(f, "unexpected action s3.amazonaws.com:PutObject"));
    CHECK(has_reason(f, "anonymiser (vpn, tor)"));
  }
  SECTION("the same across workers: each looks the address up with its own cache") {
    const auto& f = judged(kAnonymous, "ListBuckets", &geo, r, 3);
    CHECK(f.severity == Severity::Low);
  }
  SECTION("an address the database does not flag adds nothing") {
    const auto& f = judged(kPlain, "ListBuckets", &geo, r);
    CHECK(f.severity == Severity::Informational);
    CHECK_FALSE(has_reason(f, "anonymiser"));
  }
}

TEST_CASE("malicious-ip-caller without an Anonymous-IP database keeps the old tiers",
          "[geoip][rules][malicious]") {
  detect::DetectResult r;
  SECTION("no --geoip") {
    const auto& f = judged(kAnonymous, "ListBuckets", nullptr, r);
    CHECK(f.severity == Severity::Informational);
    CHECK_FALSE(has_reason(f, "anonymiser"));
  }
  SECTION("only an ASN database") {
    const intel::GeoDb geo = geo_db(false);
    const auto& f = judged(kAnonymous, "ListBuckets", &geo, r);
    CHECK(f.severity == Severity::Informational);
  }
}
