// Tests for the radix tree: longest-prefix match, edge lengths, and a brute-force comparison.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

Prefix pfx(std::string_view text) {
  Prefix p;
  REQUIRE(parse_prefix(text, p));
  return p;
}

IpAddr ip(std::string_view text) {
  IpAddr a;
  REQUIRE(parse_address(text, a));
  return a;
}

std::string longest(const PrefixTree& t, std::string_view addr) {
  PrefixTree::Match m;
  if (!t.match_longest(ip(addr), m)) return "none";
  return to_string(m.prefix) + "=" + std::to_string(m.value);
}

bool contains(const Prefix& p, const IpAddr& a) {
  if (p.addr.v4 != a.v4) return false;
  if (p.length == 0) return true;
  if (a.v4) {
    std::uint32_t mask = ~std::uint32_t(0) << (32 - p.length);
    return (a.v4_value() & mask) == p.addr.v4_value();
  }
  std::uint64_t hi_mask = p.length >= 64 ? ~std::uint64_t(0) : ~std::uint64_t(0) << (64 - p.length);
  std::uint64_t lo_mask = p.length <= 64    ? 0
                          : p.length == 128 ? ~std::uint64_t(0)
                                            : ~std::uint64_t(0) << (128 - p.length);
  return (a.hi & hi_mask) == p.addr.hi && (a.lo & lo_mask) == p.addr.lo;
}

Prefix masked(IpAddr a, int length) {
  Prefix p;
  std::string text = to_string(a) + "/" + std::to_string(length);
  REQUIRE(parse_prefix(text, p));
  return p;
}

}  // namespace

TEST_CASE("longest prefix wins over a shorter one", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("10.0.0.0/8")) = 1;
  t.insert(pfx("10.1.0.0/16")) = 2;
  t.insert(pfx("10.1.2.0/24")) = 3;
  CHECK(longest(t, "10.1.2.3") == "10.1.2.0/24=3");
  CHECK(longest(t, "10.1.3.3") == "10.1.0.0/16=2");
  CHECK(longest(t, "10.2.3.4") == "10.0.0.0/8=1");
  CHECK(longest(t, "11.0.0.0") == "none");
  PrefixTree::Match all[PrefixTree::kMaxMatches];
  REQUIRE(t.match_all(ip("10.1.2.3"), all) == 3);
  CHECK(all[0].prefix.length == 8);
  CHECK(all[2].prefix.length == 24);
}

TEST_CASE("room reserved before and between inserts changes no lookup", "[intel][tree]") {
  PrefixTree t;
  t.reserve(3, 1);
  t.insert(pfx("10.0.0.0/8")) = 1;
  t.insert(pfx("2001:db8::/32")) = 4;
  t.reserve(2, 0);  // more room with nodes already in use (a second list)
  t.insert(pfx("10.1.0.0/16")) = 2;
  t.insert(pfx("10.1.2.0/24")) = 3;
  t.insert(pfx("10.1.2.128/25")) = 5;  // past what was reserved: the tree still grows
  CHECK(t.size() == 5);
  CHECK(longest(t, "10.1.2.200") == "10.1.2.128/25=5");
  CHECK(longest(t, "10.1.2.3") == "10.1.2.0/24=3");
  CHECK(longest(t, "10.9.9.9") == "10.0.0.0/8=1");
  CHECK(longest(t, "2001:db8::1") == "2001:db8::/32=4");
  CHECK(longest(t, "11.0.0.0") == "none");
}

TEST_CASE("a /0 prefix matches every address of its family only", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("0.0.0.0/0")) = 7;
  CHECK(longest(t, "1.2.3.4") == "0.0.0.0/0=7");
  CHECK(longest(t, "255.255.255.255") == "0.0.0.0/0=7");
  CHECK(longest(t, "::1") == "none");
  t.insert(pfx("::/0")) = 8;
  CHECK(longest(t, "2001:db8::1") == "::/0=8");
}

