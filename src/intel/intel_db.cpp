// IntelDb: every list role and AWS's ranges in two prefix trees, with the per-address lookup.
#include <algorithm>
#include <tuple>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "trailhound/huge_pages.hpp"
#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

// Past this many warnings a broken file only gets a count, so one bad download cannot bury the
// rest of the output.
constexpr std::size_t kMaxWarningsPerFile = 50;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool fail_errno(const std::string& path, int err, std::string* error) {
  if (error) *error = "cannot read " + path + ": " + std::strerror(err);
  return false;
}

}  // namespace

bool read_intel_file(const std::string& path, std::string& out, std::string* error) {
  // An ifstream opens a folder without complaint and reads nothing: the list would load empty
  // and the run go on as if it had been checked against it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(path, errno, error);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail_errno(path, err, error);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    if (error) *error = "cannot read " + path + ": is a folder";
    return false;
  }
  out.clear();
  // A regular file is read straight into a buffer of its size: growing by doubling, and the
  // copy out of a chunk, were a few million instructions on a long list.
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t filled = 0;
    while (filled < out.size()) {
      const ssize_t n = ::read(fd, out.data() + filled, out.size() - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        return fail_errno(path, err, error);
      }
      if (n == 0) break;
      filled += static_cast<std::size_t>(n);
    }
    out.resize(filled);  // shorter than fstat said: keep what was read, then look for more
  }
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return fail_errno(path, err, error);
    }
    if (n == 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

namespace {

/// Sorts keys below 2^40 (an IPv4 address and a length): four counting passes of ten bits,
/// about half the instructions of std::sort on a long list.
void sort_keys40(std::vector<std::uint64_t>& keys) {
  if (keys.size() < 1024) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  constexpr int kDigitBits = 10;
  constexpr std::size_t kDigits = std::size_t(1) << kDigitBits;
  std::vector<std::uint64_t> scratch(keys.size());
  std::vector<std::uint32_t> starts(kDigits + 1);
  for (int shift = 0; shift < 40; shift += kDigitBits) {
    std::fill(starts.begin(), starts.end(), 0);
    for (const std::uint64_t k : keys) ++starts[((k >> shift) & (kDigits - 1)) + 1];
    for (std::size_t d = 1; d <= kDigits; ++d) starts[d] += starts[d - 1];
    for (const std::uint64_t k : keys) scratch[starts[(k >> shift) & (kDigits - 1)]++] = k;
    keys.swap(scratch);
  }
}

/// Puts list entries in address order (IPv6 before IPv4, then address, then length), so that
/// consecutive inserts walk nearly the same path of the tree. IPv4 entries are sorted as one
/// packed 64-bit key each: comparing (family, high, low, length) tuples cost more than the
/// rest of loading a 100k-line list.
void sort_prefixes(std::vector<Prefix>& entries) {
  const auto v4_begin = std::partition(entries.begin(), entries.end(),
                                       [](const Prefix& p) { return !p.addr.v4; });
  std::sort(entries.begin(), v4_begin, [](const Prefix& a, const Prefix& b) {
    if (a.addr.hi != b.addr.hi) return a.addr.hi < b.addr.hi;
    if (a.addr.lo != b.addr.lo) return a.addr.lo < b.addr.lo;
    return a.length < b.length;
  });
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(entries.end() - v4_begin));
  for (auto it = v4_begin; it != entries.end(); ++it) {
    keys.push_back((std::uint64_t{it->addr.v4_value()} << 8) | it->length);
  }
  sort_keys40(keys);
  auto out = v4_begin;
  for (const std::uint64_t k : keys) {
    Prefix p;
    p.addr = IpAddr::from_v4(static_cast<std::uint32_t>(k >> 8));
    p.length = static_cast<std::uint8_t>(k & 0xFF);
    *out++ = p;
  }
}

/// Lines in `text` (a last one without a newline counts): memchr per line is far cheaper than
/// std::count's test per byte.
std::size_t count_lines(std::string_view text) {
  std::size_t lines = 1;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    const void* newline = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (!newline) break;
    ++lines;
    p = static_cast<const char*>(newline) + 1;
  }
  return lines;
}

