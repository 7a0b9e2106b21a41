// Discover stage: walks files and folders into a sorted list of inputs, pruning by key time.
#include "trailhound/discover.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace fs = std::filesystem;

std::optional<TimeMs> s3_key_time(std::string_view name) {
  // <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz; the region has no '_'.
  const auto slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  const auto tag = name.find("_CloudTrail_");
  if (tag == std::string_view::npos) return std::nullopt;
  auto rest = name.substr(tag + 12);
  const auto region_end = rest.find('_');
  if (region_end == std::string_view::npos) return std::nullopt;
  rest = rest.substr(region_end + 1);
  if (rest.size() < 14 || rest[8] != 'T' || rest[13] != 'Z') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12}) {
    if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
  }
  const std::string iso = fmt::format("{}-{}-{}T{}:{}:00Z", rest.substr(0, 4), rest.substr(4, 2),
                                      rest.substr(6, 2), rest.substr(9, 2), rest.substr(11, 2));
  return parse_timestamp(iso);
}

bool is_digest_path(std::string_view path) {
  return path.find("CloudTrail-Digest") != std::string_view::npos;
}

bool key_time_may_hold(TimeMs key_time, const TimeWindow& window) {
  if (window.since && key_time < *window.since - kClockSkew) return false;
  if (window.until && key_time >= *window.until + kDeliveryMargin + kClockSkew) return false;
  return true;
}

namespace {

void walk_folder(const fs::path& root, const TimeWindow& window, Discovery& out) {
  // Folders already walked, by device and inode: a symlink cycle ends at the second visit.
  // (One stat per folder; resolving each folder's full path cost a readlink per component.)
  std::set<std::pair<dev_t, ino_t>> visited;
  std::vector<fs::path> stack{root};
  std::vector<std::string> found;
  while (!stack.empty()) {
    const fs::path dir = stack.back();
    stack.pop_back();
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      out.errors.push_back(fmt::format("{}: {}", dir.string(), std::generic_category().message(errno)));
      continue;
    }
    if (!visited.insert({st.st_dev, st.st_ino}).second) continue;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      out.errors.push_back(fmt::format("{}: {}", dir.string(), ec.message()));
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) {
        out.errors.push_back(fmt::format("{}: {}", dir.string(), ec.message()));
        break;
      }
      const fs::path& p = it->path();
      // The entry's own type comes with the listing; only a symlink (or a file system that
      // does not report types) needs a stat to see what it points to.
      std::error_code sec;
      fs::file_type type = fs::file_type::unknown;
      if (it->is_symlink(sec) || sec) {
        sec.clear();
        type = fs::status(p, sec).type();  // follows symlinks
      } else if (it->is_directory(sec)) {
        type = fs::file_type::directory;
      } else if (!sec && it->is_regular_file(sec)) {
        type = fs::file_type::regular;
      }
      if (sec) {
        out.errors.push_back(fmt::format("{}: {}", p.string(), sec.message()));
        continue;
      }
      if (type == fs::file_type::directory) {
        stack.push_back(p);
      } else if (type == fs::file_type::regular) {
        found.push_back(p.string());
      }
    }
  }
  std::sort(found.begin(), found.end());
  for (auto& path : found) {
    if (is_digest_path(path)) {
      ++out.skipped_digest;
      continue;
    }
    if (const auto key = s3_key_time(path); key && !key_time_may_hold(*key, window)) {
      ++out.pruned;
      continue;
    }
    out.files.push_back(InputFile{std::move(path), false, false});
  }
}

}  // namespace

Discovery discover_inputs(const std::vector<std::string>& paths, const TimeWindow& window) {
  Discovery out;
  for (const auto& arg : paths) {
    if (arg == "-") {
      out.files.push_back(InputFile{"-", true, true});
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(arg, ec);
    if (ec || !fs::exists(status)) {
      // Reported when read, so the file table keeps the argument and the totals count it.
      out.files.push_back(InputFile{arg, false, true});
      continue;
    }
    if (fs::is_directory(status)) {
      walk_folder(arg, window, out);
    } else {
      // A file named on the command line is always opened: the user asked for it.
      out.files.push_back(InputFile{arg, false, true});
    }
  }
  return out;
}

}  // namespace trailhound