TEST_CASE("host prefixes /32 and /128 match exactly one address", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("192.0.2.1/32")) = 1;
  t.insert(pfx("2001:db8::1/128")) = 2;
  t.insert(pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")) = 3;
  CHECK(longest(t, "192.0.2.1") == "192.0.2.1/32=1");
  CHECK(longest(t, "192.0.2.0") == "none");
  CHECK(longest(t, "192.0.2.2") == "none");
  CHECK(longest(t, "2001:db8::1") == "2001:db8::1/128=2");
  CHECK(longest(t, "2001:db8::") == "none");
  CHECK(longest(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") ==
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128=3");
}

TEST_CASE("adjacent prefixes do not cover each other", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("192.0.2.0/25")) = 1;
  t.insert(pfx("192.0.2.128/25")) = 2;
  CHECK(longest(t, "192.0.2.127") == "192.0.2.0/25=1");
  CHECK(longest(t, "192.0.2.128") == "192.0.2.128/25=2");
  CHECK(longest(t, "192.0.3.0") == "none");
}

TEST_CASE("inserting a shorter prefix above an existing one keeps both", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("10.1.2.0/24")) = 3;
  t.insert(pfx("10.0.0.0/8")) = 1;
  t.insert(pfx("10.1.0.0/16")) = 2;
  bool created = true;
  t.insert(pfx("10.1.0.0/16"), &created);
  CHECK_FALSE(created);
  CHECK(t.size() == 3);
  CHECK(longest(t, "10.1.2.255") == "10.1.2.0/24=3");
  CHECK(longest(t, "10.1.200.1") == "10.1.0.0/16=2");
  REQUIRE(t.find(pfx("10.1.0.0/16")) != nullptr);
  CHECK(*t.find(pfx("10.1.0.0/16")) == 2);
  CHECK(t.find(pfx("10.1.0.0/17")) == nullptr);
}

TEST_CASE("an IPv4-mapped address finds IPv4 prefixes", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("1.2.3.0/24")) = 5;
  CHECK(longest(t, "::ffff:1.2.3.4") == "1.2.3.0/24=5");
}

TEST_CASE("the tree agrees with a linear scan on random nested prefixes, before and after finalize",
          "[intel][tree]") {
  std::mt19937_64 rng(20181128);
  std::vector<Prefix> prefixes;
  PrefixTree t;
  auto random_addr = [&](bool v4) {
    return v4 ? IpAddr::from_v4(static_cast<std::uint32_t>(rng()))
              : IpAddr::from_v6(0x20010db800000000ull | (rng() & 0xffffffffull), rng());
  };
  for (int i = 0; i < 12000; ++i) {
    bool v4 = i % 2 == 0;
    int bits = v4 ? 32 : 128;
    Prefix p;
    if (!prefixes.empty() && rng() % 3 == 0) {
      // A sub-prefix of an earlier one of the same family, so that nesting is common.
      const Prefix& parent = prefixes[rng() % prefixes.size()];
      if (parent.addr.v4 != v4 || parent.length == bits) continue;
      IpAddr inside = random_addr(v4);
      // Keep the parent's bits by re-masking: take the parent address and flip low bits only.
      if (v4) {
        std::uint32_t host = parent.length == 0 ? ~0u : (~0u >> parent.length);
        inside = IpAddr::from_v4(parent.addr.v4_value() | (inside.v4_value() & host));
      } else {
        inside.hi = parent.length >= 64 ? parent.addr.hi
                                        : parent.addr.hi | (inside.hi & (~0ull >> parent.length));
        inside.lo = parent.length >= 128 ? parent.addr.lo
                    : parent.length <= 64
                        ? inside.lo
                        : parent.addr.lo | (inside.lo & (~0ull >> (parent.length - 64)));
      }
      int len = parent.length + 1 + int(rng() % std::uint64_t(bits - parent.length));
      p = masked(inside, len);
    } else {
      int len = v4 ? int(rng() % 33) : 32 + int(rng() % 97);
      if (rng() % 10 == 0) len = v4 ? 32 : 128;
      p = masked(random_addr(v4), len);
    }
    bool created = false;
    std::uint32_t& v = t.insert(p, &created);
    if (created) {
      prefixes.push_back(p);
      v = static_cast<std::uint32_t>(prefixes.size());
    }
  }
  CHECK(t.size() == prefixes.size());
  int mismatches = 0;
  auto compare = [&] {
    for (int i = 0; i < 8000; ++i) {
      bool v4 = i % 2 == 0;
      IpAddr a = random_addr(v4);
      if (i % 4 < 2) {  // half inside a known prefix
        const Prefix& p = prefixes[rng() % prefixes.size()];
        if (p.addr.v4 == v4) {
          if (v4) {
            std::uint32_t host = p.length == 0 ? ~0u : (p.length == 32 ? 0u : (~0u >> p.length));
            a = IpAddr::from_v4(p.addr.v4_value() | (a.v4_value() & host));
          } else {
            a.hi = p.length >= 64 ? p.addr.hi : p.addr.hi | (a.hi & (~0ull >> p.length));
            a.lo = p.length >= 128  ? p.addr.lo
                   : p.length <= 64 ? a.lo
                                    : p.addr.lo | (a.lo & (~0ull >> (p.length - 64)));
          }
        }
      }
      int best = -1;
      std::size_t count = 0;
      for (std::size_t k = 0; k < prefixes.size(); ++k) {
        if (contains(prefixes[k], a)) {
          ++count;
          if (best < 0 || prefixes[k].length > prefixes[std::size_t(best)].length) best = int(k);
        }
      }
      PrefixTree::Match m;
      bool found = t.match_longest(a, m);
      PrefixTree::Match all[PrefixTree::kMaxMatches];
      std::size_t n = t.match_all(a, all);
      bool ok = found == (best >= 0) && n == count &&
                (!found ||
                 (m.prefix == prefixes[std::size_t(best)] && m.value == std::uint32_t(best + 1)));
      if (!ok && ++mismatches < 5) {
        FAIL_CHECK("mismatch for "
                   << to_string(a) << ": tree " << (found ? to_string(m.prefix) : "none")
                   << " scan " << (best >= 0 ? to_string(prefixes[std::size_t(best)]) : "none"));
      }
    }
  };
  compare();
  CHECK(mismatches == 0);
  t.finalize();  // over 4096 IPv4 prefixes: the stride table is in use now
  compare();
  CHECK(mismatches == 0);
}

