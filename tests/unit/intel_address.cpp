// Tests for strict address and prefix parsing, source classification and canonical printing.
#include <catch2/catch.hpp>
#include <string>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {
std::string canon(std::string_view text) {
  IpAddr a;
  std::string error;
  if (!parse_address(text, a, &error)) return "error: " + error;
  return to_string(a);
}
}  // namespace

TEST_CASE("dotted quads parse and print back", "[intel][address]") {
  CHECK(canon("0.0.0.0") == "0.0.0.0");
  CHECK(canon("255.255.255.255") == "255.255.255.255");
  CHECK(canon("34.234.236.212") == "34.234.236.212");
  IpAddr a;
  REQUIRE(parse_address("1.2.3.4", a));
  CHECK(a.v4);
  CHECK(a.v4_value() == 0x01020304u);
}

TEST_CASE("a leading-zero octet is refused as octal-ambiguous", "[intel][address]") {
  IpAddr a;
  std::string error;
  CHECK_FALSE(parse_address("035.249.253.232", a, &error));
  CHECK(error.find("leading zero") != std::string::npos);
  CHECK_FALSE(parse_address("1.2.3.00", a, &error));
  CHECK(parse_address("10.0.0.0", a, &error));
}

TEST_CASE("malformed IPv4 text is refused", "[intel][address]") {
  IpAddr a;
  for (const char* bad : {"1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
                          "1.2.3.", "a.b.c.d", "1.2.3.-4", "1.2.3.1000", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_address(bad, a));
  }
}

