// The flag table: every command and every flag declared once. CLI11, --help, config-file keys,
// shell completions and the man-page check are all made from these two lists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "trailhound/app.hpp"
#include "trailhound/error.hpp"

namespace trailhound::cli {

/// One bit per command that runs something; a flag lists the commands that take it.
enum Command : unsigned {
  kTimeline = 1U << 0,
  kSummary = 1U << 1,
  kScan = 1U << 2,
  kInvestigate = 1U << 3,
  kRules = 1U << 4,
  kIpLookup = 1U << 5,
  kIpLists = 1U << 6,
  kCompletions = 1U << 7,
  kMerge = 1U << 8,
};

/// The commands that read CloudTrail files.
inline constexpr unsigned kReading = kTimeline | kSummary | kScan | kInvestigate;
/// The commands that load IP intelligence.
inline constexpr unsigned kIntel = kScan | kInvestigate | kIpLookup | kIpLists;
/// The commands that run the detections.
inline constexpr unsigned kDetect = kScan | kInvestigate;
/// The commands that print results.
inline constexpr unsigned kPrinting = kReading | kRules | kIpLookup | kIpLists | kMerge;

/// A command as the user types it ("scan", "ip lookup") and one line saying what it does.
struct CommandInfo {
  Command id;
  std::string_view name;  ///< words separated by one space; a config section joins them by '.'
  std::string_view help{};
};

/// Every command, in the order --help and completions list them.
[[nodiscard]] const std::vector<CommandInfo>& command_table();
/// The command named `name` ("ip lookup" or "ip.lookup"), or nullptr.
[[nodiscard]] const CommandInfo* find_command(std::string_view name);

/// The requests one command fills; the pointers it does not use are null.
struct Requests {
  app::InputRequest* input = nullptr;
  app::IntelRequest* intel = nullptr;
  app::DetectRequest* detect = nullptr;
  app::ScanRequest* scan = nullptr;
  app::IpRequest* ip = nullptr;
  app::RulesRequest* rules = nullptr;
};

/// Where a flag stores its value.
using Target = std::variant<bool*, std::string*, std::vector<std::string>*, std::vector<int>*,
                            int*, unsigned*, std::uint64_t*, app::ColorMode*>;

/// What a flag takes.
enum class ValueKind {
  Switch,  ///< no value; `true`/`false` in a config file
  Text,    ///< one string
  List,    ///< repeatable (and split at `delimiter` when it has one)
  Number,  ///< one integer, in [min, max] when max > min
  Choice,  ///< one of choices()
  Size,    ///< a byte count, with an optional K, M, G or T suffix (powers of 1024)
};

/// How a value in a config file is made relative to the file's folder.
enum class PathKind {
  None,      ///< not a path
  File,      ///< the whole value is a path
  ListSpec,  ///< [NAME=]PATH[:FORMAT]: the PATH part is
};

/// One flag.
struct Flag {
  std::string_view name{};  ///< long name without the dashes; also its config-file key
  char short_name = 0;
  std::string_view value_name{};  ///< what --help shows after the flag: FILE, N...
  std::string_view help{};
  ValueKind kind = ValueKind::Switch;
  std::string_view group{};
  unsigned commands = 0;  ///< Command bits
  Target (*target)(const Requests&) = nullptr;
  /// Choice (and completions of some lists): the accepted values.
  std::vector<std::string> (*choices)() = nullptr;
  std::int64_t min = 0, max = 0;
  char delimiter = 0;
  PathKind path = PathKind::None;
  bool case_insensitive = false;  ///< Choice: HIGH is high

  [[nodiscard]] bool takes_value() const { return kind != ValueKind::Switch; }
};

/// Every flag, in the order --help shows them within a group.
[[nodiscard]] const std::vector<Flag>& flag_table();
/// The flag of this long name (without dashes; '_' counts as '-'), or nullptr.
[[nodiscard]] const Flag* find_flag(std::string_view name);

/// `text` as the flag stores it (a severity in lower case), or a usage error saying why not,
/// naming the nearest valid value.
[[nodiscard]] Result<std::string> check_value(const Flag& flag, std::string_view text);

/// A byte count as a Size flag takes it: digits with an optional K, M, G or T suffix (powers
/// of 1024; "256M", "256MB" and "256MiB" are the same), or nothing on garbage or overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);

/// The severities, lowest first, as --min-severity and --fail-on take them.
[[nodiscard]] std::vector<std::string> severity_names();
/// The --format values, from the report stage's format table.
[[nodiscard]] std::vector<std::string> format_values();

/// Restricted Damerau-Levenshtein distance: a swap of two neighbours counts one.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate nearest `word` when it is near enough to be a typo, else "".
[[nodiscard]] std::string nearest(std::string_view word, const std::vector<std::string>& candidates);
/// "; did you mean 'scan'?" (the quotes are `open` and `close`), or "" when nothing is near.
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string>& candidates,
                                       std::string_view open = "'", std::string_view close = "'");

}  // namespace trailhound::cli
