// `ip lookup`, `ip lists` and `rules`: commands that read no CloudTrail file.
#include <iostream>

#include "output.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/report.hpp"

namespace trailhound::app {
namespace {

/// Loads the lists, runs `body` with the printer, and decides the exit code.
template <class Body>
int run_ip(const IpRequest& request, Command command, Body body) {
  // A bad --format is reported before the lists are read; the output is created after.
  if (auto s = check_format(request.format, command); !s) return report_error(s.error());
  intel::IntelDb db;
  if (auto s = load_intel(request.intel, request.verbose, db); !s) return report_error(s.error());
  GeoSource geo;
  if (auto s = geo.load(request.intel.geoip); !s) return report_error(s.error());
  Output output;
  auto printer = open_printer(output, request.output, request.color, request.format, command,
                              request.wide, false, &geo);
  if (!printer) return report_error(printer.error());
  Printer& out = **printer;
  out.begin(PrintBegin{command, nullptr, false, {}});
  const int code = body(db, out);
  out.end();
  if (auto s = output.finish(); !s) return report_error(s.error());
  return code;
}

}  // namespace

int run_ip_lookup(const IpRequest& request) {
  return run_ip(request, Command::IpLookup, [&](const intel::IntelDb& db, Printer& printer) {
    return trailhound::run_ip_lookup(db, request.addresses, std::cin, printer, std::cerr);
  });
}

int run_ip_lists(const IpRequest& request) {
  return run_ip(request, Command::IpLists, [&](const intel::IntelDb& db, Printer& printer) {
    trailhound::run_ip_lists(db, printer);
    return 0;
  });
}

int run_rules(const RulesRequest& request) {
  Output output;
  auto printer = open_printer(output, request.output, request.color, request.format,
                              Command::Rules, request.wide);
  if (!printer) return report_error(printer.error());
  Printer& out = **printer;
  out.begin(PrintBegin{Command::Rules, nullptr, false, {}});
  for (const auto& r : detect::rule_catalog()) out.rule(r);
  for (const auto& k : detect::network_kinds()) out.network_kind(k);
  out.end();
  if (auto st = output.finish(); !st) return report_error(st.error());
  return kExitOk;
}

}  // namespace trailhound::app
