// Hashing for the detect stage: a fast byte hash and a flat set of 64-bit hashes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace trailhound::detect {

/// Mixes the bytes into `h` eight at a time (a multiply-xorshift per word), with the length
/// folded in so that field boundaries count ("ab"+"c" differs from "a"+"bc"). Chained calls
/// hash several fields; the result is the same on every run and machine of one byte order.
inline std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t h) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);
  h = (h ^ tail ^ (static_cast<std::uint64_t>(bytes.size()) << 56)) * kMul;
  return h ^ (h >> 29);
}

/// A set of non-zero 64-bit hashes in one flat table with linear probing: no allocation per
/// insert, unlike a node-based set, and a probe usually touches one cache line.
class HashSet64 {
 public:
  /// Inserts `h`; true when it was not there yet.
  bool insert(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = h & (slots_.size() - 1);
    while (slots_[i] != 0) {
      if (slots_[i] == h) return false;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = h;
    ++size_;
    return true;
  }

 private:
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t h : old) {
      if (h != 0) insert(h);
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace trailhound::detect
