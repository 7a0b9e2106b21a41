// The format table: the one list of output formats. A new format is a row here plus its
// printer file (see printer.hpp).
#include <fmt/format.h>

#include "trailhound/escape.hpp"
#include "trailhound/format.hpp"

namespace trailhound {

const std::vector<FormatInfo>& output_formats() {
  static const std::vector<FormatInfo> table = {
      {"text", "aligned tables for a person", "", kAllCommands, &make_text_printer},
      {"jsonl", "JSON Lines: one object per line", "ndjson", kAllCommands, &make_jsonl_printer},
      {"json", "one JSON document", "", kAllCommands, &make_json_printer},
      {"csv", "comma-separated values for a spreadsheet", "", kAllCommands, &make_csv_printer},
      {"ocsf", "OCSF 1.1.0 JSON Lines: Detection Finding and API Activity", "",
       command_bit(Command::Scan) | command_bit(Command::Investigate) |
           command_bit(Command::Timeline),
       &make_ocsf_printer},
      {"html", "one self-contained HTML page (write it with -o FILE.html)", "",
       command_bit(Command::Scan) | command_bit(Command::Investigate) |
           command_bit(Command::Timeline),
       &make_html_printer, true},
  };
  return table;
}

std::vector<FormatName> format_names() {
  std::vector<FormatName> names;
  for (const FormatInfo& f : output_formats()) names.push_back({f.name, f.help});
  return names;
}

const FormatInfo* find_format(std::string_view name) {
  for (const FormatInfo& f : output_formats()) {
    if (f.name == name || (!f.alias.empty() && f.alias == name)) return &f;
  }
  return nullptr;
}

Status check_format(std::string_view name, Command command) {
  const FormatInfo* f = find_format(name);
  if (f == nullptr) {
    return Error::usage(fmt::format("unknown format '{}'", terminal_safe(name)), "--format");
  }
  if ((f->commands & command_bit(command)) == 0) {
    return Error::usage(fmt::format("format '{}' cannot print '{}'", f->name, to_string(command)),
                        "--format");
  }
  return {};
}

Result<std::unique_ptr<Printer>> make_printer(std::string_view name, Command command,
                                              std::ostream& out, const PrinterOptions& options) {
  if (auto s = check_format(name, command); !s) return std::move(s).error();
  return find_format(name)->make(out, options);
}

std::string_view to_string(Command command) {
  switch (command) {
    case Command::Timeline: return "timeline";
    case Command::Summary: return "summary";
    case Command::Scan: return "scan";
    case Command::Investigate: return "investigate";
    case Command::IpLookup: return "ip lookup";
    case Command::IpLists: return "ip lists";
    case Command::Rules: return "rules";
  }
  return "timeline";
}

bool reads_files(Command command) {
  return command != Command::IpLookup && command != Command::IpLists && command != Command::Rules;
}

}  // namespace trailhound
