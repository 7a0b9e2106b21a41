// The printer interface every output format implements, and what the commands hand it.
//
// Adding a format (OCSF, HTML, ...) takes two steps and touches nothing else:
//   1. a file src/report/print_NAME.cpp with a class implementing Printer and a factory
//      `std::unique_ptr<Printer> make_NAME_printer(std::ostream&, const PrinterOptions&)`
//      (declared at the end of this header);
//   2. one row in the table of src/report/formats.cpp: name, one-line help, the commands it
//      supports, the factory. `--format`, its help and make_printer() read that table.
// The commands never look at the format: they call begin(), then the result calls, then
// summary() and end(). A printer buffers into one reused string and writes it in chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <optional>
#include <utility>
#include <vector>

#include "trailhound/detect.hpp"
#include "trailhound/geoip.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/report.hpp"

namespace trailhound {

/// The command whose results are printed; a printer shapes its document after it.
enum class Command { Timeline, Summary, Scan, Investigate, IpLookup, IpLists, Rules };

/// The command as the user types it: "timeline", "ip lookup", ...
[[nodiscard]] std::string_view to_string(Command command);

/// True for the commands that read CloudTrail files (and so end with a run summary).
[[nodiscard]] bool reads_files(Command command);

/// A set of commands, as a bit mask of (1 << Command).
using CommandSet = unsigned;
inline constexpr CommandSet kAllCommands = 0x7F;
[[nodiscard]] constexpr CommandSet command_bit(Command c) { return 1U << static_cast<unsigned>(c); }

/// How a printer is set up: colour and the terminal's width (0: never cut a cell).
struct PrinterOptions {
  bool color = false;
  std::size_t width = 0;
  /// Where an address is (country, city, ASN, anonymiser) when --geoip databases are loaded;
  /// null otherwise. Printers call it for each address they show; the app caches the answers.
  std::function<const intel::GeoInfo*(std::string_view address)> geo;
  /// OCSF: include the whole record as `raw_data` (--ocsf-raw).
  bool raw_data = false;
  /// The run's loaded lists and AWS ranges (scan, investigate), null otherwise: html names
  /// the lists that hold each address it shows. Must outlive the printer.
  const intel::IntelDb* intel = nullptr;
};

/// What was asked: the command, and the file table events and findings refer to.
struct PrintBegin {
  Command command = Command::Timeline;
  const FileTable* files = nullptr;
  bool grouped = false;  ///< scan, investigate: findings come as groups (--group)
  /// What was asked, as label and value pairs ("pivot", "inputs", ...) in the user's own,
  /// unescaped text: for the formats that restate it (html).
  std::vector<std::pair<std::string, std::string>> asked;
};

/// A file that could not be read, or was skipped as not CloudTrail.
struct FileProblem {
  std::string path;
  bool failed = true;  ///< false: skipped
  std::vector<std::string> reasons;
};

/// Findings of one rule, principal and source address: the worst severity and the span.
struct FindingGroup {
  const detect::Finding* first = nullptr;
  detect::Severity severity = detect::Severity::Informational;
  std::uint64_t count = 0;
  TimeMs first_seen = 0, last_seen = 0;
  CountMap events;  ///< event name → count
};

/// Groups `findings` by rule, principal key and source address, in order of first appearance.
[[nodiscard]] std::vector<FindingGroup> group_findings(const detect::FindingList& findings);

/// One `ip lookup` input, classified and (for an address) looked up.
struct IpRow {
  std::string_view input;
  intel::SourceClass kind = intel::SourceClass::Invalid;
  std::string_view error;  ///< why the input is not an address (kind Invalid)
  const intel::IpAddr* addr = nullptr;
  const intel::LookupResult* result = nullptr;  ///< kind Address only
  const intel::IntelDb* db = nullptr;           ///< resolves the list names of `result`
};

/// The run's closing totals. Which members are set depends on the command.
struct RunSummary {
  const RunTotals* totals = nullptr;
  std::uint64_t matched = 0;  ///< events that passed the filters
  /// timeline: over every event; investigate: over the window shown.
  const ActivityStats* stats = nullptr;
  std::string_view window;  ///< investigate: what the timeline covers
  /// investigate with findings: the window shown, [first, second); second is the last event
  /// shown (plus 1 ms) when --after is not given.
  std::optional<std::pair<TimeMs, TimeMs>> window_span;
  const detect::FindingList* findings = nullptr;  ///< scan, investigate: the findings shown
  const detect::DetectResult* detect = nullptr;   ///< suppressions, notes, source counts
  std::size_t principals = 0;                     ///< summary: how many principals
};

/// Receives a command's results in order: begin, the rows, summary (reading commands), end.
/// Row calls a command never makes need not do anything useful for it.
class Printer {
 public:
  virtual ~Printer() = default;
  virtual void begin(const PrintBegin& begin) = 0;
  /// A heading before the rows that follow (investigate: the timeline's window).
  virtual void section(std::string_view title) = 0;
  virtual void file_problem(const FileProblem& problem) = 0;
  virtual void event(const OwnedEvent& event) = 0;
  /// A finding's text must stay where it is, unchanged, until end(): the JSON printers escape
  /// each long pooled string once and key it by address (JsonTextMemo).
  virtual void finding(const detect::Finding& finding) = 0;
  /// Every finding of the report, in order: the same as finding() on each. A format whose
  /// findings do not depend on each other may render them on up to `threads` threads.
  virtual void findings(const detect::FindingList& list, unsigned threads) {
    (void)threads;
    for (const auto& f : list) finding(f);
  }
  virtual void group(const FindingGroup& group) = 0;
  /// One summary row: the principal's key and its activity (stats.principal names it).
  virtual void principal(std::string_view key, const ActivityStats& stats) = 0;
  virtual void ip(const IpRow& row) = 0;
  virtual void ip_list(const intel::ListInfo& list) = 0;
  virtual void aws_ranges(const intel::AwsRangesInfo& file) = 0;
  virtual void rule(const detect::RuleInfo& rule) = 0;
  virtual void network_kind(const detect::NetworkKind& kind) = 0;
  virtual void summary(const RunSummary& summary) = 0;
  /// Writes the rows buffered so far to the stream (a streamed timeline, --unsorted), when
  /// the format allows it: a format that lays out the whole result first may keep them.
  virtual void flush() {}
  /// Writes what is still buffered; the printer is done.
  virtual void end() = 0;
};

/// The factories of the format table (src/report/formats.cpp), one per printer file.
[[nodiscard]] std::unique_ptr<Printer> make_text_printer(std::ostream& out, const PrinterOptions& o);
[[nodiscard]] std::unique_ptr<Printer> make_jsonl_printer(std::ostream& out, const PrinterOptions& o);
[[nodiscard]] std::unique_ptr<Printer> make_json_printer(std::ostream& out, const PrinterOptions& o);
[[nodiscard]] std::unique_ptr<Printer> make_csv_printer(std::ostream& out, const PrinterOptions& o);
[[nodiscard]] std::unique_ptr<Printer> make_ocsf_printer(std::ostream& out, const PrinterOptions& o);
[[nodiscard]] std::unique_ptr<Printer> make_html_printer(std::ostream& out, const PrinterOptions& o);

/// Appends a group as the JSON Lines `finding-group` object (no newline).
void append_group_json(std::string& out, const FindingGroup& group,
                       const GeoLookup* geo = nullptr);

/// Appends the closing `summary` object (no newline) for `command`.
void append_summary_json(std::string& out, Command command, const RunSummary& summary);

/// Appends the other JSON objects the jsonl and json printers share (no newline).
void append_file_problem_json(std::string& out, const FileProblem& problem);
/// With `geo`, a principal row also counts its `countries` and `asns`, and an ip row has `ip_info`.
void append_principal_row_json(std::string& out, std::string_view key, const ActivityStats& stats,
                               const GeoLookup* geo = nullptr);
void append_ip_json(std::string& out, const IpRow& row, const GeoLookup* geo = nullptr);
void append_ip_list_json(std::string& out, const intel::ListInfo& list);
void append_aws_ranges_json(std::string& out, const intel::AwsRangesInfo& file);
void append_rule_json(std::string& out, const detect::RuleInfo& rule);
void append_network_kind_json(std::string& out, const detect::NetworkKind& kind);

/// The terminal's width for output on `fd`: COLUMNS, else the terminal's own size; 0 (no
/// limit) when `fd` is not a terminal, so piped and redirected output is never cut.
[[nodiscard]] std::size_t terminal_width(int fd);

}  // namespace trailhound
