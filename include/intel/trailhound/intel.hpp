// IP intelligence: addresses, prefix lists (threat, trusted, sign-in allow), AWS address space.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>


namespace trailhound::intel {

/// Receives one human-readable message (a warning such as `PATH:LINE: reason`, or a note).
using WarningSink = std::function<void(std::string_view)>;

/// An IPv4 or IPv6 address. IPv4 lives in the low 32 bits of `lo` with `hi` zero, so that the
/// same value never has two spellings; an IPv4-mapped IPv6 address is stored as IPv4.
struct IpAddr {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  bool v4 = false;

  /// Builds an IPv4 address from its 32-bit host-order value.
  [[nodiscard]] static IpAddr from_v4(std::uint32_t value) { return IpAddr{0, value, true}; }
  /// Builds an IPv6 address from its two 64-bit halves (most significant first).
  [[nodiscard]] static IpAddr from_v6(std::uint64_t high, std::uint64_t low) {
    return IpAddr{high, low, false};
  }
  /// The IPv4 value; meaningful only when `v4`.
  [[nodiscard]] std::uint32_t v4_value() const { return static_cast<std::uint32_t>(lo); }
  /// Address width in bits: 32 or 128.
  [[nodiscard]] int bits() const { return v4 ? 32 : 128; }
  friend bool operator==(const IpAddr&, const IpAddr&) = default;
};

/// A network: address with its host bits cleared, and the prefix length.
struct Prefix {
  IpAddr addr;
  std::uint8_t length = 0;
  friend bool operator==(const Prefix&, const Prefix&) = default;
};

/// What a list is for. Trusted lists win over threat lists; SigninAllow marks console sign-in
/// sources that are expected.
enum class ListRole { Threat, Trusted, SigninAllow };

/// How a CloudTrail `sourceIPAddress` value reads: an address, an AWS service name
/// (`ec2.amazonaws.com`, `AWS Internal`), or neither.
enum class SourceClass { Address, Service, Invalid };

/// Parses one address, strictly: dotted-quad IPv4 without leading zeros, or IPv6 in any RFC 4291
/// text form without zone id or brackets. IPv4-mapped IPv6 gives the IPv4 address. On failure
/// returns false and, when `error` is given, stores the reason.
[[nodiscard]] bool parse_address(std::string_view text, IpAddr& out, std::string* error = nullptr);

/// Parses `addr/len`, or a bare address as a host prefix. Host bits past `len` are cleared and
/// `*masked` (when given) says whether any were set. A mapped IPv6 prefix of length >= 96 becomes
/// the IPv4 prefix it covers.
[[nodiscard]] bool parse_prefix(std::string_view text, Prefix& out, bool* masked = nullptr,
                                std::string* error = nullptr);

/// Classifies a `sourceIPAddress` value; `addr` receives the address for Address, `error` the
/// parse failure reason for Invalid.
[[nodiscard]] SourceClass classify_source(std::string_view text, IpAddr* addr = nullptr,
                                          std::string* error = nullptr);

/// True for an address of a private, shared or reserved range, which no public list can say
/// anything about and which means the call came from inside a network (a VPC, a NAT, a
/// proxy): RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared space (100.64/10),
/// loopback (127/8, ::1), link-local (169.254/16, fe80::/10), IPv6 unique local (fc00::/7),
/// and the unspecified "this network" 0/8 and ::.
[[nodiscard]] bool is_private(const IpAddr& addr);

/// Dotted quad for IPv4, RFC 5952 canonical text for IPv6.
[[nodiscard]] std::string to_string(const IpAddr& addr);
/// `addr/len` in canonical text.
[[nodiscard]] std::string to_string(const Prefix& prefix);
/// "threat", "trusted" or "signin-allow".
[[nodiscard]] std::string_view to_string(ListRole role);

/// The prefix of `length` bits (clamped to the family's width) that contains `addr`.
[[nodiscard]] Prefix make_prefix(const IpAddr& addr, int length);

/// The minimal set of prefixes covering [first, last] (same family, first <= last); empty when
/// the range is invalid.
[[nodiscard]] std::vector<Prefix> range_to_prefixes(const IpAddr& first, const IpAddr& last);

/// A path-compressed binary radix tree from prefixes to 32-bit values, one root per family.
/// Nodes live in one vector and link by 32-bit index; a lookup walks at most one node per
/// distinct prefix length on the address's path and never allocates.
class PrefixTree {
 public:
  /// One prefix on a lookup path with its value.
  struct Match {
    Prefix prefix;
    std::uint32_t value = 0;
  };
  /// Enough room for every prefix on the longest path (129 lengths of IPv6).
  static constexpr std::size_t kMaxMatches = 129;

