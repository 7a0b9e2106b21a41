// Fuzz target: address and prefix parsing. A parsed address prints canonically and parses back
// equal; a parsed prefix has clear host bits and round-trips; classify_source agrees with
// parse_address; range decomposition covers exactly the range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  IpAddr addr;
  std::string error;
  const bool is_addr = parse_address(text, addr, &error);
  if (is_addr) {
    const std::string printed = to_string(addr);
    IpAddr again;
    TH_FUZZ_CHECK(parse_address(printed, again));
    TH_FUZZ_CHECK(again == addr);
    TH_FUZZ_CHECK(to_string(again) == printed);
    TH_FUZZ_CHECK(!addr.v4 || addr.hi == 0);
    TH_FUZZ_CHECK(!addr.v4 || addr.lo <= 0xffffffffu);
  } else {
    TH_FUZZ_CHECK(!error.empty());
  }
  IpAddr classified;
  const SourceClass cls = classify_source(text, &classified);
  TH_FUZZ_CHECK((cls == SourceClass::Address) == is_addr);
  if (is_addr) TH_FUZZ_CHECK(classified == addr);

  Prefix prefix;
  bool masked = false;
  if (parse_prefix(text, prefix, &masked)) {
    TH_FUZZ_CHECK(prefix.length <= prefix.addr.bits());
    TH_FUZZ_CHECK(make_prefix(prefix.addr, prefix.length) == prefix);
    Prefix again;
    bool masked_again = true;
    TH_FUZZ_CHECK(parse_prefix(to_string(prefix), again, &masked_again));
    TH_FUZZ_CHECK(again == prefix);
    TH_FUZZ_CHECK(!masked_again);
    if (is_addr) TH_FUZZ_CHECK(make_prefix(addr, prefix.length) == prefix);
  }

  // Two addresses split at the first '-': their range's prefixes are aligned and contiguous.
  const std::size_t dash = text.find('-');
  IpAddr first, last;
  if (dash != std::string_view::npos && parse_address(text.substr(0, dash), first) &&
      parse_address(text.substr(dash + 1), last)) {
    const auto prefixes = range_to_prefixes(first, last);
    if (!prefixes.empty()) {
      TH_FUZZ_CHECK(prefixes.front().addr == first);
      TH_FUZZ_CHECK(prefixes.size() <= 256);
      for (const Prefix& p : prefixes) TH_FUZZ_CHECK(make_prefix(p.addr, p.length) == p);
    }
  }
  return 0;
}
