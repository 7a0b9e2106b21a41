// `trailhound ip lookup` and `ip lists`: the printing side of the IP intelligence stage.
#include <algorithm>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/escape.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/report.hpp"

namespace trailhound {
using namespace intel;
namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// One looked-up input, kept so that text output can align its columns.
struct Row {
  std::string input;
  SourceClass kind = SourceClass::Invalid;
  std::string error;
  IpAddr addr;
  LookupResult result;
};

void append_row_json(std::string& out, const IntelDb& db, const Row& row) {
  out += "{\"type\":\"ip\",\"address\":";
  append_json_string(out, row.input);
  bool valid = row.kind == SourceClass::Address;
  out += valid ? ",\"valid\":true" : ",\"valid\":false";
  if (valid) out += row.addr.v4 ? ",\"family\":4" : ",\"family\":6";
  if (row.kind == SourceClass::Service) out += ",\"service_source\":true";
  if (row.kind == SourceClass::Invalid) {
    out += ",\"error\":";
    append_json_string(out, row.error);
  }
  out += ",\"lists\":[";
  if (valid) {
    for (std::size_t i = 0; i < row.result.count; ++i) {
      const ListHit& hit = row.result.hits[i];
      const ListInfo& list = db.lists()[hit.list];
      if (i) out += ',';
      out += "{\"name\":";
      append_json_string(out, list.name);
      out += ",\"prefix\":\"";
      out += to_string(hit.prefix);
      out += "\",\"role\":\"";
      out += to_string(list.role);
      out += "\"}";
    }
  }
  out += "],\"trusted\":";
  out += valid && row.result.trusted ? "true" : "false";
  out += ",\"aws\":";
  const AwsInfo* aws = valid ? row.result.aws : nullptr;
  if (!aws) {
    out += "null";
  } else {
    out += "{\"service\":[";
    for (std::size_t i = 0; i < aws->services.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, aws->services[i]);
    }
    out += "],\"region\":";
    append_json_string(out, join(aws->regions, ","));
    out += '}';
  }
  out += '}';
}

void append_row_csv(std::string& out, const IntelDb& db, const Row& row) {
  bool valid = row.kind == SourceClass::Address;
  append_csv_cell(out, row.input);
  out += valid ? ",true," : ",false,";
  std::vector<std::string> hits;
  for (std::size_t i = 0; valid && i < row.result.count; ++i) {
    const ListHit& hit = row.result.hits[i];
    hits.push_back(db.lists()[hit.list].name + "=" + to_string(hit.prefix));
  }
  append_csv_cell(out, join(hits, ";"));
  out += valid && row.result.trusted ? ",true," : ",false,";
  const AwsInfo* aws = valid ? row.result.aws : nullptr;
  append_csv_cell(out, aws ? join(aws->services, ";") : std::string());
  out += ',';
  append_csv_cell(out, aws ? join(aws->regions, ";") : std::string());
  out += '\n';
}

std::vector<std::string> row_text_cells(const IntelDb& db, const Row& row) {
  std::vector<std::string> cells(5);
  append_terminal_safe(cells[0], row.input);
  if (row.kind == SourceClass::Invalid) {
    cells[1] = "-";
    cells[2] = "invalid: " + row.error;
    cells[3] = "-";
    cells[4] = "-";
    return cells;
  }
  if (row.kind == SourceClass::Service) {
    cells[1] = "-";
    cells[2] = "AWS service source";
    cells[3] = "-";
    cells[4] = "-";
    return cells;
  }
  cells[1] = row.addr.v4 ? "IPv4" : "IPv6";
  std::vector<std::string> hits;
  for (std::size_t i = 0; i < row.result.count; ++i) {
    const ListHit& hit = row.result.hits[i];
    const ListInfo& list = db.lists()[hit.list];
    std::string cell;
    append_terminal_safe(cell, list.name);
    if (list.role != ListRole::Threat) cell += "(" + std::string(to_string(list.role)) + ")";
    cell += " " + to_string(hit.prefix);
    hits.push_back(std::move(cell));
  }
  cells[2] = hits.empty() ? "-" : join(hits, ", ");
  cells[3] = row.result.trusted ? "yes" : "no";
  if (const AwsInfo* aws = row.result.aws) {
    cells[4] = join(aws->services, ",") + " " + join(aws->regions, ",") + " (" +
               to_string(aws->prefix) + ")";
  } else {
    cells[4] = "-";
  }
  return cells;
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string line;
  for (const auto& r : rows) {
    line.clear();
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(widths[i] - r[i].size() + 2, ' ');
    }
    line += '\n';
    out << line;
  }
}

}  // namespace

