// `trailhound ip lookup` and `ip lists`: each input or loaded file handed to the printer.
#include <algorithm>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/intel.hpp"
#include "trailhound/printer.hpp"
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

}  // namespace

int run_ip_lookup(const IntelDb& db, const std::vector<std::string>& args, std::istream& in,
                  Printer& printer, std::ostream& err) {
  bool any_invalid = false;
  std::string error;
  IpAddr addr;
  LookupResult result;
  auto handle = [&](std::string_view text) {
    error.clear();
    const SourceClass kind = classify_source(text, &addr, &error);
    if (kind == SourceClass::Address) db.lookup(addr, result);
    if (kind == SourceClass::Invalid) any_invalid = true;
    printer.ip(IpRow{text, kind, error, &addr, &result, &db});
  };
  const bool from_stdin = args.empty() || std::find(args.begin(), args.end(), "-") != args.end();
  for (const auto& arg : args) {
    if (arg == "-") continue;
    handle(trim(arg));
  }
  if (from_stdin) {
    std::string line;
    while (std::getline(in, line)) {
      const std::string_view text = trim(line);
      if (!text.empty()) handle(text);
    }
    if (in.bad()) {
      err << "trailhound: error reading standard input\n";
      any_invalid = true;
    }
  }
  return any_invalid ? 3 : 0;
}

void run_ip_lists(const IntelDb& db, Printer& printer) {
  for (const ListInfo& l : db.lists()) printer.ip_list(l);
  for (const AwsRangesInfo& a : db.aws_files()) printer.aws_ranges(a);
}

}  // namespace trailhound
