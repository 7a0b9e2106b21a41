// CSV threat lists: OTX, FireEye iSIGHT and Proofpoint ET exports.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/intel.hpp"

namespace trailhound::intel {
namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 4180 records, quoted fields may span lines; `line` is where each record starts.
class CsvReader {
 public:
  explicit CsvReader(std::string_view content) : s_(content) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") s_.remove_prefix(3);
  }

  bool next(std::vector<std::string>& fields, std::size_t& line) {
    fields.clear();
    // Blank lines are not records.
    while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == '\r')) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= s_.size()) return false;
    line = line_;
    std::string field;
    bool quoted = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < s_.size() && s_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c != '\r') {
        field += c;
      }
    }
    fields.push_back(std::move(field));
    return true;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// Finds the header row (skipping `#` comments) and the index of each wanted column.
bool read_header(CsvReader& reader, const std::vector<std::string_view>& names,
                 std::vector<int>& columns) {
  std::vector<std::string> fields;
  std::size_t line = 0;
  while (reader.next(fields, line)) {
    if (!fields.empty() && trim(fields[0]).substr(0, 1) == "#") continue;
    columns.assign(names.size(), -1);
    bool any = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string name = lower(trim(fields[i]));
      for (std::size_t n = 0; n < names.size(); ++n) {
        if (name == names[n] && columns[n] < 0) {
          columns[n] = static_cast<int>(i);
          any = true;
        }
      }
    }
    return any;
  }
  return false;
}

std::string_view field_at(const std::vector<std::string>& fields, int column) {
  if (column < 0 || static_cast<std::size_t>(column) >= fields.size()) return {};
  return trim(fields[static_cast<std::size_t>(column)]);
}

}  // namespace

void read_otx_list(std::string_view content, const ListVisitor& visitor) {
  CsvReader reader(content);
  std::vector<int> cols;
  if (!read_header(reader, {"indicator type", "indicator"}, cols) || cols[0] < 0 || cols[1] < 0) {
    visitor.bad(1, "missing OTX header `Indicator type,Indicator,Description`");
    return;
  }
  std::vector<std::string> fields;
  std::size_t line = 0;
  while (reader.next(fields, line)) {
    if (trim(fields[0]).substr(0, 1) == "#") continue;
    std::string type = lower(field_at(fields, cols[0]));
    std::string_view value = field_at(fields, cols[1]);
    if (type != "ipv4" && type != "ipv6" && type != "cidr") {
      visitor.bad(line,
                  "unsupported indicator type `" + std::string(field_at(fields, cols[0])) + "`");
      continue;
    }
    if (value.empty()) {
      visitor.bad(line, "empty indicator");
      continue;
    }
    read_list_entry(value, line, visitor);
  }
}

void read_fireeye_list(std::string_view content, const ListVisitor& visitor) {
  CsvReader reader(content);
  std::vector<int> cols;
  if (!read_header(reader, {"cidr", "ip"}, cols)) {
    visitor.bad(1, "missing FireEye header with a `cidr` or `ip` column");
    return;
  }
  std::vector<std::string> fields;
  std::size_t line = 0;
  while (reader.next(fields, line)) {
    std::string_view cidr = field_at(fields, cols[0]);
    std::string_view ip = field_at(fields, cols[1]);
    std::string_view value = !cidr.empty() ? cidr : ip;
    if (value.empty()) {
      visitor.bad(line, "row has neither cidr nor ip");
      continue;
    }
    read_list_entry(value, line, visitor);
  }
}

void read_proofpoint_list(std::string_view content, const ListVisitor& visitor) {
  CsvReader reader(content);
  std::vector<int> cols;
  if (!read_header(reader, {"ip"}, cols)) {
    visitor.bad(1, "missing Proofpoint header `ip, category, score, ...`");
    return;
  }
  std::vector<std::string> fields;
  std::size_t line = 0;
  while (reader.next(fields, line)) {
    std::string_view value = field_at(fields, cols[0]);
    if (value.empty()) {
      visitor.bad(line, "empty ip");
      continue;
    }
    read_list_entry(value, line, visitor);
  }
}

}  // namespace trailhound::intel
