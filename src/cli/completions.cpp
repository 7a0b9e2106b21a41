// Shell completion scripts for bash, zsh and fish, made from the command and flag tables.
#include <fmt/format.h>

#include "trailhound/cli.hpp"

namespace trailhound::cli {
namespace {

const std::vector<std::string_view> kShells = {"bash", "zsh", "fish"};

std::string words(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, " ")); }

/// The values a flag completes to: its choices, or "" (a file, or free text).
std::string value_words(const Flag& f) { return f.choices != nullptr ? words(f.choices()) : ""; }

std::vector<std::string> flags_of(Command id) {
  std::vector<std::string> out;
  for (const auto& f : flag_table()) {
    if ((f.commands & id) == 0) continue;
    if (f.short_name != 0) out.push_back(fmt::format("-{}", f.short_name));
    out.push_back(fmt::format("--{}", f.name));
  }
  out.emplace_back("--help");
  return out;
}

std::vector<std::string> top_words() {
  std::vector<std::string> out;
  for (const auto& c : command_table()) {
    const std::string first(c.name.substr(0, c.name.find(' ')));
    if (out.empty() || out.back() != first) out.push_back(first);
  }
  out.emplace_back("help");
  return out;
}

/// A help line as one single-quoted shell word's contents (no quote, no newline).
std::string quoted(std::string_view text, std::string_view quote_escape) {
  std::string out;
  for (char c : text) {
    if (c == '\'') {
      out += quote_escape;
    } else {
      out += c;
    }
  }
  return out;
}

std::string bash() {
  std::string s =
      "# bash completion for trailhound; made by `trailhound completions bash`\n"
      "_trailhound() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i w\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=${COMP_WORDS[i]}\n"
      "    case $w in\n"
      "      --config) ((i++)) ;;\n"
      "      -*) ;;\n"
      "      *) if [[ -z $cmd ]]; then cmd=$w; elif [[ $cmd == ip ]]; then cmd=\"ip $w\"; fi ;;\n"
      "    esac\n"
      "  done\n"
      "  case $prev in\n"
      "    --config) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  for (const auto& f : flag_table()) {
    if (!f.takes_value()) continue;
    std::string pattern = fmt::format("--{}", f.name);
    if (f.short_name != 0) pattern = fmt::format("-{}|{}", f.short_name, pattern);
    std::string action;
    if (f.choices != nullptr) {
      action = fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", value_words(f));
    } else if (f.path != PathKind::None) {
      action = "COMPREPLY=($(compgen -f -- \"$cur\"))";
    } else {
      action = "COMPREPLY=()";
    }
    s += fmt::format("    {}) {}; return ;;\n", pattern, action);
  }
  s += "  esac\n  case $cmd in\n";
  s += fmt::format("    '') COMPREPLY=($(compgen -W \"{} --config --help --version\" -- \"$cur\")) ;;\n",
                   words(top_words()));
  s += "    ip) COMPREPLY=($(compgen -W \"lookup lists --help\" -- \"$cur\")) ;;\n";
  s += fmt::format("    help) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n", words(top_words()));
  for (const auto& c : command_table()) {
    std::string rest;
    if (c.id == kCompletions) {
      rest = "compgen -W \"bash zsh fish\" -- \"$cur\"";
    } else if (c.id == kRules || c.id == kIpLists) {
      rest = "true";
    } else {
      rest = "compgen -f -- \"$cur\"";
    }
    s += fmt::format(
        "    '{}') if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"));"
        " else COMPREPLY=($({})); fi ;;\n",
        c.name, words(flags_of(c.id)), rest);
  }
  s += "  esac\n}\ncomplete -o filenames -F _trailhound trailhound\n";
  return s;
}

/// zsh's _arguments spec of one flag: '--format[output format]:FORMAT:(text jsonl)'.
std::string zsh_spec(const Flag& f) {
  std::string help;
  for (char c : f.help) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') help += '\\';
    help += c;
  }
  help = quoted(help, "'\\''");
  std::string value;
  if (f.takes_value()) {
    const std::string action = f.choices != nullptr ? fmt::format("({})", value_words(f))
                               : f.path != PathKind::None ? "_files"
                                                          : " ";
    value = fmt::format(":{}:{}", f.value_name, action);
  }
  const std::string repeat = f.kind == ValueKind::List ? "*" : "";
  if (f.short_name == 0) return fmt::format("'{}--{}[{}]{}'", repeat, f.name, help, value);
  return fmt::format("'{}'{{-{},--{}}}'[{}]{}'", repeat, f.short_name, f.name, help, value);
}

