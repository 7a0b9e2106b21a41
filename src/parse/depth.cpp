// Nesting depth of a record, measured without a recursive parser: the On Demand parser skips
// the values trailhound does not read, so their depth is measured here.
#include "trailhound/parse.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace trailhound {

namespace {

#if defined(__x86_64__) && defined(__GNUC__)
#define TRAILHOUND_COUNT_AVX2 1
/// The same count, 32 bytes at a time, for processors with AVX2 (chosen at run time).
__attribute__((target("avx2"))) std::size_t count_openers_avx2(const unsigned char* p,
                                                               std::size_t n) {
  const __m256i bit = _mm256_set1_epi8(0x20);
  const __m256i brace = _mm256_set1_epi8(0x7B);
  std::size_t count = 0;
  while (n >= 32) {
    const std::size_t blocks = n / 32 < 255 ? n / 32 : 255;
    __m256i acc = _mm256_setzero_si256();
    for (std::size_t b = 0; b < blocks; ++b, p += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(_mm256_or_si256(v, bit), brace));
    }
    const __m256i sums = _mm256_sad_epu8(acc, _mm256_setzero_si256());
    count += static_cast<std::size_t>(_mm256_extract_epi64(sums, 0)) +
             static_cast<std::size_t>(_mm256_extract_epi64(sums, 1)) +
             static_cast<std::size_t>(_mm256_extract_epi64(sums, 2)) +
             static_cast<std::size_t>(_mm256_extract_epi64(sums, 3));
    n -= blocks * 32;
  }
  for (; n > 0; --n, ++p) count += (*p | 0x20) == 0x7B;
  return count;
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2");
#endif

}  // namespace

std::size_t count_json_openers(std::string_view text) {
#if defined(TRAILHOUND_COUNT_AVX2)
  if (kHaveAvx2) {
    return count_openers_avx2(reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
#endif
  return count_json_openers_sse2(text);
}

std::size_t count_json_openers_sse2(std::string_view text) {
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
