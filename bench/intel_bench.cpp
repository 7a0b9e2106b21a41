// Benchmark of the IP-intelligence stage: real-list load cost, build rate and lookup rate.
// usage: intel_bench [IPLISTS_DIR]   (default ../shared/realdata/iplists); prints Markdown.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A prefix kept as a left-aligned 128-bit pair, for the baseline and generation alike.
struct Key {
  std::uint64_t hi = 0, lo = 0;
  friend bool operator<(const Key& a, const Key& b) {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  }
  friend bool operator==(const Key&, const Key&) = default;
};

Key key_of(const IpAddr& a) {
  if (a.v4) return Key{std::uint64_t(a.v4_value()) << 32, 0};
  return Key{a.hi, a.lo};
}

Key mask_key(Key k, int length) {
  if (length == 0) return Key{};
  if (length <= 64) return Key{k.hi & (~std::uint64_t(0) << (64 - length)), 0};
  if (length == 128) return k;
  return Key{k.hi, k.lo & (~std::uint64_t(0) << (128 - length))};
}

// The comparison point: one sorted vector per prefix length, probed longest first.
class SortedBaseline {
 public:
  explicit SortedBaseline(const std::vector<Prefix>& prefixes) {
    for (const auto& p : prefixes) {
      Key k = key_of(p.addr);
      by_length_[p.length].push_back(k);
    }
    for (int l = 128; l >= 0; --l) {
      auto& v = by_length_[l];
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      lengths_.push_back(l);
    }
  }
  int longest(const IpAddr& a) const {
    Key k = key_of(a);
    for (int l : lengths_) {
      Key m = mask_key(k, l);
      const auto& v = by_length_[l];
      if (std::binary_search(v.begin(), v.end(), m)) return l;
    }
    return -1;
  }
  std::size_t memory_bytes() const {
    std::size_t n = 0;
    for (const auto& v : by_length_) n += v.capacity() * sizeof(Key);
    return n;
  }

 private:
  std::vector<Key> by_length_[129];
  std::vector<int> lengths_;
};

IpAddr random_v4(std::mt19937_64& rng) {
  return IpAddr::from_v4(static_cast<std::uint32_t>(rng()));
}
IpAddr random_v6(std::mt19937_64& rng) {
  // Global unicast space, where real lists live.
  return IpAddr::from_v6(0x2000000000000000ull | (rng() >> 3), rng());
}

Prefix random_prefix(std::mt19937_64& rng, bool v4) {
  IpAddr a = v4 ? random_v4(rng) : random_v6(rng);
  int length = v4 ? 8 + int(rng() % 25) : 16 + int(rng() % 113);
  if (rng() % 4 == 0) length = v4 ? 32 : 128;  // lists are full of single hosts
  Prefix p;
  std::string text = to_string(a) + "/" + std::to_string(length);
  if (!parse_prefix(text, p)) std::abort();
  return p;
}

IpAddr inside(std::mt19937_64& rng, const Prefix& p) {
  IpAddr a = p.addr.v4 ? random_v4(rng) : random_v6(rng);
  Key k = key_of(a);
  Key base = key_of(p.addr);
  Key m = mask_key(Key{~0ull, ~0ull}, p.length);
  Key out{base.hi | (k.hi & ~m.hi), base.lo | (k.lo & ~m.lo)};
  if (p.addr.v4) return IpAddr::from_v4(static_cast<std::uint32_t>(out.hi >> 32));
  return IpAddr::from_v6(out.hi, out.lo);
}

std::vector<Prefix> make_prefixes(std::mt19937_64& rng, std::size_t n, bool v4) {
  std::vector<Prefix> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // One in five nests inside an earlier prefix, as real lists do.
    if (!out.empty() && rng() % 5 == 0) {
      const Prefix& parent = out[rng() % out.size()];
      int bits = v4 ? 32 : 128;
      if (parent.length < bits) {
        int length = parent.length + 1 + int(rng() % std::uint64_t(bits - parent.length));
        Prefix p;
        if (!parse_prefix(to_string(inside(rng, parent)) + "/" + std::to_string(length), p))
          std::abort();
        out.push_back(p);
        continue;
      }
    }
    out.push_back(random_prefix(rng, v4));
  }
  return out;
}

template <class F>
double lookups_per_second(const std::vector<IpAddr>& addrs, F&& f) {
  std::vector<double> rates;
  for (int rep = 0; rep < 5; ++rep) {
    auto start = Clock::now();
    std::uint64_t sink = 0;
    for (const auto& a : addrs) sink += static_cast<std::uint64_t>(f(a));
    double s = seconds_since(start);
    rates.push_back(double(addrs.size()) / s);
    if (sink == 0xdeadbeefcafeull) std::puts("");  // keeps the loop observable
  }
  return median(rates);
}

