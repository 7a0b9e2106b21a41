// The format table: the one list of output formats, and the printer each one makes.
#pragma once

#include <memory>
#include <ostream>
#include <string_view>
#include <vector>

#include "trailhound/error.hpp"
#include "trailhound/printer.hpp"

namespace trailhound {

/// A format's name as `--format` takes it, and one line saying what it is.
struct FormatName {
  std::string_view name;
  std::string_view help;
};

/// One row of the format table (src/report/formats.cpp). A new format is one printer file
/// and one row here: see printer.hpp.
struct FormatInfo {
  std::string_view name;
  std::string_view help;
  std::string_view alias;  ///< another name `--format` accepts ("" for none)
  CommandSet commands = kAllCommands;  ///< the commands it can print
  std::unique_ptr<Printer> (*make)(std::ostream& out, const PrinterOptions& options) = nullptr;
  /// It looks addresses up in PrinterOptions::intel: a merge of scan shards, which otherwise
  /// loads no list, loads them for it.
  bool looks_up_lists = false;
};

/// The format table, in the order `--help`, completions and the man page list the formats.
[[nodiscard]] const std::vector<FormatInfo>& output_formats();

/// Every output format's name and help, made from the table. The CLI takes `--format`'s
/// values from here and nowhere else.
[[nodiscard]] std::vector<FormatName> format_names();

/// The table row named `name` (or its alias), or nullptr.
[[nodiscard]] const FormatInfo* find_format(std::string_view name);

/// A usage error (on --format) when there is no format `name` or it cannot print `command`.
[[nodiscard]] Status check_format(std::string_view name, Command command);

/// The printer of format `name` for `command`, writing to `out`; a usage error (on --format)
/// when there is no such format or it cannot print that command.
[[nodiscard]] Result<std::unique_ptr<Printer>> make_printer(std::string_view name, Command command,
                                                            std::ostream& out,
                                                            const PrinterOptions& options);

}  // namespace trailhound
