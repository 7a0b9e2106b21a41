// Config files: a strict TOML-subset reader, and the check of every key against the flag table.
#include "trailhound/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/escape.hpp"

namespace trailhound::cli {

std::string default_config_path(bool& required) {
  required = false;
  if (const char* p = std::getenv("TRAILHOUND_CONFIG"); p && *p) {
    required = true;  // named on purpose: a missing file must not silently turn rules off
    return p;
  }
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    return std::string(x) + "/trailhound/config.toml";
  }
  if (const char* h = std::getenv("HOME"); h && *h) {
    return std::string(h) + "/.config/trailhound/config.toml";
  }
  return {};
}

namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

/// A cursor over the file that knows its line number.
class Reader {
 public:
  Reader(std::string_view text, std::string path) : text_(text), path_(std::move(path)) {}

  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& path() const { return path_; }

  void advance() {
    if (peek() == '\n') ++line_;
    ++pos_;
  }
  /// Skips spaces and tabs, and a comment up to (not over) the end of the line.
  void skip_blank() {
    while (peek() == ' ' || peek() == '\t') advance();
    if (peek() == '#') {
      while (!done() && peek() != '\n') advance();
    }
  }
  /// Skips blanks, comments and line ends.
  void skip_lines() {
    for (;;) {
      skip_blank();
      if (peek() == '\n' || peek() == '\r') {
        advance();
      } else {
        return;
      }
    }
  }
  [[nodiscard]] Error error(std::string message) const {
    return Error::config(std::move(message), fmt::format("{}:{}", terminal_safe(path_), line_));
  }

 private:
  std::string_view text_;
  std::string path_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

std::string bare_word(Reader& r) {
  std::string out;
  while (is_bare_key_char(r.peek())) {
    out += r.peek();
    r.advance();
  }
  return out;
}

/// One scalar: a string, an integer or a boolean.
Result<std::string> read_scalar(Reader& r, bool& is_bool) {
  is_bool = false;
  const char q = r.peek();
  if (q == '"' || q == '\'') {
    r.advance();
    std::string out;
    for (;;) {
      if (r.done() || r.peek() == '\n') return r.error("a string is not closed");
      const char c = r.peek();
      r.advance();
      if (c == q) break;
      if (c == '\\' && q == '"') {
        const char e = r.peek();
        r.advance();
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          default: return r.error(fmt::format("unknown escape \\{} in a string", e));
        }
        continue;
      }
      out += c;
    }
    return out;
  }
  std::string word;
  while (is_bare_key_char(r.peek()) || r.peek() == '+' || r.peek() == '.') {
    word += r.peek();
    r.advance();
  }
  if (word == "true" || word == "false") {
    is_bool = true;
    return word;
  }
  if (!word.empty() && word.find_first_not_of("0123456789_") == std::string::npos) {
    std::string digits;
    for (char c : word) {
      if (c != '_') digits += c;
    }
    return digits;
  }
  if (word.empty()) return r.error("a value is missing: a \"string\", a number, true, false or [...]");
  return r.error(fmt::format("'{}' is not a value: quote a string (\"{}\")", terminal_safe(word),
                             terminal_safe(word)));
}

Status read_value(Reader& r, ConfigEntry& e) {
  if (r.peek() != '[') {
    auto v = read_scalar(r, e.is_bool);
    if (!v) return std::move(v).error();
    e.values.push_back(std::move(*v));
    return {};
  }
  e.is_array = true;
  r.advance();
  for (;;) {
    r.skip_lines();
    if (r.peek() == ']') break;
    if (r.done()) return r.error("an array is not closed with ]");
    bool is_bool = false;
    auto v = read_scalar(r, is_bool);
    if (!v) return std::move(v).error();
    if (is_bool) e.is_bool = true;
    e.values.push_back(std::move(*v));
    r.skip_lines();
    if (r.peek() == ',') {
      r.advance();
    } else if (r.peek() != ']') {
      return r.error("expected , or ] in an array");
    }
  }
  r.advance();
  return {};
}

