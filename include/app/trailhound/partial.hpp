// Sharded runs: which files a shard reads, and the partial result it writes for the merge.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/discover.hpp"
#include "trailhound/duplicates.hpp"
#include "trailhound/error.hpp"
#include "trailhound/model.hpp"
#include "trailhound/totals.hpp"

namespace trailhound::app {

/// One shard of a job array: K of N, 0-based.
struct ShardSpec {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

/// Reads `--shard K/N`, or with `auto` the engine's own variables: Slurm's
/// SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT; Kubernetes'
/// JOB_COMPLETION_INDEX or AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX, with N from `shard_count`
/// (--shard-count, 0 when not given) or TRAILHOUND_SHARD_COUNT. `getenv` is the environment
/// (a parameter, so tests need not set the process's own).
[[nodiscard]] Result<ShardSpec> parse_shard(
    std::string_view text, unsigned shard_count,
    const std::function<const char*(const char*)>& getenv);

/// FNV-1a, 64 bits, over `text`: the stable hash that assigns files to shards. Written out
/// here (not std::hash) so every build, on every machine, agrees.
[[nodiscard]] std::uint64_t fnv1a64(std::string_view text);

/// The name a file is assigned by: its path below the input root it was found under (the
/// S3 key below the synced prefix), or the path as given for a file named on its own.
[[nodiscard]] std::string shard_key(const InputFile& file, const std::vector<std::string>& roots);

/// The shard of a file name: fnv1a64(key) mod N, with the hash's high bits folded in so a
/// small N still sees every bit.
[[nodiscard]] std::uint32_t shard_of(std::string_view key, std::uint32_t count);

/// The format of a partial file. A merge reads only its own version and refuses another,
/// naming both; it changes whenever what a partial holds or how it is laid out changes.
/// Version 2: a scan shard writes its detection state instead of its events. Version 3: its
/// duplicate keys are sorted and list where its own copies were, so that the merge joins
/// them without a hash table, and its state names the kinds of lists it loaded.
inline constexpr std::uint32_t kPartialVersion = 3;

/// What a partial says of itself: made by which trailhound, for which command and settings,
/// as which shard, over which files.
struct PartialHeader {
  std::uint32_t format_version = kPartialVersion;
  std::string trailhound_version;
  std::string command;                ///< scan, timeline, summary, investigate
  std::vector<std::string> settings;  ///< the arguments that decide the results
  std::string resolved;               ///< relative times as read (--since 24h)
  TimeMs anchor = 0;                  ///< the clock relative times were read against
  ShardSpec shard;
  FileTable files;                    ///< every file of the run (all shards), in run order
  std::uint64_t pruned = 0;           ///< files not opened: outside the window by name
  std::uint64_t skipped_digest = 0;   ///< digests passed over while walking folders
  std::uint64_t walk_errors = 0;      ///< paths that could not be walked
};

/// A failed or skipped file of a shard, by its index in the run's file table.
struct PartialProblem {
  std::uint32_t file = 0;
  bool failed = true;
  std::vector<std::string> reasons;
};

/// Writes a partial: the header, then each file's events in file order, then the problems and
/// totals. Event chunks are compressed as they are added (one gzip member each), so a shard
/// holds its partial compressed, not its events.
class PartialWriter {
 public:
  explicit PartialWriter(PartialHeader header);
  ~PartialWriter();
  PartialWriter(const PartialWriter&) = delete;
  PartialWriter& operator=(const PartialWriter&) = delete;

  /// Appends one event (its file index in the run's table) to the chunk of its file. Events
  /// of one file come from one thread, in record order; calls for different files may come
  /// from different threads through different ChunkBuilders.
  class ChunkBuilder {
   public:
    /// With `hash_records`, each record is written as the 8 bytes of its hash, not its text:
    /// for the commands that print no record (scan, summary), where the merge needs a record
    /// only to tell copies of an event apart (equal records give equal hashes).
    explicit ChunkBuilder(PartialWriter& writer, bool hash_records = false)
        : writer_(writer), hash_records_(hash_records) {}
    ~ChunkBuilder();
    ChunkBuilder(const ChunkBuilder&) = delete;
    ChunkBuilder& operator=(const ChunkBuilder&) = delete;
    void add(const EventView& event, std::uint32_t file);
    /// Hands the open chunk to the writer (also done when the file changes, and at the end).
    void flush();

