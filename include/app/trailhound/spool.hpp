// The events a sorted output gathers, given back in output order within a memory budget.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "trailhound/error.hpp"
#include "trailhound/report.hpp"

namespace trailhound::app {

/// Bytes an event holds in memory: the object and the heap text of its strings.
[[nodiscard]] std::size_t footprint(const OwnedEvent& event);

/// Gathers the events of a run and gives them back in output order (OwnedEvent::operator<,
/// a total order), with the events held in memory bounded by a budget.
///
/// Each worker adds to its own lane, without locking. While the events of every lane fit in
/// the budget nothing else happens: at the end they are sorted in memory, as a plain vector
/// would be. Past the budget, a lane sorts its events and writes them as one sorted run to a
/// temporary file in $TMPDIR (/tmp when unset), then starts again empty; the end merges the
/// runs (and what is still in memory) k ways, in passes of at most kFanIn runs. The file is
/// unlinked as soon as it is made: nothing is left behind on exit, on error or on a signal,
/// whatever kills the process. The runs hold every field a printer shows, so a spilled event
/// prints byte for byte as it would have from memory.
class EventSpool {
 public:
  /// Runs merged at once: beyond it, runs are first merged into longer runs.
  static constexpr std::size_t kFanIn = 128;

  /// `budget`: the bytes the gathered events may hold in memory, all lanes together.
  explicit EventSpool(std::uint64_t budget);
  ~EventSpool();
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  /// One worker's share of the spool: used by one thread at a time.
  class Lane {
   public:
    /// Keeps `event`; sorts and writes the lane's events out when it is past its share.
    void add(OwnedEvent&& event);

   private:
    friend class EventSpool;
    explicit Lane(EventSpool& spool) : spool_(spool) {}
    void spill();
    EventSpool& spool_;
    std::vector<OwnedEvent> events_;
    std::size_t bytes_ = 0;  ///< footprint of events_, with the vector's own array
  };

  /// A new lane; made before the workers start (the budget is shared among the lanes).
  Lane& lane();

  /// After the run: drops the events `keep` refuses (null: keeps all), sorts, and calls
  /// `visit` with each event in output order. A temporary file that could not be written or
  /// read back is a Write error naming it (a full $TMPDIR): the output is then incomplete.
  [[nodiscard]] Status visit(const std::function<bool(const OwnedEvent&)>& keep,
                             const std::function<void(const OwnedEvent&)>& visit);

  /// How many sorted runs were written to the temporary file (0: all sorted in memory).
  [[nodiscard]] std::size_t runs_spilled() const;

 private:
  struct Run {
    std::uint64_t offset = 0, size = 0;
  };
  struct TempFile;
  /// Writes `events` (sorted) as one run; false (and error_ set) when the write failed.
  bool write_run(const std::vector<OwnedEvent>& events);
  [[nodiscard]] std::size_t lane_share() const;

  std::uint64_t budget_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  mutable std::mutex mutex_;  // guards file_, runs_, error_
  std::unique_ptr<TempFile> file_;
  std::vector<Run> runs_;
  std::size_t spilled_ = 0;
  std::optional<Error> error_;
};

}  // namespace trailhound::app
