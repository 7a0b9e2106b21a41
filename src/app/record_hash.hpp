// The 64-bit hash of record text the duplicate index keys on: XXH3, the same value on every
// machine, computed with AVX2 where the CPU has it.
#pragma once

#include <cstdint>
#include <string_view>

namespace trailhound::app {

std::uint64_t record_hash(std::string_view text);

/// The AVX2 build of the same function (record_hash_avx2.cpp, compiled with -mavx2); only
/// called when the CPU supports AVX2.
std::uint64_t record_hash_avx2(std::string_view text);

}  // namespace trailhound::app
