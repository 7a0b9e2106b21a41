// Sharded runs: the split of files between shards, --shard parsing, and the partial format.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "trailhound/partial.hpp"

using namespace trailhound;
using namespace trailhound::app;

namespace {

/// An environment of a few variables, as parse_shard reads it.
struct Env {
  std::map<std::string, std::string> vars;
  [[nodiscard]] std::function<const char*(const char*)> fn() const {
    return [this](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

}  // namespace

TEST_CASE("FNV-1a is the published function", "[partial]") {
  // The FNV reference values: the split must not change between builds or machines.
  CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("thousands of S3 keys split evenly between shards", "[partial]") {
  // Keys shaped like a real trail: one account, a few regions, every five minutes for weeks.
  std::vector<std::string> keys;
  const char* regions[] = {"us-east-1", "eu-west-1", "ap-southeast-2"};
  for (int day = 1; day <= 28; ++day) {
    for (int slot = 0; slot < 288; slot += 3) {
      for (const char* region : regions) {
        keys.push_back(fmt::format(
            "AWSLogs/111122223333/CloudTrail/{0}/2026/03/{1:02}/"
            "111122223333_CloudTrail_{0}_202603{1:02}T{2:02}{3:02}Z_{4:016x}.json.gz",
            region, day, slot / 12, slot % 12 * 5, day * 1000 + slot));
      }
    }
  }
  REQUIRE(keys.size() > 8000);
  for (const std::uint32_t n : {2u, 3u, 4u, 7u, 16u, 64u}) {
    std::vector<std::size_t> per(n);
    for (const auto& k : keys) {
      const std::uint32_t s = shard_of(k, n);
      REQUIRE(s < n);
      ++per[s];
    }
    const double mean = double(keys.size()) / n;
    for (std::size_t s = 0; s < n; ++s) {
      INFO("N=" << n << " shard " << s << " has " << per[s] << " files, mean " << mean);
      // Binomial spread: within 5 standard deviations (and 12% for the small N) of the mean.
      const double tolerance = std::max(5 * std::sqrt(mean), 0.12 * mean);
      CHECK(std::abs(double(per[s]) - mean) <= tolerance);
    }
  }
}

TEST_CASE("a file is assigned by its path below its input folder", "[partial]") {
  const std::vector<std::string> roots = {"/mnt/a/logs", "rel/"};
  CHECK(shard_key(InputFile{"/mnt/a/logs/AWSLogs/1/x.json.gz", false, false}, roots) ==
        "AWSLogs/1/x.json.gz");
  CHECK(shard_key(InputFile{"rel/AWSLogs/1/x.json.gz", false, false}, roots) ==
        "AWSLogs/1/x.json.gz");
  // The same key wherever the inputs are mounted, so shards on other machines agree.
  CHECK(shard_of(shard_key(InputFile{"/mnt/a/logs/k", false, false}, roots), 7) ==
        shard_of(shard_key(InputFile{"rel/k", false, false}, roots), 7));
  // A file named on its own is assigned by its name as given.
  CHECK(shard_key(InputFile{"/mnt/a/logs/one.json", false, true}, roots) == "/mnt/a/logs/one.json");
}

TEST_CASE("--shard K/N reads K and N, 0-based", "[partial]") {
  const Env env;
  auto s = parse_shard("2/5", 0, env.fn());
  REQUIRE(s);
  CHECK(s->index == 2);
  CHECK(s->count == 5);
  CHECK_FALSE(parse_shard("5/5", 0, env.fn()));
  CHECK_FALSE(parse_shard("0/0", 0, env.fn()));
  CHECK_FALSE(parse_shard("1", 0, env.fn()));
  CHECK_FALSE(parse_shard("-1/3", 0, env.fn()));
  CHECK_FALSE(parse_shard("1/3x", 0, env.fn()));
  CHECK_FALSE(parse_shard("1/3", 4, env.fn()));  // --shard-count disagrees
}

TEST_CASE("--shard auto reads Slurm's array variables", "[partial]") {
  Env env;
  env.vars = {{"SLURM_ARRAY_TASK_ID", "12"}, {"SLURM_ARRAY_TASK_MIN", "10"},
              {"SLURM_ARRAY_TASK_COUNT", "4"}};
  auto s = parse_shard("auto", 0, env.fn());
  REQUIRE(s);
  CHECK(s->index == 2);
  CHECK(s->count == 4);
  env.vars["SLURM_ARRAY_TASK_ID"] = "9";  // below the minimum
  CHECK_FALSE(parse_shard("auto", 0, env.fn()));
}

TEST_CASE("--shard auto reads Kubernetes and AWS Batch indexes, N from elsewhere", "[partial]") {
  Env env;
  env.vars = {{"JOB_COMPLETION_INDEX", "3"}};
  auto none = parse_shard("auto", 0, env.fn());
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("TRAILHOUND_SHARD_COUNT") != std::string::npos);
  auto flag = parse_shard("auto", 8, env.fn());
  REQUIRE(flag);
  CHECK(flag->index == 3);
  CHECK(flag->count == 8);
  env.vars["TRAILHOUND_SHARD_COUNT"] = "6";
  auto var = parse_shard("auto", 0, env.fn());
  REQUIRE(var);
  CHECK(var->count == 6);
  env.vars = {{"AWS_BATCH_JOB_ARRAY_INDEX", "0"}, {"TRAILHOUND_SHARD_COUNT", "2"}};
  auto batch = parse_shard("auto", 0, env.fn());
  REQUIRE(batch);
  CHECK(batch->index == 0);
  CHECK(batch->count == 2);
  env.vars = {};
  CHECK_FALSE(parse_shard("auto", 3, env.fn()));
}

TEST_CASE("a partial gives back its header, events, problems and totals", "[partial]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("th-partial-{}", ::getpid())).string();
  PartialHeader h;
  h.trailhound_version = TRAILHOUND_VERSION;
  h.command = "scan";
  h.settings = {"logs", "--rules", "sg-ingress-open"};
  h.resolved = "since - until -";
  h.anchor = 1234;
  h.shard = ShardSpec{1, 3};
  h.files = {InputFile{"logs/a", false, false}, InputFile{"logs/b", false, false},
             InputFile{"one.json", false, true}};
  h.pruned = 4;
  {
    PartialWriter w(h);
    const std::string record = R"({"eventName":"RunInstances"})";
    const std::string params = R"({"x":1})";
    EventView e;
    // A field that is a stretch of the record (as the parser's views are) and one that is not.
    e.event_name = std::string_view(record).substr(record.find("RunInstances"), 12);
    e.event_id = "id-1";
    e.time = 1700000000000;
    e.read_only = false;
    e.identity.type = IdentityType::AssumedRole;
    e.identity.arn = "arn:aws:sts::1:assumed-role/r/s";
    e.record = RawJson(std::string_view(record), record.data() + record.size());
    e.request_parameters = RawJson(std::string_view(params), params.data() + params.size());
    e.source.index = 7;
    PartialWriter::ChunkBuilder chunk(w);
    chunk.add(e, 2);
    e.source.index = 8;
    e.event_id = "id-2";
    e.event_name = "Other";
    e.record = RawJson();
    chunk.add(e, 2);
    chunk.flush();
    w.add_problem(PartialProblem{1, false, {"not CloudTrail, skipped"}});
    RunTotals t;
    t.files_read = 1;
    t.records_read = 2;
    REQUIRE(w.write(path, t));
  }
  PartialReader r;
  REQUIRE(r.open(path));
  CHECK(r.header().command == "scan");
  CHECK(r.header().settings == h.settings);
  CHECK(r.header().anchor == 1234);
  CHECK(r.header().shard.index == 1);
  CHECK(r.header().files.size() == 3);
  CHECK(r.header().files[2].explicit_arg);
  CHECK(r.header().pruned == 4);
  REQUIRE(r.peek_file() == 2u);
  auto e1 = r.next_event();
  REQUIRE(e1);
  CHECK((*e1)->event_id == "id-1");
  CHECK((*e1)->event_name == "RunInstances");
  CHECK((*e1)->identity.type == IdentityType::AssumedRole);
  CHECK((*e1)->identity.arn == "arn:aws:sts::1:assumed-role/r/s");
  CHECK((*e1)->read_only == std::optional<bool>(false));
  CHECK((*e1)->source.index == 7);
  CHECK((*e1)->record.text() == R"({"eventName":"RunInstances"})");
  CHECK((*e1)->request_parameters.text() == R"({"x":1})");
  CHECK_FALSE((*e1)->response_elements.present());
  auto e2 = r.next_event();
  REQUIRE(e2);
  CHECK((*e2)->event_id == "id-2");
  CHECK((*e2)->event_name == "Other");
  CHECK_FALSE((*e2)->record.present());
  CHECK((*e2)->request_parameters.text() == R"({"x":1})");
  CHECK_FALSE(r.peek_file());
  std::vector<PartialProblem> problems;
  RunTotals t;
  REQUIRE(r.read_trailer(problems, t));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].file == 1);
  CHECK_FALSE(problems[0].failed);
  CHECK(t.records_read == 2);
  std::filesystem::remove(path);
}

TEST_CASE("a partial with a state gives it back whole, then its keys, problems and totals",
          "[partial]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("th-partial-state-{}", ::getpid()))
          .string();
  PartialHeader h;
  h.trailhound_version = TRAILHOUND_VERSION;
  h.command = "scan";
  h.shard = ShardSpec{0, 2};
  h.files = {InputFile{"logs/a", false, false}};
  std::string state(100000, '\0');
  for (std::size_t i = 0; i < state.size(); ++i) state[i] = static_cast<char>(i * 7 % 251);
  std::string keys(240000, '\0');
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<char>(i * 13 % 241);
  {
    PartialWriter w(h);
    w.set_state(state, keys);
    w.add_problem(PartialProblem{0, true, {"cut short"}});
    RunTotals t;
    t.records_read = 5;
    REQUIRE(w.write(path, t));
  }
  PartialReader r;
  REQUIRE(r.open(path));
  CHECK(r.header().format_version == kPartialVersion);
  CHECK_FALSE(r.peek_file());  // no events
  std::string got;
  std::uint64_t key_bytes = 0;
  REQUIRE(r.read_state(got, key_bytes));
  CHECK(got == state);
  // The keys, in pieces of any size.
  REQUIRE(key_bytes == keys.size());
  std::string read_back;
  for (std::size_t at = 0, n = 1; at < keys.size(); at += n, n = n * 3 + 1) {
    n = std::min(n, keys.size() - at);
    std::string_view piece;
    REQUIRE(r.read_keys(n, piece));
    read_back += piece;
  }
  CHECK(read_back == keys);
  std::vector<PartialProblem> problems;
  RunTotals t;
  REQUIRE(r.read_trailer(problems, t));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].failed);
  CHECK(t.records_read == 5);
  std::filesystem::remove(path);
}

TEST_CASE("a partial of another format version is refused, naming both versions", "[partial]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("th-partial-version-{}", ::getpid()))
          .string();
  for (const std::uint32_t version : {kPartialVersion - 1, kPartialVersion + 1}) {
    PartialHeader h;
    h.format_version = version;
    h.trailhound_version = TRAILHOUND_VERSION;
    h.command = "scan";
    h.files = {InputFile{"logs/a", false, false}};
    {
      PartialWriter w(h);
      w.set_state("state");
      REQUIRE(w.write(path, RunTotals{}));
    }
    PartialReader r;
    const Status opened = r.open(path);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().message ==
          fmt::format("partial format version {}; this trailhound reads version {}", version,
                      kPartialVersion));
  }
  std::filesystem::remove(path);
}
