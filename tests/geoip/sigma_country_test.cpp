// The Sigma placeholder rule's src_country with --geoip: MaxMind's City test database places
// 81.2.69.142 in GB (London) and 216.160.83.56 in the US; 198.51.100.7 is in no record, so its
// country is unknown and the country filter cannot excuse it (fail closed).
#include <filesystem>
#include <fstream>

#include "../unit/rules/rule_test_support.hpp"

#include "trailhound/geoip.hpp"
#include "trailhound/sigma.hpp"

using namespace rule_test;
namespace sigma = trailhound::detect::sigma;

TEST_CASE("sigma: src_country comes from --geoip; an unknown country excludes nothing",
          "[geoip][sigma]") {
  const std::string rule =
      "title: Console login outside the countries\nid: 0f0e0d0c-0000-4000-8000-000000000001\n"
      "level: medium\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n"
      "    selection:\n        eventName: ConsoleLogin\n"
      "    filter_country:\n        src_country|expand: '%Legitimate_Countries%'\n"
      "    condition: selection and not 1 of filter_*\n";
  const auto dir = std::filesystem::temp_directory_path() / "trailhound-sigma-geoip-test";
  std::filesystem::create_directories(dir);
  const auto countries = (dir / "countries.txt").string();
  std::ofstream(countries) << "# where staff sign in from\nGB\n";
  auto set = sigma::compile_text(rule, {{"Legitimate_Countries", countries}});
  REQUIRE(set->active() == 1);
  intel::GeoDb geo;
  REQUIRE(geo.add(TH_GEOIP "/maxmind-test-data/GeoIP2-City-Test.mmdb"));
  auto login = [](const std::string& ip) {
    Record r;
    r.event_source = "signin.amazonaws.com";
    r.event_name = "ConsoleLogin";
    r.ip = ip;
    return r;
  };
  const std::vector<Record> logins = {login("81.2.69.142"), login("216.160.83.56"),
                                      login("198.51.100.7")};
  const intel::IntelDb intel;
  detect::DetectConfig config = only({"sigma"});
  config.sigma = set;
  config.geo = &geo;
  const auto with_geo = run(logins, intel, config);
  REQUIRE(with_geo.findings.size() == 2);
  CHECK(with_geo.findings[0].source_ip == "216.160.83.56");
  CHECK(with_geo.findings[1].source_ip == "198.51.100.7");
  // Without a database every country is unknown: nothing is excused.
  config.geo = nullptr;
  CHECK(run(logins, intel, config).findings.size() == 3);
  std::filesystem::remove_all(dir);
}
