// The flag table shared by the subcommands, and the translation of flags into stage settings.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::cli {

void print_error(std::string_view message) {
  std::fputs(fmt::format("trailhound: {}\n", message).c_str(), stderr);
}

void one_value_per_flag(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional()) opt->allow_extra_args(false);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) one_value_per_flag(*sub);
}

void add_input_options(CLI::App& app, InputOptions& o, bool paths_required) {
  auto* paths = app.add_option("paths", o.paths,
                               "files and folders to read (folders recursively; - for stdin)");
  if (paths_required) paths->required();
  app.add_option("--since", o.since,
                 "from this time on: 2024-05-01, 2024-05-01T10:00:00Z, or a span back from "
                 "--until (or now): 90m, 24h, 7d")
      ->group("Window and filters");
  app.add_option("--until", o.until, "before this time (same forms as --since)")
      ->group("Window and filters");
  app.add_option("--user", o.users,
                 "events of this principal: user name, ARN, principalId, role name or ARN, "
                 "assumed-role session name, ROLE/SESSION (repeatable)")
      ->group("Window and filters");
  app.add_option("--access-key", o.access_keys, "events made with this access key id (repeatable)")
      ->group("Window and filters");
  app.add_option("--region", o.regions, "events in this region (repeatable)")
      ->group("Window and filters");
  app.add_option("--event", o.events, "events with this name; * and ? glob (repeatable)")
      ->group("Window and filters");
  app.add_option("--source-ip", o.source_ips, "events from this address or CIDR (repeatable)")
      ->group("Window and filters");
  app.add_flag("--errors-only", o.errors_only, "only events with an errorCode")
      ->group("Window and filters");
  app.add_option("--format", o.format, "output format: text, jsonl, json, csv")
      ->check(CLI::IsMember({"text", "jsonl", "json", "csv"}))
      ->group("Output");
  app.add_option("-o,--output", o.output, "write results to this file instead of stdout")
      ->group("Output");
  app.add_flag("-q,--quiet", o.quiet, "no progress and no notes on stderr (errors still shown)")
      ->group("Output");
  app.add_flag("-v,--verbose", o.verbose, "more notes on stderr (masked CIDRs, list details)")
      ->group("Output");
  app.add_option("-j,--jobs", o.jobs, "worker threads (default: one per core)")
      ->group("Limits and performance");
  app.add_option("--max-file-bytes", o.max_file_bytes,
                 "refuse a file that inflates to more than this many bytes (default 1 GiB)")
      ->group("Limits and performance");
  app.add_option("--max-depth", o.max_depth,
                 "reject a record nested deeper than this (default 256)")
      ->check(CLI::Range(8, 4096))
      ->group("Limits and performance");
  app.add_option("--max-record-bytes", o.max_record_bytes,
                 "reject a record larger than this many bytes (default 64 MiB)")
      ->group("Limits and performance");
}

void add_intel_options(CLI::App& app, IntelOptions& o) {
  app.add_option("--threat-list", o.threat_lists,
                 "threat list NAME=PATH[:FORMAT]; FORMAT plain, txt, stix, otx, fireeye, "
                 "proofpoint, alienvault (detected when left out); a NAME containing 'tor' marks "
                 "Tor exits (repeatable)")
      ->group("IP intelligence");
  app.add_option("--trusted-list", o.trusted_lists,
                 "trusted list NAME=PATH[:FORMAT]: its addresses are never reported as malicious "
                 "(repeatable)")
      ->group("IP intelligence");
  app.add_option("--signin-allowlist", o.signin_allowlists,
                 "file of addresses and CIDRs sign-ins are expected from (repeatable)")
      ->group("IP intelligence");
  app.add_option("--allow-signin", o.allow_signin,
                 "an address or CIDR sign-ins are expected from (repeatable)")
      ->group("IP intelligence");
  app.add_option("--aws-ip-ranges", o.aws_ip_ranges,
                 "AWS ip-ranges.json, to tell AWS's addresses from the rest (repeatable)")
      ->group("IP intelligence");
}

