// Detect stage: the rules, the severity scorer, the per-principal baseline, and findings.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "trailhound/bytes.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/geoip.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/model.hpp"

namespace trailhound::detect {

/// Ordered: a finding "at or above" a level compares with >=.
enum class Severity { Informational, Low, Medium, High, Critical };

/// The lower-case name: informational, low, medium, high, critical.
[[nodiscard]] std::string_view to_string(Severity severity);
/// Reads a severity name in any letter case ("high", "HIGH", "High"); "info" is an alias of
/// informational. Nothing for any other text.
[[nodiscard]] std::optional<Severity> parse_severity(std::string_view text);
/// The severity on OCSF 1.1.0's severity_id scale (0 Unknown, 1 Informational, 2 Low,
/// 3 Medium, 4 High, 5 Critical, 6 Fatal): informational is 1, critical 5.
[[nodiscard]] int severity_id(Severity severity);

/// One list that holds a finding's source address. The text lives in the run's TextPool.
struct ListMatch {
  std::string_view name;
  std::string_view prefix;
  std::string_view role;  ///< threat, trusted, signin-allow
};

/// AWS's record for a finding's source address; the services are the loaded ranges' own.
struct AwsMatch {
  std::span<const std::string> services;
  std::string_view region;
  std::string_view prefix;
};

/// One finding: a rule fired on one event. Its text is held by a TextPool (see DetectResult),
/// each distinct string once: a run can hold many findings of few principals and agents.
struct Finding {
  std::string_view rule;  ///< one of the kRule ids below (static text)
  Severity severity = Severity::Informational;
  TimeMs time = 0;
  PrincipalView principal;
  std::string_view source_ip;
  std::vector<ListMatch> lists;
  std::optional<AwsMatch> aws;
  bool aws_known = false;  ///< AWS ranges were loaded, so `aws` null means "not AWS's"
  std::string_view event_name, event_source, region, user_agent, error_code, event_id;
  SourceRef source;
  std::vector<std::string_view> reasons;
  std::string_view guardduty_type;  ///< the GuardDuty finding type it corresponds to (static text)
  /// A community (Sigma) rule's title, author, tags (ATT&CK and others) and references: the
  /// rules' licence asks that author and reference travel with what they find. Empty for the
  /// built-in rules.
  std::string_view title, author;
  /// Pooled with the rest of the finding's text (TextPool::keep), shared by every finding of
  /// the rule.
  std::span<const std::string_view> tags, references;
  /// Stable id, set by finish(): 16 hex digits of a hash of the rule, eventID, event time,
  /// eventSource, eventName, principal key, access key and source address, the same on every
  /// run and for any number of workers. Findings that would share one (identical events
  /// without an eventID) get "-2", "-3"... in report order after the first.
  std::string_view id;

  /// Report order: time, file, record, then rule id.
  friend bool operator<(const Finding& a, const Finding& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.source.file != b.source.file) return a.source.file < b.source.file;
    if (a.source.index != b.source.index) return a.source.index < b.source.index;
    return a.rule < b.rule;
  }
};

/// The rule ids, part of trailhound's interface.
inline constexpr std::string_view kRuleSignin = "signin-outside-allowlist";
inline constexpr std::string_view kRuleMaliciousIp = "malicious-ip-caller";
inline constexpr std::string_view kRuleExfiltration = "credential-exfiltration";
inline constexpr std::string_view kRuleNetworkChange = "network-config-change";
inline constexpr std::string_view kRuleNetworkDenied = "network-config-change-denied";
inline constexpr std::string_view kRuleSgIngress = "sg-ingress-open";
inline constexpr std::string_view kRuleNaclEntry = "nacl-entry-open";
inline constexpr std::string_view kRulePolicyAdmin = "policy-grants-admin";
inline constexpr std::string_view kRulePasswordData = "password-data-burst";
/// The loaded Sigma rules, as one entry of the registry (--sigma); each finding's rule is
/// `sigma:` and the Sigma rule's id.
inline constexpr std::string_view kRuleSigma = "sigma";

namespace sigma {
class RuleSet;
}

