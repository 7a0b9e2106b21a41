// Fuzz target: the time parsers. Whatever parse_timestamp accepts must print with format_iso
// as text that parses back to the same instant; spans are non-negative and bounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto t = parse_timestamp(text)) {
    const std::string iso = format_iso(*t);
    const auto back = parse_timestamp(iso);
    if (!back || *back != *t) {
      std::fprintf(stderr, "round trip: %lld -> %s\n", static_cast<long long>(*t), iso.c_str());
    }
    TH_FUZZ_CHECK(back.has_value());
    TH_FUZZ_CHECK(*back == *t);
    TH_FUZZ_CHECK(format_iso(*back) == iso);
  }
  const TimeMs anchor = 1773446400000;  // 2026-03-14T00:00:00Z
  if (const auto span = parse_span(text)) {
    TH_FUZZ_CHECK(*span >= 0);
    const auto arg = parse_time_arg(text, anchor);
    TH_FUZZ_CHECK(arg.has_value() && *arg == anchor - *span);
  } else {
    const auto arg = parse_time_arg(text, anchor);
    TH_FUZZ_CHECK(arg.has_value() == parse_timestamp(text).has_value());
  }
  return 0;
}
