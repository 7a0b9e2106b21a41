// The output-format names.
#include "trailhound/format.hpp"

namespace trailhound {

std::string_view to_string(OutputFormat format) {
  switch (format) {
    case OutputFormat::Text: return "text";
    case OutputFormat::Jsonl: return "jsonl";
    case OutputFormat::Json: return "json";
    case OutputFormat::Csv: return "csv";
  }
  return "text";
}

std::optional<OutputFormat> parse_output_format(std::string_view text) {
  if (text == "text") return OutputFormat::Text;
  if (text == "jsonl" || text == "ndjson") return OutputFormat::Jsonl;
  if (text == "json") return OutputFormat::Json;
  if (text == "csv") return OutputFormat::Csv;
  return std::nullopt;
}

std::vector<FormatName> format_names() {
  return {{"text", "aligned tables for a person"},
          {"jsonl", "JSON Lines: one object per line"},
          {"json", "one JSON document"},
          {"csv", "comma-separated values for a spreadsheet"}};
}

}  // namespace trailhound