TEST_CASE("every IPv6 text form parses to its canonical RFC 5952 text", "[intel][address]") {
  CHECK(canon("::") == "::");
  CHECK(canon("::1") == "::1");
  CHECK(canon("1::") == "1::");
  CHECK(canon("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
  CHECK(canon("2001:DB8::A:B") == "2001:db8::a:b");
  CHECK(canon("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
  CHECK(canon("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
  CHECK(canon("fe80::") == "fe80::");
  CHECK(canon("1:2:3:4:5:6:7:8") == "1:2:3:4:5:6:7:8");
  CHECK(canon("::2:3:4:5:6:7:8") == "0:2:3:4:5:6:7:8");
  CHECK(canon("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
}

TEST_CASE("an IPv4-mapped IPv6 address is the IPv4 address", "[intel][address]") {
  IpAddr a;
  REQUIRE(parse_address("::ffff:1.2.3.4", a));
  CHECK(a.v4);
  CHECK(to_string(a) == "1.2.3.4");
  REQUIRE(parse_address("::FFFF:0102:0304", a));
  CHECK(a == IpAddr::from_v4(0x01020304u));
}

TEST_CASE("zone ids and brackets are refused", "[intel][address]") {
  IpAddr a;
  std::string error;
  CHECK_FALSE(parse_address("fe80::1%eth0", a, &error));
  CHECK(error == "zone id not allowed");
  CHECK_FALSE(parse_address("[2001:db8::1]", a, &error));
  CHECK(error == "brackets not allowed");
}

TEST_CASE("malformed IPv6 text is refused", "[intel][address]") {
  IpAddr a;
  for (const char* bad :
       {":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1",
        ":1::", "1::2:", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.04"}) {
    INFO(bad);
    CHECK_FALSE(parse_address(bad, a));
  }
}

TEST_CASE("a CIDR with host bits set is masked and says so", "[intel][address]") {
  Prefix p;
  bool masked = true;
  REQUIRE(parse_prefix("10.0.0.0/8", p, &masked));
  CHECK_FALSE(masked);
  REQUIRE(parse_prefix("10.1.2.3/8", p, &masked));
  CHECK(masked);
  CHECK(to_string(p) == "10.0.0.0/8");
  REQUIRE(parse_prefix("2001:db8::1/32", p, &masked));
  CHECK(masked);
  CHECK(to_string(p) == "2001:db8::/32");
  REQUIRE(parse_prefix("1.2.3.4", p, &masked));
  CHECK(p.length == 32);
  REQUIRE(parse_prefix("0.0.0.0/0", p, &masked));
  CHECK(p.length == 0);
}

TEST_CASE("prefix lengths are range checked", "[intel][address]") {
  Prefix p;
  std::string error;
  CHECK_FALSE(parse_prefix("1.2.3.4/33", p, nullptr, &error));
  CHECK(error.find("out of range") != std::string::npos);
  CHECK_FALSE(parse_prefix("::/129", p, nullptr, &error));
  CHECK(parse_prefix("::/128", p, nullptr, &error));
  CHECK_FALSE(parse_prefix("1.2.3.4/", p, nullptr, &error));
  CHECK_FALSE(parse_prefix("1.2.3.4/x", p, nullptr, &error));
  CHECK_FALSE(parse_prefix("1.2.3.4/-1", p, nullptr, &error));
}

TEST_CASE("a mapped IPv6 prefix becomes the IPv4 prefix it covers", "[intel][address]") {
  Prefix p;
  REQUIRE(parse_prefix("::ffff:10.0.0.0/104", p));
  CHECK(p.addr.v4);
  CHECK(to_string(p) == "10.0.0.0/8");
}

TEST_CASE("sourceIPAddress values classify as address, service or invalid", "[intel][address]") {
  IpAddr a;
  std::string error;
  CHECK(classify_source("34.234.236.212", &a) == SourceClass::Address);
  CHECK(classify_source("2001:db8::1", &a) == SourceClass::Address);
  CHECK(classify_source("ec2.amazonaws.com") == SourceClass::Service);
  CHECK(classify_source("signin.amazonaws.com") == SourceClass::Service);
  CHECK(classify_source("AWS Internal") == SourceClass::Service);
  CHECK(classify_source("localhost") == SourceClass::Invalid);
  CHECK(classify_source("1.2.3.999", nullptr, &error) == SourceClass::Invalid);
  CHECK(classify_source("035.249.253.232", nullptr, &error) == SourceClass::Invalid);
  CHECK(error.find("leading zero") != std::string::npos);
  CHECK(classify_source("fe80::1%eth0") == SourceClass::Invalid);
  CHECK(classify_source("bad host.com") == SourceClass::Invalid);
  CHECK(classify_source("") == SourceClass::Invalid);
}

TEST_CASE("a range becomes its minimal covering prefixes", "[intel][address]") {
  IpAddr a, b;
  REQUIRE(parse_address("192.0.2.10", a));
  REQUIRE(parse_address("192.0.2.20", b));
  auto ps = range_to_prefixes(a, b);
  REQUIRE(ps.size() == 4);
  CHECK(to_string(ps[0]) == "192.0.2.10/31");
  CHECK(to_string(ps[1]) == "192.0.2.12/30");
  CHECK(to_string(ps[2]) == "192.0.2.16/30");
  CHECK(to_string(ps[3]) == "192.0.2.20/32");
  REQUIRE(parse_address("0.0.0.0", a));
  REQUIRE(parse_address("255.255.255.255", b));
  ps = range_to_prefixes(a, b);
  REQUIRE(ps.size() == 1);
  CHECK(to_string(ps[0]) == "0.0.0.0/0");
  REQUIRE(parse_address("::", a));
  REQUIRE(parse_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", b));
  ps = range_to_prefixes(a, b);
  REQUIRE(ps.size() == 1);
  CHECK(to_string(ps[0]) == "::/0");
  CHECK(range_to_prefixes(b, a).empty());
}

TEST_CASE("make_prefix masks an address to a length", "[intel][address]") {
  IpAddr a;
  REQUIRE(parse_address("2001:db8:aaaa:bbbb::1", a));
  CHECK(to_string(make_prefix(a, 40)) == "2001:db8:aa00::/40");
  REQUIRE(parse_address("192.0.2.77", a));
  CHECK(to_string(make_prefix(a, 26)) == "192.0.2.64/26");
  CHECK(to_string(make_prefix(a, 99)) == "192.0.2.77/32");
}
