// Command-line layer: the flag table shared by the subcommands, config files, exit codes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "trailhound/engine.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/format.hpp"
#include "trailhound/intel.hpp"

namespace trailhound::cli {

/// Stable exit codes; scripts and CI jobs depend on them (see the man page).
enum ExitCode : int {
  kExitOk = 0,          ///< every input read, no finding at or above --fail-on
  kExitFindings = 1,    ///< a finding at or above --fail-on
  kExitUsage = 2,       ///< usage or configuration error: nothing was scanned
  kExitIncomplete = 3,  ///< the run completed but some inputs or records could not be read
};

/// Flags shared by every command that reads CloudTrail files.
struct InputOptions {
  std::vector<std::string> paths;
  std::string since, until;
  std::vector<std::string> users, access_keys, regions, events, source_ips;
  bool errors_only = false;
  std::string format = "text";
  std::string output;
  unsigned jobs = 0;  ///< 0: one per core
  bool quiet = false;
  bool verbose = false;
  std::uint64_t max_file_bytes = 1ULL << 30;
  std::size_t max_depth = 256;
  std::uint64_t max_record_bytes = 64ULL << 20;
};

/// Flags that load IP intelligence.
struct IntelOptions {
  std::vector<std::string> threat_lists;   ///< NAME=PATH[:FORMAT]
  std::vector<std::string> trusted_lists;  ///< NAME=PATH[:FORMAT]
  std::vector<std::string> signin_allowlists;
  std::vector<std::string> allow_signin;   ///< inline CIDRs
  std::vector<std::string> aws_ip_ranges;
};

/// Adds the input flags (paths, window, filters, output, limits) to `app`.
void add_input_options(CLI::App& app, InputOptions& options, bool paths_required = true);
/// Adds the IP-intelligence flags to `app`.
void add_intel_options(CLI::App& app, IntelOptions& options);

/// The event filter the flags describe; false (with `error`) on a bad time or address.
[[nodiscard]] bool build_filter(const InputOptions& options, EventFilter& filter,
                                std::string& error);
/// The run settings the flags describe.
[[nodiscard]] RunOptions build_run_options(const InputOptions& options);
/// Loads every list the flags name; false (with the reason printed) on a configuration error.
[[nodiscard]] bool load_intel(const IntelOptions& options, bool verbose, intel::IntelDb& db);

/// Where results go: stdout or the -o file. Holds the stream open for the command.
class Output {
 public:
  /// Opens `path` ("" for stdout); false with `error` when it cannot be created.
  [[nodiscard]] bool open(const std::string& path, std::string& error);
  [[nodiscard]] std::ostream& stream();
  /// True when writing to a terminal that may show colour.
  [[nodiscard]] bool color() const { return color_; }
  /// Flushes; false when the write failed (disk full, closed pipe).
  [[nodiscard]] bool finish();

 private:
  std::unique_ptr<std::ostream> file_;
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
  /// Adds what discovery passed over to the run's totals.
  void account(RunTotals& totals) const {
    totals.files_pruned += pruned;
    totals.files_skipped += skipped;
  }
};

/// Builds the filter, walks the inputs and opens the output; false (having printed why) on a
/// usage error.
[[nodiscard]] bool prepare_run(const InputOptions& options, PreparedRun& prepared);

/// Flushes the output; the exit code for a run that found nothing at --fail-on.
[[nodiscard]] int finish_run(Output& output, const RunTotals& totals);

/// Makes every repeatable flag take one value per use (`--user a --user b`), so that a flag's
/// value is never followed by a path that it would swallow.
void one_value_per_flag(CLI::App& app);

/// Prints `trailhound: message` on stderr.
void print_error(std::string_view message);

/// Registers `timeline` and `summary`; the callback stores the exit code in `exit_code`.
void register_timeline_commands(CLI::App& app, int& exit_code);
/// Registers `ip lookup` and `ip lists`.
void register_ip_commands(CLI::App& app, int& exit_code);
/// Registers `scan`, `investigate` and `rules`.
void register_scan_commands(CLI::App& app, int& exit_code);

/// Injects the keys of the config file (--config FILE, else the default location) as flags of
/// the subcommand being run. Returns false (with `error`) when the file cannot be read.
[[nodiscard]] bool apply_config_file(const CLI::App& app, std::vector<std::string>& args,
                                     std::string& error);

/// The default config file: $TRAILHOUND_CONFIG, else $XDG_CONFIG_HOME/trailhound/config.toml,
/// else ~/.config/trailhound/config.toml.
[[nodiscard]] std::string default_config_path();

}  // namespace trailhound::cli
