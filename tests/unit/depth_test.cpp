// Tests for src/parse/depth.cpp: the opener count and the string-aware depth check.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "trailhound/parse.hpp"

using namespace trailhound;

namespace {

/// The plain definition, one byte at a time, that the SIMD count must agree with.
std::size_t count_openers_slowly(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += c == '{' || c == '[';
  return n;
}

}  // namespace

TEST_CASE("count_json_openers agrees with a byte-by-byte count at every length and offset",
          "[parse][depth]") {
  std::mt19937 rng(20261122);
  // Lengths around the 16-byte blocks and the 255-block flush, and bytes that differ from
  // '{' and '[' in one bit ('{' ^ 0x20 is '[', so 0x5B/0x7B match and 0x3B/0xFB must not).
  const std::string alphabet = "{[}]\";;\xFB\xDB a\\";
  // 4080 and 8160 are where the SSE2 and AVX2 loops flush their per-byte counters.
  for (const std::size_t len : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 4079u, 4080u, 4081u,
                                8159u, 8160u, 8161u, 20000u}) {
    std::string s(len + 3, ' ');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    for (std::size_t off = 0; off < 3; ++off) {
      const std::string part = s.substr(off, len);
      CHECK(count_json_openers(part) == count_openers_slowly(part));
      CHECK(count_json_openers_sse2(part) == count_openers_slowly(part));
    }
  }
  CHECK(count_json_openers(std::string(100000, '{')) == 100000);
  CHECK(count_json_openers_sse2(std::string(100000, '[')) == 100000);
  CHECK(count_json_openers(std::string(100000, ';')) == 0);
}

TEST_CASE("json_nests_deeper_than measures depth and ignores brackets in strings",
          "[parse][depth]") {
  CHECK_FALSE(json_nests_deeper_than("{}", 1));
  CHECK(json_nests_deeper_than("{\"a\":[]}", 1));
  CHECK_FALSE(json_nests_deeper_than("{\"a\":[]}", 2));
  CHECK_FALSE(json_nests_deeper_than("{\"a\":[1],\"b\":{\"c\":2}}", 2));
  // Many siblings are wide, not deep: the cheap count cannot rule them out, the exact scan does.
  std::string wide = "{\"a\":[";
  for (int i = 0; i < 1000; ++i) wide += "{},";
  wide += "{}]}";
  CHECK_FALSE(json_nests_deeper_than(wide, 3));
  CHECK(json_nests_deeper_than(wide, 2));
  // Brackets inside strings, escaped quotes included, are text.
  const std::string in_string = R"({"a":"[[[[{{{{\"[[[[","b":[1]})";
  CHECK_FALSE(json_nests_deeper_than(in_string, 2));
  CHECK(json_nests_deeper_than(in_string, 1));
  // Closing brackets hidden in strings do not lower the depth.
  const std::string hidden = R"({"a":[{"x":"]]]]}}}}","b":[[1]]}]})";
  CHECK(json_nests_deeper_than(hidden, 4));
  CHECK_FALSE(json_nests_deeper_than(hidden, 5));
  CHECK(json_nests_deeper_than(std::string(100000, '[') + std::string(100000, ']'), 4096));
}
