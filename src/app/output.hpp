// Where a command's results go (stdout or -o FILE) and what a reading command sets up first.
#pragma once

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

#include "trailhound/app.hpp"
#include "trailhound/atomic_file.hpp"
#include "trailhound/discover.hpp"
#include "trailhound/duplicates.hpp"
#include "trailhound/engine.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/format.hpp"
#include "trailhound/geoip.hpp"
#include "trailhound/partial.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/sigma.hpp"

namespace trailhound::app {

/// An output stream buffer over a file descriptor that remembers the errno of the first
/// failed write, which iostreams forget: a full disk must be reported with its reason.
class FdBuf final : public std::streambuf {
 public:
  FdBuf() { setp(buffer_, buffer_ + sizeof buffer_); }
  ~FdBuf() override;
  FdBuf(const FdBuf&) = delete;
  FdBuf& operator=(const FdBuf&) = delete;
  /// Writes to `fd`; closes it at the end when `owned`.
  void attach(int fd, bool owned) {
    fd_ = fd;
    owned_ = owned;
  }
  /// The errno of the first failed write, 0 when none failed.
  [[nodiscard]] int error() const { return error_; }
  /// Flushes and closes an owned descriptor; the close's errno counts as a write error.
  void close();

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool write_all(const char* p, std::size_t n);
  char buffer_[1 << 16];
  int fd_ = -1;
  bool owned_ = false;
  int error_ = 0;
};

/// Where results go: stdout or the -o file. Holds the stream open for the command.
class Output {
 public:
  /// Opens `path` ("" or "-" for stdout). A file is written beside the target and renamed
  /// over it by finish(): until then (and on any failure) the previous file stays whole.
  [[nodiscard]] Status open(const std::string& path, ColorMode color);
  [[nodiscard]] std::ostream& stream();
  /// True when text output may be coloured.
  [[nodiscard]] bool color() const { return color_; }
  /// The terminal's width for text tables; 0 (never cut) when not a terminal.
  [[nodiscard]] std::size_t width() const { return width_; }
  /// Flushes and puts the file in place; a Write error (with errno) when the write failed
  /// (disk full, closed pipe), the previous file then left as it was.
  [[nodiscard]] Status finish();
  /// The -o path, "" for stdout.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  AtomicFile file_;  // before buf_: the buffer is flushed before the file is let go
  FdBuf buf_;
  std::ostream stream_{&buf_};
  std::string path_;
  bool color_ = false;
  std::size_t width_ = 0;
};

/// The --geoip databases, loaded once, and the printing thread's cache of their answers.
/// Printing is single-threaded, so one cache serves every printer call.
class GeoSource {
 public:
  /// Opens each file; a missing, corrupt or wrong-type file is a Config error naming it.
  [[nodiscard]] Status load(const std::vector<std::string>& paths);
  /// The databases, or null when none was given (what the detect stage takes).
  [[nodiscard]] const intel::GeoDb* db() const { return db_.empty() ? nullptr : &db_; }
  /// What PrinterOptions::geo holds: null when no database is loaded; else a lookup of the
  /// address text (null for a service name or invalid text). This object must outlive it.
  [[nodiscard]] std::function<const intel::GeoInfo*(std::string_view)> printer_lookup();

 private:
  intel::GeoDb db_;
  std::unique_ptr<intel::GeoCache> cache_;
};

/// Opens the output and makes the printer of `format` for `command` on it; `wide` never
/// cuts a table cell; `geo` (when given) says where the printed addresses are.
[[nodiscard]] Result<std::unique_ptr<Printer>> open_printer(Output& output, const std::string& path,
                                                            ColorMode color,
                                                            const std::string& format,
                                                            Command command, bool wide,
                                                            bool raw_data = false,
                                                            GeoSource* geo = nullptr,
                                                            const intel::IntelDb* lists = nullptr);

/// What every reading command sets up before the run: filter, files, settings, output.
struct PreparedRun {
  EventFilter filter;
  FileTable files;
  RunOptions run;
  Output output;
  std::unique_ptr<Printer> printer;
  /// The copies of each event the sinks have seen (disabled by --keep-duplicates).
  std::unique_ptr<DuplicateIndex> duplicates;
  std::vector<FileProblem> problems;  ///< failed and skipped files, in file order
  GeoSource geo;  ///< --geoip: loaded by the command before prepare_run()
  const intel::IntelDb* intel = nullptr;  ///< scan, investigate: the loaded lists, for printers
  /// Files the command will write besides -o (such as --baseline-out), with their flag:
  /// set before prepare_run(), which keeps them from being read or overwritten as inputs.
  std::vector<std::pair<std::string, std::string>> other_outputs;
  std::uint64_t pruned = 0;   ///< files not opened: outside the window by name
  std::uint64_t skipped = 0;  ///< digests passed over while walking folders
  std::uint64_t walk_errors = 0;  ///< paths that could not be walked (missing, unreadable)
  /// merge: the partials replayed instead of reading the files (null: read them).
  PartialSet* replay = nullptr;
  /// Adds what discovery passed over, and the copies dropped, to the run's totals.
  void account(RunTotals& totals) const {
    totals.records_duplicate = duplicates ? duplicates->duplicates() : 0;
    totals.files_pruned += pruned;
    totals.files_skipped += skipped;
    totals.files_failed += walk_errors;
  }
};

/// Builds the filter, walks the inputs, opens the output and makes the printer for `command`.
/// `prepared` must stay where it is: the run reports problem files into it.
[[nodiscard]] Status prepare_run(const InputRequest& request, Command command, PreparedRun& prepared);

/// What a reading command was asked, as PrintBegin::asked: the filters, the inputs, the
/// --geoip files; `pivot` names investigate's pivot first when not empty.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> describe_request(
    const InputRequest& request, const std::vector<std::string>& geoip, std::string pivot = {});