void real_lists(const std::string& dir) {
  std::printf("## Real lists (%s)\n\n", dir.c_str());
  if (!fs::is_directory(dir)) {
    std::printf("directory absent, skipped\n\n");
    return;
  }
  std::vector<std::string> plain, aws;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name == "SOURCE.txt" || name.rfind("MATCHES", 0) == 0 || name == "latest_asn_drop.json")
      continue;
    (e.path().extension() == ".json" ? aws : plain).push_back(e.path().string());
  }
  std::sort(plain.begin(), plain.end());
  std::sort(aws.begin(), aws.end());
  long rss_before = peak_rss_kib();
  IntelDb db;
  std::size_t warnings = 0, entries = 0;
  auto warn = [&](std::string_view) { ++warnings; };
  auto start = Clock::now();
  std::string error;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (!db.add_list(ListRole::Threat, "l" + std::to_string(i) + "=" + plain[i], warn, &error)) {
      std::printf("load failed: %s\n", error.c_str());
    }
  }
  for (const auto& p : aws) {
    if (!db.load_aws_ranges(p, warn, &error)) std::printf("load failed: %s\n", error.c_str());
  }
  double s = seconds_since(start);
  for (const auto& l : db.lists()) entries += l.ipv4 + l.ipv6;
  std::size_t aws_prefixes = 0;
  for (const auto& a : db.aws_files()) aws_prefixes += a.ipv4 + a.ipv6;
  std::printf(
      "| files | list entries | distinct list prefixes | AWS prefixes (per file, summed) | "
      "warnings | load time | IntelDb memory_bytes | bytes/prefix | peak RSS |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  std::printf(
      "| %zu lists + %zu ip-ranges | %zu | %zu | %zu | %zu | %.1f ms | %.2f MiB | %.1f | %.1f MiB "
      "(%.1f MiB before loading) |\n\n",
      plain.size(), aws.size(), entries, db.prefix_count(), aws_prefixes, warnings, s * 1e3,
      double(db.memory_bytes()) / 1048576.0,
      double(db.memory_bytes()) / double(db.prefix_count() + aws_prefixes),
      double(peak_rss_kib()) / 1024.0, double(rss_before) / 1024.0);
}

void build_rate(std::mt19937_64& rng) {
  std::printf("## Build: 1,000,000 random prefixes (20%% nested)\n\n");
  std::printf(
      "| family | insert time (median of 5) | prefixes/s | tree memory_bytes | bytes/prefix "
      "|\n|---|---|---|---|---|\n");
  for (bool v4 : {true, false}) {
    auto prefixes = make_prefixes(rng, 1000000, v4);
    std::vector<double> times;
    std::size_t bytes = 0, size = 0;
    for (int rep = 0; rep < 5; ++rep) {
      PrefixTree t;
      auto start = Clock::now();
      std::uint32_t id = 0;
      for (const auto& p : prefixes) t.insert(p) = ++id;
      times.push_back(seconds_since(start));
      t.shrink_to_fit();
      bytes = t.memory_bytes();
      size = t.size();
    }
    double s = median(times);
    std::printf("| %s | %.0f ms | %.2f M | %.1f MiB | %.1f (%zu distinct) |\n",
                v4 ? "IPv4" : "IPv6", s * 1e3, double(prefixes.size()) / s / 1e6,
                double(bytes) / 1048576.0, double(bytes) / double(size), size);
  }
  std::printf("\n");
}

void lookup_rate(std::mt19937_64& rng) {
  std::printf("## Lookups on a 100,000-prefix tree (1,000,000 addresses, median of 5 runs)\n\n");
  std::printf(
      "| family | addresses | PrefixTree::match_longest | IntelDb::lookup (all lists, flags) | "
      "sorted vectors per length (baseline) | speed-up vs baseline |\n|---|---|---|---|---|---|\n");
  for (bool v4 : {true, false}) {
    auto prefixes = make_prefixes(rng, 100000, v4);
    PrefixTree tree;
    std::uint32_t id = 0;
    for (const auto& p : prefixes) tree.insert(p) = ++id;
    tree.finalize();
    SortedBaseline baseline(prefixes);
    std::string path = (fs::temp_directory_path() / "trailhound_intel_bench.txt").string();
    {
      std::ofstream out(path);
      for (const auto& p : prefixes) out << to_string(p) << '\n';
    }
    IntelDb db;
    std::string error;
    if (!db.add_list(ListRole::Threat, "bench=" + path, {}, &error)) std::abort();
    fs::remove(path);
    for (bool hits : {false, true}) {
      std::vector<IpAddr> addrs(1000000);
      for (auto& a : addrs) {
        a = hits ? inside(rng, prefixes[rng() % prefixes.size()])
                 : (v4 ? random_v4(rng) : random_v6(rng));
      }
      double tree_rate = lookups_per_second(addrs, [&](const IpAddr& a) {
        PrefixTree::Match m;
        return tree.match_longest(a, m) ? m.prefix.length + 1 : 0;
      });
      LookupResult r;
      double db_rate = lookups_per_second(addrs, [&](const IpAddr& a) {
        db.lookup(a, r);
        return r.count;
      });
      double base_rate =
          lookups_per_second(addrs, [&](const IpAddr& a) { return baseline.longest(a) + 1; });
      std::printf("| %s | %s | %.1f M/s | %.1f M/s | %.1f M/s | %.1fx |\n", v4 ? "IPv4" : "IPv6",
                  hits ? "inside a listed prefix" : "uniform random", tree_rate / 1e6,
                  db_rate / 1e6, base_rate / 1e6, tree_rate / base_rate);
    }
    if (v4) {
      std::printf("|  |  | tree %.1f MiB |  | baseline %.1f MiB |  |\n",
                  double(tree.memory_bytes()) / 1048576.0,
                  double(baseline.memory_bytes()) / 1048576.0);
    }
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "../shared/realdata/iplists";
  std::mt19937_64 rng(20181128);
  std::printf("# trailhound intel_bench\n\n");
  real_lists(dir);
  build_rate(rng);
  lookup_rate(rng);
  return 0;
}
