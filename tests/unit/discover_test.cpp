// Tests for src/discover/discover.cpp: S3 key times, digest names, pruning margins, folder walks.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "trailhound/discover.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;
namespace fs = std::filesystem;

namespace {

constexpr TimeMs kMinute = 60 * 1000;

TimeMs at(const char* iso) {
  const auto t = parse_timestamp(iso);
  REQUIRE(t);
  return *t;
}

/// A fresh folder under the system temp folder, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "th-discover-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  /// Creates `rel` (and its folders) holding `content`; gives its full path.
  std::string file(const std::string& rel, const std::string& content = "{}") const {
    const fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  fs::path path_;
};

std::vector<std::string> paths_of(const Discovery& d) {
  std::vector<std::string> out;
  for (const auto& f : d.files) out.push_back(f.path);
  return out;
}

}  // namespace

TEST_CASE("the S3 key time is read from a real-style CloudTrail file name", "[discover]") {
  CHECK(s3_key_time("111122223333_CloudTrail_us-east-1_20260314T1005Z_abc123.json.gz") ==
        at("2026-03-14T10:05:00Z"));
  CHECK(s3_key_time("653711331788_CloudTrail_us-east-1_20181128T2235Z_cR9ra7OH1rytWyXY.json.gz") ==
        at("2018-11-28T22:35:00Z"));
  CHECK(s3_key_time("111122223333_CloudTrail_ap-northeast-1_20240101T0000Z_x.json") ==
        at("2024-01-01T00:00:00Z"));
}

TEST_CASE("the S3 key time is read from the file name part of a path", "[discover]") {
  CHECK(s3_key_time("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/"
                    "111122223333_CloudTrail_us-east-1_20260314T1005Z_abc123.json.gz") ==
        at("2026-03-14T10:05:00Z"));
  CHECK(s3_key_time("/var/logs/o-abc/111122223333/CloudTrail/eu-west-2/2026/12/31/"
                    "111122223333_CloudTrail_eu-west-2_20261231T2355Z_Q.json.gz") ==
        at("2026-12-31T23:55:00Z"));
  // a folder that looks like a key name does not lend its time to a file that does not
  CHECK_FALSE(s3_key_time("111122223333_CloudTrail_us-east-1_20260314T1005Z_abc/events.json"));
}

TEST_CASE("names that are not CloudTrail key names have no key time", "[discover]") {
  for (const char* name : {"events.json", "", "CloudTrail.json.gz",
                           "111122223333_CloudTrail_us-east-1.json.gz",
                           "111122223333_CloudTrail_us-east-1_2026031T1005Z_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_20260314-1005Z_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_20260314T1005_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_2026O314T1005Z_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_20261314T1005Z_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_20260230T1005Z_abc.json.gz",
                           "111122223333_CloudTrail_us-east-1_20260314T2505Z_abc.json.gz",
                           "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_"
                           "20260314T100000Z.json.gz"}) {
    INFO("name: " << name);
    CHECK_FALSE(s3_key_time(name));
  }
}

TEST_CASE("digest files are told by name or by folder", "[discover]") {
  CHECK(is_digest_path(
      "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260314T100000Z.json.gz"));
  CHECK(is_digest_path("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/14/x.json.gz"));
  CHECK_FALSE(is_digest_path("111122223333_CloudTrail_us-east-1_20260314T1005Z_abc.json.gz"));
  CHECK_FALSE(is_digest_path("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/x.json.gz"));
  CHECK_FALSE(is_digest_path(""));
}

TEST_CASE("an open window holds every key time", "[discover]") {
  CHECK(key_time_may_hold(0, TimeWindow{}));
  CHECK(key_time_may_hold(at("2026-03-14T10:05:00Z"), TimeWindow{}));
  CHECK(key_time_may_hold(-1, TimeWindow{}));
}