void insert_sorted_unique(std::vector<std::string>& v, std::string_view s) {
  if (s.empty()) return;
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it == v.end() || *it != s) v.insert(it, std::string(s));
}

}  // namespace

struct IntelDb::Impl {
  PrefixTree lists_tree;  // value: id of the set of lists holding the prefix (0 = none)
  PrefixTree aws_tree;    // value: index into aws_infos plus one
  std::vector<ListInfo> lists;
  std::vector<std::uint8_t> list_roles;  // ListRole per list, read on the hot path
  std::vector<std::uint8_t> list_tor;
  std::vector<AwsRangesInfo> aws_files;
  std::vector<AwsInfo> aws_infos;
  std::vector<std::uint32_t> aws_last_file;  // last file that named each prefix, for counts
  bool allow_wide_trusted = false;
  IntelKinds assumed;  // kinds answered for without being loaded (assume_kinds)

  // Interned sets of list ids: most prefixes share one of a handful of sets, so a node stores a
  // set id instead of its own vector.
  std::vector<std::uint32_t> set_offset{0};
  std::vector<std::uint32_t> set_size{0};
  std::vector<std::uint32_t> set_ids;
  std::map<std::vector<std::uint32_t>, std::uint32_t> set_by_members{{{}, 0}};
  std::unordered_map<std::uint64_t, std::uint32_t> set_plus;  // (set, list) -> set
  // The last answer of set_with: a list's prefixes mostly go from one set to the same other.
  std::uint64_t last_plus_key = UINT64_MAX;
  std::uint32_t last_plus = 0;

  bool set_contains(std::uint32_t set, std::uint32_t list) const {
    const auto* b = set_ids.data() + set_offset[set];
    return std::find(b, b + set_size[set], list) != b + set_size[set];
  }

  std::uint32_t set_with(std::uint32_t set, std::uint32_t list) {
    std::uint64_t key = (std::uint64_t(set) << 32) | list;
    if (key == last_plus_key) return last_plus;
    if (auto it = set_plus.find(key); it != set_plus.end()) {
      last_plus_key = key;
      last_plus = it->second;
      return it->second;
    }
    std::vector<std::uint32_t> members(set_ids.begin() + set_offset[set],
                                       set_ids.begin() + set_offset[set] + set_size[set]);
    members.insert(std::lower_bound(members.begin(), members.end(), list), list);
    auto [it, fresh] = set_by_members.emplace(members, std::uint32_t(set_offset.size()));
    if (fresh) {
      set_offset.push_back(static_cast<std::uint32_t>(set_ids.size()));
      set_size.push_back(static_cast<std::uint32_t>(members.size()));
      set_ids.insert(set_ids.end(), members.begin(), members.end());
    }
    set_plus.emplace(key, it->second);
    return it->second;
  }

  // Adds `prefix` to `list`; true when the list did not hold it yet.
  bool add_prefix(std::uint32_t list, const Prefix& prefix) {
    std::uint32_t& slot = lists_tree.insert(prefix);
    if (set_contains(slot, list)) return false;
    const std::uint64_t key = (std::uint64_t(slot) << 32) | list;
    slot = key == last_plus_key ? last_plus : set_with(slot, list);
    return true;
  }

  std::uint32_t new_list(ListRole role, std::string_view name, std::string path,
                         std::string format) {
    ListInfo info;
    info.name = std::string(name);
    info.path = std::move(path);
    info.role = role;
    info.format = std::move(format);
    info.tor = lower(name).find("tor") != std::string::npos;
    lists.push_back(std::move(info));
    list_roles.push_back(static_cast<std::uint8_t>(role));
    list_tor.push_back(lists.back().tor ? 1 : 0);
    return static_cast<std::uint32_t>(lists.size() - 1);
  }

  void count(ListInfo& info, const Prefix& prefix) {
    if (prefix.addr.v4) {
      ++info.ipv4;
    } else {
      ++info.ipv6;
    }
  }
};

