// Duplicate records: a sharded open-addressing table of (eventID hash, record hash) → the
// earliest copy's (file, index).
#include "trailhound/duplicates.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
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
  /// Where each copy not kept is, as (file << 32 | index): the merge needs them, since a
  /// slot holds only the kept copy. Copies are rare, so this is nearly always empty.
  std::vector<std::uint64_t> copies;

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

/// What a merge loads from the shards: the copies not kept (file << 32 | index), each
/// shard's own, then (join) those that lose to an earlier copy in another shard; sorted by
/// join.
struct DuplicateIndex::Loaded {
  std::vector<std::uint64_t> lost;
};

namespace {

std::uint64_t id_hash(std::string_view event_id) {
  const std::uint64_t h = record_hash(event_id);
  return h == 0 ? 1 : h;
}

bool before(std::uint32_t file, std::uint32_t index, const SourceRef& ref) {
  return file < ref.file || (file == ref.file && index < ref.index);
}

std::uint64_t place(std::uint32_t file, std::uint32_t index) {
  return (std::uint64_t(file) << 32) | index;
}

/// One key as a shard saves it: 24 bytes, in (id, record) order within the shard.
constexpr std::size_t kKeyBytes = 24;
/// A merge reads each shard's keys a piece at a time: whole keys, a few thousand.
constexpr std::size_t kKeyPiece = kKeyBytes * 4096;

struct Key {
  std::uint64_t id = 0;
  std::uint64_t record = 0;
  std::uint64_t place = 0;  ///< the kept copy's (file << 32 | index), in the run's table

  static Key read(const char* p) {
    Key k;
    std::uint32_t file = 0, index = 0;
    std::memcpy(&k.id, p, 8);
    std::memcpy(&k.record, p + 8, 8);
    std::memcpy(&file, p + 16, 4);
    std::memcpy(&index, p + 20, 4);
    k.place = trailhound::app::place(file, index);
    return k;
  }
  [[nodiscard]] bool same(const Key& o) const { return id == o.id && record == o.record; }
  [[nodiscard]] bool less(const Key& o) const {
    return id < o.id || (id == o.id && record < o.record);
  }
};

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
  Shard& shard = shards_[id >> 58];
  static_assert(kShards == 64);
  std::lock_guard lock(shard.spin);
  ++shard.observed;
  if ((shard.used + 1) * 4 > shard.slots.size() * 3) shard.grow();
  const std::size_t mask = shard.slots.size() - 1;
  for (std::size_t i = shard.start(id);; i = (i + 1) & mask) {
    Slot& s = shard.slots[i];
    if (s.id == 0) {
      s = Slot{id, rec, file, index};
      ++shard.used;
      return true;
    }
    if (s.id == id && s.record == rec) {
      // A copy: the earliest in file-table order is the one kept.
      if (before(file, index, SourceRef{s.file, s.index})) {
        shard.copies.push_back(place(s.file, s.index));
        s.file = file;
        s.index = index;
      } else {
        shard.copies.push_back(place(file, index));
      }
      return false;
    }
  }
}

