// trailhound's entry point: builds the command table, applies the config file, runs a command.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/decode.hpp"

int main(int argc, char** argv) {
  using namespace trailhound::cli;
  int exit_code = kExitOk;
  CLI::App app{
      "trailhound: forensic analyzer for AWS CloudTrail logs.\n"
      "Reads every CloudTrail export shape (S3 delivery, lookup-events, Lake, CloudWatch Logs,\n"
      "EventBridge, NDJSON), gzipped or not, and answers: what did this principal do, and what\n"
      "here looks malicious?",
      "trailhound"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("trailhound " TRAILHOUND_VERSION " (inflate: ") +
                                        std::string(trailhound::inflate_backend()) + ")");
  std::string config_path;
  app.add_option("--config", config_path,
                 "read flags from this TOML/INI file (default: $TRAILHOUND_CONFIG, "
                 "$XDG_CONFIG_HOME/trailhound/config.toml, ~/.config/trailhound/config.toml)");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  register_timeline_commands(app, exit_code);
  register_scan_commands(app, exit_code);
  register_ip_commands(app, exit_code);
  one_value_per_flag(app);

  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);  // CLI11 wants them reversed
  std::string config_error;
  if (!apply_config_file(app, args, config_error)) {
    print_error(config_error);
    return kExitUsage;
  }
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::fputs("Run 'trailhound --help' or 'trailhound COMMAND --help' for usage.\n", stderr);
    return kExitUsage;
  } catch (const std::exception& e) {
    // Stages return errors as values; an exception reaching here is a bug in trailhound.
    print_error(fmt::format("internal error: {}", e.what()));
    return trailhound::app::kExitInternal;
  }
  return exit_code;
}
