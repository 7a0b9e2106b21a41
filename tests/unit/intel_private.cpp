// Tests for is_private: every private, shared and reserved range, at its first and last address
// and just outside them, and the flag IntelDb::lookup fills from it.
#include <catch2/catch.hpp>

#include <string>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

bool priv(std::string_view text) {
  IpAddr a;
  REQUIRE(parse_address(text, a));
  return is_private(a);
}

}  // namespace

TEST_CASE("RFC 1918 ranges are private from their first to their last address",
          "[intel][private]") {
  CHECK_FALSE(priv("9.255.255.255"));
  CHECK(priv("10.0.0.0"));
  CHECK(priv("10.255.255.255"));
  CHECK_FALSE(priv("11.0.0.0"));

  CHECK_FALSE(priv("172.15.255.255"));
  CHECK(priv("172.16.0.0"));
  CHECK(priv("172.31.255.255"));
  CHECK_FALSE(priv("172.32.0.0"));

  CHECK_FALSE(priv("192.167.255.255"));
  CHECK(priv("192.168.0.0"));
  CHECK(priv("192.168.255.255"));
  CHECK_FALSE(priv("192.169.0.0"));
}

TEST_CASE("RFC 6598 shared address space 100.64/10 is private", "[intel][private]") {
  CHECK_FALSE(priv("100.63.255.255"));
  CHECK(priv("100.64.0.0"));
  CHECK(priv("100.127.255.255"));
  CHECK_FALSE(priv("100.128.0.0"));
}

TEST_CASE("loopback, link-local and 0/8 are private", "[intel][private]") {
  CHECK_FALSE(priv("126.255.255.255"));
  CHECK(priv("127.0.0.0"));
  CHECK(priv("127.255.255.255"));
  CHECK_FALSE(priv("128.0.0.0"));

  CHECK_FALSE(priv("169.253.255.255"));
  CHECK(priv("169.254.0.0"));
  CHECK(priv("169.254.169.254"));  // the instance metadata service
  CHECK(priv("169.254.255.255"));
  CHECK_FALSE(priv("169.255.0.0"));

  CHECK(priv("0.0.0.0"));
  CHECK(priv("0.255.255.255"));
  CHECK_FALSE(priv("1.0.0.0"));
}

TEST_CASE("public addresses next to nothing private are not private", "[intel][private]") {
  CHECK_FALSE(priv("8.8.8.8"));
  CHECK_FALSE(priv("198.51.100.10"));
  CHECK_FALSE(priv("255.255.255.255"));
  CHECK_FALSE(priv("2001:db8::1"));
  CHECK_FALSE(priv("2600:1f18::1"));
}

TEST_CASE("IPv6 loopback, unspecified, link-local and unique local are private",
          "[intel][private]") {
  CHECK(priv("::1"));
  CHECK(priv("::"));
  CHECK_FALSE(priv("::2"));

  CHECK_FALSE(priv("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK(priv("fe80::"));
  CHECK(priv("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK_FALSE(priv("fec0::"));

  CHECK_FALSE(priv("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK(priv("fc00::"));
  CHECK(priv("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK_FALSE(priv("fe00::"));
}

TEST_CASE("an IPv4-mapped IPv6 address is private as its IPv4 address is", "[intel][private]") {
  CHECK(priv("::ffff:10.1.2.3"));
  CHECK(priv("::ffff:192.168.0.1"));
  CHECK_FALSE(priv("::ffff:8.8.8.8"));
}

TEST_CASE("lookup says whether the address is private, with no list loaded", "[intel][private]") {
  IntelDb db;
  LookupResult r;
  IpAddr a;
  REQUIRE(parse_address("172.16.0.1", a));
  db.lookup(a, r);
  CHECK(r.private_network);
  CHECK(r.count == 0);
  REQUIRE(parse_address("203.0.113.9", a));
  db.lookup(a, r);
  CHECK_FALSE(r.private_network);
}
