// Report stage: owned copies of events, activity summaries, and the printers for each format.
#pragma once

#include <cstdint>
#include <map>
#include <istream>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/detect.hpp"
#include "trailhound/discover.hpp"
#include "trailhound/totals.hpp"
#include "trailhound/format.hpp"
#include "trailhound/model.hpp"

namespace trailhound {

/// An event kept past its visit: the fields reports show and the record's text.
struct OwnedEvent {
  TimeMs time = 0;
  SourceRef source;
  Principal principal;
  std::string event_name, event_source, region, source_ip, user_agent, error_code, event_id;
  std::string record;  ///< the record as one line of valid JSON

  [[nodiscard]] static OwnedEvent from(const EventView& event);
  /// Output order: time, then file, then record index: the same whatever the thread count.
  friend bool operator<(const OwnedEvent& a, const OwnedEvent& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.source.file != b.source.file) return a.source.file < b.source.file;
    return a.source.index < b.source.index;
  }
};

/// Rewrites a JSON value's text as one line: white space outside strings dropped, raw control
/// characters in strings escaped, invalid UTF-8 replaced by U+FFFD (counted in `*replaced`).
/// Returns false when the result is not valid JSON.
[[nodiscard]] bool compact_json(std::string_view text, std::string& out,
                                std::size_t* replaced = nullptr);

/// Counts by name; looked up by string_view so that counting allocates only for new names.
using CountMap = std::map<std::string, std::uint64_t, std::less<>>;

/// Distinct values and counts over a set of events: the summary of a timeline, one row of the
/// summary command. Merging two is exact, so per-worker stats add up to the same result.
struct ActivityStats {
  std::uint64_t events = 0;
  std::uint64_t errors = 0;
  TimeMs first_seen = 0;
  TimeMs last_seen = 0;
  std::string type;  ///< principal type (summary rows)
  std::string user;  ///< principal display name (summary rows)
  CountMap source_ips, regions, user_agents, access_keys, actions, error_codes;

  void add(const EventView& event);
  /// The same for an event already kept.
  void add(const OwnedEvent& event);
  void merge(const ActivityStats& other);
};

/// The run-wide counts every output ends with.
struct RunSummary {
  const RunTotals* totals = nullptr;
  std::uint64_t matched = 0;
};

/// Writes `events`, then the summary, in `format`. `files` names files by index.
void print_timeline(std::ostream& out, OutputFormat format, const std::vector<OwnedEvent>& events,
                    const ActivityStats& stats, const RunTotals& totals, const FileTable& files,
                    bool color);

/// Writes one row per principal, then the run totals, in `format`.
void print_principal_summary(std::ostream& out, OutputFormat format,
                             const std::map<std::string, ActivityStats, std::less<>>& principals,
                             const RunTotals& totals, std::uint64_t matched, bool color);

/// Writes the one-line text account of files and records.
void write_text_totals(std::ostream& out, const RunTotals& totals, std::uint64_t matched);

/// Appends the `"files":{...},"records":{...}` members (no braces) for JSON outputs.
void append_totals_json(std::string& out, const RunTotals& totals, std::uint64_t matched);

/// Appends the principal as a JSON object.
void append_principal_json(std::string& out, const Principal& principal);
void append_principal_json(std::string& out, const PrincipalView& principal);

/// Appends the event as the JSON Lines `event` object (no newline).
void append_event_json(std::string& out, const OwnedEvent& event, const FileTable& files);

/// Appends the activity fields (`"events":..,"first_seen":..` ...) without braces.
void append_stats_json(std::string& out, const ActivityStats& stats);

/// Plain-text tables with aligned columns; cells are escaped for the terminal.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> cells);
  /// Writes the table; `color` bolds the header.
  void print(std::ostream& out, bool color) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

/// Appends one finding as the JSON Lines `finding` object (no newline).
void append_finding_json(std::string& out, const detect::Finding& finding, const FileTable& files);

/// How findings are printed.
struct FindingReport {
  const detect::FindingList* findings = nullptr;
  const detect::DetectResult* result = nullptr;  ///< suppressions, notes, source counts
  const RunTotals* totals = nullptr;
  const FileTable* files = nullptr;
  bool grouped = false;  ///< one row per rule, principal and source address
  /// For `investigate`: the principal's timeline, printed after the findings.
  const std::vector<OwnedEvent>* timeline = nullptr;
  const ActivityStats* timeline_stats = nullptr;
  std::string timeline_note;  ///< what window the timeline covers
};

/// Writes findings (then the timeline, for investigate), then the summary, in `format`.
void print_findings(std::ostream& out, OutputFormat format, const FindingReport& report,
                    bool color);

/// `ip lookup`: one result per address in `args` (or per line of `in` when `args` is empty or
/// holds `-`). Returns 0 when every input was an address or a service name, 3 when some input
/// could not be read as either.
int run_ip_lookup(const intel::IntelDb& db, const std::vector<std::string>& args, std::istream& in,
                  OutputFormat format, std::ostream& out, std::ostream& err);

/// `ip lists`: one row per loaded list, then one per ip-ranges file. Returns 0.
int run_ip_lists(const intel::IntelDb& db, OutputFormat format, std::ostream& out);

/// True when colour may be used on this stream: a terminal and NO_COLOR unset.
[[nodiscard]] bool use_color(int fd);

}  // namespace trailhound
