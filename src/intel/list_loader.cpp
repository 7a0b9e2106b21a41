// List format names, detection from content, and dispatch to each format's reader.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Header cells, trimmed and lower-cased, for a one-line CSV header (no quotes inside).
std::vector<std::string> header_cells(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = line.find(',', pos);
    std::string cell = lower(line.substr(pos, comma - pos));
    cell.erase(std::remove(cell.begin(), cell.end(), '"'), cell.end());
    std::size_t b = cell.find_first_not_of(" \t\r");
    std::size_t e = cell.find_last_not_of(" \t\r");
    cells.push_back(b == std::string::npos ? std::string() : cell.substr(b, e - b + 1));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return cells;
}

}  // namespace

bool parse_list_format(std::string_view name, ListFormat& out) {
  std::string n = lower(name);
  if (n == "plain" || n == "txt")
    out = ListFormat::Plain;
  else if (n == "stix")
    out = ListFormat::Stix;
  else if (n == "otx")
    out = ListFormat::Otx;
  else if (n == "fireeye")
    out = ListFormat::FireEye;
  else if (n == "proofpoint")
    out = ListFormat::Proofpoint;
  else if (n == "alienvault")
    out = ListFormat::AlienVault;
  else
    return false;
  return true;
}

std::string_view to_string(ListFormat format) {
  switch (format) {
    case ListFormat::Plain:
      return "plain";
    case ListFormat::Stix:
      return "stix";
    case ListFormat::Otx:
      return "otx";
    case ListFormat::FireEye:
      return "fireeye";
    case ListFormat::Proofpoint:
      return "proofpoint";
    case ListFormat::AlienVault:
      return "alienvault";
  }
  return "plain";
}

ListFormat detect_list_format(std::string_view content) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::size_t first = content.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && content[first] == '<') return ListFormat::Stix;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    std::size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || line[b] == '#' || line[b] == ';') continue;
    line.remove_prefix(b);
    if (line.find(',') != std::string_view::npos) {
      auto cells = header_cells(line);
      auto has = [&](std::string_view name) {
        return std::find(cells.begin(), cells.end(), name) != cells.end();
      };
      if (has("indicator type") && has("indicator")) return ListFormat::Otx;
      if (has("ip") && has("category") && has("score")) return ListFormat::Proofpoint;
      if (has("cidr") || has("ip")) return ListFormat::FireEye;
    }
    // AlienVault rows carry at least seven '#'-separated fields after the address.
    std::size_t hash = line.find('#');
    if (hash != std::string_view::npos && std::count(line.begin(), line.end(), '#') >= 6) {
      IpAddr addr;
      if (parse_address(line.substr(0, hash), addr)) return ListFormat::AlienVault;
    }
    return ListFormat::Plain;
  }
  return ListFormat::Plain;
}

void read_list(std::string_view content, ListFormat format, const ListVisitor& visitor) {
  switch (format) {
    case ListFormat::Plain:
      read_plain_list(content, visitor);
      return;
    case ListFormat::Stix:
      read_stix_list(content, visitor);
      return;
    case ListFormat::Otx:
      read_otx_list(content, visitor);
      return;
    case ListFormat::FireEye:
      read_fireeye_list(content, visitor);
      return;
    case ListFormat::Proofpoint:
      read_proofpoint_list(content, visitor);
      return;
    case ListFormat::AlienVault:
      read_alienvault_list(content, visitor);
      return;
  }
}

}  // namespace trailhound::intel
