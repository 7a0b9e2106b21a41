// trailhound's entry point: checks argv against the flag table, applies the config file, runs a
// command. Exit codes are the app layer's (app::ExitCode).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/decode.hpp"

namespace {

constexpr const char* kUsageHint =
    "Run 'trailhound --help' or 'trailhound COMMAND --help' for usage.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace trailhound::cli;
  CLI::App app{
      "trailhound: forensic analyzer for AWS CloudTrail logs.\n"
      "Reads every CloudTrail export shape (S3 delivery, lookup-events, Lake, CloudWatch Logs,\n"
      "EventBridge, NDJSON), gzipped or not, and answers: what did this principal do, and what\n"
      "here looks malicious?",
      "trailhound"};
  app.set_version_flag("--version", std::string("trailhound " TRAILHOUND_VERSION " (inflate: ") +
                                        std::string(trailhound::inflate_backend()) + ")");
  RequestSet requests;
  int exit_code = kExitOk;
  try {
    build_app(app, requests, exit_code);
    // A typo in a command or flag, or a bad config file, stops here with the nearest name.
    auto args = prepare_args(std::vector<std::string>(argv + 1, argv + argc));
    if (!args) {
      const int code = trailhound::app::report_error(args.error());
      if (args.error().kind == trailhound::ErrorKind::Usage) std::fputs(kUsageHint, stderr);
      return code;
    }
    requests.args = *args;
    std::reverse(args->begin(), args->end());  // CLI11 wants them reversed
    app.parse(*args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::fputs(kUsageHint, stderr);
    return kExitUsage;
  } catch (const std::exception& e) {
    // Stages return errors as values; an exception reaching here is a bug in trailhound.
    print_error(fmt::format("internal error: {}", e.what()));
    return trailhound::app::kExitInternal;
  }
  return exit_code;
}
