// Tests of duplicate records (src/app/duplicates.cpp and the commands that drop copies).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "trailhound/app.hpp"
#include "trailhound/bytes.hpp"
#include "trailhound/duplicates.hpp"
#include "../../src/app/record_hash.hpp"

using namespace trailhound;
using trailhound::app::DuplicateIndex;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Each shard's saved keys as a stream that hands them out in the pieces asked for, as a
/// partial's reader does.
std::vector<app::KeyStream> key_streams(const std::vector<std::string>& keys) {
  std::vector<app::KeyStream> out;
  for (const std::string& k : keys) {
    auto at = std::make_shared<std::size_t>(0);
    out.push_back(app::KeyStream{k.size(), [&k, at](std::size_t n, std::string_view& got) {
                                   if (*at + n > k.size()) return false;
                                   got = std::string_view(k).substr(*at, n);
                                   *at += n;
                                   return true;
                                 }});
  }
  return out;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/trailhound_dup_test_" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

const std::string kRecord1 =
    R"({"eventTime":"2026-03-14T10:00:00Z","eventName":"A","eventID":"e1",)"
    R"("userIdentity":{"type":"IAMUser","userName":"alice"}})";
const std::string kRecord2 =
    R"({"eventTime":"2026-03-14T10:01:00Z","eventName":"B","eventID":"e2",)"
    R"("userIdentity":{"type":"IAMUser","userName":"alice"}})";
const std::string kNoId =
    R"({"eventTime":"2026-03-14T10:02:00Z","eventName":"C",)"
    R"("userIdentity":{"type":"IAMUser","userName":"alice"}})";

/// Runs a command over the two trails' files with `jobs` workers; its jsonl output.
template <class Run>
std::string run_jsonl(Run run, unsigned jobs, bool keep, const std::vector<std::string>& paths) {
  app::InputRequest in;
  in.paths = paths;
  in.format = "jsonl";
  in.jobs = jobs;
  in.quiet = true;
  in.keep_duplicates = keep;
  in.output = "/tmp/trailhound_dup_test_out.jsonl";
  REQUIRE(run(in, app::IntelRequest{}) == 0);
  return read_all(in.output);
}

}  // namespace

TEST_CASE("the earliest copy of an event is kept, whatever order the copies come in",
          "[app][duplicates]") {
  DuplicateIndex index;
  CHECK(index.observe("e1", "{same}", SourceRef{3, 7}));
  CHECK_FALSE(index.observe("e1", "{same}", SourceRef{1, 9}));
  CHECK_FALSE(index.observe("e1", "{same}", SourceRef{2, 0}));
  CHECK(index.kept("e1", SourceRef{1, 9}));
  CHECK_FALSE(index.kept("e1", SourceRef{3, 7}));
  CHECK_FALSE(index.kept("e1", SourceRef{2, 0}));
  CHECK(index.duplicates() == 2);
}

TEST_CASE("shards' indexes saved and loaded make the index of one run over all the files",
          "[app][duplicates][shards]") {
  // The run's table has files 0..5. Shard A reads files 1, 3 and 4 (its own indexes 0, 1, 2),
  // shard B files 0, 2 and 5: copies of e1 are in both, copies of e2 within A only.
  struct Copy {
    const char* id;
    const char* record;
    std::uint32_t file;  // in the run's table
    std::uint32_t index;
  };
  const std::vector<Copy> copies = {{"e1", "{same}", 3, 7}, {"e1", "{same}", 2, 1},
                                    {"e1", "{same}", 5, 0}, {"e2", "{x}", 1, 4},
                                    {"e2", "{x}", 4, 2},    {"e3", "{y}", 0, 0},
                                    {"e1", "{other}", 4, 9}};
  const std::vector<std::uint32_t> files_a = {1, 3, 4}, files_b = {0, 2, 5};
  DuplicateIndex single, a, b;
  auto local = [](const std::vector<std::uint32_t>& files, std::uint32_t file) {
    for (std::uint32_t i = 0; i < files.size(); ++i) {
      if (files[i] == file) return std::optional<std::uint32_t>(i);
    }
    return std::optional<std::uint32_t>();
  };
  for (const Copy& c : copies) {
    (void)single.observe(c.id, c.record, SourceRef{c.file, c.index});
    if (auto f = local(files_a, c.file)) (void)a.observe(c.id, c.record, SourceRef{*f, c.index});
    if (auto f = local(files_b, c.file)) (void)b.observe(c.id, c.record, SourceRef{*f, c.index});
  }
  std::string saved;
  std::vector<std::string> keys(2);
  ByteWriter out(saved);
  a.save(out, keys[0], files_a);
  b.save(out, keys[1], files_b);
  CHECK(keys[0].size() == 3 * 24);  // e1 {same}, e1 {other}, e2
  DuplicateIndex merged;
  ByteReader in(saved);
  REQUIRE(merged.load(in));
  REQUIRE(merged.load(in));
  CHECK(in.done());
  auto streams = key_streams(keys);
  REQUIRE_FALSE(merged.join(streams));
  CHECK(merged.duplicates() == single.duplicates());
  CHECK(merged.duplicates() == 3);
  for (const Copy& c : copies) {
    INFO(c.id << " at " << c.file << ':' << c.index);
    CHECK(merged.kept(c.id, SourceRef{c.file, c.index}) ==
          single.kept(c.id, SourceRef{c.file, c.index}));
  }
  CHECK(merged.kept("e1", SourceRef{2, 1}));
  CHECK_FALSE(merged.kept("e1", SourceRef{3, 7}));
  // A cut save is refused: the copies in the state, and the keys.
  for (std::size_t cut = 1; cut < saved.size() / 2; ++cut) {
    DuplicateIndex partial;
    ByteReader short_in(std::string_view(saved).substr(0, cut));
    CHECK_FALSE(partial.load(short_in));
  }
  for (std::size_t cut = 1; cut < keys[0].size(); cut += 5) {
    std::vector<std::string> short_keys = {keys[0].substr(0, cut), keys[1]};
    auto cut_streams = key_streams(short_keys);
    cut_streams[0].bytes = keys[0].size();  // more than there are
    DuplicateIndex partial;
    CHECK(partial.join(cut_streams) == std::optional<std::size_t>(0));
  }
}

