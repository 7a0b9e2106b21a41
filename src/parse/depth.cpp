// Nesting depth of a record, measured without a recursive parser: the On Demand parser skips
// the values trailhound does not read, so their depth is measured here.
#include "trailhound/parse.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace trailhound {

std::size_t count_json_openers(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t count = 0;
#if defined(__SSE2__)
  // '[' is 0x5B and '{' is 0x7B: OR-ing in 0x20 maps both, and nothing else, to 0x7B.
  const __m128i bit = _mm_set1_epi8(0x20);
  const __m128i brace = _mm_set1_epi8(0x7B);
  while (n >= 16) {
    // Per-byte counters overflow after 255 blocks: sum them at least that often.
    const std::size_t blocks = n / 16 < 255 ? n / 16 : 255;
    __m128i acc = _mm_setzero_si128();
    for (std::size_t b = 0; b < blocks; ++b, p += 16) {
      __m128i v;
      std::memcpy(&v, p, 16);
      // A matching byte compares to 0xFF, that is -1: subtracting it adds one.
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_or_si128(v, bit), brace));
    }
    const __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
    count += static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) +
             static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
    n -= blocks * 16;
  }
#endif
  for (; n > 0; --n, ++p) count += (*p | 0x20) == 0x7B;
  return count;
}

bool json_nests_deeper_than(std::string_view text, std::size_t max_depth) {
  if (count_json_openers(text) <= max_depth) return false;
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace trailhound
