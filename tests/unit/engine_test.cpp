// Tests of the run (src/app/engine.cpp): typed sinks, totals, and a worker's exception.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "trailhound/engine.hpp"

using namespace trailhound;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/trailhound_engine_test_" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

const std::string kTwoRecords =
    R"({"Records":[{"eventTime":"2026-03-14T10:00:00Z","eventName":"A"},)"
    R"({"eventTime":"2026-03-14T10:01:00Z","eventName":"B"}]})";

/// Counts events; throws on an event named "Boom".
class CountingSink final : public EventSink {
 public:
  void on_event(const EventView& e) override {
    if (e.event_name == "Boom") throw std::runtime_error("sink refused the event");
    ++events;
  }
  int events = 0;
};

}  // namespace

TEST_CASE("run_files gives back the sinks it made, typed, one per worker", "[app][engine]") {
  const FileTable files = {{write_file("a.json", kTwoRecords), false, true},
                           {write_file("b.json", kTwoRecords), false, true}};
  RunOptions options;
  options.jobs = 2;
  options.quiet = true;
  std::vector<std::unique_ptr<CountingSink>> sinks;
  const std::function<std::unique_ptr<CountingSink>()> make = [] {
    return std::make_unique<CountingSink>();
  };
  const RunTotals t = run_files(files, options, make, sinks);
  REQUIRE(sinks.size() == 2);
  CHECK(sinks[0]->events + sinks[1]->events == 4);
  CHECK(t.files_read == 2);
  CHECK(t.records_read == 4);
  CHECK(t.records_used == 4);
}

TEST_CASE("a worker's exception fails that file and the run goes on", "[app][engine]") {
  const std::string boom =
      R"({"Records":[{"eventTime":"2026-03-14T10:00:00Z","eventName":"Boom"}]})";
  const FileTable files = {{write_file("boom.json", boom), false, true},
                           {write_file("good.json", kTwoRecords), false, true}};
  RunOptions options;
  options.jobs = 1;
  options.quiet = true;
  std::vector<std::unique_ptr<CountingSink>> sinks;
  const std::function<std::unique_ptr<CountingSink>()> make = [] {
    return std::make_unique<CountingSink>();
  };
  const RunTotals t = run_files(files, options, make, sinks);
  CHECK(t.files_failed == 1);
  CHECK(t.files_read == 1);
  CHECK(sinks[0]->events == 2);
  CHECK(t.incomplete());
}

TEST_CASE("worker_count is --jobs, at most one per file, at least one", "[app][engine]") {
  RunOptions options;
  options.jobs = 8;
  CHECK(worker_count(FileTable(3), options) == 3);
  CHECK(worker_count(FileTable{}, options) == 1);
  options.jobs = 0;
  CHECK(worker_count(FileTable(3), options) == 1);
}

namespace {

/// A plain NDJSON file of `n` records, one a line, with "Boom" as record `boom` (or none).
std::string ndjson_file(const std::string& name, int n, int boom = -1) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += R"({"eventTime":"2026-03-14T10:00:00Z","eventName":")" +
            std::string(i == boom ? "Boom" : "Call") + R"(","eventID":"id-)" + std::to_string(i) +
            R"(","requestParameters":{"pad":")" + std::string(200, 'x') + "\"}}\n";
  }
  return write_file(name, text);
}

}  // namespace

TEST_CASE("a large NDJSON file is cut at line starts and shared by the workers", "[app][engine]") {
  const std::string path = ndjson_file("split.ndjson", 3000);  // about 800 KB
  const FileTable files = {{path, false, true}};
  RunOptions options;
  options.jobs = 4;
  options.quiet = true;
  options.split_bytes = 64 * 1024;
  const ReadPlan plan = plan_reads(files, options);
  REQUIRE(plan.splits.size() == 1);
  const auto& cuts = plan.splits[0].cuts;
  CHECK(cuts.size() > 8);
  CHECK(plan.workers == 4);  // one file, more workers than files
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(cuts.front() == 0);
  CHECK(cuts.back() == text.size());
  for (std::size_t k = 1; k + 1 < cuts.size(); ++k) CHECK(text[cuts[k] - 1] == '\n');

  std::vector<std::unique_ptr<CountingSink>> sinks;
  const std::function<std::unique_ptr<CountingSink>()> make = [] {
    return std::make_unique<CountingSink>();
  };
  const RunTotals t = run_files(files, options, make, sinks);
  int events = 0;
  for (const auto& s : sinks) events += s->events;
  CHECK(events == 3000);
  CHECK(t.files_read == 1);
  CHECK(t.records_read == 3000);
  CHECK(t.bytes_in == text.size());

  // Below the size, or with splitting off, the file is read whole by one worker.
  options.split_bytes = 0;
  CHECK(plan_reads(files, options).splits.empty());
  CHECK(plan_reads(files, options).workers == 1);
}

TEST_CASE("an exception in one range of a split file fails the file once", "[app][engine]") {
  const FileTable files = {{ndjson_file("split-boom.ndjson", 3000, 1500), false, true},
                           {write_file("after.json", kTwoRecords), false, true}};
  RunOptions options;
  options.jobs = 3;
  options.quiet = true;
  options.split_bytes = 64 * 1024;
  std::vector<std::string> issues;
  options.on_file_issue = [&](const FileIssue& issue) {
    issues.push_back(std::string(issue.path) + (issue.failed ? " failed" : " skipped"));
  };
  std::vector<std::unique_ptr<CountingSink>> sinks;
  const std::function<std::unique_ptr<CountingSink>()> make = [] {
    return std::make_unique<CountingSink>();
  };
  const RunTotals t = run_files(files, options, make, sinks);
  CHECK(t.files_failed == 1);
  CHECK(t.files_read == 1);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0] == files[0].path + " failed");
  // The other ranges' records are counted; the failed range's are not (as for a whole file).
  CHECK(t.records_read < 3000 + 2);
  CHECK(t.records_read > 2);
}