TEST_CASE("a merge of many shards' sorted keys keeps the copies one run keeps",
          "[app][duplicates][shards]") {
  // 5 shards over 40 files; 30,000 events (more keys a shard than the merge reads in one
  // piece), a third delivered two to four times into files of any shard (so copies meet
  // within a shard and across shards, in every order), and some eventIDs shared by records
  // of different text.
  constexpr std::uint32_t kFiles = 40, kShards = 5;
  std::uint64_t rng = 12345;
  auto next = [&](std::uint64_t n) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (rng >> 33) % n;
  };
  struct Copy {
    std::string id, record;
    std::uint32_t file, index;
  };
  std::vector<Copy> copies;
  std::vector<std::uint32_t> next_index(kFiles, 0);
  for (int e = 0; e < 30000; ++e) {
    const std::string id = "id-" + std::to_string(e % 27000);  // 3,000 ids name two events
    const std::string record = "{r" + std::to_string(e) + "}";
    const int n = next(3) == 0 ? 2 + static_cast<int>(next(3)) : 1;
    for (int c = 0; c < n; ++c) {
      const auto file = static_cast<std::uint32_t>(next(kFiles));
      copies.push_back({id, record, file, next_index[file]++});
    }
  }
  // Observed in a shuffled order, as workers would.
  for (std::size_t i = copies.size(); i > 1; --i) std::swap(copies[i - 1], copies[next(i)]);
  auto shard_of = [](std::uint32_t file) { return (file * 7 + 3) % kShards; };
  std::vector<std::vector<std::uint32_t>> files(kShards);  // each shard's files, in run order
  for (std::uint32_t f = 0; f < kFiles; ++f) files[shard_of(f)].push_back(f);
  auto local = [&](std::uint32_t file) {
    const auto& list = files[shard_of(file)];
    return static_cast<std::uint32_t>(std::find(list.begin(), list.end(), file) - list.begin());
  };
  DuplicateIndex single;
  std::vector<std::unique_ptr<DuplicateIndex>> shards;
  for (std::uint32_t k = 0; k < kShards; ++k) shards.push_back(std::make_unique<DuplicateIndex>());
  for (const Copy& c : copies) {
    (void)single.observe(c.id, c.record, SourceRef{c.file, c.index});
    (void)shards[shard_of(c.file)]->observe(c.id, c.record, SourceRef{local(c.file), c.index});
  }
  std::string saved;
  std::vector<std::string> keys(kShards);
  ByteWriter out(saved);
  for (std::uint32_t k = 0; k < kShards; ++k) shards[k]->save(out, keys[k], files[k]);
  DuplicateIndex merged;
  ByteReader in(saved);
  for (std::uint32_t k = 0; k < kShards; ++k) REQUIRE(merged.load(in));
  REQUIRE(in.done());
  auto streams = key_streams(keys);
  REQUIRE_FALSE(merged.join(streams));
  REQUIRE(single.duplicates() > 5000);
  for (const std::string& k : keys) REQUIRE(k.size() > 4096 * 24);
  CHECK(merged.duplicates() == single.duplicates());
  std::size_t differ = 0, kept = 0;
  for (const Copy& c : copies) {
    const bool want = single.kept(c.id, SourceRef{c.file, c.index});
    differ += merged.kept(c.id, SourceRef{c.file, c.index}) != want ? 1 : 0;
    kept += want ? 1 : 0;
  }
  CHECK(differ == 0);
  CHECK(kept + single.duplicates() == copies.size());
}

TEST_CASE("a shard's keys out of order are refused", "[app][duplicates][shards]") {
  DuplicateIndex a;
  for (std::uint32_t i = 0; i < 50; ++i) {
    (void)a.observe("id-" + std::to_string(i), "{r}", SourceRef{0, i});
  }
  std::string saved;
  std::vector<std::string> keys(1);
  ByteWriter out(saved);
  a.save(out, keys[0], {});
  REQUIRE(keys[0].size() == 50 * 24);
  DuplicateIndex good;
  auto streams = key_streams(keys);
  CHECK_FALSE(good.join(streams));
  // The first two keys swapped.
  std::swap_ranges(keys[0].begin(), keys[0].begin() + 24, keys[0].begin() + 24);
  DuplicateIndex refused;
  auto bad = key_streams(keys);
  CHECK(refused.join(bad) == std::optional<std::size_t>(0));
}

