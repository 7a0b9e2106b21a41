// Config files: a strict TOML subset whose keys are the flag table's long names.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trailhound/error.hpp"
#include "trailhound/flags.hpp"

namespace trailhound::cli {

/// One `key = value` line of a config file.
struct ConfigEntry {
  std::string section;  ///< "" at the top level, else "scan", "ip.lookup"...
  std::string key;      ///< as written: fail_on or fail-on
  std::vector<std::string> values;
  bool is_bool = false;
  bool is_array = false;
  int line = 0;
};

/// A parsed config file.
struct ConfigFile {
  std::string path;  ///< as named; relative paths in it are taken from its folder
  std::vector<ConfigEntry> entries;
  std::vector<std::pair<std::string, int>> sections;  ///< every [header] and its line
};

/// Reads `text` as TOML: `key = value` with strings ("..." or '...'), integers, booleans and
/// arrays of those (over several lines too), `[section]` and `[a.b]` headers and # comments.
/// Anything else is an error naming `path` and the line.
[[nodiscard]] Result<ConfigFile> parse_config(std::string_view text, std::string path);

/// Checks every entry against the flag table (unknown sections and keys, value kinds, ranges
/// and choices, with the nearest valid name) and returns the flags for `command`, top-level
/// keys first, then its section's, paths made relative to the file's folder.
[[nodiscard]] Result<std::vector<std::string>> config_flags(const ConfigFile& file,
                                                            Command command);

/// Reads and checks the file at `path` and returns the flags for `command`.
[[nodiscard]] Result<std::vector<std::string>> load_config(const std::string& path,
                                                           Command command);

}  // namespace trailhound::cli