  PrefixTree();
  ~PrefixTree();
  PrefixTree(PrefixTree&&) noexcept;
  PrefixTree& operator=(PrefixTree&&) noexcept;

  /// The value slot of `prefix`, created (holding 0) when new; `*created` says which. The
  /// reference is valid until the next insert.
  std::uint32_t& insert(const Prefix& prefix, bool* created = nullptr);
  /// Makes room for `v4` and `v6` more prefixes (a node each, and as many branch points at
  /// most), so that loading a long list does not grow the tree by copying it again and again.
  void reserve(std::size_t v4, std::size_t v6);
  /// The value stored at exactly `prefix`, or nullptr.
  [[nodiscard]] const std::uint32_t* find(const Prefix& prefix) const;
  /// Writes every stored prefix containing `addr` with a non-zero value, shortest first, into
  /// `out` (capacity kMaxMatches) and returns how many.
  std::size_t match_all(const IpAddr& addr, Match* out) const;
  /// The hot-path form of match_all: values and prefix lengths only, into plain arrays of
  /// capacity kMaxMatches that need no initialisation.
  std::size_t match_values(const IpAddr& addr, std::uint32_t* values, std::uint8_t* lengths) const;
  /// The most specific stored prefix containing `addr` with a non-zero value.
  [[nodiscard]] bool match_longest(const IpAddr& addr, Match& out) const;
  /// Number of prefixes inserted (both families).
  [[nodiscard]] std::size_t size() const;
  /// Bytes held by the tree's nodes (capacity, both families).
  [[nodiscard]] std::size_t memory_bytes() const;
  /// Drops spare capacity once building is done.
  void shrink_to_fit();
  /// Ends a building phase: for a big IPv4 tree (4096 prefixes or more), builds the table that
  /// lets lookups skip the tree's dense top 16 levels. Lookups are correct without it; an insert
  /// drops it until the next finalize.
  void finalize();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One loaded list and what loading it found.
struct ListInfo {
  std::string name;
  std::string path;
  ListRole role = ListRole::Threat;
  std::string format;       ///< plain, stix, otx, fireeye, proofpoint, alienvault or inline
  bool tor = false;         ///< the name contains "tor": matches mean a Tor exit
  std::size_t ipv4 = 0;     ///< distinct IPv4 prefixes
  std::size_t ipv6 = 0;     ///< distinct IPv6 prefixes
  std::size_t skipped = 0;  ///< entries that could not be read (each warned about)
  std::size_t masked = 0;   ///< CIDRs whose host bits were set and cleared
  std::size_t wide = 0;     ///< entries wider than kWidestListPrefix (each warned about)
};

/// The widest list entry taken without a warning: /8 for IPv4, /16 for IPv6. A wider one
/// (0.0.0.0/0 at worst) lists a large part of the Internet; it is warned about, and refused in a
/// trusted list unless IntelDb::allow_wide_trusted(true).
inline constexpr int kWidestListPrefixV4 = 8;
inline constexpr int kWidestListPrefixV6 = 16;

/// True when `prefix` is wider than kWidestListPrefixV4 / kWidestListPrefixV6.
[[nodiscard]] bool is_wide_prefix(const Prefix& prefix);

/// Reads a list or ranges file whole into `out`. A folder, or a path that cannot be opened or
/// read, is an error that names the path: "cannot read PATH: is a folder" (or the errno text).
[[nodiscard]] bool read_intel_file(const std::string& path, std::string& out, std::string* error);

/// One list containing an address, with the list's most specific prefix for it.
struct ListHit {
  std::uint32_t list = 0;  ///< index into IntelDb::lists()
  Prefix prefix;
};

/// AWS's own data about one prefix of ip-ranges.json, merged over its per-service duplicates.
struct AwsInfo {
  Prefix prefix;
  std::vector<std::string> services;  ///< sorted, unique
  std::vector<std::string> regions;   ///< sorted, unique (one in every published file so far)
  std::vector<std::string> network_border_groups;  ///< sorted, unique
};

/// What one loaded ip-ranges.json file held.
struct AwsRangesInfo {
  std::string path;
  std::string create_date;
  std::string sync_token;
  std::size_t ipv4 = 0;  ///< distinct IPv4 prefixes
  std::size_t ipv6 = 0;  ///< distinct IPv6 prefixes
  std::size_t skipped = 0;
};

/// The answer for one address. Fixed capacity so that a lookup never allocates.
struct LookupResult {
  static constexpr std::size_t kMaxHits = 64;
  std::array<ListHit, kMaxHits> hits{};
  std::size_t count = 0;         ///< hits used, sorted by list load order
  bool truncated = false;        ///< more than kMaxHits lists matched
  bool threat = false;           ///< some threat list matched (even if trusted)
  bool tor = false;              ///< some threat list flagged tor matched
  bool trusted = false;          ///< some trusted list matched
  bool signin_allowed = false;   ///< some sign-in allow list matched
  bool private_network = false;  ///< a private, shared or reserved address (is_private)
  const AwsInfo* aws = nullptr;  ///< AWS's most specific covering prefix, or null
  /// A threat list matched and no trusted list did.
  [[nodiscard]] bool malicious() const { return threat && !trusted; }
};

/// Which kinds of intelligence a run has, without what they hold: which rules can run, and
/// the notes of those that cannot, depend on nothing else.
struct IntelKinds {
  bool threat = false;
  bool trusted = false;
  bool signin = false;  ///< a sign-in allow list
  bool aws = false;     ///< AWS's ip-ranges
  bool operator==(const IntelKinds&) const = default;
};

/// All IP intelligence of one run: lists of every role in one tree, plus AWS's ranges. Built
/// once, then read from any number of threads (every const method is safe to share).
class IntelDb {
 public:
  IntelDb();
  ~IntelDb();
  IntelDb(IntelDb&&) noexcept;
  IntelDb& operator=(IntelDb&&) noexcept;

