// Application layer: running one command from its settings. The CLI fills a request and
// calls one of the run_* functions; everything from here down is flag-free.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "trailhound/engine.hpp"
#include "trailhound/error.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/partial.hpp"

namespace trailhound::app {

/// Stable exit codes; scripts and CI jobs depend on them (see the man page). Decided in one
/// place: exit_code().
enum ExitCode : int {
  kExitOk = 0,          ///< every input read, no finding at or above --fail-on
  kExitFindings = 1,    ///< a finding at or above --fail-on
  kExitUsage = 2,       ///< usage or configuration error, or no file could be read at all
  kExitIncomplete = 3,  ///< the run completed but some inputs or records could not be read
  kExitWrite = 4,       ///< the results could not be written (full disk, closed pipe)
  kExitInternal = 70,   ///< a bug in trailhound (EX_SOFTWARE)
};

/// The exit code of an error that ended a command.
[[nodiscard]] int exit_code(const Error& error);

/// Prints `trailhound: message` on stderr.
void print_error(std::string_view message);
/// Prints the error as `trailhound: PATH: message[: errno text]` and returns its exit code.
int report_error(const Error& error);

/// When to colour text output.
enum class ColorMode { Auto, Always, Never };

/// Settings shared by every command that reads CloudTrail files.
struct InputRequest {
  std::vector<std::string> paths;
  std::string since, until;
  std::vector<std::string> users, access_keys, regions, events, source_ips;
  bool errors_only = false;
  /// Report every copy of an event two trails delivered (otherwise the earliest copy only).
  bool keep_duplicates = false;
  std::string format = "text";
  std::string output;
  unsigned jobs = 0;  ///< 0: one per core
  bool quiet = false;
  bool verbose = false;
  bool wide = false;    ///< text tables: never cut a cell to fit the terminal
  bool strict = false;  ///< a rule that cannot run, an unreadable file or a rejected record fails
  bool ocsf_raw = false;  ///< --format ocsf: each event's record as `raw_data`
  /// timeline: print events as the files are read, in file order, without sorting them.
  bool unsorted = false;
  ColorMode color = ColorMode::Auto;
  std::uint64_t max_file_bytes = 1ULL << 30;
  std::size_t max_depth = 256;
  std::uint64_t max_record_bytes = 64ULL << 20;
  std::uint64_t max_memory = 1ULL << 30;
  /// --split-size: a plain NDJSON file larger than this is read in ranges by several workers.
  std::uint64_t split_size = 64ULL << 20;

  // Sharded runs (see trailhound/partial.hpp).
  std::string shard;           ///< --shard K/N or auto; empty: not a shard
  unsigned shard_count = 0;    ///< --shard-count (0: from the engine or the environment)
  std::string partial_out;     ///< --partial-out FILE: write the partial, not the results
  /// The arguments that decide the results, as the partial records them (the CLI fills it).
  std::vector<std::string> settings;
  /// The time relative times (--since 24h) are read against; 0: the clock.
  std::int64_t now = 0;
  /// merge: the partials whose events are replayed instead of reading files (null: read).
  PartialSet* replay = nullptr;
};

/// Settings that load IP intelligence.
struct IntelRequest {
  std::vector<std::string> threat_lists;   ///< NAME=PATH[:FORMAT]
  std::vector<std::string> trusted_lists;  ///< NAME=PATH[:FORMAT]
  std::vector<std::string> signin_allowlists;
  std::vector<std::string> allow_signin;   ///< inline CIDRs
  std::vector<std::string> aws_ip_ranges;
  bool allow_wide_trusted = false;  ///< trusted entries wider than /8 or /16 are accepted
  std::vector<std::string> geoip;  ///< MaxMind DB files: where an address is (--geoip)
};

/// Settings of the detections.
struct DetectRequest {
  std::string min_severity = "informational";
  std::string fail_on;
  bool group = false;
  std::vector<std::string> rules, network_kinds, network_admins, suppress_principals,
      suppress_events;
  std::vector<int> risky_ports;
  int wide_v4 = 16, wide_v6 = 48;
  std::string baseline_since, baseline_until, baseline_in, baseline_out;
  std::vector<std::string> sigma;               ///< Sigma rule files and folders (--sigma)
  std::vector<std::string> sigma_placeholders;  ///< NAME=PATH lists filling %NAME%
  int password_data_threshold = 5;
};

/// `scan` and `investigate`.
struct ScanRequest {
  InputRequest input;
  IntelRequest intel;
  DetectRequest detect;
  std::string before = "24h";  ///< investigate: timeline start before the first finding
  std::string after;           ///< investigate: timeline end after the first finding
};

/// `ip lookup` and `ip lists`.
struct IpRequest {
  IntelRequest intel;
  std::string format = "text";
  std::string output;
  bool verbose = false;
  bool wide = false;
  ColorMode color = ColorMode::Auto;
  std::vector<std::string> addresses;
};

/// `rules`.
struct RulesRequest {
  std::vector<std::string> sigma;               ///< Sigma rules to list beside the built-ins
  std::vector<std::string> sigma_placeholders;
  std::string format = "text";
  std::string output;
  bool wide = false;
  ColorMode color = ColorMode::Auto;
};

/// Each returns the command's exit code, having printed its results and any errors.
/// `intel`: only its `geoip` databases are used, to say where each address is.
[[nodiscard]] int run_timeline(const InputRequest& request, const IntelRequest& intel = {});
[[nodiscard]] int run_summary(const InputRequest& request, const IntelRequest& intel = {});
[[nodiscard]] int run_scan(const ScanRequest& request);
[[nodiscard]] int run_investigate(const ScanRequest& request);
[[nodiscard]] int run_ip_lookup(const IpRequest& request);
[[nodiscard]] int run_ip_lists(const IpRequest& request);
[[nodiscard]] int run_rules(const RulesRequest& request);

/// The event filter the settings describe, or a usage error (bad time or address).
[[nodiscard]] Result<EventFilter> build_filter(const InputRequest& request);
/// The run settings the request describes.
[[nodiscard]] RunOptions build_run_options(const InputRequest& request);
/// Loads every list the request names, or the configuration error that stopped it.
[[nodiscard]] Status load_intel(const IntelRequest& request, bool verbose, intel::IntelDb& db);
/// The kinds of lists load_intel gives when it succeeds: a list it loads is there even when
/// it holds no entry, so the flags alone decide.
[[nodiscard]] intel::IntelKinds requested_kinds(const IntelRequest& request);

}  // namespace trailhound::app
