// Report stage: owned copies of events, activity summaries, and what the printers share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <istream>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trailhound/detect.hpp"
#include "trailhound/discover.hpp"
#include "trailhound/geoip.hpp"
#include "trailhound/totals.hpp"
#include "trailhound/model.hpp"

namespace trailhound {

class Printer;

/// An event kept past its visit: the fields reports show and the record's text.
struct OwnedEvent {
  TimeMs time = 0;
  SourceRef source;
  Principal principal;
  std::string event_name, event_source, region, source_ip, user_agent, error_code, event_id;
  std::string record;  ///< the record as one line of valid JSON

  [[nodiscard]] static OwnedEvent from(const EventView& event);
  /// Output order: time, then file, then record index. The file table is in path order, so
  /// this order is total and the same whatever the thread count or the order of arguments.
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
  Principal principal;  ///< who (summary rows; the access key is left empty: see access_keys)
  CountMap source_ips, regions, user_agents, access_keys, actions, error_codes;
  /// Events without a sourceIPAddress, awsRegion or userAgent (missing, null or ""): absent
  /// is no distinct value, so these are counted here and not in the maps above.
  std::uint64_t absent_source_ip = 0, absent_region = 0, absent_user_agent = 0;

  void add(const EventView& event);
  /// The same for an event already kept.
  void add(const OwnedEvent& event);
  void merge(const ActivityStats& other);
};

/// Appends the `"files":{...},"records":{...}` members (no braces) for JSON outputs.
void append_totals_json(std::string& out, const RunTotals& totals, std::uint64_t matched);

/// Appends the principal as a JSON object.
void append_principal_json(std::string& out, const Principal& principal);
void append_principal_json(std::string& out, const PrincipalView& principal);

/// Where an address is (PrinterOptions::geo): null for a service name or invalid text.
using GeoLookup = std::function<const intel::GeoInfo*(std::string_view address)>;

/// Appends the `ip_info` object of `info` (null members when unknown), or null.
void append_ip_info_json(std::string& out, const intel::GeoInfo* info);
/// Appends `,"ip_info":...` for `address` when `geo` is set (--geoip); nothing otherwise.
void append_ip_info_member(std::string& out, const GeoLookup* geo, std::string_view address);
/// The countries and the ASNs ("AS1221") of `addresses` (address → events), each with the
/// events from its addresses; an address the databases do not place is left out.
void count_places(const CountMap& addresses, const GeoLookup& geo, CountMap& countries,
                  CountMap& asns);

/// Appends the event as the JSON Lines `event` object (no newline); with `geo`, its `ip_info`.
void append_event_json(std::string& out, const OwnedEvent& event, const FileTable& files,
                       const GeoLookup* geo = nullptr);

/// Appends the activity fields (`"events":..,"first_seen":..` ...) without braces.
void append_stats_json(std::string& out, const ActivityStats& stats);

/// Plain-text tables with aligned columns; cells are escaped for the terminal. When the rows
/// are wider than `width`, the widest columns are cut first, each cut cell ending in `…`
/// (U+2026); columns marked whole (times, severities) are never cut.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  /// Never cut column `column`.
  void keep_whole(std::size_t column);
  void add_row(std::vector<std::string> cells);
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  /// Appends the table to `out`, each row fitted to `width` display columns (0: no limit);
  /// `color` bolds the header.
  void print(std::string& out, bool color, std::size_t width = 0) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> whole_;
  std::vector<std::vector<std::string>> rows_;
};

/// Cuts `cell` (already escaped) to at most `width` display columns, on a UTF-8 boundary,
/// ending it in `…` when cut.
[[nodiscard]] std::string cut_cell(std::string_view cell, std::size_t width);

/// Display columns of escaped text: one per UTF-8 character.
[[nodiscard]] std::size_t display_width(std::string_view text);

/// The JSON form of text that stays at one address, unchanged, while a run's findings are
/// printed (a finding's text lives in its pool until the run ends): keyed by address and
/// length, each long string is escaped once and copied after. A Sigma rule's title, tags,
/// references and reasons repeat on every finding of the rule. Short strings are escaped
/// each time, which costs less than the lookup.
class JsonTextMemo {
 public:
  /// Appends `text` as a JSON string, as append_json_string does.
  void append(std::string& out, std::string_view text);

  /// Appends what `render` writes for `parts` (pooled text, as above): rendered on the first
  /// call with these addresses and lengths in this order, copied after. `render(std::string&)`
  /// must write the same for the same parts: a principal's object, a Sigma rule's block.
  template <class Render>
  void append_block(std::string& out, std::span<const std::string_view> parts, Render render) {
    Block* b = find_block(parts);
    if (b == nullptr) {
      const std::size_t at = out.size();
      render(out);
      keep_block(parts, std::string_view(out).substr(at));
      return;
    }
    out.append(blocks_text_, b->at, b->length);
  }

 private:
  struct Block {
    std::vector<std::pair<const char*, std::size_t>> parts;
    std::size_t at = 0, length = 0;
  };
  Block* find_block(std::span<const std::string_view> parts);
  void keep_block(std::span<const std::string_view> parts, std::string_view text);
  std::unordered_map<std::uint64_t, std::vector<Block>> blocks_;
  std::string blocks_text_;
  struct Slot {
    const char* data = nullptr;
    std::uint32_t size = 0, at = 0, length = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  std::string store_;  ///< the escaped strings, end to end
};

/// Appends one finding as the JSON Lines `finding` object (no newline). With `memo`, the
/// finding's pooled text is escaped through it (see JsonTextMemo).
void append_finding_json(std::string& out, const detect::Finding& finding, const FileTable& files,
                         const GeoLookup* geo = nullptr, JsonTextMemo* memo = nullptr);

/// Renders findings[from...] with `render(out, finding, memo)` and hands the text to `write`
/// in report order, a batch at a time. Each batch is cut into up to `threads` runs rendered
/// side by side, each run with a memo of its own (`memo` for the first), so `render` must be
/// safe to call on several findings at once; the text is what one thread would render.
void render_findings(
    const detect::FindingList& findings, std::size_t from, unsigned threads, JsonTextMemo& memo,
    const std::function<void(std::string&, const detect::Finding&, JsonTextMemo&)>& render,
    const std::function<void(std::string_view)>& write);

/// `ip lookup`: one result per address in `args` (or per line of `in` when `args` is empty or
/// holds `-`). Returns 0 when every input was an address or a service name, 3 when some input
/// could not be read as either.
int run_ip_lookup(const intel::IntelDb& db, const std::vector<std::string>& args, std::istream& in,
                  Printer& printer, std::ostream& err);

/// `ip lists`: one row per loaded list, then one per ip-ranges file.
void run_ip_lists(const intel::IntelDb& db, Printer& printer);

/// True when colour may be used on this stream: a terminal and NO_COLOR unset.
[[nodiscard]] bool use_color(int fd);

}  // namespace trailhound