  /// Loads `NAME=PATH[:FORMAT]` (FORMAT is taken only when it names a known format; without it
  /// the format is detected). For SigninAllow a bare PATH is accepted, named "signin-allowlist".
  /// Bad entries go to `warn` and the rest loads; so do entries wider than /8 (IPv4) or /16
  /// (IPv6), which a trusted list refuses unless allow_wide_trusted(true). `note` (optional)
  /// hears masked CIDRs. Returns false, with `*error`, when the spec is malformed or the file
  /// cannot be read (a folder, a missing or unreadable path: the reason names the path).
  [[nodiscard]] bool add_list(ListRole role, std::string_view spec, const WarningSink& warn,
                              std::string* error, const WarningSink& note = {});
  /// Loads one file under an explicit name and format ("" or "auto" to detect).
  [[nodiscard]] bool add_list_file(ListRole role, std::string_view name, const std::string& path,
                                   std::string_view format, const WarningSink& warn,
                                   std::string* error, const WarningSink& note = {});
  /// Adds one address, CIDR or `a-b` range to the list `name` of `role` (created on first use,
  /// format "inline"). Returns false with `*error` when `cidr` cannot be read.
  [[nodiscard]] bool add_inline(ListRole role, std::string_view name, std::string_view cidr,
                                std::string* error);
  /// Loads AWS's ip-ranges.json; several files merge. Returns false with `*error` when the file
  /// cannot be read (a folder, a missing or unreadable path) or is not an ip-ranges document.
  [[nodiscard]] bool load_aws_ranges(const std::string& path, const WarningSink& warn,
                                     std::string* error);

  /// Whether a trusted list may hold an entry wider than /8 (IPv4) or /16 (IPv6); off by
  /// default, so one careless line cannot make every address trusted. Set before loading.
  void allow_wide_trusted(bool allow);

  /// Fills `out` with every list containing `addr`, AWS's covering prefix and whether the
  /// address is private (is_private). Never allocates.
  void lookup(const IpAddr& addr, LookupResult& out) const;

  /// True when at least one list of that role, or AWS ranges, is loaded.
  [[nodiscard]] bool has_threat_lists() const;
  [[nodiscard]] bool has_trusted_lists() const;
  [[nodiscard]] bool has_signin_allowlist() const;
  [[nodiscard]] bool has_aws_ranges() const;