std::vector<std::string> section_names() {
  std::vector<std::string> out;
  for (const auto& c : command_table()) {
    if (c.id == kCompletions) continue;
    std::string s(c.name);
    for (char& ch : s) {
      if (ch == ' ') ch = '.';
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> key_names(unsigned commands) {
  std::vector<std::string> out;
  for (const auto& f : flag_table()) {
    if ((f.commands & commands) != 0) out.emplace_back(f.name);
  }
  return out;
}

/// A path value made relative to the config file's folder.
std::string resolve(const Flag& flag, const std::string& value, const std::filesystem::path& base) {
  std::size_t start = 0;
  if (flag.path == PathKind::ListSpec) {
    const std::size_t eq = value.find('=');
    if (eq != std::string::npos && value.find('/') > eq) start = eq + 1;
  }
  const std::string part = value.substr(start);
  if (part.empty() || part == "-" || part[0] == '/' || base.empty()) return value;
  return value.substr(0, start) + (base / part).string();
}

}  // namespace

Result<ConfigFile> parse_config(std::string_view text, std::string path) {
  ConfigFile file;
  file.path = path;
  Reader r(text, std::move(path));
  std::string section;
  std::vector<std::pair<std::string, std::string>> seen;  // (section, key)
  for (;;) {
    r.skip_lines();
    if (r.done()) break;
    if (r.peek() == '[') {
      r.advance();
      if (r.peek() == '[') return r.error("arrays of tables ([[...]]) are not supported");
      r.skip_blank();
      std::string name;
      for (;;) {
        std::string part = bare_word(r);
        if (part.empty()) return r.error("a section name is missing or has a character that is not a-z, 0-9, - or _");
        name += part;
        r.skip_blank();
        if (r.peek() != '.') break;
        name += '.';
        r.advance();
        r.skip_blank();
      }
      if (r.peek() != ']') return r.error(fmt::format("section [{} is not closed with ]", terminal_safe(name)));
      r.advance();
      section = std::move(name);
      file.sections.emplace_back(section, r.line());
    } else {
      ConfigEntry e;
      e.line = r.line();
      e.section = section;
      e.key = bare_word(r);
      if (e.key.empty()) return r.error("expected key = value, or a [section]");
      r.skip_blank();
      if (r.peek() != '=') return r.error(fmt::format("expected = after '{}'", terminal_safe(e.key)));
      r.advance();
      r.skip_blank();
      if (auto s = read_value(r, e); !s) return std::move(s).error();
      std::string key = e.key;
      for (char& c : key) {
        if (c == '_') c = '-';
      }
      for (const auto& [sec, k] : seen) {
        if (sec == section && k == key) return r.error(fmt::format("'{}' is set twice", terminal_safe(e.key)));
      }
      seen.emplace_back(section, key);
      file.entries.push_back(std::move(e));
    }
    r.skip_blank();
    if (r.peek() == '\r') r.advance();
    if (!r.done() && r.peek() != '\n') return r.error("unexpected text after the value");
  }
  return file;
}

Result<std::vector<std::string>> config_flags(const ConfigFile& file, Command command) {
  const std::filesystem::path base = std::filesystem::path(file.path).parent_path();
  const auto at = [&](int line) { return fmt::format("{}:{}", terminal_safe(file.path), line); };
  // A section is a command: [scan], [ip.lookup]. An empty one is checked too.
  for (const auto& [name, line] : file.sections) {
    const CommandInfo* cmd = find_command(name);
    if (cmd == nullptr || cmd->id == kCompletions || name.find(' ') != std::string::npos) {
      return Error::config(fmt::format("unknown section [{}]{}", terminal_safe(name),
                                       did_you_mean(name, section_names(), "[", "]")),
                           at(line));
    }
  }
  std::vector<std::string> top, own;
  for (const auto& e : file.entries) {
    const CommandInfo* section = e.section.empty() ? nullptr : find_command(e.section);
    const unsigned scope = section != nullptr ? section->id : ~0U;
    const Flag* flag = find_flag(e.key);
    if (flag == nullptr || (flag->commands & scope) == 0) {
      std::string key = e.key;
      for (char& c : key) {
        if (c == '_') c = '-';
      }
      const std::string where =
          section != nullptr ? fmt::format(" in [{}]", e.section) : std::string();
      return Error::config(fmt::format("unknown key '{}'{}{}", terminal_safe(e.key), where,
                                       did_you_mean(key, key_names(scope))),
                           at(e.line));
    }
    if ((flag->kind == ValueKind::Switch) != e.is_bool) {
      return Error::config(flag->kind == ValueKind::Switch
                               ? fmt::format("'{}' takes true or false", e.key)
                               : fmt::format("'{}' takes a value, not true or false", e.key),
                           at(e.line));
    }
    if (e.is_array && flag->kind != ValueKind::List) {
      return Error::config(fmt::format("'{}' takes one value, not an array", e.key), at(e.line));
    }
    const bool applies = section != nullptr ? section->id == command : (flag->commands & command);
    std::vector<std::string>& out = section != nullptr ? own : top;
    for (const auto& raw : e.values) {
      auto value = check_value(*flag, raw);
      if (!value) return Error::config(value.error().message, at(e.line) + ": " + e.key);
      if (!applies) continue;
      if (flag->kind == ValueKind::Switch) {
        if (*value == "true") out.push_back(fmt::format("--{}", flag->name));
        continue;
      }
      out.push_back(fmt::format("--{}", flag->name));
      out.push_back(flag->path != PathKind::None ? resolve(*flag, *value, base) : *value);
    }
  }
  top.insert(top.end(), own.begin(), own.end());
  return top;
}

Result<std::vector<std::string>> load_config(const std::string& path, Command command) {
  // A folder opens as a stream that reads nothing: it would pass as an empty config.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::config("is a folder, not a config file", terminal_safe(path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{ErrorKind::Config, "cannot read the config file", terminal_safe(path), errno};
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto file = parse_config(text.str(), path);
  if (!file) return std::move(file).error();
  return config_flags(*file, command);
}

}  // namespace trailhound::cli
