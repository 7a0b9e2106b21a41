// Tests for list format names and detection from content.
#include <catch2/catch.hpp>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

TEST_CASE("format names parse, txt being plain", "[intel][list]") {
  ListFormat f;
  REQUIRE(parse_list_format("txt", f));
  CHECK(f == ListFormat::Plain);
  REQUIRE(parse_list_format("FireEye", f));
  CHECK(f == ListFormat::FireEye);
  CHECK_FALSE(parse_list_format("csv", f));
  CHECK(to_string(ListFormat::AlienVault) == "alienvault");
}

TEST_CASE("format detection reads the first meaningful line", "[intel][list]") {
  CHECK(detect_list_format("# header\n1.2.3.4\n") == ListFormat::Plain);
  CHECK(detect_list_format("") == ListFormat::Plain);
  CHECK(detect_list_format("  <?xml version=\"1.0\"?>\n<stix:STIX_Package/>") == ListFormat::Stix);
  CHECK(detect_list_format("Indicator type,Indicator,Description\n") == ListFormat::Otx);
  CHECK(detect_list_format("ip, category, score, first_seen, last_seen, ports (|)\n") ==
        ListFormat::Proofpoint);
  CHECK(detect_list_format("reportId,title,cidr,ip\n") == ListFormat::FireEye);
  CHECK(detect_list_format("1.2.3.4#4#2#Malicious Host#US#City#1,2#11\n") ==
        ListFormat::AlienVault);
  CHECK(detect_list_format("1.2.3.4 # a comment with # marks # # # # #\n") == ListFormat::Plain);
}
