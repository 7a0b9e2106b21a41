// Output formats shared by every printer.
#pragma once

#include <optional>
#include <string_view>

namespace trailhound {

/// The output formats of every command: aligned text, JSON Lines, one JSON document, CSV.
enum class OutputFormat { Text, Jsonl, Json, Csv };

[[nodiscard]] std::string_view to_string(OutputFormat format);
[[nodiscard]] std::optional<OutputFormat> parse_output_format(std::string_view text);

}  // namespace trailhound
