// The command tree: CLI11 subcommands and options made from the command and flag tables, and
// the checks on argv that CLI11 does not make (a typo gets the nearest name).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/config.hpp"
#include "trailhound/escape.hpp"

namespace trailhound::cli {

Requests RequestSet::for_command(Command command) {
  switch (command) {
    case kTimeline: return {.input = &timeline, .intel = &timeline_intel};
    case kSummary: return {.input = &summary, .intel = &summary_intel};
    case kScan:
      return {.input = &scan.input, .intel = &scan.intel, .detect = &scan.detect, .scan = &scan};
    case kInvestigate:
      return {.input = &investigate.input,
              .intel = &investigate.intel,
              .detect = &investigate.detect,
              .scan = &investigate};
    case kRules: return {.rules = &rules};
    case kIpLookup:
    case kIpLists: return {.intel = &ip.intel, .ip = &ip};
    case kMerge: return {.input = &merge};
    case kCompletions: break;
  }
  return {};
}

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string help_text(const Flag& f) {
  if (f.kind != ValueKind::Choice) return std::string(f.help);
  return fmt::format("{}: {}", f.help, fmt::join(f.choices(), ", "));
}

/// Adds one flag of the table to `cmd`, storing into the request `r` names.
void add_flag(CLI::App& cmd, const Flag& f, const Requests& r) {
  const std::string names = f.short_name != 0 ? fmt::format("-{},--{}", f.short_name, f.name)
                                              : fmt::format("--{}", f.name);
  const std::string help = help_text(f);
  CLI::Option* opt = std::visit(
      Overloaded{
          [&](bool* p) { return cmd.add_flag(names, *p, help); },
          [&](app::ColorMode* p) {
            return cmd.add_option_function<std::string>(
                names,
                [p](const std::string& s) {
                  *p = s == "always"  ? app::ColorMode::Always
                       : s == "never" ? app::ColorMode::Never
                                      : app::ColorMode::Auto;
                },
                help);
          },
          [&](auto* p) { return cmd.add_option(names, *p, help); },
      },
      f.target(r));
  opt->group(std::string(f.group));
  if (f.takes_value()) opt->type_name(std::string(f.value_name));
  if (f.delimiter != 0) opt->delimiter(f.delimiter);
  if (f.max > f.min) opt->check(CLI::Range(f.min, f.max));
  if (f.kind == ValueKind::Size) {
    // 256M becomes 268435456 before CLI11 reads it as a number.
    opt->transform(CLI::Validator(
        [&f](std::string& value) -> std::string {
          auto checked = check_value(f, value);
          if (!checked) return checked.error().message;
          value = *checked;
          return {};
        },
        "", ""));
  }
  if (f.kind == ValueKind::Choice) {
    opt->transform(CLI::Validator(
        [&f](std::string& value) -> std::string {
          auto checked = check_value(f, value);
          if (checked) {
            value = *checked;
            return {};
          }
          // An unknown severity is left to the app layer, which names it in its own words.
          return f.case_insensitive ? std::string() : checked.error().message;
        },
        "", ""));
  }
}

void add_positionals(CLI::App& cmd, Command id, RequestSet& rs) {
  if ((id & kReading) != 0) {
    cmd.add_option("paths", rs.for_command(id).input->paths,
                   "files and folders to read (folders recursively; - for stdin)")
        ->required();
  } else if (id == kIpLookup) {
    cmd.add_option("addresses", rs.ip.addresses, "addresses to look up; - reads stdin");
  } else if (id == kMerge) {
    cmd.add_option("partials", rs.partials, "the partial files of every shard (--partial-out)")
        ->required();
  } else if (id == kCompletions) {
    cmd.add_option("shell", rs.shell, "bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  }
}

int run_command(Command id, RequestSet& rs) {
  const Requests r = rs.for_command(id);
  if ((id & kReading) != 0) r.input->settings = settings_args(rs.args);
  if (rs.before_run) rs.before_run(r);
  switch (id) {
    case kTimeline: return app::run_timeline(rs.timeline, rs.timeline_intel);
    case kSummary: return app::run_summary(rs.summary, rs.summary_intel);
    case kScan: return app::run_scan(rs.scan);
    case kInvestigate: return app::run_investigate(rs.investigate);
    case kRules: return app::run_rules(rs.rules);
    case kIpLookup: return app::run_ip_lookup(rs.ip);
    case kIpLists: return app::run_ip_lists(rs.ip);
    case kCompletions: return write_stdout(completion_script(rs.shell));
    case kMerge: return run_merge(rs);
  }
  return app::kExitInternal;
}

/// Makes every repeatable flag take one value per use (`--user a --user b`), so that a flag's
/// value is never followed by a path that it would swallow.
void one_value_per_flag(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional()) opt->allow_extra_args(false);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) one_value_per_flag(*sub);
}

std::size_t first_word(const std::vector<std::string>& args, std::size_t from) {
  for (std::size_t i = from; i < args.size(); ++i) {
    if (args[i] == "--") return args.size();
    if (args[i].empty() || args[i][0] != '-') return i;
  }
  return args.size();
}

/// Takes --config FILE (or --config=FILE) out of `args`: it may stand before or after the
/// command name.
Result<std::string> take_config(std::vector<std::string>& args, bool& named) {
  std::string path;
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == "--") break;
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) return Error::usage("needs a file", "--config");
      path = args[i + 1];
      named = true;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                 args.begin() + static_cast<std::ptrdiff_t>(i + 2));
    } else if (args[i].rfind("--config=", 0) == 0) {
      path = args[i].substr(9);
      named = true;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return path;
}

