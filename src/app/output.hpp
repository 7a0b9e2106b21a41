// Where a command's results go (stdout or -o FILE) and what a reading command sets up first.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "trailhound/app.hpp"
#include "trailhound/discover.hpp"
#include "trailhound/engine.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/format.hpp"

namespace trailhound::app {

/// Where results go: stdout or the -o file. Holds the stream open for the command.
class Output {
 public:
  /// Opens `path` ("" or "-" for stdout).
  [[nodiscard]] Status open(const std::string& path, ColorMode color);
  [[nodiscard]] std::ostream& stream();
  /// True when text output may be coloured.
  [[nodiscard]] bool color() const { return color_; }
  /// Flushes; a Write error (with errno) when the write failed (disk full, closed pipe).
  [[nodiscard]] Status finish();

 private:
  std::unique_ptr<std::ostream> file_;
  std::string path_;
  bool color_ = false;
};

/// What every reading command sets up before the run: filter, files, settings, output.
struct PreparedRun {
  EventFilter filter;
  FileTable files;
  RunOptions run;
  Output output;
  OutputFormat format = OutputFormat::Text;
  std::uint64_t pruned = 0;   ///< files not opened: outside the window by name
  std::uint64_t skipped = 0;  ///< digests passed over while walking folders
  std::uint64_t walk_errors = 0;  ///< paths that could not be walked (missing, unreadable)
  /// Adds what discovery passed over to the run's totals.
  void account(RunTotals& totals) const {
    totals.files_pruned += pruned;
    totals.files_skipped += skipped;
    totals.files_failed += walk_errors;
  }
};

/// Builds the filter, walks the inputs and opens the output.
[[nodiscard]] Status prepare_run(const InputRequest& request, PreparedRun& prepared);

/// Flushes the output and decides the exit code of a run that found nothing at --fail-on.
[[nodiscard]] int finish_run(const InputRequest& request, Output& output, const RunTotals& totals);

/// True when colour may be used on `fd` in `mode`: NO_COLOR, CLICOLOR_FORCE and a terminal.
[[nodiscard]] bool color_wanted(ColorMode mode, int fd);

}  // namespace trailhound::app
