// Compiled with -mavx2 (CMakeLists.txt): XXH3 picks its AVX2 kernel from __AVX2__.
#include "record_hash.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace trailhound::app {

std::uint64_t record_hash_avx2(std::string_view text) {
  return XXH3_64bits(text.data(), text.size());
}

}  // namespace trailhound::app