/// Checks the long flags after the command against the table, so a typo gets the nearest name.
Status check_flags(const std::vector<std::string>& args, std::size_t from, const CommandInfo& cmd) {
  std::vector<std::string> known = {"--help"};
  for (const auto& f : flag_table()) {
    if ((f.commands & cmd.id) != 0) known.push_back(fmt::format("--{}", f.name));
  }
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) continue;
    const std::string flag = a.substr(0, a.find('='));
    if (std::find(known.begin(), known.end(), flag) == known.end()) {
      return Error::usage(fmt::format("'{}' has no flag {}{}", cmd.name, terminal_safe(flag),
                                      did_you_mean(flag, known)));
    }
    const Flag* f = find_flag(flag.substr(2));
    if (f != nullptr && f->takes_value() && a.find('=') == std::string::npos) ++i;  // its value
  }
  return {};
}

}  // namespace

void build_app(CLI::App& app, RequestSet& rs, int& exit_code) {
  app.require_subcommand(1);
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Taken out of argv by prepare_args; declared here for --help.
  app.add_option("--config", rs.config,
                 "read flags from this TOML file (default: $TRAILHOUND_CONFIG, "
                 "$XDG_CONFIG_HOME/trailhound/config.toml, ~/.config/trailhound/config.toml)");
  CLI::App* ip = nullptr;
  for (const auto& c : command_table()) {
    CLI::App* parent = &app;
    std::string name(c.name);
    if (name.rfind("ip ", 0) == 0) {
      if (ip == nullptr) {
        ip = app.add_subcommand("ip", "ask the loaded IP lists and AWS ranges about addresses");
        ip->require_subcommand(1);
      }
      parent = ip;
      name = name.substr(3);
    }
    CLI::App* cmd = parent->add_subcommand(name, std::string(c.help));
    add_positionals(*cmd, c.id, rs);
    const Requests r = rs.for_command(c.id);
    for (const auto& f : flag_table()) {
      if ((f.commands & c.id) != 0) add_flag(*cmd, f, r);
    }
    cmd->callback([&rs, &exit_code, id = c.id] { exit_code = run_command(id, rs); });
  }
  // `help X` is rewritten to `X --help` before parsing; listed here so --help shows it.
  app.add_subcommand("help", "usage of trailhound, or of one command: help COMMAND");
  // The flag table as text, for the man-page check; not for users.
  app.add_subcommand("__flags", "")
      ->group("")
      ->callback([&exit_code] { exit_code = write_stdout(flag_listing()); });
  one_value_per_flag(app);
}

Result<std::vector<std::string>> prepare_args(std::vector<std::string> args) {
  bool named = false;
  auto config = take_config(args, named);
  if (!config) return std::move(config).error();

  std::size_t at = first_word(args, 0);
  if (at < args.size() && args[at] == "help") {
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(at));
    args.emplace_back("--help");
    at = first_word(args, 0);
  }
  if (at >= args.size() || args[at] == "__flags") return args;  // CLI11 answers

  std::string name = args[at];
  std::size_t end = at + 1;
  std::vector<std::string> names = {"help"};
  for (const auto& c : command_table()) names.emplace_back(c.name);
  if (name == "ip") {
    const std::size_t sub = first_word(args, end);
    if (sub >= args.size()) return args;  // CLI11 says a subcommand is required
    name += " " + args[sub];
    end = sub + 1;
  }
  const CommandInfo* cmd = find_command(name);
  if (cmd == nullptr || name.find('.') != std::string::npos) {
    return Error::usage(
        fmt::format("unknown command '{}'{}", terminal_safe(name), did_you_mean(name, names)));
  }
  if (auto s = check_flags(args, end, *cmd); !s) return std::move(s).error();

  std::string path = *config;
  bool required = named;
  if (!named) path = default_config_path(required);
  std::error_code ec;
  if (path.empty() || (!required && !std::filesystem::exists(path, ec))) return args;
  auto flags = load_config(path, cmd->id);
  if (!flags) return std::move(flags).error();
  // Config flags come first, so the command line's own flags (later) take precedence.
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(end), flags->begin(), flags->end());
  return args;
}