IntelDb::IntelDb() : impl_(std::make_unique<Impl>()) {}
IntelDb::~IntelDb() = default;
IntelDb::IntelDb(IntelDb&&) noexcept = default;
IntelDb& IntelDb::operator=(IntelDb&&) noexcept = default;

bool IntelDb::add_list(ListRole role, std::string_view spec, const WarningSink& warn,
                       std::string* error, const WarningSink& note) {
  std::size_t eq = spec.find('=');
  std::string_view name;
  std::string_view rest = spec;
  if (eq == std::string_view::npos) {
    if (role != ListRole::SigninAllow) {
      if (error) *error = "expected NAME=PATH[:FORMAT], got `" + std::string(spec) + "`";
      return false;
    }
    name = "signin-allowlist";
  } else {
    name = spec.substr(0, eq);
    rest = spec.substr(eq + 1);
  }
  std::string_view format;
  // A path may itself hold ':', so the suffix is a format only when it names one.
  if (std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    ListFormat parsed;
    std::string_view suffix = rest.substr(colon + 1);
    if (parse_list_format(suffix, parsed) || lower(suffix) == "auto") {
      format = suffix;
      rest = rest.substr(0, colon);
    }
  }
  if (name.empty() || rest.empty()) {
    if (error) *error = "expected NAME=PATH[:FORMAT], got `" + std::string(spec) + "`";
    return false;
  }
  return add_list_file(role, name, std::string(rest), format, warn, error, note);
}

bool IntelDb::add_list_file(ListRole role, std::string_view name, const std::string& path,
                            std::string_view format, const WarningSink& warn, std::string* error,
                            const WarningSink& note) {
  for (const auto& l : impl_->lists) {
    if (l.name == name && l.role == role) {
      if (error) *error = "list `" + std::string(name) + "` is given twice";
      return false;
    }
  }
  std::string content;
  if (!read_intel_file(path, content, error)) return false;
  ListFormat fmt = ListFormat::Plain;
  if (format.empty() || lower(format) == "auto") {
    fmt = detect_list_format(content);
  } else if (!parse_list_format(format, fmt)) {
    if (error) *error = "unknown list format `" + std::string(format) + "`";
    return false;
  }
  std::uint32_t id = impl_->new_list(role, name, path, std::string(to_string(fmt)));
  std::size_t warnings = 0;
  // The entries are gathered, then inserted in address order: consecutive inserts then walk
  // nearly the same path of the tree, which stays in cache (the tree is the same whatever
  // the order; in file order a 100k-prefix list spent most of its load time in cache misses).
  std::vector<Prefix> entries;
  entries.reserve(count_lines(content));
  prefer_huge_pages(entries.data(), entries.capacity() * sizeof(Prefix));
  const bool refuse_wide = role == ListRole::Trusted && !impl_->allow_wide_trusted;
  std::size_t wide_warned_line = 0;
  ListVisitor visitor;
  visitor.entry = [&](const Prefix& prefix, bool masked, std::size_t line) {
    ListInfo& info = impl_->lists[id];
    if (is_wide_prefix(prefix)) {
      // 0.0.0.0/0 on a threat list flags every address; on a trusted list it hides every one.
      ++info.wide;
      if (warn && line != wide_warned_line) {
        wide_warned_line = line;
        warn(fmt::format("{}:{}: {} is wider than /{}{}", path, line, to_string(prefix),
                         prefix.addr.v4 ? kWidestListPrefixV4 : kWidestListPrefixV6,
                         refuse_wide ? "; refused in a trusted list (--allow-wide-trusted)"
                                     : "; it lists a large part of the Internet"));
      }
      if (refuse_wide) {
        ++info.skipped;
        return;
      }
    }
    if (masked) {
      ++info.masked;
      if (note) {
        note(path + ":" + std::to_string(line) + ": host bits set, masked to " + to_string(prefix));
      }
    }
    entries.push_back(prefix);
  };
  visitor.bad = [&](std::size_t line, std::string_view reason) {
    ++impl_->lists[id].skipped;
    if (warn && ++warnings <= kMaxWarningsPerFile) {
      warn(path + ":" + std::to_string(line) + ": " + std::string(reason));
    }
  };
  read_list(content, fmt, visitor);
  sort_prefixes(entries);
  const auto v4 = static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const Prefix& p) { return p.addr.v4; }));
  impl_->lists_tree.reserve(v4, entries.size() - v4);
  for (const Prefix& prefix : entries) {
    if (impl_->add_prefix(id, prefix)) impl_->count(impl_->lists[id], prefix);
  }
  impl_->lists_tree.finalize();
  if (warn && warnings > kMaxWarningsPerFile) {
    warn(path + ": " + std::to_string(warnings - kMaxWarningsPerFile) +
         " more unreadable entries not shown");
  }
  return true;
}

