// Command-line layer: the flag table shared by the subcommands, config files, exit codes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "trailhound/app.hpp"

namespace trailhound::cli {

using app::kExitOk;
using app::kExitUsage;
using app::print_error;

/// Adds the input flags (paths, window, filters, output, limits) to `app`.
void add_input_options(CLI::App& app, app::InputRequest& options, bool paths_required = true);
/// Adds the IP-intelligence flags to `app`.
void add_intel_options(CLI::App& app, app::IntelRequest& options);

/// Makes every repeatable flag take one value per use (`--user a --user b`), so that a flag's
/// value is never followed by a path that it would swallow.
void one_value_per_flag(CLI::App& app);

/// Registers `timeline` and `summary`; the callback stores the exit code in `exit_code`.
void register_timeline_commands(CLI::App& app, int& exit_code);
/// Registers `ip lookup` and `ip lists`.
void register_ip_commands(CLI::App& app, int& exit_code);
/// Registers `scan`, `investigate` and `rules`.
void register_scan_commands(CLI::App& app, int& exit_code);

/// Injects the keys of the config file (--config FILE, else the default location) as flags of
/// the subcommand being run. Returns false (with `error`) when the file cannot be read.
[[nodiscard]] bool apply_config_file(const CLI::App& app, std::vector<std::string>& args,
                                     std::string& error);

/// The default config file: $TRAILHOUND_CONFIG, else $XDG_CONFIG_HOME/trailhound/config.toml,
/// else ~/.config/trailhound/config.toml.
[[nodiscard]] std::string default_config_path();

}  // namespace trailhound::cli
