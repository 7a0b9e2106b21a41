// Tests for reading ip-ranges.json: de-duplication, merged services, most specific prefix.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {
const AwsInfo* aws_of(const IntelDb& db, std::string_view addr) {
  IpAddr a;
  REQUIRE(parse_address(addr, a));
  LookupResult r;
  db.lookup(a, r);
  return r.aws;
}
}  // namespace

TEST_CASE("AWS ranges merge a prefix's services and count distinct prefixes", "[intel][aws]") {
  IntelDb db;
  std::string error;
  std::vector<std::string> warnings;
  REQUIRE(db.load_aws_ranges(
      TH_TEST_DATA "/lists/aws-ip-ranges-mini.json",
      [&](std::string_view w) { warnings.emplace_back(w); }, &error));
  REQUIRE(db.aws_files().size() == 1);
  const auto& f = db.aws_files()[0];
  CHECK(f.ipv4 == 4);
  CHECK(f.ipv6 == 2);
  CHECK(f.skipped == 1);
  CHECK(f.create_date == "2018-11-27-02-33-25");
  CHECK(f.sync_token == "1543286005");
  REQUIRE(warnings.size() == 1);
  INFO(warnings[0]);
  CHECK(warnings[0].find("prefixes[5]: malformed IPv4 address") != std::string::npos);
  CHECK(db.has_aws_ranges());

  const AwsInfo* a = aws_of(db, "34.234.236.212");
  REQUIRE(a != nullptr);
  CHECK(a->services == std::vector<std::string>{"AMAZON", "EC2"});
  CHECK(a->regions == std::vector<std::string>{"us-east-1"});
  CHECK(to_string(a->prefix) == "34.224.0.0/12");

  a = aws_of(db, "52.94.1.1");
  REQUIRE(a != nullptr);
  CHECK(to_string(a->prefix) == "52.94.0.0/22");
  a = aws_of(db, "52.94.200.1");
  REQUIRE(a != nullptr);
  CHECK(to_string(a->prefix) == "52.94.0.0/16");

  a = aws_of(db, "2600:1f18:1::1");
  REQUIRE(a != nullptr);
  CHECK(a->services == std::vector<std::string>{"AMAZON", "EC2"});
  CHECK(aws_of(db, "8.8.8.8") == nullptr);
}

TEST_CASE("a file that is not ip-ranges.json is refused", "[intel][aws]") {
  IntelDb db;
  std::string error;
  CHECK_FALSE(db.load_aws_ranges(TH_TEST_DATA "/lists/plain.txt", {}, &error));
  CHECK_FALSE(error.empty());
  CHECK_FALSE(db.load_aws_ranges("/nonexistent/ip-ranges.json", {}, &error));
  CHECK_FALSE(db.has_aws_ranges());
}