TEST_CASE("a file written up to 5 minutes of skew before --since may hold events",
          "[discover]") {
  // Header rule: K must be in [since - skew, until + margin + skew).
  const TimeMs since = at("2026-03-14T10:00:00Z");
  const TimeWindow w{since, std::nullopt};
  CHECK(key_time_may_hold(since, w));
  CHECK(key_time_may_hold(since + 1, w));
  CHECK(key_time_may_hold(since - kClockSkew, w));
  CHECK_FALSE(key_time_may_hold(since - kClockSkew - 1, w));
  CHECK_FALSE(key_time_may_hold(since - 6 * kMinute, w));
  CHECK(kClockSkew == 5 * kMinute);
}

TEST_CASE("a file written up to 15 minutes of delivery plus 5 of skew after --until may hold "
          "events",
          "[discover]") {
  const TimeMs until = at("2026-03-14T11:00:00Z");
  const TimeWindow w{std::nullopt, until};
  CHECK(kDeliveryMargin == 15 * kMinute);
  CHECK(key_time_may_hold(until - 1, w));
  CHECK(key_time_may_hold(until, w));
  CHECK(key_time_may_hold(until + kDeliveryMargin, w));
  CHECK(key_time_may_hold(until + kDeliveryMargin + kClockSkew - 1, w));
  CHECK_FALSE(key_time_may_hold(until + kDeliveryMargin + kClockSkew, w));
  CHECK_FALSE(key_time_may_hold(until + 21 * kMinute, w));
}

TEST_CASE("both window margins apply together", "[discover]") {
  const TimeMs since = at("2026-03-14T10:00:00Z");
  const TimeMs until = at("2026-03-14T10:01:00Z");
  const TimeWindow w{since, until};
  CHECK_FALSE(key_time_may_hold(since - kClockSkew - 1, w));
  CHECK(key_time_may_hold(since - kClockSkew, w));
  CHECK(key_time_may_hold(until + 19 * kMinute, w));
  CHECK_FALSE(key_time_may_hold(until + 20 * kMinute, w));
}

TEST_CASE("a folder is walked recursively in sorted path order", "[discover]") {
  TempDir tmp;
  const auto c = tmp.file("c.json");
  const auto b2 = tmp.file("b/2.json");
  const auto a1 = tmp.file("a/1.json");
  const auto a3 = tmp.file("a/sub/3.json");
  const auto a0 = tmp.file("a/0.json.gz");
  fs::create_directories(tmp.path() / "empty" / "deeper");
  const Discovery d = discover_inputs({tmp.path().string()}, TimeWindow{});
  CHECK(paths_of(d) == std::vector<std::string>{a0, a1, a3, b2, c});
  CHECK(d.skipped_digest == 0);
  CHECK(d.pruned == 0);
  CHECK(d.errors.empty());
  for (const auto& f : d.files) {
    CHECK_FALSE(f.explicit_arg);
    CHECK_FALSE(f.is_stdin);
  }
}

TEST_CASE("digest files found in a folder are skipped and counted", "[discover]") {
  TempDir tmp;
  const auto keep = tmp.file(
      "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/"
      "111122223333_CloudTrail_us-east-1_20260314T1005Z_abc.json.gz");
  tmp.file("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/14/"
           "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260314T100000Z.json.gz");
  tmp.file("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/14/other.json.gz");
  tmp.file("loose/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260314T110000Z.json.gz");
  const Discovery d = discover_inputs({tmp.path().string()}, TimeWindow{});
  CHECK(paths_of(d) == std::vector<std::string>{keep});
  CHECK(d.skipped_digest == 3);
}

TEST_CASE("files whose key time is outside the window are pruned by name", "[discover]") {
  TempDir tmp;
  const std::string dir = "AWSLogs/1/CloudTrail/us-east-1/2026/03/14/";
  auto key = [&](const char* stamp) {
    return tmp.file(dir + "111122223333_CloudTrail_us-east-1_" + stamp + "_x.json.gz");
  };
  key("20260314T0954Z");                      // since - 6 min: pruned
  const auto k0955 = key("20260314T0955Z");   // since - 5 min: kept (skew)
  const auto k1030 = key("20260314T1030Z");   // inside
  const auto k1119 = key("20260314T1119Z");   // until + 19 min: kept (margin + skew)
  key("20260314T1120Z");                      // until + 20 min: pruned
  key("20260315T0000Z");                      // next day: pruned
  const auto plain = tmp.file(dir + "not-a-key-name.json");  // no key time: always kept
  TimeWindow w{at("2026-03-14T10:00:00Z"), at("2026-03-14T11:00:00Z")};
  const Discovery d = discover_inputs({tmp.path().string()}, w);
  CHECK(paths_of(d) == std::vector<std::string>{k0955, k1030, k1119, plain});
  CHECK(d.pruned == 3);
}