TEST_CASE("memory is reported and grows with the tree", "[intel][tree]") {
  PrefixTree t;
  std::size_t empty = t.memory_bytes();
  for (std::uint32_t i = 0; i < 1000; ++i) t.insert(Prefix{IpAddr::from_v4(i << 8), 24}) = 1;
  CHECK(t.memory_bytes() > empty);
  CHECK(t.size() == 1000);
}

TEST_CASE("match_values reports values and lengths shortest first", "[intel][tree]") {
  PrefixTree t;
  t.insert(pfx("2001:db8::/32")) = 4;
  t.insert(pfx("2001:db8:1::/48")) = 5;
  t.insert(pfx("2001:db8:1::/64"));  // stored with value 0: not a match
  std::uint32_t values[PrefixTree::kMaxMatches];
  std::uint8_t lengths[PrefixTree::kMaxMatches];
  REQUIRE(t.match_values(ip("2001:db8:1::9"), values, lengths) == 2);
  CHECK(values[0] == 4);
  CHECK(lengths[0] == 32);
  CHECK(values[1] == 5);
  CHECK(lengths[1] == 48);
}

TEST_CASE("an insert after finalize keeps lookups correct", "[intel][tree]") {
  PrefixTree t;
  for (std::uint32_t i = 0; i < 5000; ++i) t.insert(Prefix{IpAddr::from_v4(i << 12), 20}) = 1;
  t.insert(pfx("0.0.0.0/1")) = 2;
  t.finalize();
  CHECK(longest(t, "0.0.16.1") == "0.0.16.0/20=1");
  CHECK(longest(t, "100.0.0.1") == "0.0.0.0/1=2");
  t.insert(pfx("100.0.0.0/8")) = 3;
  CHECK(longest(t, "100.0.0.1") == "100.0.0.0/8=3");
  t.finalize();
  CHECK(longest(t, "100.0.0.1") == "100.0.0.0/8=3");
  CHECK(longest(t, "101.0.0.1") == "0.0.0.0/1=2");
  CHECK(longest(t, "200.0.0.1") == "none");
  PrefixTree::Match all[PrefixTree::kMaxMatches];
  CHECK(t.match_all(ip("100.0.0.1"), all) == 2);
}
