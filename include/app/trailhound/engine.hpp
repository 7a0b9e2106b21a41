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
  unsigned jobs = 1;      ///< worker threads
  bool quiet = false;     ///< no progress, no notes (errors are still printed)
  bool progress = false;  ///< draw a progress line on stderr
  /// Called for each failed or skipped file, in file order whatever the thread count, from
  /// one thread at a time (so the callee needs no lock).
  std::function<void(const FileIssue&)> on_file_issue;
};

/// The most worker threads a run starts, whatever --jobs asks.
inline constexpr unsigned kMaxJobs = 1024;

/// How many workers a run of `files` uses: --jobs, at most one per file, at least one.
[[nodiscard]] unsigned worker_count(const FileTable& files, const RunOptions& options);

/// Reads every file of `files` on worker_count() threads; worker `i` feeds `sink_of(i)`.
/// Problems are printed to stderr as `trailhound: PATH: reason` when each file is done, in
/// file order, and failed and skipped files are handed to `options.on_file_issue`. An exception while reading a file fails that file (counted, with its reason);
/// the run goes on.
[[nodiscard]] RunTotals run_files_with(const FileTable& files, const RunOptions& options,
                                       const std::function<EventSink&(unsigned)>& sink_of);

/// The typed run: makes one sink per worker with `make` (kept in `sinks`, in worker order),
/// so the caller merges them as the type it made.
template <class Sink>
[[nodiscard]] RunTotals run_files(const FileTable& files, const RunOptions& options,
                                  const std::function<std::unique_ptr<Sink>()>& make,
                                  std::vector<std::unique_ptr<Sink>>& sinks) {
  sinks.clear();
  const unsigned n = worker_count(files, options);
  for (unsigned i = 0; i < n; ++i) sinks.push_back(make());
  return run_files_with(files, options, [&](unsigned i) -> EventSink& { return *sinks[i]; });
}

}  // namespace trailhound
