// Config files: keys of a TOML/INI file become flags of the subcommand being run.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/escape.hpp"

namespace trailhound::cli {

std::string default_config_path() {
  if (const char* p = std::getenv("TRAILHOUND_CONFIG"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    return std::string(x) + "/trailhound/config.toml";
  }
  if (const char* h = std::getenv("HOME"); h && *h) {
    return std::string(h) + "/.config/trailhound/config.toml";
  }
  return {};
}

namespace {

/// The subcommand chain named in `args` (reversed argv), e.g. {scan} or {ip, lookup}, and the
/// position in `args` right after the last of them (where injected flags go).
std::vector<const CLI::App*> find_subcommands(const CLI::App& app,
                                              const std::vector<std::string>& args,
                                              std::size_t& insert_at) {
  std::vector<const CLI::App*> chain;
  const CLI::App* current = &app;
  insert_at = args.size();
  for (std::size_t i = args.size(); i-- > 0;) {
    const std::string& a = args[i];
    if (a.empty() || a[0] == '-') continue;
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : current->get_subcommands([](const CLI::App*) { return true; })) {
      if (s->get_name() == a) sub = s;
    }
    if (!sub) {
      if (chain.empty()) continue;  // a value of a root flag such as --config FILE
      break;
    }
    chain.push_back(sub);
    current = sub;
    insert_at = i;  // flags go after this token: before it in the reversed vector
  }
  return chain;
}

}  // namespace

bool apply_config_file(const CLI::App& app, std::vector<std::string>& args, std::string& error) {
  // --config FILE (or --config=FILE) anywhere on the command line wins over the default.
  // The flag is taken out here, so that it may stand before or after the command name.
  std::string path;
  bool explicit_path = false;
  for (std::size_t i = args.size(); i-- > 0;) {
    if (args[i] == "--config") {
      if (i == 0) {
        error = "--config needs a file";
        return false;
      }
      path = args[i - 1];
      explicit_path = true;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i - 1),
                 args.begin() + static_cast<std::ptrdiff_t>(i + 1));
      --i;
    } else if (args[i].rfind("--config=", 0) == 0) {
      path = args[i].substr(9);
      explicit_path = true;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (!explicit_path) {
    path = default_config_path();
    std::error_code ec;
    if (path.empty() || !std::filesystem::exists(path, ec)) return true;
  }
  std::ifstream in(path);
  if (!in) {
    error = fmt::format("--config {}: cannot read the file", terminal_safe(path));
    return false;
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::ParseError& e) {
    error = fmt::format("{}: {}", terminal_safe(path), e.what());
    return false;
  }
  std::size_t insert_at = 0;
  const auto chain = find_subcommands(app, args, insert_at);
  if (chain.empty()) return true;  // no command: CLI11 reports that
  const CLI::App* sub = chain.back();
  std::vector<std::string> injected;  // in argv order
  for (const auto& item : items) {
    // A key applies when it sits at the top level or under a section naming this command
    // ([scan], [ip.lookup]); other sections belong to other commands.
    if (!item.parents.empty()) {
      std::vector<std::string> names;
      for (const auto* c : chain) names.push_back(c->get_name());
      if (item.parents != names) continue;
    }
    const CLI::Option* opt = sub->get_option_no_throw("--" + item.name);
    if (opt == nullptr) {
      if (item.parents.empty()) continue;  // a top-level key for other commands
      error = fmt::format("{}: [{}] has no flag --{}", terminal_safe(path),
                          sub->get_name(), terminal_safe(item.name));
      return false;
    }
    if (opt->get_type_size() == 0) {  // a flag
      if (!item.inputs.empty() && (item.inputs[0] == "true" || item.inputs[0] == "1")) {
        injected.push_back("--" + item.name);
      }
      continue;
    }
    for (const auto& value : item.inputs) {
      injected.push_back("--" + item.name);
      injected.push_back(value);
    }
  }
  // Config flags come first, so the command line's own flags (later) take precedence.
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(insert_at), injected.rbegin(),
              injected.rend());
  return true;
}

}  // namespace trailhound::cli
