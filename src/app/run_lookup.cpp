// `ip lookup`, `ip lists` and `rules`: commands that read no CloudTrail file.
#include <iostream>

#include <fmt/format.h>

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
  auto sigma = load_sigma(request.sigma, request.sigma_placeholders, nullptr);
  if (!sigma) return report_error(sigma.error());
  // The Sigma rules as `rules` lists them: text owned here, while printing.
  std::vector<std::string> text;
  std::vector<detect::RuleInfo> sigma_rows;
  if (*sigma) {
    const auto& metas = (*sigma)->rules();
    text.reserve(metas.size() * 4);
    for (const auto& m : metas) {
      detect::RuleInfo info;
      text.push_back("sigma:" + m.id);
      info.id = text.back();
      info.severity = m.level;
      info.events = m.file;
      info.title = m.title;
      info.status = m.status;
      text.push_back(fmt::format("{}", fmt::join(m.tags, ", ")));
      info.tags = text.back();
      info.author = m.author;
      text.push_back(fmt::format("{}", fmt::join(m.references, ", ")));
      info.references = text.back();
      if (!m.refused.empty()) {
        text.push_back(fmt::format("{}: {}", m.skipped ? "skipped" : "refused", m.refused));
        info.refused = text.back();
      }
      info.needs = "--sigma";
      sigma_rows.push_back(info);
    }
  }
  Output output;
  auto printer = open_printer(output, request.output, request.color, request.format,
                              Command::Rules, request.wide);
  if (!printer) return report_error(printer.error());
  Printer& out = **printer;
  out.begin(PrintBegin{Command::Rules, nullptr, false, {}});
  for (const auto& r : detect::rule_catalog()) out.rule(r);
  for (const auto& r : sigma_rows) out.rule(r);
  for (const auto& k : detect::network_kinds()) out.network_kind(k);
  out.end();
  if (auto st = output.finish(); !st) return report_error(st.error());
  return kExitOk;
}

}  // namespace trailhound::app