bool IntelDb::add_inline(ListRole role, std::string_view name, std::string_view cidr,
                         std::string* error) {
  std::uint32_t id = UINT32_MAX;
  for (std::size_t i = 0; i < impl_->lists.size(); ++i) {
    if (impl_->lists[i].name == name && impl_->lists[i].role == role) {
      id = static_cast<std::uint32_t>(i);
    }
  }
  std::vector<Prefix> prefixes;
  bool masked = false;
  std::string reason;
  ListVisitor visitor;
  visitor.entry = [&](const Prefix& p, bool m, std::size_t) {
    prefixes.push_back(p);
    masked = masked || m;
  };
  visitor.bad = [&](std::size_t, std::string_view r) { reason = std::string(r); };
  read_list_entry(cidr, 1, visitor);
  if (!reason.empty() || prefixes.empty()) {
    if (error) *error = fmt::format("`{}`: {}", cidr, reason.empty() ? "empty" : reason);
    return false;
  }
  if (role == ListRole::Trusted && !impl_->allow_wide_trusted) {
    for (const auto& p : prefixes) {
      if (is_wide_prefix(p)) {
        if (error) {
          *error = fmt::format("`{}`: {} is wider than /{}; refused in a trusted list "
                               "(--allow-wide-trusted)",
                               cidr, to_string(p),
                               p.addr.v4 ? kWidestListPrefixV4 : kWidestListPrefixV6);
        }
        return false;
      }
    }
  }
  if (id == UINT32_MAX) id = impl_->new_list(role, name, "(inline)", "inline");
  ListInfo& info = impl_->lists[id];
  if (masked) ++info.masked;
  for (const auto& p : prefixes) {
    if (impl_->add_prefix(id, p)) impl_->count(impl_->lists[id], p);
  }
  impl_->lists_tree.finalize();
  return true;
}

bool IntelDb::load_aws_ranges(const std::string& path, const WarningSink& warn,
                              std::string* error) {
  Impl& im = *impl_;
  AwsRangesInfo info;
  auto file = static_cast<std::uint32_t>(im.aws_files.size() + 1);
  auto entry = [&](const AwsRangeEntry& e) {
    bool created = false;
    std::uint32_t& slot = im.aws_tree.insert(e.prefix, &created);
    if (slot == 0) {
      im.aws_infos.push_back(AwsInfo{e.prefix, {}, {}, {}});
      im.aws_last_file.push_back(0);
      slot = static_cast<std::uint32_t>(im.aws_infos.size());
    }
    std::uint32_t index = slot - 1;
    AwsInfo& aws = im.aws_infos[index];
    if (im.aws_last_file[index] != file) {
      im.aws_last_file[index] = file;
      if (e.prefix.addr.v4) {
        ++info.ipv4;
      } else {
        ++info.ipv6;
      }
    }
    insert_sorted_unique(aws.services, e.service);
    insert_sorted_unique(aws.regions, e.region);
    insert_sorted_unique(aws.network_border_groups, e.network_border_group);
  };
  bool ok = read_aws_ranges(path, entry, info, warn, error);
  im.aws_tree.finalize();
  if (!ok) return false;
  im.aws_files.push_back(std::move(info));
  return true;
}

void IntelDb::allow_wide_trusted(bool allow) { impl_->allow_wide_trusted = allow; }

