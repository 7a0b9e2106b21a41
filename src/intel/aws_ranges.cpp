// Reading AWS's published ip-ranges.json (IPv4 and IPv6 prefixes with service and region).
#include <simdjson.h>

#include <string>
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

std::string_view string_field(simdjson::dom::object obj, std::string_view key) {
  std::string_view value;
  if (obj[key].get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

}  // namespace

bool read_aws_ranges(const std::string& path,
                     const std::function<void(const AwsRangeEntry&)>& entry, AwsRangesInfo& info,
                     const WarningSink& warn, std::string* error) {
  std::string content;
  if (!read_intel_file(path, content, error)) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(content).get(doc); err != simdjson::SUCCESS) {
    if (error) *error = path + ": " + simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    if (error) *error = path + ": not an ip-ranges.json document (top level is not an object)";
    return false;
  }
  simdjson::dom::array v4_rows, v6_rows;
  bool has_v4 = root["prefixes"].get_array().get(v4_rows) == simdjson::SUCCESS;
  bool has_v6 = root["ipv6_prefixes"].get_array().get(v6_rows) == simdjson::SUCCESS;
  if (!has_v4 && !has_v6) {
    if (error) *error = path + ": not an ip-ranges.json document (no prefixes array)";
    return false;
  }
  info.path = path;
  info.create_date = std::string(string_field(root, "createDate"));
  info.sync_token = std::string(string_field(root, "syncToken"));
  auto read_rows = [&](simdjson::dom::array rows, std::string_view array, std::string_view key,
                       bool want_v4) {
    std::size_t index = 0;
    for (simdjson::dom::element row : rows) {
      simdjson::dom::object obj;
      std::string_view text;
      Prefix prefix;
      std::string reason;
      if (row.get_object().get(obj) != simdjson::SUCCESS) {
        reason = "row is not an object";
      } else if (obj[key].get_string().get(text) != simdjson::SUCCESS) {
        reason = std::string("row has no ") + std::string(key);
      } else if (!parse_prefix(text, prefix, nullptr, &reason)) {
        // reason set by parse_prefix
      } else if (prefix.addr.v4 != want_v4) {
        reason = "prefix of the wrong family";
      }
      if (!reason.empty()) {
        ++info.skipped;
        if (warn) {
          warn(path + ": " + std::string(array) + "[" + std::to_string(index) + "]: " + reason);
        }
      } else {
        entry(AwsRangeEntry{prefix, string_field(obj, "service"), string_field(obj, "region"),
                            string_field(obj, "network_border_group")});
      }
      ++index;
    }
  };
  if (has_v4) read_rows(v4_rows, "prefixes", "ip_prefix", true);
  if (has_v6) read_rows(v6_rows, "ipv6_prefixes", "ipv6_prefix", false);
  return true;
}

}  // namespace trailhound::intel
