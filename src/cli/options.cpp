// The flag table shared by the subcommands, and the translation of flags into stage settings.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "trailhound/cli.hpp"

namespace trailhound::cli {

void one_value_per_flag(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional()) opt->allow_extra_args(false);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) one_value_per_flag(*sub);
}

void add_input_options(CLI::App& app, app::InputRequest& o, bool paths_required) {
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

void add_intel_options(CLI::App& app, app::IntelRequest& o) {
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

}  // namespace trailhound::cli
