// Tests of the run (src/app/engine.cpp): typed sinks, totals, and a worker's exception.
#include <catch2/catch.hpp>

#include <fstream>
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
