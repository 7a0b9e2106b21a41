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

namespace trailhound {

/// Receives the events of the files one worker thread reads. Each worker has its own sink,
/// so a sink needs no locking; the caller merges the sinks after the run.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Called for every event read (filters are the sink's business).
  virtual void on_event(const EventView& event) = 0;
};

/// Per-run counters; every file and record read is accounted for here.
struct RunTotals {
  std::uint64_t files_read = 0;     ///< opened and read to the end
  std::uint64_t files_skipped = 0;  ///< digests and files that are not JSON
  std::uint64_t files_failed = 0;   ///< missing, unreadable, corrupt, truncated, too large, bad JSON
  std::uint64_t files_pruned = 0;   ///< not opened: their key time is outside the window
  std::uint64_t records_read = 0;
  std::uint64_t records_used = 0;
  std::uint64_t records_rejected = 0;
  std::uint64_t bytes_in = 0;       ///< bytes read from disk or stdin
  std::uint64_t bytes_decoded = 0;  ///< bytes after inflating
  /// True when some input or record could not be read (exit code 3).
  [[nodiscard]] bool incomplete() const { return files_failed > 0 || records_rejected > 0; }
};

/// How a run reads its inputs.
struct RunOptions {
  DecodeLimits decode;
  ParseLimits parse;
  unsigned jobs = 1;      ///< worker threads
  bool quiet = false;     ///< no progress, no notes (errors are still printed)
  bool progress = false;  ///< draw a progress line on stderr
};

/// The file table of a run: index → path, as events refer to files by index.
using FileTable = std::vector<InputFile>;

/// Reads every file of `files` on `options.jobs` threads, feeding each worker's sink (made by
/// `make_sink`, one per worker, returned in `sinks`). Problems are printed to stderr as
/// `trailhound: PATH: reason` when each file is done.
[[nodiscard]] RunTotals run_files(const FileTable& files, const RunOptions& options,
                                  const std::function<std::unique_ptr<EventSink>()>& make_sink,
                                  std::vector<std::unique_ptr<EventSink>>& sinks);

}  // namespace trailhound
