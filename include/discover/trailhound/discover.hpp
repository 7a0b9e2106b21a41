// Discover stage: turns the paths on the command line into the ordered list of files to read.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trailhound/model.hpp"

namespace trailhound {

/// One input to read: a file found on disk, or standard input.
struct InputFile {
  std::string path;      ///< as given or as found under a given folder; "-" for stdin
  bool is_stdin = false;
  bool explicit_arg = false;  ///< named on the command line (not found by walking a folder)
};

/// The file table of a run: index → path, as events refer to files by index.
using FileTable = std::vector<InputFile>;

/// What discovery found: files to read, in a stable order, and what it passed over.
struct Discovery {
  std::vector<InputFile> files;
  std::uint64_t skipped_digest = 0;  ///< CloudTrail-Digest files
  std::uint64_t pruned = 0;          ///< files whose S3 key time is outside the window
  std::vector<std::string> errors;   ///< "PATH: reason" for paths that could not be walked
};

/// The time window [since, until) used to prune files by name; unset ends are open.
struct TimeWindow {
  std::optional<TimeMs> since;
  std::optional<TimeMs> until;
  [[nodiscard]] bool contains(TimeMs t) const {
    return (!since || t >= *since) && (!until || t < *until);
  }
};

/// The delivery time in a CloudTrail S3 key name,
/// `<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz`, when the name has one.
[[nodiscard]] std::optional<TimeMs> s3_key_time(std::string_view file_name);

/// True for a CloudTrail digest file name (`..._CloudTrail-Digest_...`) or a path under a
/// `CloudTrail-Digest` folder.
[[nodiscard]] bool is_digest_path(std::string_view path);

/// CloudTrail delivers an event in a file written up to about 15 minutes after the call, so
/// an event at time t sits in a file whose key time K is in [t, t + 15 min]. A file may hold
/// events of [since, until) only if K is in [since, until + margin); a few minutes of clock
/// skew are allowed on both sides.
inline constexpr TimeMs kDeliveryMargin = 15 * 60 * 1000;
inline constexpr TimeMs kClockSkew = 5 * 60 * 1000;

/// True when a file with S3 key time `key_time` may hold events inside `window`.
[[nodiscard]] bool key_time_may_hold(TimeMs key_time, const TimeWindow& window);

/// Walks `paths` (files, folders recursively, "-" for stdin). Folders are walked in sorted
/// order; symlinked folders are followed once (cycles are detected). Files under a folder
/// whose key time shows they cannot hold events in `window` are pruned, not opened.
[[nodiscard]] Discovery discover_inputs(const std::vector<std::string>& paths,
                                        const TimeWindow& window);

}  // namespace trailhound