int run_ip_lookup(const IntelDb& db, const std::vector<std::string>& args, std::istream& in,
                  OutputFormat format, std::ostream& out, std::ostream& err) {
  bool any_invalid = false;
  bool first_json = true;
  std::vector<std::vector<std::string>> table;
  if (format == OutputFormat::Text)
    table.push_back({"ADDRESS", "FAMILY", "LISTS", "TRUSTED", "AWS"});
  if (format == OutputFormat::Csv) out << "address,valid,lists,trusted,aws_service,aws_region\n";
  if (format == OutputFormat::Json) out << '[';
  std::string buffer;
  Row row;
  auto handle = [&](std::string_view text) {
    row.input = std::string(text);
    row.error.clear();
    row.kind = classify_source(text, &row.addr, &row.error);
    if (row.kind == SourceClass::Address) db.lookup(row.addr, row.result);
    if (row.kind == SourceClass::Invalid) any_invalid = true;
    buffer.clear();
    switch (format) {
      case OutputFormat::Jsonl:
        append_row_json(buffer, db, row);
        buffer += '\n';
        break;
      case OutputFormat::Json:
        if (!first_json) buffer += ',';
        first_json = false;
        append_row_json(buffer, db, row);
        break;
      case OutputFormat::Csv:
        append_row_csv(buffer, db, row);
        break;
      case OutputFormat::Text:
        table.push_back(row_text_cells(db, row));
        return;
    }
    out << buffer;
  };
  bool from_stdin = args.empty() || std::find(args.begin(), args.end(), "-") != args.end();
  for (const auto& arg : args) {
    if (arg == "-") continue;
    handle(trim(arg));
  }
  if (from_stdin) {
    std::string line;
    while (std::getline(in, line)) {
      std::string_view text = trim(line);
      if (!text.empty()) handle(text);
    }
    if (in.bad()) {
      err << "trailhound: error reading standard input\n";
      any_invalid = true;
    }
  }
  if (format == OutputFormat::Json) out << "]\n";
  if (format == OutputFormat::Text) print_table(out, table);
  return any_invalid ? 3 : 0;
}

int run_ip_lists(const IntelDb& db, OutputFormat format, std::ostream& out) {
  std::string buffer;
  std::vector<std::vector<std::string>> table;
  bool first_json = true;
  switch (format) {
    case OutputFormat::Text:
      table.push_back(
          {"NAME", "ROLE", "FORMAT", "IPV4", "IPV6", "SKIPPED", "MASKED", "TOR", "PATH"});
      break;
    case OutputFormat::Csv:
      buffer += "type,name,role,format,path,ipv4,ipv6,skipped,masked,tor,create_date,sync_token\n";
      break;
    case OutputFormat::Json:
      buffer += '[';
      break;
    case OutputFormat::Jsonl:
      break;
  }
  auto json_sep = [&] {
    if (format == OutputFormat::Json && !first_json) buffer += ',';
    first_json = false;
  };
  for (const ListInfo& l : db.lists()) {
    if (format == OutputFormat::Text) {
      std::string name, path;
      append_terminal_safe(name, l.name);
      append_terminal_safe(path, l.path);
      table.push_back({name, std::string(to_string(l.role)), l.format, std::to_string(l.ipv4),
                       std::to_string(l.ipv6), std::to_string(l.skipped), std::to_string(l.masked),
                       l.tor ? "yes" : "no", path});
    } else if (format == OutputFormat::Csv) {
      buffer += "list,";
      append_csv_cell(buffer, l.name);
      buffer += "," + std::string(to_string(l.role)) + "," + l.format + ",";
      append_csv_cell(buffer, l.path);
      buffer += "," + std::to_string(l.ipv4) + "," + std::to_string(l.ipv6) + "," +
                std::to_string(l.skipped) + "," + std::to_string(l.masked) + "," +
                (l.tor ? "true" : "false") + ",,\n";
    } else {
      json_sep();
      buffer += "{\"type\":\"list\",\"name\":";
      append_json_string(buffer, l.name);
      buffer += ",\"role\":\"" + std::string(to_string(l.role)) + "\",\"format\":\"" + l.format +
                "\",\"path\":";
      append_json_string(buffer, l.path);
      buffer += ",\"ipv4\":" + std::to_string(l.ipv4) + ",\"ipv6\":" + std::to_string(l.ipv6) +
                ",\"skipped\":" + std::to_string(l.skipped) +
                ",\"masked\":" + std::to_string(l.masked) +
                ",\"tor\":" + (l.tor ? "true" : "false") + "}";
      if (format == OutputFormat::Jsonl) buffer += '\n';
    }
  }
  for (const AwsRangesInfo& a : db.aws_files()) {
    if (format == OutputFormat::Text) {
      std::string path;
      append_terminal_safe(path, a.path);
      std::string meta;
      append_terminal_safe(meta, a.create_date);
      table.push_back({"aws-ip-ranges", "aws", "ip-ranges.json", std::to_string(a.ipv4),
                       std::to_string(a.ipv6), std::to_string(a.skipped), "0", "no",
                       path + " (created " + meta + ")"});
    } else if (format == OutputFormat::Csv) {
      buffer += "aws-ranges,aws-ip-ranges,aws,ip-ranges.json,";
      append_csv_cell(buffer, a.path);
      buffer += "," + std::to_string(a.ipv4) + "," + std::to_string(a.ipv6) + "," +
                std::to_string(a.skipped) + ",0,false,";
      append_csv_cell(buffer, a.create_date);
      buffer += ',';
      append_csv_cell(buffer, a.sync_token);
      buffer += '\n';
    } else {
      json_sep();
      buffer += "{\"type\":\"aws-ranges\",\"path\":";
      append_json_string(buffer, a.path);
      buffer += ",\"create_date\":";
      append_json_string(buffer, a.create_date);
      buffer += ",\"sync_token\":";
      append_json_string(buffer, a.sync_token);
      buffer += ",\"ipv4\":" + std::to_string(a.ipv4) + ",\"ipv6\":" + std::to_string(a.ipv6) +
                ",\"skipped\":" + std::to_string(a.skipped) + "}";
      if (format == OutputFormat::Jsonl) buffer += '\n';
    }
  }
  if (format == OutputFormat::Json) buffer += "]\n";
  if (format == OutputFormat::Text) {
    print_table(out, table);
  } else {
    out << buffer;
  }
  return 0;
}

}  // namespace trailhound