void IntelDb::lookup(const IpAddr& addr, LookupResult& out) const {
  const Impl& im = *impl_;
  out.private_network = is_private(addr);
  out.count = 0;
  out.truncated = false;
  out.threat = out.tor = out.trusted = out.signin_allowed = false;
  out.aws = nullptr;
  std::uint32_t sets[PrefixTree::kMaxMatches];
  std::uint8_t lengths[PrefixTree::kMaxMatches];
  std::size_t n = im.lists_tree.match_values(addr, sets, lengths);
  // Deepest first, so each list keeps its most specific prefix.
  for (std::size_t i = n; i-- > 0;) {
    std::uint32_t set = sets[i];
    const std::uint32_t* ids = im.set_ids.data() + im.set_offset[set];
    for (std::uint32_t k = 0; k < im.set_size[set]; ++k) {
      std::uint32_t list = ids[k];
      bool seen = false;
      for (std::size_t h = 0; h < out.count; ++h) {
        if (out.hits[h].list == list) {
          seen = true;
          break;
        }
      }
      if (seen) continue;
      auto role = static_cast<ListRole>(im.list_roles[list]);
      if (role == ListRole::Threat) {
        out.threat = true;
        out.tor = out.tor || im.list_tor[list];
      } else if (role == ListRole::Trusted) {
        out.trusted = true;
      } else {
        out.signin_allowed = true;
      }
      if (out.count == LookupResult::kMaxHits) {
        out.truncated = true;
        continue;
      }
      out.hits[out.count++] = ListHit{list, make_prefix(addr, lengths[i])};
    }
  }
  // Load order: insertion sort, the count is tiny.
  for (std::size_t i = 1; i < out.count; ++i) {
    ListHit h = out.hits[i];
    std::size_t j = i;
    while (j > 0 && out.hits[j - 1].list > h.list) {
      out.hits[j] = out.hits[j - 1];
      --j;
    }
    out.hits[j] = h;
  }
  PrefixTree::Match aws;
  if (!im.aws_infos.empty() && im.aws_tree.match_longest(addr, aws)) {
    out.aws = &im.aws_infos[aws.value - 1];
  }
}

bool IntelDb::has_threat_lists() const {
  return impl_->assumed.threat ||
         std::any_of(impl_->lists.begin(), impl_->lists.end(),
                     [](const ListInfo& l) { return l.role == ListRole::Threat; });
}
bool IntelDb::has_trusted_lists() const {
  return impl_->assumed.trusted ||
         std::any_of(impl_->lists.begin(), impl_->lists.end(),
                     [](const ListInfo& l) { return l.role == ListRole::Trusted; });
}
bool IntelDb::has_signin_allowlist() const {
  return impl_->assumed.signin ||
         std::any_of(impl_->lists.begin(), impl_->lists.end(),
                     [](const ListInfo& l) { return l.role == ListRole::SigninAllow; });
}
bool IntelDb::has_aws_ranges() const { return impl_->assumed.aws || !impl_->aws_files.empty(); }

IntelKinds IntelDb::kinds() const {
  return IntelKinds{has_threat_lists(), has_trusted_lists(), has_signin_allowlist(),
                    has_aws_ranges()};
}
void IntelDb::assume_kinds(IntelKinds kinds) { impl_->assumed = kinds; }

const std::vector<ListInfo>& IntelDb::lists() const { return impl_->lists; }
const std::vector<AwsRangesInfo>& IntelDb::aws_files() const { return impl_->aws_files; }
std::size_t IntelDb::prefix_count() const { return impl_->lists_tree.size(); }

std::size_t IntelDb::memory_bytes() const {
  const Impl& im = *impl_;
  std::size_t bytes = sizeof(Impl) + im.lists_tree.memory_bytes() + im.aws_tree.memory_bytes();
  bytes += (im.set_offset.capacity() + im.set_size.capacity() + im.set_ids.capacity()) *
           sizeof(std::uint32_t);
  for (const auto& a : im.aws_infos) {
    bytes += sizeof(AwsInfo);
    for (const auto* v : {&a.services, &a.regions, &a.network_border_groups}) {
      for (const auto& s : *v) bytes += sizeof(std::string) + s.capacity();
    }
  }
  return bytes;
}

}  // namespace trailhound::intel
