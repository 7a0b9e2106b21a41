// Duplicate records: a sharded open-addressing table of (eventID hash, record hash) → the
// earliest copy's (file, index).
#include "trailhound/duplicates.hpp"

#include <atomic>
#include <limits>
#include <mutex>
#include <thread>

#include "record_hash.hpp"

namespace trailhound::app {

/// A lock held for one probe of a shard's table: a few dozen instructions, with 64 shards
/// between a handful of workers, so waiting is rare and short. Cheaper than std::mutex, whose
/// lock and unlock calls cost more than the probe itself on every record.
class SpinLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

/// One event: 24 bytes. An id hash of 0 marks an empty slot (a real 0 is stored as 1).
struct DuplicateIndex::Slot {
  std::uint64_t id = 0;
  std::uint64_t record = 0;
  std::uint32_t file = 0;
  std::uint32_t index = 0;
};

/// Linear probing from the id hash, so every event of one eventID is found by probing from
/// one place (kept() knows only the id).
struct DuplicateIndex::Shard {
  SpinLock spin;
  std::vector<Slot> slots;
  std::size_t used = 0;
  std::uint64_t observed = 0;

  [[nodiscard]] std::size_t start(std::uint64_t id) const {
    // The low bits choose the slot; the high bits chose the shard.
    return static_cast<std::size_t>(id) & (slots.size() - 1);
  }
  void grow() {
    std::vector<Slot> old(slots.empty() ? 1024 : slots.size() * 2);
    old.swap(slots);
    for (const Slot& s : old) {
      if (s.id == 0) continue;
      std::size_t i = start(s.id);
      while (slots[i].id != 0) i = (i + 1) & (slots.size() - 1);
      slots[i] = s;
    }
  }
};

namespace {

std::uint64_t id_hash(std::string_view event_id) {
  const std::uint64_t h = record_hash(event_id);
  return h == 0 ? 1 : h;
}

bool before(std::uint32_t file, std::uint32_t index, const SourceRef& ref) {
  return file < ref.file || (file == ref.file && index < ref.index);
}

}  // namespace

DuplicateIndex::DuplicateIndex(bool enabled)
    : enabled_(enabled), shards_(enabled ? std::make_unique<Shard[]>(kShards) : nullptr) {}

DuplicateIndex::~DuplicateIndex() = default;

bool DuplicateIndex::observe(const EventView& e) {
  if (!enabled_ || e.event_id.empty()) return true;
  return observe(e.event_id, e.record.text(), e.source);
}

bool DuplicateIndex::observe(std::string_view event_id, std::string_view record,
                             SourceRef source) {
  if (!enabled_ || event_id.empty()) return true;
  // A record index past 32 bits cannot be stored; such a record is never called a copy.
  if (source.index > std::numeric_limits<std::uint32_t>::max()) return true;
  return insert(id_hash(event_id), record_hash(record), source.file,
                static_cast<std::uint32_t>(source.index));
}

bool DuplicateIndex::insert(std::uint64_t id, std::uint64_t rec, std::uint32_t file,
                            std::uint32_t index) {
  const SourceRef source{file, index};
  Shard& shard = shards_[id >> 58];
  static_assert(kShards == 64);
  std::lock_guard lock(shard.spin);
  ++shard.observed;
  if ((shard.used + 1) * 4 > shard.slots.size() * 3) shard.grow();
  const std::size_t mask = shard.slots.size() - 1;
  for (std::size_t i = shard.start(id);; i = (i + 1) & mask) {
    Slot& s = shard.slots[i];
    if (s.id == 0) {
      s = Slot{id, rec, source.file, static_cast<std::uint32_t>(source.index)};
      ++shard.used;
      return true;
    }
    if (s.id == id && s.record == rec) {
      // A copy: the earliest in file-table order is the one kept.
      if (before(source.file, static_cast<std::uint32_t>(source.index),
                 SourceRef{s.file, s.index})) {
        s.file = source.file;
        s.index = static_cast<std::uint32_t>(source.index);
      }
      return false;
    }
  }
}

bool DuplicateIndex::kept(std::string_view event_id, SourceRef source) const {
  if (!enabled_ || event_id.empty()) return true;
  if (source.index > std::numeric_limits<std::uint32_t>::max()) return true;
  const std::uint64_t id = id_hash(event_id);
  Shard& shard = shards_[id >> 58];
  std::lock_guard lock(shard.spin);
  if (shard.slots.empty()) return true;
  const std::size_t mask = shard.slots.size() - 1;
  bool seen = false;
  for (std::size_t i = shard.start(id);; i = (i + 1) & mask) {
    const Slot& s = shard.slots[i];
    if (s.id == 0) break;
    if (s.id != id) continue;
    // (file, index) names one record, so it is the kept copy of at most one event.
    if (s.file == source.file && s.index == source.index) return true;
    seen = true;
  }
  // An id the index never saw was not observed (not a copy); a seen one kept elsewhere is.
  return !seen;
}

void DuplicateIndex::save(ByteWriter& out, std::span<const std::uint32_t> files) const {
  std::uint64_t observed = 0, used = 0;
  if (enabled_) {
    for (std::size_t i = 0; i < kShards; ++i) {
      observed += shards_[i].observed;
      used += shards_[i].used;
    }
  }
  out.varint(observed);
  out.varint(used);
  if (!enabled_) return;
  for (std::size_t i = 0; i < kShards; ++i) {
    for (const Slot& s : shards_[i].slots) {
      if (s.id == 0) continue;
      out.word(s.id);
      out.word(s.record);
      out.varint(s.file < files.size() ? files[s.file] : s.file);
      out.varint(s.index);
    }
  }
}

bool DuplicateIndex::load(ByteReader& in) {
  std::uint64_t observed = 0, used = 0;
  if (!in.varint(observed) || !in.count(used, 18) || used > observed) return in.fail();
  if (used == 0) return true;
  if (!enabled_) return in.fail();
  for (std::uint64_t n = 0; n < used; ++n) {
    std::uint64_t id = 0, rec = 0;
    std::uint32_t file = 0, index = 0;
    if (!in.word(id) || !in.word(rec) || !in.number(file) || !in.number(index) || id == 0) {
      return in.fail();
    }
    (void)insert(id, rec, file, index);
  }
  // The copies the shard saw beyond its kept ones count as observed too.
  std::lock_guard lock(shards_[0].spin);
  shards_[0].observed += observed - used;
  return true;
}

std::uint64_t DuplicateIndex::duplicates() const {
  if (!enabled_) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].spin);
    n += shards_[i].observed - shards_[i].used;
  }
  return n;
}

}  // namespace trailhound::app
