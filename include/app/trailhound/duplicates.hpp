// Duplicate records: the same event delivered by two trails (an organisation trail and an
// account trail), counted once whatever the number of workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "trailhound/bytes.hpp"
#include "trailhound/model.hpp"

namespace trailhound::app {

/// One shard's saved duplicate keys, read a piece at a time: `read(n, piece)` gives the next
/// `n` bytes, as a view valid until the next call, or false when the input is cut short.
struct KeyStream {
  std::uint64_t bytes = 0;  ///< how many there are
  std::function<bool(std::size_t n, std::string_view& piece)> read;
};

/// Every copy of an event the workers see, keyed by (hash of eventID, hash of the record
/// text): two records are copies when both are the same. The copy kept is the one with the
/// lowest (file, index), the earliest in file-table order, so the result is the same whatever
/// order the workers read the files in. Records without an eventID are never copies.
///
/// Memory: one 24-byte slot per distinct event observed (hash tables at most 3/4 full, so 32
/// to 64 bytes per event in all); nothing is forgotten during a run. Thread-safe: the table is
/// split into shards, each behind its own lock.
class DuplicateIndex {
 public:
  /// A disabled index (--keep-duplicates) sees no copies: every record is kept.
  explicit DuplicateIndex(bool enabled = true);
  ~DuplicateIndex();
  DuplicateIndex(const DuplicateIndex&) = delete;
  DuplicateIndex& operator=(const DuplicateIndex&) = delete;

  /// Records one copy of `event`. True when it is the first copy any worker has shown the
  /// index (or the event cannot be a copy): counting it then counts the event once, since
  /// copies are byte-identical. Which copy is first depends on the workers' timing; use
  /// kept() after the run to tell which copy is reported.
  bool observe(const EventView& event);
  /// The same for an event id and record text already at hand.
  bool observe(std::string_view event_id, std::string_view record, SourceRef source);

  /// After the run: false when the record at `source`, whose eventID is `event_id`, is a copy
  /// of an event whose kept copy is elsewhere.
  [[nodiscard]] bool kept(std::string_view event_id, SourceRef source) const;

  /// After the run: copies observed beyond the first of each event.
  [[nodiscard]] std::uint64_t duplicates() const;

  [[nodiscard]] bool enabled() const { return enabled_; }

  /// Writes what a shard's index holds for the merge: where the shard's own copies beyond
  /// the first were (a few bytes each) into `state`, and each event's (eventID hash, record
  /// hash, kept copy) into `keys`, in hash order, 24 bytes an event; file indexes mapped
  /// through `files` to the whole run's table.
  void save(ByteWriter& state, std::string& keys, std::span<const std::uint32_t> files) const;
  /// Takes the copies save wrote into a shard's state; false when the input is damaged. Once
  /// every shard's is loaded, join() reads their keys. A loaded index answers kept() and
  /// duplicates() only: it observes nothing more.
  [[nodiscard]] bool load(ByteReader& in);
  /// After every load: merges the shards' keys, each stream sorted, so that an event seen by
  /// more than one shard keeps its earliest copy, and the index is the one a run over all
  /// the files would have made (the same kept copies, the same count of duplicates). Each
  /// key is compared with the other shards' next keys, not hashed into a table, and read as
  /// a stream: the merge holds a piece of each shard's keys at a time. Returns the index of
  /// a stream that is damaged (cut short, out of order), or nothing.
  [[nodiscard]] std::optional<std::size_t> join(std::vector<KeyStream>& shards);

 private:
  /// Records one copy by its hashes; true when it is the first of its event.
  bool insert(std::uint64_t id, std::uint64_t record, std::uint32_t file, std::uint32_t index);
  struct Slot;
  struct Shard;
  struct Loaded;
  static constexpr std::size_t kShards = 64;
  bool enabled_;
  std::unique_ptr<Shard[]> shards_;
  /// A merge's index: the copies not kept, from the shards (load) and across them (join).
  std::unique_ptr<Loaded> loaded_;
};

}  // namespace trailhound::app
