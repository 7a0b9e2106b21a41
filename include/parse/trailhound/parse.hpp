// Parse stage: every CloudTrail export shape, told from the content, into EventViews.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/model.hpp"

namespace trailhound {

/// The container shapes trailhound reads.
enum class Shape {
  Unknown,
  Records,       ///< S3 delivery {"Records":[...]}
  Array,         ///< a bare JSON array of events
  Single,        ///< one event object
  Lines,         ///< NDJSON or concatenated event objects
  LookupEvents,  ///< aws cloudtrail lookup-events {"Events":[{"CloudTrailEvent":"..."}]}
  Lake,          ///< CloudTrail Lake query results {"QueryResultRows":[[{..},..],..]}
  CloudWatch,    ///< CloudWatch Logs subscription / Firehose {"logEvents":[{"message":"..."}]}
  EventBridge,   ///< EventBridge event with the record under "detail"
  Digest,        ///< CloudTrail digest file (skipped)
  Mixed,         ///< several top-level values of different shapes
};

[[nodiscard]] std::string_view to_string(Shape shape);

/// Limits on hostile content, per file.
struct ParseLimits {
  std::size_t max_depth = 256;                ///< nesting depth of one record
  std::size_t max_record_bytes = 64u << 20;   ///< bytes of one record (embedded or not)
  std::size_t max_errors_per_file = 10;       ///< rejected-record messages printed per file
};

// Damaged files. When the normal parse of a file fails (cut, an unbalanced quote, a garbage
// line), the reader salvages it: it keeps the records read before the damage and reads on
// from the next record. NDJSON is read line by line, a bad line being rejected with its line
// number; any other text is resynchronised on the next '{' that parses as a whole record. Each
// damaged stretch counts as one rejected record (more when it holds several record openers)
// and its bytes as bytes_skipped, and the file is failed (file_error) with the reason. A file
// that starts mid-record gives its whole records the same way; one with no record in it stays
// not_json.

/// What reading one file's decoded bytes gave.
struct ParseOutcome {
  Shape shape = Shape::Unknown;
  std::uint64_t records_read = 0;      ///< records seen (used + rejected)
  std::uint64_t records_used = 0;      ///< handed to the visitor
  std::uint64_t records_rejected = 0;  ///< missing or unreadable time, not an object, ...
  std::uint64_t bytes_skipped = 0;     ///< damaged bytes passed over to reach the next record
  std::uint64_t time_from_timestamp = 0;  ///< records whose time came from @timestamp
  bool file_error = false;             ///< the file could not be read to its end
  bool not_json = false;               ///< the content is not JSON at all (skipped)
  bool digest = false;                 ///< a CloudTrail digest (skipped)
  std::vector<std::string> messages;   ///< "record N: reason" / "reason" lines, in order
  /// read_lines: invalid UTF-8 bytes and raw control characters repaired in place (counted
  /// here; join_ranges says so once for the file).
  std::uint64_t repaired_bytes = 0;
  std::uint64_t repaired_controls = 0;
};

// Split NDJSON. A large plain NDJSON file is read in ranges cut at line ends, on several
// workers at once (see the engine). Its text is then read line by line, every line that is not
// blank being one record whose number is the count of non-blank lines before it in the file:
// the numbers, and so the output, do not depend on where the file was cut or by how many
// workers. A line that is not one record (damaged JSON, an envelope of several records, a
// digest, an object with no CloudTrail field) is rejected as one record, named by its line and
// record number, and fails the file, as the salvage of a damaged file does.

/// Whether the head of a plain file is NDJSON of one record per line, which can be read in
/// ranges: it starts with '{' (after a UTF-8 BOM and white space), it has two lines or more
/// of which one is a whole object, and each whole line in it is an event record (its first
/// key is an event key) or an EventBridge event.
[[nodiscard]] bool splittable_ndjson(std::string_view head);

/// The lines of a stretch of NDJSON: how many end in it, and how many hold a record (are not
/// blank: something else than spaces, tabs and carriage returns).
struct LineCount {
  std::uint64_t newlines = 0;
  std::uint64_t records = 0;
  bool in_record = false;  ///< the last line seen is not blank and has not ended yet
};

/// Adds the lines of `text` to `count`. A stretch may be given in pieces; end_lines() counts
/// its last line when it does not end in a newline.
void count_lines(std::string_view text, LineCount& count);
void end_lines(LineCount& count);

/// Joins the outcomes of a file's ranges, in file order, into the file's outcome: the counts
/// added, the messages kept up to the per-file limit (as one read would keep them), and one
/// message for the repaired bytes of all ranges.
[[nodiscard]] ParseOutcome join_ranges(std::vector<ParseOutcome>& parts, const ParseLimits& limits);

/// Reads events from decoded buffers. One per thread: it owns the JSON parsers and scratch
/// buffers, which are reused from file to file.
class EventReader {
 public:
  explicit EventReader(ParseLimits limits = {});
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  /// Visits every event in `data` (which must have kBufferPadding readable bytes after it).
  /// `visit` sees each event once; its views die when it returns. A record whose eventTime,
  /// eventName, eventSource, userIdentity or sourceIPAddress appears twice is rejected: which
  /// of the two a reader believes is up to the reader, and an attacker can pick.
  [[nodiscard]] ParseOutcome read(std::string_view data, std::uint32_t file_index,
                                  const std::function<void(const EventView&)>& visit);
  /// The same, on text the reader may change: invalid UTF-8 and raw control characters are
  /// then repaired in place (offsets kept) instead of in a copy of the whole text.
  [[nodiscard]] ParseOutcome read_writable(char* data, std::size_t size, std::uint32_t file_index,
                                           const std::function<void(const EventView&)>& visit);

  /// Reads a range of a split NDJSON file (see above): `data` holds whole lines, the first of
  /// which is line `first_line` of the file and holds record `first_record` (blank lines hold
  /// none). Bad bytes are repaired in place.
  [[nodiscard]] ParseOutcome read_lines(char* data, std::size_t size, std::uint32_t file_index,
                                        std::uint64_t first_record, std::uint64_t first_line,
                                        const std::function<void(const EventView&)>& visit);

  /// Gives back the parser's memory sized for the largest file read so far (its structure
  /// index and string buffers); the next file allocates what it needs again.
  void release_memory();

 private:
  struct Impl;
  static ParseOutcome& read_many(Impl& im, ParseOutcome& outcome, const char* base,
                                 std::size_t len, std::size_t first, const char* limit,
                                 Shape first_shape);
  std::unique_ptr<Impl> impl_;
};

/// Finds the end of the JSON value starting at `start` (no further than `limit`): the length
/// of its text, or 0 when it does not end before `limit`.
[[nodiscard]] std::size_t json_value_length(const char* start, const char* limit);

/// Counts the '{' and '[' bytes in `text`, inside strings too: an upper bound on how deep
/// the JSON in it can nest, found at memory speed.
[[nodiscard]] std::size_t count_json_openers(std::string_view text);
/// The same count without AVX2 (SSE2, else byte by byte); count_json_openers uses it on
/// processors without AVX2. Tested on its own.
[[nodiscard]] std::size_t count_json_openers_sse2(std::string_view text);

/// True when the JSON value in `text` nests more than `max_depth` levels (the value's own
/// braces are level 1). Brackets inside strings do not count. Reads every byte only when
/// count_json_openers() cannot rule it out.
[[nodiscard]] bool json_nests_deeper_than(std::string_view text, std::size_t max_depth);

}  // namespace trailhound
