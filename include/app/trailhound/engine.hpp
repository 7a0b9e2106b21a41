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
};

/// How a run reads its inputs.
struct RunOptions {
  DecodeLimits decode;
  ParseLimits parse;
  unsigned jobs = 1;      ///< worker threads
  bool quiet = false;     ///< no progress, no notes (errors are still printed)
  bool progress = false;  ///< draw a progress line on stderr
};

/// Reads every file of `files` on `options.jobs` threads, feeding each worker's sink (made by
/// `make_sink`, one per worker, returned in `sinks`). Problems are printed to stderr as
/// `trailhound: PATH: reason` when each file is done.
[[nodiscard]] RunTotals run_files(const FileTable& files, const RunOptions& options,
                                  const std::function<std::unique_ptr<EventSink>()>& make_sink,
                                  std::vector<std::unique_ptr<EventSink>>& sinks);

}  // namespace trailhound
