// Duplicate records: the same event delivered by two trails (an organisation trail and an
// account trail), counted once whatever the number of workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "trailhound/bytes.hpp"
#include "trailhound/model.hpp"

namespace trailhound::app {

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

  /// Writes what a shard's index holds for the merge: how many copies it observed, and each
  /// event's (eventID hash, record hash, kept copy), its file index mapped through `files` to
  /// the whole run's table. About 20 bytes an event.
  void save(ByteWriter& out, std::span<const std::uint32_t> files) const;
  /// Adds what save wrote: the merge of every shard's index is the index one run over all the
  /// files would have made (the same kept copies, the same count of duplicates). False when
  /// the input is damaged.
  [[nodiscard]] bool load(ByteReader& in);

 private:
  /// Records one copy by its hashes; true when it is the first of its event.
  bool insert(std::uint64_t id, std::uint64_t record, std::uint32_t file, std::uint32_t index);
  struct Slot;
  struct Shard;
  static constexpr std::size_t kShards = 64;
  bool enabled_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace trailhound::app
