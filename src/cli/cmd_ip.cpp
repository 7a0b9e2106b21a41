// `ip lookup` and `ip lists`: ask the IP-intelligence stage directly.
#include "trailhound/cli.hpp"

namespace trailhound::cli {

void register_ip_commands(CLI::App& app, int& exit_code) {
  auto* ip = app.add_subcommand("ip", "ask the loaded IP lists and AWS ranges about addresses");
  ip->require_subcommand(1);

  auto state = std::make_shared<app::IpRequest>();
  auto add_common = [state](CLI::App& cmd) {
    add_intel_options(cmd, state->intel);
    cmd.add_option("--format", state->format, "output format: text, jsonl, json, csv")
        ->check(CLI::IsMember({"text", "jsonl", "json", "csv"}))
        ->group("Output");
    cmd.add_flag("-v,--verbose", state->verbose, "notes on masked CIDRs while loading lists")
        ->group("Output");
  };

  auto* lookup = ip->add_subcommand(
      "lookup",
      "print, per address, every list and prefix holding it, whether a trusted list overrides, "
      "and AWS's service and region (addresses from the arguments, or stdin with - or none)");
  add_common(*lookup);
  lookup->add_option("addresses", state->addresses, "addresses to look up; - reads stdin");
  lookup->callback([state, &exit_code] { exit_code = app::run_ip_lookup(*state); });

  auto* lists = ip->add_subcommand("lists", "summarise the loaded lists and AWS ranges files");
  add_common(*lists);
  lists->callback([state, &exit_code] { exit_code = app::run_ip_lists(*state); });
}

}  // namespace trailhound::cli