TEST_CASE("a file named on the command line is never pruned or skipped by name",
          "[discover]") {
  TempDir tmp;
  const auto old = tmp.file("111122223333_CloudTrail_us-east-1_20200101T0000Z_x.json.gz");
  TimeWindow w{at("2026-03-14T10:00:00Z"), at("2026-03-14T11:00:00Z")};
  const Discovery d = discover_inputs({old}, w);
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].path == old);
  CHECK(d.files[0].explicit_arg);
  CHECK(d.pruned == 0);
}

TEST_CASE("a missing path is kept as an explicit file to be reported when read",
          "[discover]") {
  TempDir tmp;
  const std::string missing = (tmp.path() / "no-such-file.json").string();
  const Discovery d = discover_inputs({missing}, TimeWindow{});
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].path == missing);
  CHECK(d.files[0].explicit_arg);
  CHECK_FALSE(d.files[0].is_stdin);
  CHECK(d.errors.empty());
}

TEST_CASE("a dash names standard input", "[discover]") {
  const Discovery d = discover_inputs({"-"}, TimeWindow{});
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].path == "-");
  CHECK(d.files[0].is_stdin);
  CHECK(d.files[0].explicit_arg);
}

TEST_CASE("arguments keep their command-line order", "[discover]") {
  TempDir tmp;
  const auto z = tmp.file("z.json");
  const auto a = tmp.file("dir/a.json");
  const auto b = tmp.file("dir/b.json");
  const Discovery d = discover_inputs({z, (tmp.path() / "dir").string(), "-"}, TimeWindow{});
  CHECK(paths_of(d) == std::vector<std::string>{z, a, b, "-"});
  CHECK(d.files[0].explicit_arg);
  CHECK_FALSE(d.files[1].explicit_arg);
}

TEST_CASE("a symlink cycle ends and lists each file once", "[discover]") {
  TempDir tmp;
  const auto f1 = tmp.file("a/1.json");
  const auto f2 = tmp.file("b/2.json");
  const auto f0 = tmp.file("0.json");
  fs::create_directory_symlink("..", tmp.path() / "a" / "loop");  // a/loop -> the root
  fs::create_directory_symlink(".", tmp.path() / "b" / "self");   // b/self -> b
  const Discovery d = discover_inputs({tmp.path().string()}, TimeWindow{});
  const auto found = paths_of(d);
  CHECK(found.size() == 3);
  std::set<std::string> names;
  for (const auto& p : found) names.insert(fs::path(p).filename().string());
  CHECK(names == std::set<std::string>{"0.json", "1.json", "2.json"});
  CHECK(std::is_sorted(found.begin(), found.end()));
  CHECK(found == std::vector<std::string>{f0, f1, f2});
}

TEST_CASE("a symlinked folder outside the tree is followed", "[discover]") {
  TempDir outside;
  TempDir tmp;
  const auto real = outside.file("x/evt.json");
  tmp.file("local.json");
  fs::create_directory_symlink(outside.path() / "x", tmp.path() / "linked");
  const Discovery d = discover_inputs({tmp.path().string()}, TimeWindow{});
  CHECK(paths_of(d) == std::vector<std::string>{(tmp.path() / "linked" / "evt.json").string(),
                                                (tmp.path() / "local.json").string()});
}

TEST_CASE("a dangling symlink inside a folder is not listed", "[discover]") {
  TempDir tmp;
  const auto ok = tmp.file("ok.json");
  fs::create_symlink(tmp.path() / "gone.json", tmp.path() / "dangling.json");
  const Discovery d = discover_inputs({tmp.path().string()}, TimeWindow{});
  CHECK(paths_of(d) == std::vector<std::string>{ok});
}
