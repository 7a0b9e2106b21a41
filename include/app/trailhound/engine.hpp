// The run: files through decode and parse on worker threads, events to per-worker sinks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/discover.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/totals.hpp"

namespace trailhound {

/// Receives the events of the files one worker thread reads. Each worker has its own sink,
/// so a sink needs no locking; the caller merges the sinks after the run.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Called for every event read (filters are the sink's business).
  virtual void on_event(const EventView& event) = 0;
  /// Called when the worker is done with a file, whether it was read, failed or skipped.
  virtual void on_file_done(std::size_t /*index*/) {}
};

/// A file that failed, or was skipped as not CloudTrail, and why: what stderr says of it.
struct FileIssue {
  std::string_view path;
  std::size_t index = 0;  ///< the file's index in the run's file table
  bool failed = true;  ///< false: skipped
  const std::vector<std::string>* reasons = nullptr;
};

/// How a run reads its inputs.
struct RunOptions {
  DecodeLimits decode;
  ParseLimits parse;
  /// --max-memory: the decode limits of each worker are planned from it (plan_memory); 0
  /// leaves decode.max_inflated as the only limit.
  std::uint64_t max_memory = 0;
  /// --split-size: a plain NDJSON file larger than this is read in ranges cut at line ends,
  /// on several workers at once (plan_reads); 0: every file is read whole by one worker.
  std::uint64_t split_bytes = 64ULL << 20;
  unsigned jobs = 1;      ///< worker threads
  bool verbose = false;   ///< notes: how a split file was read
  bool quiet = false;     ///< no progress, no notes (errors are still printed)
  bool progress = false;  ///< draw a progress line on stderr
  /// Called for each failed or skipped file, in file order whatever the thread count, from
  /// one thread at a time (so the callee needs no lock).
  std::function<void(const FileIssue&)> on_file_issue;
};

/// The most worker threads a run starts, whatever --jobs asks.
inline constexpr unsigned kMaxJobs = 1024;

/// How many workers a run of `files` uses when none is split: --jobs, at most one per file, at
/// least one (plan_reads counts the ranges of split files too).
[[nodiscard]] unsigned worker_count(const FileTable& files, const RunOptions& options);

/// A plain NDJSON file read in ranges: where they start and where the last one ends.
struct SplitFile {
  std::size_t file = 0;             ///< index in the file table
  std::vector<std::uint64_t> cuts;  ///< range k is [cuts[k], cuts[k + 1]), each cut a line start
};

/// How a run shares its files out among the workers.
struct ReadPlan {
  std::vector<SplitFile> splits;  ///< the files read in ranges, in file order
  std::uint64_t range_bytes = 0;  ///< the size a range is cut at (then on to the line's end)
  std::size_t units = 0;          ///< files read whole plus ranges
  unsigned workers = 1;           ///< --jobs, at most one per unit, at least one
};

/// Plans a run: a plain (not gzip, not UTF-16) regular file larger than split_bytes whose head
/// is NDJSON of one record per line (splittable_ndjson) is cut into ranges of about
/// min(4 MiB, split_bytes, a worker's share of --max-memory) bytes, at least 64 KiB, each
/// ending at a line end. Whether a file is split depends on its size and content alone, never on --jobs,
/// and the record numbers of a split file do not depend on its cuts: the output is the same
/// for any thread count. Reads only the head of each large plain file and a block at each cut.
[[nodiscard]] ReadPlan plan_reads(const FileTable& files, const RunOptions& options);

/// Reads every file of `files` on plan.workers threads; worker `i` feeds `sink_of(i)`.
/// Problems are printed to stderr as `trailhound: PATH: reason` when each file is done, in
/// file order, and failed and skipped files are handed to `options.on_file_issue`. An
/// exception while reading a file fails that file (counted, with its reason); the run goes on.
/// The ranges of a split file are read by any worker, in parallel: each is counted first (its
/// lines, by a cheap pass) so that its records get their numbers in the file, and the file's
/// totals and messages are settled once, when its last range is done.
[[nodiscard]] RunTotals run_files_with(const FileTable& files, const ReadPlan& plan,
                                       const RunOptions& options,
                                       const std::function<EventSink&(unsigned)>& sink_of);

/// The typed run: makes one sink per worker with `make` (kept in `sinks`, in worker order),
/// so the caller merges them as the type it made.
template <class Sink>
[[nodiscard]] RunTotals run_files(const FileTable& files, const RunOptions& options,
                                  const std::function<std::unique_ptr<Sink>()>& make,
                                  std::vector<std::unique_ptr<Sink>>& sinks) {
  sinks.clear();
  const ReadPlan plan = plan_reads(files, options);
  for (unsigned i = 0; i < plan.workers; ++i) sinks.push_back(make());
  return run_files_with(files, plan, options,
                        [&](unsigned i) -> EventSink& { return *sinks[i]; });
}

}  // namespace trailhound