TEST_CASE("records with one eventID but different text are two events", "[app][duplicates]") {
  DuplicateIndex index;
  CHECK(index.observe("e1", "{one}", SourceRef{0, 0}));
  CHECK(index.observe("e1", "{two}", SourceRef{1, 0}));
  CHECK(index.kept("e1", SourceRef{0, 0}));
  CHECK(index.kept("e1", SourceRef{1, 0}));
  CHECK(index.duplicates() == 0);
}

TEST_CASE("records without an eventID are never copies", "[app][duplicates]") {
  DuplicateIndex index;
  CHECK(index.observe("", "{same}", SourceRef{0, 0}));
  CHECK(index.observe("", "{same}", SourceRef{1, 0}));
  CHECK(index.kept("", SourceRef{1, 0}));
  CHECK(index.duplicates() == 0);
}

TEST_CASE("a disabled index keeps every copy", "[app][duplicates]") {
  DuplicateIndex index(false);
  CHECK(index.observe("e1", "{same}", SourceRef{0, 0}));
  CHECK(index.observe("e1", "{same}", SourceRef{1, 0}));
  CHECK(index.kept("e1", SourceRef{1, 0}));
  CHECK(index.duplicates() == 0);
}

TEST_CASE("the index holds many events as its tables grow", "[app][duplicates]") {
  DuplicateIndex index;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    REQUIRE(index.observe("id-" + std::to_string(i), "{r}", SourceRef{1, i}));
  }
  for (std::uint32_t i = 0; i < 20000; i += 2) {
    REQUIRE_FALSE(index.observe("id-" + std::to_string(i), "{r}", SourceRef{0, i}));
  }
  CHECK(index.duplicates() == 10000);
  CHECK(index.kept("id-2", SourceRef{0, 2}));
  CHECK_FALSE(index.kept("id-2", SourceRef{1, 2}));
  CHECK(index.kept("id-3", SourceRef{1, 3}));
}

TEST_CASE("two trails' copies count once, with the same output for one or two workers",
          "[app][duplicates]") {
  // Same records in both files, in another order; the copies in the first path (acct.json,
  // whatever the order given) are kept.
  const auto org = write_file("org.json", "{\"Records\":[" + kRecord1 + "," + kRecord2 + "," + kNoId + "]}");
  const auto acct = write_file("acct.json", "{\"Records\":[" + kRecord2 + "," + kNoId + "," + kRecord1 + "]}");
  const std::vector<std::string> paths = {org, acct};
  for (auto run : {&app::run_timeline, &app::run_summary}) {
    const std::string one = run_jsonl(run, 1, false, paths);
    const std::string two = run_jsonl(run, 2, false, paths);
    CHECK(one == two);
    CHECK(one.find("\"duplicates\":2,\"matched\":4") != std::string::npos);
  }
  const std::string timeline = run_jsonl(&app::run_timeline, 2, false, paths);
  CHECK(timeline.find("trailhound_dup_test_org.json\",\"index\":0") == std::string::npos);
  CHECK(timeline.find("trailhound_dup_test_org.json\",\"index\":1") == std::string::npos);
  CHECK(timeline.find("trailhound_dup_test_org.json\",\"index\":2") != std::string::npos);
  CHECK(timeline.find("trailhound_dup_test_acct.json\",\"index\":0") != std::string::npos);

  const std::string kept = run_jsonl(&app::run_timeline, 2, true, paths);
  CHECK(kept.find("\"duplicates\":0,\"matched\":6") != std::string::npos);
  std::remove(org.c_str());
  std::remove(acct.c_str());
}

// The duplicate index keys on record_hash, which takes XXH3's AVX2 kernel on long texts
// where the CPU has it: both kernels must give one value, or two workers on one machine (or a
// saved result and a rerun) would disagree about which records are copies.
TEST_CASE("record_hash gives one value whichever XXH3 kernel computes it", "[duplicates]") {
  std::string text;
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (std::size_t n = 0; n <= 4100; n += (n < 300 ? 1 : 37)) {
    while (text.size() < n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text.push_back(static_cast<char>(state >> 56));
    }
    const std::string_view view(text.data(), n);
    const std::uint64_t h = trailhound::app::record_hash(view);
    if (__builtin_cpu_supports("avx2")) REQUIRE(trailhound::app::record_hash_avx2(view) == h);
    // One byte changed changes the hash.
    if (n > 0) {
      std::string other(view);
      other[n / 2] = static_cast<char>(other[n / 2] ^ 1);
      REQUIRE(trailhound::app::record_hash(other) != h);
    }
  }
  // A known value: XXH3_64bits of "" with seed 0 (the xxHash reference's test vector).
  REQUIRE(trailhound::app::record_hash("") == 0x2D06800538D394C2ULL);
}