std::vector<std::string> settings_args(const std::vector<std::string>& args) {
  // Not results: how they are printed (what merge takes), the threads, the shard itself.
  auto neutral = [](const Flag* f) {
    if (f == nullptr) return false;
    return (f->commands & kMerge) != 0 || f->name == "jobs" || f->name == "shard" ||
           f->name == "shard-count" || f->name == "partial-out";
  };
  std::vector<std::string> out;
  std::size_t i = first_word(args, 0);
  if (i < args.size()) ++i;  // the command name
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    const Flag* f = nullptr;
    bool inline_value = false;
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      const auto eq = a.find('=');
      f = find_flag(a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
      inline_value = eq != std::string::npos;
    } else if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
      for (const auto& flag : flag_table()) {
        if (flag.short_name == a[1]) f = &flag;
      }
      // -j4: the value is in the word; -qv: every letter a switch.
      inline_value = f != nullptr && f->takes_value() && a.size() > 2;
      if (f != nullptr && !f->takes_value() && a.size() > 2) {
        bool all = true;
        for (std::size_t c = 1; c < a.size(); ++c) {
          const Flag* g = nullptr;
          for (const auto& flag : flag_table()) {
            if (flag.short_name == a[c]) g = &flag;
          }
          all = all && neutral(g) && !g->takes_value();
        }
        if (!all) f = nullptr;
      }
    }
    if (!neutral(f)) {
      out.push_back(a);
      continue;
    }
    if (f->takes_value() && !inline_value) ++i;  // and its value
  }
  return out;
}

int run_merge(RequestSet& rs) {
  auto set = app::open_partials(rs.partials);
  if (!set) return app::report_error(set.error());
  const app::PartialHeader& h = set->header();
  const CommandInfo* cmd = find_command(h.command);
  if (cmd == nullptr || (cmd->id & kReading) == 0) {
    return app::report_error(Error::usage(
        fmt::format("the partials are of a command merge does not know: '{}'",
                    terminal_safe(h.command)),
        terminal_safe(rs.partials.front())));
  }
  // The shards' command, parsed from the settings they recorded, runs over their events; the
  // output flags are the merge's own.
  CLI::App inner{"trailhound", "trailhound"};
  RequestSet inner_requests;
  int code = kExitOk;
  build_app(inner, inner_requests, code);
  const app::InputRequest& out = rs.merge;
  inner_requests.before_run = [&](const Requests& r) {
    app::InputRequest& in = *r.input;
    in.format = out.format;
    in.output = out.output;
    in.ocsf_raw = out.ocsf_raw;
    in.wide = out.wide;
    in.color = out.color;
    in.quiet = out.quiet;
    in.verbose = out.verbose;
    in.jobs = 1;
    in.shard.clear();
    in.shard_count = 0;
    in.partial_out.clear();
    in.now = h.anchor;
    in.replay = &*set;
  };
  std::vector<std::string> args{h.command};
  args.insert(args.end(), h.settings.begin(), h.settings.end());
  std::reverse(args.begin(), args.end());
  try {
    inner.parse(args);
  } catch (const CLI::ParseError& e) {
    return app::report_error(Error::usage(
        fmt::format("the partials' settings cannot be read: {}", e.what()),
        terminal_safe(rs.partials.front())));
  }
  return code;
}

std::string flag_listing() {
  std::string out;
  for (const auto& f : flag_table()) {
    std::vector<std::string> cmds;
    for (const auto& c : command_table()) {
      if ((f.commands & c.id) != 0) cmds.emplace_back(c.name);
    }
    const std::string values = f.choices != nullptr ? fmt::format("{}", fmt::join(f.choices(), ","))
                                                    : std::string();
    out += fmt::format("{}\t{}\t{}\t{}\t{}\n", f.name, f.short_name != 0 ? std::string(1, f.short_name) : "",
                       f.value_name, fmt::join(cmds, ","), values);
  }
  return out;
}

int write_stdout(std::string_view text) {
  errno = 0;
  const bool ok =
      std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
  if (ok) return kExitOk;
  return app::report_error(Error::write("writing the results failed", "standard output", errno));
}

}  // namespace trailhound::cli
