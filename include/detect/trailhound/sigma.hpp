// Sigma rules for CloudTrail: loading rule files into one compiled set, and matching events.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/geoip.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/model.hpp"

namespace trailhound::detect::sigma {

/// What `trailhound rules` shows of one Sigma rule file, loaded or not.
struct RuleMeta {
  std::string file;   ///< the path it was read from
  std::string id;     ///< the rule's `id` (the file name when it has none)
  std::string title;
  std::string status;
  std::string level;  ///< informational, low, medium, high, critical
  std::string author;
  std::vector<std::string> tags;
  std::vector<std::string> references;
  /// Why the rule does not run: it is refused (something the engine does not support, named)
  /// or skipped (its logsource is not AWS CloudTrail). Empty for a rule that runs.
  std::string refused;
  bool skipped = false;  ///< refused because of its logsource, not its content
};

/// A list filling a placeholder (`%name%` with the `expand` modifier): `name=PATH`.
struct PlaceholderSpec {
  std::string name;
  std::string path;
};

/// One field of the event that a rule matched on, for the finding's reasons.
struct MatchedField {
  std::string_view field;
  std::string value;
};

/// The compiled rules. Built once, shared read-only by every worker.
class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  /// Every file read, in load order, with why it does not run when it does not.
  [[nodiscard]] const std::vector<RuleMeta>& rules() const;
  /// Notes of the load (unfilled placeholders, files that are not rules).
  [[nodiscard]] const std::vector<std::string>& notes() const;
  /// How many rules run.
  [[nodiscard]] std::size_t active() const;
  /// Milliseconds the load and compilation took.
  [[nodiscard]] double load_ms() const;

  struct Impl;
  [[nodiscard]] const Impl& impl() const { return *impl_; }
  [[nodiscard]] Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Loads every `.yml`/`.yaml` file of `paths` (files, or folders walked in name order).
/// A path that cannot be read is an error; a file that is not a rule the engine can run is
/// kept in rules() with the reason. `placeholders` fill `%name%` values; `signin` (may be
/// null) fills %Legitimate_IP_Ranges% when no file is given for it.
struct LoadResult {
  std::shared_ptr<RuleSet> set;
  std::string error;  ///< a path that could not be read: the run stops
};
[[nodiscard]] LoadResult load(const std::vector<std::string>& paths,
                              const std::vector<PlaceholderSpec>& placeholders,
                              const intel::IntelDb* signin);

/// The first half of load(): the files found, read and parsed as YAML, nothing compiled. It
/// reads no list, so it may run on another thread while the lists load.
struct ParsedFiles;
[[nodiscard]] std::shared_ptr<ParsedFiles> parse_files(const std::vector<std::string>& paths);
/// The second half: compiles what parse_files read, exactly as load() would have (the sign-in
/// allow list is looked at here, once the lists are loaded).
[[nodiscard]] LoadResult load(std::shared_ptr<ParsedFiles> parsed,
                              const std::vector<PlaceholderSpec>& placeholders,
                              const intel::IntelDb* signin);
/// Compiles one rule from YAML text (for tests): the set holds it, or its refusal.
[[nodiscard]] std::shared_ptr<RuleSet> compile_text(std::string_view yaml,
                                                    const std::vector<PlaceholderSpec>& placeholders = {},
                                                    const intel::IntelDb* signin = nullptr);

/// One worker's matcher over a RuleSet: parses an event's record only when some rule's
/// event-name or event-source pre-filter lets the event through, and each field once.
class Matcher {
 public:
  Matcher(const RuleSet& set, const intel::GeoDb* geo);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  /// Calls `hit(rule index, matched fields)` for every rule the event matches.
  template <typename F>
  void match(const EventView& event, F&& hit) {
    begin(event);
    std::size_t rule = 0;
    while (next(rule)) hit(rule, matched_);
  }
  /// The metadata of a rule by the index match() gives.
  [[nodiscard]] const RuleMeta& meta(std::size_t rule) const;
  /// How many events needed their record parsed (for tests of the pre-filter).
  [[nodiscard]] std::uint64_t records_parsed() const { return parsed_; }
  /// How many regular-expression searches gave up at PCRE2's match or depth limit (a pattern
  /// that backtracks too much on the value) and so counted as no match.
  [[nodiscard]] std::uint64_t regex_limited() const { return regex_limited_; }

 private:
  void begin(const EventView& event);
  bool next(std::size_t& rule);
  struct State;
  std::unique_ptr<State> state_;
  std::vector<MatchedField> matched_;
  std::uint64_t parsed_ = 0;
  std::uint64_t regex_limited_ = 0;
};

}  // namespace trailhound::detect::sigma
