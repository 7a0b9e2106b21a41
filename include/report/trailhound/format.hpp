// Output formats shared by every printer.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace trailhound {

/// The output formats of every command: aligned text, JSON Lines, one JSON document, CSV.
enum class OutputFormat { Text, Jsonl, Json, Csv };

[[nodiscard]] std::string_view to_string(OutputFormat format);

/// A format's name as `--format` takes it, and one line saying what it is.
struct FormatName {
  std::string_view name;
  std::string_view help;
};
/// Every output format, in the order `--help`, completions and the man page list them. The
/// CLI takes `--format`'s values from here and nowhere else.
[[nodiscard]] std::vector<FormatName> format_names();
[[nodiscard]] std::optional<OutputFormat> parse_output_format(std::string_view text);

}  // namespace trailhound
