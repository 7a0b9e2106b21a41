// Fuzz target: arbitrary bytes through the decode and parse stages, as `read_input` sees them.
// Gzip (by magic bytes) is inflated within 8 MiB; then every record is visited, every field
// touched, the raw JSON of the record and its requestParameters measured, the record copied
// into an OwnedEvent and compacted, and the event run through the detector (which reads
// security-group permissions out of requestParameters).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "trailhound/decode.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/report.hpp"

using namespace trailhound;

namespace {

constexpr std::uint64_t kLimit = 8u << 20;

std::size_t touch(std::string_view s) {
  std::size_t h = s.size();
  for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static EventReader reader(ParseLimits{});
  static const intel::IntelDb db;
  static const detect::DetectConfig config;
  static const EventFilter filter;

  // What read_input does after reading the file: gzip by magic bytes, else the data as is.
  ByteBuffer buffer;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    const DecodeResult r = inflate_gzip(in, kLimit, buffer);
    TH_FUZZ_CHECK(buffer.size() <= kLimit);
    if (r.status == DecodeStatus::TooLarge) return 0;
    TH_FUZZ_CHECK(r.status == DecodeStatus::Ok || r.status == DecodeStatus::Truncated ||
                  r.status == DecodeStatus::Corrupt);
    TH_FUZZ_CHECK(r.status == DecodeStatus::Ok || !r.message.empty());
  } else {
    buffer.reserve(size);
    if (size) std::memcpy(buffer.data(), data, size);
    buffer.set_size(size);
  }

  detect::Detector detector(db, config, filter);
  volatile std::size_t sink = 0;
  std::uint64_t visited = 0;
  const ParseOutcome outcome = reader.read(buffer.view(), 0, [&](const EventView& e) {
    ++visited;
    std::size_t h = touch(e.event_time) ^ touch(e.event_version) ^ touch(e.event_name) ^
                    touch(e.event_source) ^ touch(e.aws_region) ^ touch(e.source_ip) ^
                    touch(e.user_agent) ^ touch(e.error_code) ^ touch(e.error_message) ^
                    touch(e.event_type) ^ touch(e.event_id) ^ touch(e.recipient_account_id);
    const IdentityView& id = e.identity;
    h ^= touch(id.type_text) ^ touch(id.principal_id) ^ touch(id.arn) ^ touch(id.account_id) ^
         touch(id.access_key_id) ^ touch(id.user_name) ^ touch(id.invoked_by) ^
         touch(id.issuer_type) ^ touch(id.issuer_arn) ^ touch(id.issuer_user_name) ^
         touch(id.on_behalf_user_id) ^ touch(id.mfa_authenticated) ^
         touch(id.identity_provider) ^ touch(id.session_name()) ^ touch(id.display_name());
    std::string scratch;
    h ^= touch(id.key(scratch));
    h ^= touch(to_string(id.type));
    h ^= touch(e.request_parameters.text()) ^ touch(e.response_elements.text()) ^
         touch(e.additional_event_data.text());
    const std::string_view record = e.record.text();
    TH_FUZZ_CHECK(record.size() <= e.record.capacity());
    h ^= touch(record);

    const OwnedEvent owned = OwnedEvent::from(e);
    TH_FUZZ_CHECK(is_valid_utf8(owned.record));
    std::string compact;
    if (compact_json(record, compact)) TH_FUZZ_CHECK(is_valid_utf8(compact));
    const Principal p = Principal::from(e.identity);
    h ^= touch(p.key());

    // Every printed field goes through the escapers.
    std::string out;
    append_json_string(out, e.user_agent);
    append_terminal_safe(out, id.user_name);
    append_csv_cell(out, e.event_name);
    TH_FUZZ_CHECK(is_valid_utf8(out));

    detector.on_event(e);
    sink = sink + h;
  });
  TH_FUZZ_CHECK(outcome.records_read == outcome.records_used + outcome.records_rejected);
  TH_FUZZ_CHECK(outcome.records_used == visited);
  for (const auto& m : outcome.messages) sink = sink + touch(m);
  (void)sink;
  return 0;
}
