// Run totals: every file and record read is accounted for here, by every stage and printer.
#pragma once

#include <cstdint>

namespace trailhound {

/// Per-run counters; every file and record read is accounted for here.
struct RunTotals {
  std::uint64_t files_read = 0;     ///< opened and read to the end
  std::uint64_t files_skipped = 0;  ///< digests and files that are not JSON
  std::uint64_t files_not_cloudtrail = 0;  ///< of files_skipped, those not JSON (not digests)
  std::uint64_t files_failed = 0;   ///< missing, unreadable, corrupt, truncated, too large, bad JSON
  std::uint64_t files_pruned = 0;   ///< not opened: their key time is outside the window
  std::uint64_t records_read = 0;
  std::uint64_t records_used = 0;
  std::uint64_t records_rejected = 0;
  /// Copies of an event already counted (same eventID, same record: two trails delivering
  /// it), dropped from the results; 0 with --keep-duplicates.
  std::uint64_t records_duplicate = 0;
  std::uint64_t bytes_in = 0;       ///< bytes read from disk or stdin
  std::uint64_t bytes_decoded = 0;  ///< bytes after inflating
  /// True when some input or record could not be read (exit code 3).
  [[nodiscard]] bool incomplete() const { return files_failed > 0 || records_rejected > 0; }
};

}  // namespace trailhound
