// STIX 1.x threat lists: the values of every AddressObj:Address_Value element.
#include <string>
#include <string_view>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    std::size_t semi = s.find(';', i);
    std::string_view ent =
        semi == std::string_view::npos ? std::string_view{} : s.substr(i, semi - i + 1);
    if (ent == "&amp;")
      out += '&';
    else if (ent == "&lt;")
      out += '<';
    else if (ent == "&gt;")
      out += '>';
    else if (ent == "&quot;")
      out += '"';
    else if (ent == "&apos;")
      out += '\'';
    else {
      out += s[i];
      continue;
    }
    i = semi;
  }
  return out;
}

std::size_t count_lines(std::string_view content, std::size_t from, std::size_t to,
                        std::size_t line) {
  for (std::size_t i = from; i < to; ++i) line += content[i] == '\n';
  return line;
}

}  // namespace

void read_stix_list(std::string_view content, const ListVisitor& visitor) {
  static constexpr std::string_view kTag = "Address_Value";
  std::size_t line = 1;
  std::size_t counted = 0;
  std::size_t pos = 0;
  while ((pos = content.find(kTag, pos)) != std::string_view::npos) {
    // The tag must be an opening element `<prefix:Address_Value` (any namespace prefix).
    std::size_t open = content.rfind('<', pos);
    std::size_t after = pos + kTag.size();
    if (open == std::string_view::npos || after >= content.size() || content[open + 1] == '/' ||
        content.substr(open, pos - open).find_first_of(" \t\r\n>") != std::string_view::npos ||
        (content[after] != '>' && content[after] != ' ' && content[after] != '\t' &&
         content[after] != '\r' && content[after] != '\n' && content[after] != '/')) {
      pos = after;
      continue;
    }
    line = count_lines(content, counted, open, line);
    counted = open;
    std::size_t gt = content.find('>', after);
    if (gt == std::string_view::npos) {
      visitor.bad(line, "unterminated Address_Value element");
      return;
    }
    std::string_view attrs = content.substr(after, gt - after);
    if (!attrs.empty() && attrs.back() == '/') {
      visitor.bad(line, "empty Address_Value element");
      pos = gt;
      continue;
    }
    std::size_t close = content.find("</", gt);
    if (close == std::string_view::npos) {
      visitor.bad(line, "unterminated Address_Value element");
      return;
    }
    std::string value = decode_entities(content.substr(gt + 1, close - gt - 1));
    pos = close;
    bool between = attrs.find("InclusiveBetween") != std::string_view::npos;
    static constexpr std::string_view kComma = "##comma##";
    std::string_view rest = value;
    if (between) {
      std::size_t sep = rest.find(kComma);
      if (sep == std::string_view::npos) {
        visitor.bad(line, "InclusiveBetween needs two addresses separated by ##comma##");
        continue;
      }
      std::string range(rest.substr(0, sep));
      range += '-';
      range += rest.substr(sep + kComma.size());
      read_list_entry(range, line, visitor);
      continue;
    }
    for (;;) {
      std::size_t sep = rest.find(kComma);
      std::string_view one = rest.substr(0, sep);
      if (one.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        visitor.bad(line, "empty address value");
      } else {
        read_list_entry(one, line, visitor);
      }
      if (sep == std::string_view::npos) break;
      rest.remove_prefix(sep + kComma.size());
    }
  }
}

}  // namespace trailhound::intel
