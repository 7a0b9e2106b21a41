// The text pool that findings point into, and the list that holds findings in place.
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "hash.hpp"
#include "trailhound/parallel.hpp"
#include "trailhound/detect.hpp"

namespace trailhound::detect {

namespace {
constexpr std::size_t kChunk = 256u << 10;
}  // namespace

std::string_view TextPool::store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > capacity_ - used_) {
    // A big text gets a chunk of its own; the current chunk stays open for small ones.
    if (text.size() > kChunk / 4) {
      chunks_.push_back(std::make_unique_for_overwrite<char[]>(text.size()));
      std::memcpy(chunks_.back().get(), text.data(), text.size());
      const std::string_view kept(chunks_.back().get(), text.size());
      // Keep the open chunk last, so the next small text still goes into it.
      if (chunks_.size() > 1 && capacity_ > 0) std::swap(chunks_[chunks_.size() - 2], chunks_.back());
      return kept;
    }
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(kChunk));
    used_ = 0;
    capacity_ = kChunk;
  }
  char* at = chunks_.back().get() + used_;
  std::memcpy(at, text.data(), text.size());
  used_ += text.size();
  return {at, text.size()};
}

std::string_view TextPool::intern(std::string_view text) {
  if (text.empty()) return {};
  if ((distinct_ + 1) * 4 > slots_.size() * 3) grow();
  const std::uint64_t h = hash_bytes(text, 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.data == nullptr) {
      const std::string_view kept = store(text);
      s = Slot{h, kept.data(), kept.size()};
      ++distinct_;
      return kept;
    }
    if (s.hash == h && s.size == text.size() && std::memcmp(s.data, text.data(), text.size()) == 0) {
      return {s.data, s.size};
    }
  }
}

void TextPool::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.data == nullptr) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].data != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::span<const std::string> TextPool::keep(std::vector<std::string> list) {
  return lists_.emplace_back(std::move(list));
}

std::span<const std::string_view> TextPool::keep(std::vector<std::string_view> list) {
  return view_lists_.emplace_back(std::move(list));
}

void FindingList::adopt(FindingStore&& storage) {
  storage_.push_back(std::move(storage));
  for (Finding& f : storage_.back()) items_.push_back(&f);
}

void FindingList::sort_and_drop_empty() {
  // Sorted by a key read once from each finding, the time and the place of its event packed
  // in two numbers: comparing them decides all but the findings of one event, and spares a
  // visit to each 500-byte finding per comparison. Each worker's findings are sorted on a
  // thread of their own, then merged.
  struct Key {
    TimeMs time;
    std::uint64_t at;  ///< file, then record index (capped: equal keys compare the findings)
    Finding* finding;
  };
  const auto before = [](const Key& a, const Key& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.at != b.at) return a.at < b.at;
    return *a.finding < *b.finding;
  };
  constexpr std::uint64_t kIndexBits = 40;
  std::vector<Key> keys;
  keys.reserve(items_.size());
  std::vector<std::size_t> bounds{0};
  for (FindingStore& store : storage_) {
    for (Finding& f : store) {
      if (f.rule.empty()) continue;
      const std::uint64_t index = std::min<std::uint64_t>(f.source.index, (1ULL << kIndexBits) - 1);
      keys.push_back(Key{f.time, (std::uint64_t{f.source.file} << kIndexBits) | index, &f});
    }
    bounds.push_back(keys.size());
  }
  run_side_by_side(bounds.size() - 1, [&](std::size_t i) {
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(bounds[i]),
              keys.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]), before);
  });
  for (std::size_t i = 1; i + 1 < bounds.size(); ++i) {
    std::inplace_merge(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(bounds[i]),
                       keys.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]), before);
  }
  items_.resize(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) items_[i] = keys[i].finding;
}

}  // namespace trailhound::detect