  /// The kinds loaded (or assumed), as the has_ functions above tell them.
  [[nodiscard]] IntelKinds kinds() const;
  /// Makes the has_ functions answer as if lists of `kinds` were loaded, though none is:
  /// for a run that looks no address up but whose rules depend on which kinds the run has
  /// (a merge of scan shards, whose shards looked their events up). Lookups, lists() and
  /// aws_files() still give only what was loaded.
  void assume_kinds(IntelKinds kinds);

  /// Loaded lists in load order; ListHit::list indexes this.
  [[nodiscard]] const std::vector<ListInfo>& lists() const;
  /// Loaded ip-ranges.json files in load order.
  [[nodiscard]] const std::vector<AwsRangesInfo>& aws_files() const;
  /// Distinct prefixes of all lists (a prefix on several lists counts once).
  [[nodiscard]] std::size_t prefix_count() const;
  /// Bytes held by both trees and their side tables.
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The list file formats: plain text (FireHOL, Spamhaus, Tor and GuardDuty TXT) and the other
/// five GuardDuty threat-list formats.
enum class ListFormat { Plain, Stix, Otx, FireEye, Proofpoint, AlienVault };

/// Reads a format name as a list spec spells it (`plain`, `txt`, `stix`, `otx`, `fireeye`,
/// `proofpoint`, `alienvault`); false for anything else.
[[nodiscard]] bool parse_list_format(std::string_view name, ListFormat& out);
/// The canonical name of a format (`txt` reads as plain).
[[nodiscard]] std::string_view to_string(ListFormat format);
/// Guesses a list's format from its content: an XML document is STIX; otherwise the first line
/// that is neither blank nor a comment decides (an OTX, Proofpoint or FireEye CSV header, or an
/// `ip#risk#...` AlienVault row); anything else is plain.
[[nodiscard]] ListFormat detect_list_format(std::string_view content);

/// Receives what a list reader finds: each prefix (with whether host bits were cleared) and each
/// unreadable entry, both with their 1-based line number.
struct ListVisitor {
  std::function<void(const Prefix& prefix, bool masked, std::size_t line)> entry;
  std::function<void(std::size_t line, std::string_view reason)> bad;
};

/// Reads one entry: an address, a CIDR, or a range `a-b` / `a - b` (as its covering prefixes).
void read_list_entry(std::string_view text, std::size_t line, const ListVisitor& visitor);
/// Reads a whole list in `format`.
void read_list(std::string_view content, ListFormat format, const ListVisitor& visitor);
/// One entry a line; `#` and `;` start comments (also after an entry); CRLF and blanks are fine.
void read_plain_list(std::string_view content, const ListVisitor& visitor);
/// STIX 1.x XML: the text of every `Address_Value` element; `##comma##` separates either a
/// range (condition="InclusiveBetween") or several values.
void read_stix_list(std::string_view content, const ListVisitor& visitor);
/// OTX CSV (`Indicator type,Indicator,Description`): IPv4, IPv6 and CIDR rows.
void read_otx_list(std::string_view content, const ListVisitor& visitor);
/// FireEye iSIGHT CSV: the `cidr` or `ip` column, whichever a row fills.
void read_fireeye_list(std::string_view content, const ListVisitor& visitor);
/// Proofpoint ET CSV (`ip, category, score, first_seen, last_seen, ports (|)`).
void read_proofpoint_list(std::string_view content, const ListVisitor& visitor);
/// AlienVault reputation (`ip#risk#reliability#activity#country#city#lat,lon#x`).
void read_alienvault_list(std::string_view content, const ListVisitor& visitor);

/// One row of ip-ranges.json.
struct AwsRangeEntry {
  Prefix prefix;
  std::string_view service;
  std::string_view region;
  std::string_view network_border_group;
};

/// Reads AWS's ip-ranges.json at `path`: calls `entry` per row (duplicates included), fills the
/// file's metadata in `info` (counts excluded), and warns about unreadable rows.
[[nodiscard]] bool read_aws_ranges(const std::string& path,
                                   const std::function<void(const AwsRangeEntry&)>& entry,
                                   AwsRangesInfo& info, const WarningSink& warn,
                                   std::string* error);

}  // namespace trailhound::intel