/// What `trailhound rules` prints for one rule.
struct RuleInfo {
  std::string_view id;
  std::string_view severity;  ///< how the severity is decided
  std::string_view events;    ///< which events it looks at
  std::string_view guardduty; ///< the GuardDuty mapping, if any
  std::string_view needs;     ///< configuration it needs to run
  /// A Sigma rule (--sigma): title, level, status, tags, author, references (joined by ", ")
  /// and, when it does not run, why. Empty for the built-in rules.
  std::string_view title = {}, status = {}, tags = {}, author = {}, references = {},
                   refused = {};
};
/// Every rule, in the order they are listed; made from the rule registry (the only list of
/// rules, src/detect/rules/registry.cpp), so it names exactly the rules that exist.
[[nodiscard]] const std::vector<RuleInfo>& rule_catalog();

/// Network resource kinds watched by network-config-change, and the calls of each.
struct NetworkKind {
  std::string_view name;
  std::vector<std::string_view> events;
};
[[nodiscard]] const std::vector<NetworkKind>& network_kinds();
/// The resource kind of a network-changing call, or empty when it is not one.
[[nodiscard]] std::string_view network_kind_of(std::string_view event_name);

/// The family of a user agent: aws-cli, boto3, console, sdk-go, terraform, ...
[[nodiscard]] std::string user_agent_family(std::string_view user_agent);

/// Severity of malicious-ip-caller, the tier table in one place: informational when a listed
/// address is seen; low with one unexpected property; high with two or more, or when the
/// address is known to be outside AWS's address space.
[[nodiscard]] Severity malicious_ip_severity(bool outside_aws, int unexpected_properties);

/// String hashing that accepts string_view, so lookups by view build no string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
/// A set of strings looked up by string_view.
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

/// Text that findings point into. intern() keeps each distinct string once; store() keeps
/// text that does not repeat (event ids). Stored text never moves while the pool lives.
class TextPool {
 public:
  TextPool() = default;
  TextPool(const TextPool&) = delete;
  TextPool& operator=(const TextPool&) = delete;
  [[nodiscard]] std::string_view intern(std::string_view text);
  [[nodiscard]] std::string_view store(std::string_view text);
  /// Keeps a list of strings as long as the pool (the AWS services of a finding loaded from a
  /// shard's partial, which a single run points at in the loaded ranges).
  [[nodiscard]] std::span<const std::string> keep(std::vector<std::string> list);
  /// Keeps a list of views (of text that outlives the pool's use, such as its own).
  [[nodiscard]] std::span<const std::string_view> keep(std::vector<std::string_view> list);

 private:
  void grow();
  std::deque<std::vector<std::string>> lists_;
  std::deque<std::vector<std::string_view>> view_lists_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0, capacity_ = 0;
  /// The distinct strings, open addressing with each string's hash kept: a lookup is one
  /// hash of the text and, mostly, one slot; no allocation per string.
  struct Slot {
    std::uint64_t hash = 0;
    const char* data = nullptr;
    std::size_t size = 0;
  };
  std::vector<Slot> slots_;
  std::size_t distinct_ = 0;
};

/// Per principal: what it normally does, learned from calls made from addresses on no list.
class Baseline {
 public:
  struct Profile {
    StringSet actions;  ///< eventSource:eventName
    StringSet agent_families;
    StringSet regions;
    std::uint64_t events = 0;
  };
  Baseline() = default;
  /// Copies the profiles; the lookup cache stays with its own object.
  Baseline(const Baseline& other) : profiles_(other.profiles_) {}
  Baseline& operator=(const Baseline& other) {
    profiles_ = other.profiles_;
    last_ = nullptr;
    return *this;
  }
  /// Takes the profiles without copying them; `other` is left empty.
  Baseline(Baseline&& other) noexcept : profiles_(std::move(other.profiles_)) { other.clear_cache(); }
  Baseline& operator=(Baseline&& other) noexcept {
    profiles_ = std::move(other.profiles_);
    last_ = nullptr;
    other.profiles_.clear();
    other.clear_cache();
    return *this;
  }
  void add(std::string_view principal_key, std::string_view action, std::string_view family,
           std::string_view region);
  /// The principal's profile, created empty when new. It stays at its address while the
  /// baseline lives (more principals may be added).
  [[nodiscard]] Profile& profile(std::string_view principal_key);
  void merge(const Baseline& other);
  [[nodiscard]] const Profile* find(std::string_view principal_key) const;
  [[nodiscard]] std::size_t size() const { return profiles_.size(); }
  /// Writes the baseline as one JSON document.
  [[nodiscard]] std::string to_json() const;
  /// Reads what to_json wrote, merging it in; false with `error` on bad input.
  [[nodiscard]] bool load_json(std::string_view text, std::string& error);
  /// Writes the profiles in a binary form (a shard's partial): exact, whatever bytes the
  /// values hold.
  void save(ByteWriter& out) const;
  /// Reads what save wrote, merging it in; false on damaged input.
  [[nodiscard]] bool load(ByteReader& in);