   private:
    PartialWriter& writer_;
    bool hash_records_;
    std::string raw_;
    std::uint32_t file_ = 0;
    std::uint64_t events_ = 0;
  };

  void add_problem(PartialProblem problem);
  /// The shard's state (a scan's detections, see Detector::save_state), written in place of
  /// events: a partial holds one or the other. `keys` (the duplicate keys, hashes that do not
  /// compress) follow it uncompressed: deflating them would cost the shard and the merge time
  /// for nothing, and the merge reads them as a stream (PartialReader::read_keys).
  void set_state(std::string state, std::string keys = {});
  /// Writes everything to `path` with the shard's totals; a Write error names the file.
  [[nodiscard]] Status write(const std::string& path, const RunTotals& totals);

 private:
  void take_chunk(std::uint32_t file, std::string compressed);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads one partial as a stream: the header first, then its events in file order.
class PartialReader {
 public:
  PartialReader();
  ~PartialReader();
  PartialReader(const PartialReader&) = delete;
  PartialReader& operator=(const PartialReader&) = delete;

  /// Opens `path` and reads its header; an Input error names the file and the reason (not a
  /// partial, another format version, cut short).
  [[nodiscard]] Status open(const std::string& path);
  [[nodiscard]] const PartialHeader& header() const;
  [[nodiscard]] const std::string& path() const;

  /// The file index of the next event, or nothing when the events are over.
  [[nodiscard]] std::optional<std::uint32_t> peek_file();
  /// Reads the next event; its views live until the next call.
  [[nodiscard]] Result<const EventView*> next_event();
  /// Where a partial holds a state instead of events (set_state): reads it whole (an Input
  /// error when there is none or it is cut short), and how many bytes of keys follow.
  [[nodiscard]] Status read_state(std::string& state, std::uint64_t& key_bytes);
  /// After read_state: the next `n` bytes of the keys, as a view valid until the next read
  /// from this partial; false when the partial is cut short.
  [[nodiscard]] bool read_keys(std::size_t n, std::string_view& piece);
  /// After the events: the problems and totals (an Input error when the file is cut short).
  [[nodiscard]] Status read_trailer(std::vector<PartialProblem>& problems, RunTotals& totals);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A complete, consistent set of partials, opened, headers read.
struct PartialSet {
  std::vector<std::unique_ptr<PartialReader>> readers;
  [[nodiscard]] const PartialHeader& header() const { return readers.front()->header(); }
};

/// Opens every partial and checks that they make one run: the same format and trailhound
/// version, command, settings, relative times and file table, and every shard 0..N-1 exactly
/// once. A Usage error names what differs, the missing shards or the doubled ones.
[[nodiscard]] Result<PartialSet> open_partials(const std::vector<std::string>& paths);

/// Hands each partial's state to `take` (with the partial's path), then every partial's keys
/// at once to `join` (one stream each, in the partials' order; it returns the index of a
/// stream it found damaged), then its problems in file order, and adds up their totals.
[[nodiscard]] Result<RunTotals> read_partial_states(
    PartialSet& set, const std::function<Status(std::string_view, const std::string&)>& take,
    const std::function<std::optional<std::size_t>(std::vector<KeyStream>&)>& join,
    std::vector<PartialProblem>& problems);

/// Replays the partials' events in run order (file by file, record by record) into `visit`,
/// hands their problems over in file order, and adds up their totals.
[[nodiscard]] Result<RunTotals> replay_partials(
    PartialSet& set, const std::function<void(const EventView&)>& visit,
    std::vector<PartialProblem>& problems);

}  // namespace trailhound::app
