// prefer_huge_pages is a hint: whatever the kernel does with it, memory keeps its contents.
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "trailhound/huge_pages.hpp"

using trailhound::prefer_huge_pages;

namespace {
/// How many bytes of this process's anonymous memory the kernel backs with huge pages.
std::uint64_t anon_huge_kib() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string key;
  std::uint64_t kib = 0;
  while (in >> key) {
    if (key == "AnonHugePages:") {
      in >> kib;
      return kib;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

bool thp_on_request() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(in, modes);
  return modes.find("[madvise]") != std::string::npos || modes.find("[always]") != std::string::npos;
}
}  // namespace

TEST_CASE("prefer_huge_pages leaves contents alone and ignores what it cannot use",
          "[base][memory]") {
  prefer_huge_pages(nullptr, 1 << 30);
  std::vector<std::uint32_t> small(1000, 7);
  prefer_huge_pages(small.data(), small.size() * sizeof(std::uint32_t));
  CHECK(small[999] == 7);

  // 24 MiB, not zeroed (so untouched until written), half written before the hint, from an
  // address that is not 2 MiB aligned.
  constexpr std::size_t n = 6u << 20;
  std::unique_ptr<std::uint32_t[]> big(new std::uint32_t[n]);
  for (std::size_t i = 0; i < n / 2; ++i) big[i] = static_cast<std::uint32_t>(i);
  const std::uint64_t before = anon_huge_kib();
  prefer_huge_pages(reinterpret_cast<const char*>(big.get()) + 1, n * 4 - 1);
  for (std::size_t i = n / 2; i < n; ++i) big[i] = static_cast<std::uint32_t>(i);
  bool intact = true;
  for (std::size_t i = 0; i < n; ++i) intact = intact && big[i] == i;
  CHECK(intact);
  // Whether the kernel had huge pages to give is its affair (a hint may be declined): said,
  // not asserted.
  const std::uint64_t after = anon_huge_kib();
  if (thp_on_request() && after <= before) {
    WARN("transparent huge pages are on request, yet none backed the buffer (AnonHugePages "
         << before << " -> " << after << " KiB)");
  }
}
