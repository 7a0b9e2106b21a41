// AlienVault reputation lists: `ip#risk#reliability#activity#country#city#lat,lon#x` rows.
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {

void read_alienvault_list(std::string_view content, const ListVisitor& visitor) {
  std::size_t line = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view text = content.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (line == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || text[first] == '#') continue;
    // '#' separates fields here, so only a line that starts with it is a comment.
    std::size_t hash = text.find('#');
    if (hash == std::string_view::npos) {
      visitor.bad(line, "expected ip#risk#reliability#... fields");
      continue;
    }
    read_list_entry(text.substr(0, hash), line, visitor);
  }
}

}  // namespace trailhound::intel