/// The totals a merge read from the partials: a partial that cannot be read is a Usage error
/// (nothing has been printed); the shards' failed and skipped files join the run's problems,
/// named as one run names them.
inline Result<RunTotals> merged_totals(PreparedRun& p, Result<RunTotals> totals,
                                       std::vector<PartialProblem>& problems) {
  if (!totals) {
    Error e = std::move(totals).error();
    e.kind = ErrorKind::Usage;
    return e;
  }
  for (auto& problem : problems) {
    p.problems.push_back(
        FileProblem{p.files[problem.file].path, problem.failed, std::move(problem.reasons)});
  }
  return *totals;
}

/// Reads the run's events into one sink of type Sink per worker, made with `make`: from the
/// files, or on a merge from the partials, in run order into a single sink (the results do not
/// depend on the number of workers). A partial that cannot be read is a Usage error: nothing
/// has been printed.
template <class Sink>
[[nodiscard]] Result<RunTotals> read_events(PreparedRun& p,
                                            const std::function<std::unique_ptr<Sink>()>& make,
                                            std::vector<std::unique_ptr<Sink>>& sinks) {
  if (p.replay == nullptr) return run_files(p.files, p.run, make, sinks);
  sinks.clear();
  sinks.push_back(make());
  Sink& sink = *sinks.front();
  std::vector<PartialProblem> problems;
  auto totals = replay_partials(*p.replay, [&sink](const EventView& e) { sink.on_event(e); },
                                problems);
  return merged_totals(p, std::move(totals), problems);
}

/// Puts a run's files in path order, whatever the order of the arguments: events and findings
/// that share a time are ordered by file, then record, so the output is one total order that
/// neither the command line nor the thread count changes (and the copy of a duplicated event
/// that is kept is the one in the first path). A shard orders its table the same way, so a
/// merge replays the single run's order.
void order_files(FileTable& files);

/// The share of --max-memory the events of a sorted output may hold in memory: a quarter,
/// the rest being left to decoding, the duplicate index and the statistics. Past it they are
/// sorted in runs on disk (see EventSpool).
[[nodiscard]] inline std::uint64_t sort_budget(const InputRequest& request) {
  return request.max_memory / 4;
}

/// With --verbose, says on stderr how many sorted runs went to disk (nothing when none did).
void note_spill(const InputRequest& request, std::size_t runs);

/// True when the request asks for a shard's partial instead of the results.
[[nodiscard]] inline bool is_shard(const InputRequest& request) {
  return !request.partial_out.empty() || !request.shard.empty() || request.shard_count != 0;
}

/// A shard's state for its partial, and its duplicate keys (stored uncompressed).
struct ShardState {
  std::string bytes;
  std::string keys;
};

/// What a shard that ships state (scan) runs over its files instead of writing their events:
/// reads `files` (a part of the run's table; `global` maps their indexes to the whole
/// table's) with `run` and the shard's `filter`, sets `totals`, and returns the state for the
/// partial.
using ShardStateRun = std::function<Result<ShardState>(
    const FileTable& files, const std::vector<std::uint32_t>& global, const RunOptions& run,
    const EventFilter& filter, RunTotals& totals)>;

/// Runs one shard: walks the inputs, reads the files assigned to it and writes its partial
/// (--partial-out). `resolved` is what the command read relative times as, beyond the
/// window (--baseline-since); `keep_all` keeps every event, not only those the filter
/// passes (the detections learn from every event). With `state`, the shard writes what it
/// returns instead of the events.
[[nodiscard]] int run_shard(const InputRequest& request, Command command, bool keep_all,
                            std::string resolved = {}, const ShardStateRun& state = {});

/// Reads a merge's partials that hold states (scan): hands each to `take`, joins their
/// duplicate keys in `p.duplicates`, then adds the problems to `p.problems` and returns the
/// summed totals. A partial that cannot be read is
/// a Usage error: nothing has been printed.
[[nodiscard]] Result<RunTotals> read_states(
    PreparedRun& p, const std::function<Status(std::string_view, const std::string&)>& take);

/// Starts printing a run's results: begin(), then the failed and skipped files.
void begin_printing(PreparedRun& prepared, Command command, bool grouped = false,
                    std::vector<std::pair<std::string, std::string>> asked = {});

/// Flushes the output and decides the exit code of a run that found nothing at --fail-on.
[[nodiscard]] int finish_run(const InputRequest& request, Output& output, const RunTotals& totals);

/// Loads the Sigma rules of `paths` with the placeholder lists of `specs` (NAME=PATH) and, for
/// %Legitimate_IP_Ranges%, the sign-in allow list of `signin` (may be null). A path or list that
/// cannot be read, or a malformed spec, is a Config error; rules that cannot run are kept with
/// their reasons. Null when no path is given. `parsed`, when given, is what
/// detect::sigma::parse_files read of `paths` (on another thread, while the lists loaded).
[[nodiscard]] Result<std::shared_ptr<detect::sigma::RuleSet>> load_sigma(
    const std::vector<std::string>& paths, const std::vector<std::string>& specs,
    const intel::IntelDb* signin, std::shared_ptr<detect::sigma::ParsedFiles> parsed = nullptr);

/// True when colour may be used on `fd` in `mode`: NO_COLOR, CLICOLOR_FORCE and a terminal.
[[nodiscard]] bool color_wanted(ColorMode mode, int fd);

}  // namespace trailhound::app