bool build_filter(const InputOptions& o, EventFilter& f, std::string& error) {
  const TimeMs now = now_ms();
  TimeMs anchor = now;
  if (!o.until.empty()) {
    const auto until = parse_time_arg(o.until, now);
    if (!until) {
      error = fmt::format("--until: cannot read '{}' as a time (YYYY-MM-DD, "
                          "YYYY-MM-DDTHH:MM:SSZ, or a span such as 24h)",
                          terminal_safe(o.until));
      return false;
    }
    f.window.until = *until;
    anchor = *until;
  }
  if (!o.since.empty()) {
    const auto since = parse_time_arg(o.since, anchor);
    if (!since) {
      error = fmt::format("--since: cannot read '{}' as a time (YYYY-MM-DD, "
                          "YYYY-MM-DDTHH:MM:SSZ, or a span such as 24h)",
                          terminal_safe(o.since));
      return false;
    }
    f.window.since = *since;
  }
  if (f.window.since && f.window.until && *f.window.since >= *f.window.until) {
    error = fmt::format("the window is empty: --since {} is not before --until {}",
                        format_iso(*f.window.since), format_iso(*f.window.until));
    return false;
  }
  f.users = o.users;
  f.access_keys = o.access_keys;
  f.regions = o.regions;
  f.events = o.events;
  f.errors_only = o.errors_only;
  for (const auto& text : o.source_ips) {
    intel::Prefix p;
    std::string why;
    if (!intel::parse_prefix(text, p, nullptr, &why)) {
      error = fmt::format("--source-ip '{}': {}", terminal_safe(text), why);
      return false;
    }
    f.source_ips.push_back(p);
  }
  return true;
}

RunOptions build_run_options(const InputOptions& o) {
  RunOptions r;
  r.decode.max_inflated = o.max_file_bytes;
  r.parse.max_depth = o.max_depth;
  r.parse.max_record_bytes = o.max_record_bytes;
  const unsigned cores = std::thread::hardware_concurrency();
  r.jobs = o.jobs ? o.jobs : (cores ? cores : 1);
  r.quiet = o.quiet;
  r.progress = !o.quiet && ::isatty(STDERR_FILENO) == 1;
  return r;
}

bool load_intel(const IntelOptions& o, bool verbose, intel::IntelDb& db) {
  const intel::WarningSink warn = [](std::string_view m) {
    print_error(fmt::format("warning: {}", m));
  };
  intel::WarningSink note;
  if (verbose) note = [](std::string_view m) { print_error(fmt::format("note: {}", m)); };
  std::string error;
  auto fail = [&](std::string_view flag) {
    print_error(fmt::format("{}: {}", flag, error));
    return false;
  };
  for (const auto& spec : o.threat_lists) {
    if (!db.add_list(intel::ListRole::Threat, spec, warn, &error, note)) return fail("--threat-list");
  }
  for (const auto& spec : o.trusted_lists) {
    if (!db.add_list(intel::ListRole::Trusted, spec, warn, &error, note)) {
      return fail("--trusted-list");
    }
  }
  for (const auto& spec : o.signin_allowlists) {
    if (!db.add_list(intel::ListRole::SigninAllow, spec, warn, &error, note)) {
      return fail("--signin-allowlist");
    }
  }
  for (const auto& cidr : o.allow_signin) {
    if (!db.add_inline(intel::ListRole::SigninAllow, "allow-signin", cidr, &error)) {
      return fail("--allow-signin");
    }
  }
  for (const auto& path : o.aws_ip_ranges) {
    if (!db.load_aws_ranges(path, warn, &error)) return fail("--aws-ip-ranges");
  }
  return true;
}

bool Output::open(const std::string& path, std::string& error) {
  if (path.empty() || path == "-") {
    color_ = use_color(STDOUT_FILENO);
    return true;
  }
  auto f = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*f) {
    error = fmt::format("-o {}: cannot create the file", terminal_safe(path));
    return false;
  }
  file_ = std::move(f);
  return true;
}

std::ostream& Output::stream() { return file_ ? *file_ : std::cout; }

bool Output::finish() {
  stream().flush();
  return static_cast<bool>(stream());
}

bool prepare_run(const InputOptions& o, PreparedRun& p) {
  std::string error;
  if (!build_filter(o, p.filter, error)) {
    print_error(error);
    return false;
  }
  p.format = *parse_output_format(o.format);
  p.run = build_run_options(o);
  Discovery d = discover_inputs(o.paths, p.filter.window);
  for (const auto& e : d.errors) print_error(e);
  p.files = std::move(d.files);
  p.pruned = d.pruned;
  p.skipped = d.skipped_digest;
  if (!p.output.open(o.output, error)) {
    print_error(error);
    return false;
  }
  return true;
}

int finish_run(Output& output, const RunTotals& totals) {
  if (!output.finish()) {
    print_error("writing the results failed");
    return kExitIncomplete;
  }
  return totals.incomplete() ? kExitIncomplete : kExitOk;
}

}  // namespace trailhound::cli