 private:
  void clear_cache() {
    last_key_.clear();
    last_ = nullptr;
  }
  std::unordered_map<std::string, Profile, StringHash, std::equal_to<>> profiles_;
  // The last principal added: calls of one session tend to come together.
  std::string last_key_;
  Profile* last_ = nullptr;
};

/// Detection settings.
struct DetectConfig {
  std::set<std::string> network_kinds;    ///< watched kinds (empty: all)
  std::vector<std::string> network_admins;  ///< principals expected to change networks
  std::set<int> risky_ports{22, 3389, 21, 23, 445, 1433, 3306, 5432, 5985, 5986, 6379, 9200, 27017};
  int wide_v4 = 16;  ///< IPv4 ranges this wide or wider (shorter prefix) are "wide"
  int wide_v6 = 48;  ///< IPv6 likewise
  std::optional<TimeMs> baseline_since, baseline_until;  ///< learning window
  std::vector<std::string> suppress_principals;  ///< identity_matches forms
  std::vector<std::string> suppress_events;      ///< globs
  std::set<std::string> rules;  ///< enabled rule ids (empty: all)
  /// --geoip databases (null: none). malicious-ip-caller counts an anonymiser (VPN, hosting,
  /// proxy, Tor) as one more unexpected property. Shared read-only by every worker.
  const intel::GeoDb* geo = nullptr;
  /// The loaded Sigma rules (--sigma), shared read-only by every worker; null for none.
  std::shared_ptr<const sigma::RuleSet> sigma;
  /// password-data-burst: more than this many GetPasswordData calls by one principal within
  /// ten minutes is a burst.
  int password_data_threshold = 5;
};

/// Counts of what suppressions held back, for the summary.
struct Suppressed {
  std::uint64_t trusted = 0;    ///< threat-list hits on trusted addresses
  std::uint64_t principal = 0;  ///< --suppress-principal
  std::uint64_t event = 0;      ///< --suppress-event
};

/// Runs every enabled rule over the events one worker reads (one Detector per thread).
/// Findings that need the whole run (the baseline, a key's history) wait as candidates until
/// finish().
class Detector {
 public:
  Detector(const intel::IntelDb& intel, const DetectConfig& config, const EventFilter& filter);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  /// Runs the rules on one event (only events passing the filter can give findings; every
  /// event may teach the baseline). Returns whether the event passed the filter.
  bool on_event(const EventView& event);

  /// Saves what this worker holds for finish(): its findings and candidates, each rule's
  /// state, the baseline it learned and its counts (a shard's part of the run, for a merge).
  /// `files` maps the file indexes of the events read to the whole run's file table.
  void save_state(std::string& out, std::span<const std::uint32_t> files) const;
  /// Loads what save_state wrote into a detector that has read no event, so that finish()
  /// settles it with the others as if it had read the events itself. False, with `error`,
  /// when the input is damaged (a finding of a file past `file_count`, the run's file table,
  /// included) or was made with other rules.
  [[nodiscard]] bool load_state(std::string_view in, std::uint32_t file_count, std::string& error);

  struct State;
  [[nodiscard]] State& state();

 private:
  std::unique_ptr<State> state_;
};

/// Findings where a worker made them: blocks of 64 that never move, so candidates can be kept
/// as pointers, and making a finding allocates nothing of its own (a std::deque of findings
/// this size allocates each one alone).
class FindingStore {
 public:
  template <typename Store, typename Value>
  class basic_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Finding;
    using difference_type = std::ptrdiff_t;
    using pointer = Value*;
    using reference = Value&;
    basic_iterator() = default;
    basic_iterator(Store* store, std::size_t i) : store_(store), i_(i) {}
    reference operator*() const { return (*store_)[i_]; }
    pointer operator->() const { return &(*store_)[i_]; }
    basic_iterator& operator++() { ++i_; return *this; }
    basic_iterator operator++(int) { auto old = *this; ++i_; return old; }
    bool operator==(const basic_iterator& o) const { return i_ == o.i_; }

