// Command-line layer: the command tree made from the flag table, argument checks, config files.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "trailhound/app.hpp"
#include "trailhound/flags.hpp"

namespace trailhound::cli {

using app::kExitOk;
using app::kExitUsage;
using app::print_error;

/// One request per command; the one being run is filled by CLI11 from the flag table.
struct RequestSet {
  app::InputRequest timeline, summary;
  app::IntelRequest timeline_intel, summary_intel;  ///< timeline, summary: --geoip only
  app::ScanRequest scan, investigate;
  app::IpRequest ip;
  app::RulesRequest rules;
  std::string shell;   ///< completions
  std::string config;  ///< --config, for --help only: prepare_args takes it out of argv
  /// merge: the partial files, and the output flags (in an InputRequest, as for the commands).
  std::vector<std::string> partials;
  app::InputRequest merge;
  /// The arguments being parsed (after prepare_args): a shard records its settings from them.
  std::vector<std::string> args;
  /// Called with the command's requests just before it runs (merge sets up the replay).
  std::function<void(const Requests&)> before_run;

  /// The requests `command` fills.
  [[nodiscard]] Requests for_command(Command command);
};

/// Adds every command of command_table() to `app`, each with its flags from flag_table(); the
/// command's callback runs it and stores its exit code in `exit_code`.
void build_app(CLI::App& app, RequestSet& requests, int& exit_code);

/// Makes argv (without argv[0]) ready for CLI11: `help X` becomes `X --help`; the command and
/// its long flags are checked against the tables (a typo gets "did you mean"); the config file's
/// flags are put right after the command name, so the command line's own flags win.
[[nodiscard]] Result<std::vector<std::string>> prepare_args(std::vector<std::string> args);

/// The default config file: $TRAILHOUND_CONFIG, else $XDG_CONFIG_HOME/trailhound/config.toml,
/// else ~/.config/trailhound/config.toml. `required` is set when the file must exist (it was
/// named by $TRAILHOUND_CONFIG).
[[nodiscard]] std::string default_config_path(bool& required);

/// The completion script of `shell` (bash, zsh or fish), made from the tables; "" for another.
[[nodiscard]] std::string completion_script(std::string_view shell);

/// Every flag as `name<TAB>short<TAB>kind<TAB>commands<TAB>values`, one a line: the man-page
/// check reads it.
[[nodiscard]] std::string flag_listing();

/// The arguments of `args` (after the command name) that decide a reading command's results,
/// as a shard records them: without the flags that only say how results are printed (those
/// merge takes), --jobs and the shard's own flags.
[[nodiscard]] std::vector<std::string> settings_args(const std::vector<std::string>& args);

/// `trailhound merge`: checks the partials make one run, then runs their command over them.
[[nodiscard]] int run_merge(RequestSet& requests);

/// Writes `text` to standard output: kExitOk, or kExitWrite with the errno text on failure.
[[nodiscard]] int write_stdout(std::string_view text);

}  // namespace trailhound::cli