std::string zsh() {
  std::string s =
      "#compdef trailhound\n"
      "# zsh completion for trailhound; made by `trailhound completions zsh`\n"
      "_trailhound() {\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const auto& c : command_table()) {
    if (c.name.find(' ') != std::string_view::npos) continue;
    s += fmt::format("    '{}:{}'\n", c.name, quoted(c.help, "'\\''"));
  }
  s += "    'ip:ask the loaded IP lists and AWS ranges about addresses'\n"
       "    'help:usage of trailhound, or of one command'\n"
       "  )\n"
       "  if (( CURRENT == 2 )); then _describe command commands; return; fi\n"
       "  local cmd=${words[2]}\n"
       "  shift words; (( CURRENT-- ))\n"
       "  if [[ $cmd == ip ]]; then\n"
       "    if (( CURRENT == 2 )); then compadd lookup lists; return; fi\n"
       "    cmd=\"ip ${words[2]}\"; shift words; (( CURRENT-- ))\n"
       "  fi\n"
       "  case $cmd in\n";
  s += fmt::format("    help) compadd {} ;;\n", words(top_words()));
  for (const auto& c : command_table()) {
    s += fmt::format("    '{}')\n      _arguments -s \\\n", c.name);
    for (const auto& f : flag_table()) {
      if ((f.commands & c.id) != 0) s += fmt::format("        {} \\\n", zsh_spec(f));
    }
    if (c.id == kCompletions) {
      s += "        '1:shell:(bash zsh fish)'\n";
    } else if (c.id == kRules || c.id == kIpLists) {
      s += "        '--help[usage]'\n";
    } else {
      s += "        '*:path:_files'\n";
    }
    s += "      ;;\n";
  }
  s += "  esac\n}\n_trailhound \"$@\"\n";
  return s;
}

std::string fish() {
  std::string s =
      "# fish completion for trailhound; made by `trailhound completions fish`\n"
      "complete -c trailhound -f\n";
  for (const auto& c : command_table()) {
    if (c.name.find(' ') != std::string_view::npos) continue;
    s += fmt::format("complete -c trailhound -n __fish_use_subcommand -a {} -d '{}'\n", c.name,
                     quoted(c.help, "\\'"));
  }
  s += "complete -c trailhound -n __fish_use_subcommand -a ip -d 'ask the loaded IP lists and AWS "
       "ranges about addresses'\n"
       "complete -c trailhound -n __fish_use_subcommand -a help -d 'usage of one command'\n"
       "complete -c trailhound -n '__fish_seen_subcommand_from ip; and not "
       "__fish_seen_subcommand_from lookup lists' -a 'lookup lists'\n"
       "complete -c trailhound -n '__fish_seen_subcommand_from completions' -a 'bash zsh fish'\n"
       "complete -c trailhound -l config -r -F -d 'read flags from this TOML file'\n";
  for (const auto& c : command_table()) {
    const std::string last(c.name.substr(c.name.rfind(' ') + 1));
    const std::string cond = fmt::format("__fish_seen_subcommand_from {}", last);
    if ((c.id & kReading) != 0) {
      s += fmt::format("complete -c trailhound -n '{}' -F\n", cond);
    }
    for (const auto& f : flag_table()) {
      if ((f.commands & c.id) == 0) continue;
      std::string line = fmt::format("complete -c trailhound -n '{}' -l {}", cond, f.name);
      if (f.short_name != 0) line += fmt::format(" -s {}", f.short_name);
      if (f.choices != nullptr) {
        line += fmt::format(" -x -a '{}'", value_words(f));
      } else if (f.path != PathKind::None) {
        line += " -r -F";
      } else if (f.takes_value()) {
        line += " -x";
      }
      s += fmt::format("{} -d '{}'\n", line, quoted(f.help, "\\'"));
    }
  }
  return s;
}

}  // namespace

std::string completion_script(std::string_view shell) {
  if (shell == kShells[0]) return bash();
  if (shell == kShells[1]) return zsh();
  if (shell == kShells[2]) return fish();
  return {};
}

}  // namespace trailhound::cli