bool DuplicateIndex::kept(std::string_view event_id, SourceRef source) const {
  if (!enabled_ || event_id.empty()) return true;
  if (source.index > std::numeric_limits<std::uint32_t>::max()) return true;
  if (loaded_) {
    // Every observed record is either the kept copy of its event or a copy in `lost`; a
    // record never observed is no copy either.
    const auto& lost = loaded_->lost;
    return !std::binary_search(lost.begin(), lost.end(),
                               place(source.file, static_cast<std::uint32_t>(source.index)));
  }
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

void DuplicateIndex::save(ByteWriter& state, std::string& keys,
                          std::span<const std::uint32_t> files) const {
  auto global = [&](std::uint32_t file) { return file < files.size() ? files[file] : file; };
  std::vector<std::uint64_t> copies;
  std::size_t used = 0;
  if (enabled_) {
    for (std::size_t i = 0; i < kShards; ++i) {
      used += shards_[i].used;
      for (const std::uint64_t c : shards_[i].copies) {
        copies.push_back(place(global(static_cast<std::uint32_t>(c >> 32)),
                               static_cast<std::uint32_t>(c)));
      }
    }
  }
  // Sorted, so that the same files give the same partial whatever the workers' timing.
  std::sort(copies.begin(), copies.end());
  state.varint(copies.size());
  for (const std::uint64_t c : copies) {
    state.varint(c >> 32);
    state.varint(c & 0xFFFFFFFFU);
  }
  // The keys in (id, record) order: a table shard holds the ids whose top bits are its
  // number, so sorting each and writing them in shard order sorts them all.
  keys.reserve(keys.size() + used * kKeyBytes);
  std::vector<Slot> sorted;
  for (std::size_t i = 0; enabled_ && i < kShards; ++i) {
    sorted.clear();
    for (const Slot& s : shards_[i].slots) {
      if (s.id != 0) sorted.push_back(s);
    }
    std::sort(sorted.begin(), sorted.end(), [](const Slot& a, const Slot& b) {
      return a.id < b.id || (a.id == b.id && a.record < b.record);
    });
    for (const Slot& s : sorted) {
      char key[kKeyBytes];
      const std::uint32_t file = global(s.file);
      std::memcpy(key, &s.id, 8);
      std::memcpy(key + 8, &s.record, 8);
      std::memcpy(key + 16, &file, 4);
      std::memcpy(key + 20, &s.index, 4);
      keys.append(key, kKeyBytes);
    }
  }
}

bool DuplicateIndex::load(ByteReader& in) {
  if (!loaded_) loaded_ = std::make_unique<Loaded>();
  std::uint64_t copies = 0;
  if (!in.count(copies, 2) || (copies > 0 && !enabled_)) return in.fail();
  for (std::uint64_t i = 0; i < copies; ++i) {
    std::uint32_t file = 0, index = 0;
    if (!in.number(file) || !in.number(index)) return in.fail();
    loaded_->lost.push_back(place(file, index));
  }
  return true;
}

std::optional<std::size_t> DuplicateIndex::join(std::vector<KeyStream>& shards) {
  if (!loaded_) loaded_ = std::make_unique<Loaded>();
  std::vector<std::uint64_t>& lost = loaded_->lost;
  struct Cursor {
    KeyStream* stream;
    std::uint64_t left;  ///< bytes not yet read from the stream
    std::string_view piece;
    std::size_t at = 0;
    Key key;
    /// The next key; false at the end, or with `bad` when the stream is damaged.
    bool next(bool& bad) {
      if (at == piece.size()) {
        if (left == 0) return false;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kKeyPiece));
        if (!stream->read(n, piece)) return !(bad = true);
        left -= n;
        at = 0;
      }
      const Key k = Key::read(piece.data() + at);
      at += kKeyBytes;
      // Keys out of order would make the merge miss copies: a damaged stream.
      if (k.id == 0 || (key.id != 0 && !key.less(k))) return !(bad = true);
      key = k;
      return true;
    }
  };
  std::vector<Cursor> cursors;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (shards[i].bytes % kKeyBytes != 0 || (!enabled_ && shards[i].bytes > 0)) return i;
    cursors.push_back(Cursor{&shards[i], shards[i].bytes, {}, 0, Key{}});
  }
  // A k-way merge: a key at the head of several shards is one event seen by each, whose
  // earliest copy is kept and the others are lost. `heap` is a min-heap of cursors by key.
  const auto later = [&](std::size_t a, std::size_t b) { return cursors[b].key.less(cursors[a].key); };
  std::vector<std::size_t> heap;
  bool bad = false;
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    if (cursors[i].next(bad)) heap.push_back(i);
    if (bad) return i;
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const std::size_t c = heap.back();
    heap.pop_back();
    Key key = cursors[c].key;
    while (!heap.empty() && cursors[heap.front()].key.same(key)) {
      std::pop_heap(heap.begin(), heap.end(), later);
      const std::size_t other = heap.back();
      const std::uint64_t there = cursors[other].key.place;
      // Shards read different files: two copies never share a place.
      if (there < key.place) {
        lost.push_back(key.place);
        key.place = there;
      } else {
        lost.push_back(there);
      }
      if (cursors[other].next(bad)) {
        std::push_heap(heap.begin(), heap.end(), later);
      } else {
        if (bad) return other;
        heap.pop_back();
      }
    }
    if (cursors[c].next(bad)) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), later);
    } else if (bad) {
      return c;
    }
  }
  std::sort(lost.begin(), lost.end());
  return std::nullopt;
}

std::uint64_t DuplicateIndex::duplicates() const {
  if (!enabled_) return 0;
  if (loaded_) return loaded_->lost.size();
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].spin);
    n += shards_[i].observed - shards_[i].used;
  }
  return n;
}

}  // namespace trailhound::app
