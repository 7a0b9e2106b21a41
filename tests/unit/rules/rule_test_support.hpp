// Shared by the rule tests: real-looking CloudTrail records built in memory, read by the
// parse stage's EventReader and fed to Detector workers, then settled with finish().
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "trailhound/decode.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/parse.hpp"

namespace rule_test {

using namespace trailhound;

/// One CloudTrail record; every field has a plausible default.
struct Record {
  std::string time = "2026-03-14T10:00:00Z";
  std::string event_source = "s3.amazonaws.com";
  std::string event_name = "ListBuckets";
  std::string region = "us-east-1";
  std::string ip = "198.51.100.7";
  std::string agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1";
  std::string event_id;  ///< eventID; none when empty
  std::string type = "IAMUser";
  std::string arn = "arn:aws:iam::111122223333:user/alice";
  std::string principal_id = "AIDAALICEXXXXXXXXXXXX";
  std::string user_name = "alice";
  std::string access_key = "AKIAEXAMPLEALICE0001";
  std::string error_code;
  std::string read_only;           ///< "true", "false" or empty (absent)
  std::string request = "null";    ///< requestParameters, raw JSON
  std::string response = "null";   ///< responseElements, raw JSON
  std::string additional;          ///< additionalEventData, raw JSON; absent when empty

  [[nodiscard]] std::string json() const {
    auto str = [](const std::string& s) { return "\"" + s + "\""; };
    std::string j = "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":" + str(type);
    if (!principal_id.empty()) j += ",\"principalId\":" + str(principal_id);
    if (!arn.empty()) j += ",\"arn\":" + str(arn);
    j += ",\"accountId\":\"111122223333\"";
    if (!access_key.empty()) j += ",\"accessKeyId\":" + str(access_key);
    if (!user_name.empty()) j += ",\"userName\":" + str(user_name);
    j += "},\"eventTime\":" + str(time) + ",\"eventSource\":" + str(event_source) +
         ",\"eventName\":" + str(event_name) + ",\"awsRegion\":" + str(region) +
         ",\"sourceIPAddress\":" + str(ip) + ",\"userAgent\":" + str(agent);
    if (!error_code.empty()) j += ",\"errorCode\":" + str(error_code);
    j += ",\"requestParameters\":" + request + ",\"responseElements\":" + response;
    if (!additional.empty()) j += ",\"additionalEventData\":" + additional;
    if (!event_id.empty()) j += ",\"eventID\":" + str(event_id);
    if (!read_only.empty()) j += ",\"readOnly\":" + read_only;
    j += ",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"111122223333\"}";
    return j;
  }
};

/// Which worker (0-based) reads the record at `index`.
using Split = std::function<std::size_t(std::size_t index)>;

/// Reads `records` as one file and runs them through `worker_count` Detectors, record i going
/// to worker split(i), then settles them.
inline detect::DetectResult run(const std::vector<Record>& records, const intel::IntelDb& intel,
                                const detect::DetectConfig& config = {},
                                const EventFilter& filter = {},
                                const detect::Baseline* loaded = nullptr,
                                std::size_t worker_count = 1, Split split = {},
                                bool through_state = false) {
  std::string buffer = "{\"Records\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) buffer += ',';
    buffer += records[i].json();
  }
  buffer += "]}";
  const std::size_t size = buffer.size();
  buffer.append(kBufferPadding, '\0');
  std::vector<std::unique_ptr<detect::Detector>> workers;
  for (std::size_t i = 0; i < worker_count; ++i) {
    workers.push_back(std::make_unique<detect::Detector>(intel, config, filter));
  }
  EventReader reader;
  std::size_t index = 0;
  const ParseOutcome outcome =
      reader.read(std::string_view(buffer.data(), size), 0, [&](const EventView& e) {
        const std::size_t w = split ? split(index) : 0;
        ++index;
        workers.at(w)->on_event(e);
      });
  INFO("first message: " << (outcome.messages.empty() ? "" : outcome.messages.front()));
  REQUIRE(outcome.records_used == records.size());
  if (through_state) {
    // As a shard and its merge: each worker saved, loaded into a fresh detector, settled there.
    std::vector<std::unique_ptr<detect::Detector>> fresh;
    for (auto& w : workers) {
      std::string saved;
      w->save_state(saved, {});
      ByteReader in(saved);
      std::string_view body;
      REQUIRE(in.str(body));
      REQUIRE(in.done());
      fresh.push_back(std::make_unique<detect::Detector>(intel, config, filter));
      std::string error;
      const bool loaded_ok = fresh.back()->load_state(body, 1, error);
      INFO(error);
      REQUIRE(loaded_ok);
    }
    workers = std::move(fresh);
  }
  std::vector<detect::Detector*> raw;
  for (auto& w : workers) raw.push_back(w.get());
  return detect::finish(raw, intel, config, loaded);
}

/// The findings of one rule, in report order.
inline std::vector<const detect::Finding*> of_rule(const detect::DetectResult& r,
                                                   std::string_view rule) {
  std::vector<const detect::Finding*> out;
  for (const auto& f : r.findings) {
    if (f.rule == rule) out.push_back(&f);
  }
  return out;
}

/// True when some reason of `f` contains `text`.
inline bool has_reason(const detect::Finding& f, std::string_view text) {
  for (auto why : f.reasons) {
    if (why.find(text) != std::string_view::npos) return true;
  }
  return false;
}

/// Settings that run only the rules named.
inline detect::DetectConfig only(std::set<std::string> rules) {
  detect::DetectConfig config;
  config.rules = std::move(rules);
  return config;
}

/// Intel with the test AWS ranges (3.80.0.0/12, 52.94.0.0/22, 2600:1f18::/33) loaded.
inline void load_aws(intel::IntelDb& db) {
  std::string error;
  INFO(error);
  REQUIRE(db.load_aws_ranges(TH_TEST_DATA "/detect/lists/aws-ip-ranges.json", {}, &error));
}

/// Adds `cidr` to the list `name` of `role`.
inline void add(intel::IntelDb& db, intel::ListRole role, std::string_view name,
                std::string_view cidr) {
  std::string error;
  INFO(error);
  REQUIRE(db.add_inline(role, name, cidr, &error));
}

}  // namespace rule_test