   private:
    Store* store_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = basic_iterator<FindingStore, Finding>;
  using const_iterator = basic_iterator<const FindingStore, const Finding>;

  FindingStore() = default;
  FindingStore(std::initializer_list<Finding> list) {
    for (const Finding& f : list) emplace_back(f);
  }

  template <typename... Args>
  Finding& emplace_back(Args&&... args) {
    if (blocks_.empty() || blocks_.back().size() == kBlock) {
      blocks_.emplace_back().reserve(kBlock);
    }
    ++size_;
    return blocks_.back().emplace_back(std::forward<Args>(args)...);
  }
  [[nodiscard]] Finding& back() { return blocks_.back().back(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] Finding& operator[](std::size_t i) { return blocks_[i / kBlock][i % kBlock]; }
  [[nodiscard]] const Finding& operator[](std::size_t i) const {
    return blocks_[i / kBlock][i % kBlock];
  }
  void clear() {
    blocks_.clear();
    size_ = 0;
  }
  [[nodiscard]] iterator begin() { return {this, 0}; }
  [[nodiscard]] iterator end() { return {this, size_}; }
  [[nodiscard]] const_iterator begin() const { return {this, 0}; }
  [[nodiscard]] const_iterator end() const { return {this, size_}; }

 private:
  static constexpr std::size_t kBlock = 64;
  std::vector<std::vector<Finding>> blocks_;  ///< each reserved to kBlock, never past it
  std::size_t size_ = 0;
};

struct DetectResult;

/// The merged result of all workers: every finding, sorted, with candidate rules settled.
/// Findings in report order, as references into the storage the workers made them in
/// (adopted whole, never copied or moved one by one).
class FindingList {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Finding;
    using difference_type = std::ptrdiff_t;
    using pointer = const Finding*;
    using reference = const Finding&;
    const_iterator() = default;
    explicit const_iterator(std::vector<Finding*>::const_iterator it) : it_(it) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return *it_; }
    const_iterator& operator++() { ++it_; return *this; }
    const_iterator operator++(int) { auto old = *this; ++it_; return old; }
    difference_type operator-(const const_iterator& o) const { return it_ - o.it_; }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }

   private:
    std::vector<Finding*>::const_iterator it_;
  };

  /// Takes `storage` whole; its findings join the list (unsorted until sort_and_drop_empty).
  void adopt(FindingStore&& storage);
  /// Orders the findings for the report and drops those whose rule is empty.
  void sort_and_drop_empty();
  /// Drops, keeping the order, the findings `pred` is true for.
  template <typename Pred>
  void drop_if(Pred pred) {
    std::erase_if(items_, [&](const Finding* f) { return pred(*f); });
  }

  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] const Finding& operator[](std::size_t i) const { return *items_[i]; }
  [[nodiscard]] const Finding& front() const { return *items_.front(); }
  [[nodiscard]] const_iterator begin() const { return const_iterator(items_.begin()); }
  [[nodiscard]] const_iterator end() const { return const_iterator(items_.end()); }

 private:
  // finish() fills in what needs the report order (the ids' suffixes).
  friend DetectResult finish(std::vector<Detector*> workers, const intel::IntelDb& intel,
                             const DetectConfig& config, const Baseline* loaded);
  std::vector<FindingStore> storage_;
  std::vector<Finding*> items_;
};

struct DetectResult {
  FindingList findings;
  /// The text the findings point into (one pool per worker, ids included).
  std::vector<std::shared_ptr<TextPool>> text;
  Baseline baseline;
  Suppressed suppressed;
  std::vector<std::string> notes;  ///< rules that could not run and why
  std::uint64_t events_matched = 0;
  std::uint64_t service_sources = 0;  ///< sourceIPAddress values that are service names
  std::uint64_t invalid_sources = 0;  ///< sourceIPAddress values that are neither
  std::uint64_t absent_sources = 0;   ///< records without a sourceIPAddress (or null, "")
};

/// Merges the workers' state, settles malicious-ip-caller against the baseline (plus
/// `loaded` when given) and credential-exfiltration against each key's history, and sorts.
[[nodiscard]] DetectResult finish(std::vector<Detector*> workers, const intel::IntelDb& intel,
                                  const DetectConfig& config, const Baseline* loaded);

}  // namespace trailhound::detect
