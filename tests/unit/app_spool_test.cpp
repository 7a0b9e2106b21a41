// Tests of src/app/spool.cpp: the sorted events are the same whether they fit in memory or
// were spilled in runs (and merged in passes), and of --max-memory's sizes (src/cli/flags.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "trailhound/spool.hpp"

using namespace trailhound;
using trailhound::app::EventSpool;

namespace {

/// Events with many shared times, filled in every field a printer shows.
std::vector<OwnedEvent> make_events(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<OwnedEvent> out;
  for (std::size_t i = 0; i < n; ++i) {
    OwnedEvent e;
    e.time = static_cast<TimeMs>(rng() % 50);
    e.source.file = rng() % 7;
    e.source.index = i;
    e.principal.type = "IAMUser";
    e.principal.user = "user-" + std::to_string(rng() % 5);
    e.principal.arn = "arn:aws:iam::111122223333:user/" + e.principal.user;
    e.principal.access_key = i % 3 == 0 ? "" : "AKIA" + std::string(16, char('A' + i % 26));
    e.event_name = "GetObject";
    e.event_source = "s3.amazonaws.com";
    e.region = "eu-west-1";
    e.source_ip = "198.51.100." + std::to_string(i % 256);
    e.user_agent = std::string(i % 40, 'u');
    e.error_code = i % 11 == 0 ? "AccessDenied" : "";
    e.event_id = "id-" + std::to_string(i);
    e.record = R"({"eventID":"id-)" + std::to_string(i) + R"(","pad":")" +
               std::string(rng() % 3000, 'x') + "\"}";
    out.push_back(std::move(e));
  }
  return out;
}

std::string flat(const OwnedEvent& e) {
  return std::to_string(e.time) + "|" + std::to_string(e.source.file) + "|" +
         std::to_string(e.source.index) + "|" + e.principal.type + "|" + e.principal.user + "|" +
         e.principal.arn + "|" + e.principal.principal_id + "|" + e.principal.access_key + "|" +
         e.principal.account + "|" + e.principal.session_issuer + "|" + e.event_name + "|" +
         e.event_source + "|" + e.region + "|" + e.source_ip + "|" + e.user_agent + "|" +
         e.error_code + "|" + e.event_id + "|" + e.record;
}

/// The events through a spool of `budget` bytes with `lanes` lanes, dropping every fifth.
std::vector<std::string> through(const std::vector<OwnedEvent>& events, std::uint64_t budget,
                                 unsigned lanes, std::size_t* spilled) {
  EventSpool spool(budget);
  std::vector<EventSpool::Lane*> ls;
  for (unsigned i = 0; i < lanes; ++i) ls.push_back(&spool.lane());
  for (std::size_t i = 0; i < events.size(); ++i) {
    OwnedEvent copy = events[i];
    ls[i % lanes]->add(std::move(copy));
  }
  std::vector<std::string> out;
  const Status s = spool.visit([](const OwnedEvent& e) { return e.source.index % 5 != 0; },
                               [&out](const OwnedEvent& e) { out.push_back(flat(e)); });
  REQUIRE(s);
  *spilled = spool.runs_spilled();
  return out;
}

}  // namespace

TEST_CASE("spilled and merged events come out as the in-memory sort") {
  const auto events = make_events(3000, 11);
  std::vector<OwnedEvent> sorted = events;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> want;
  for (const auto& e : sorted) {
    if (e.source.index % 5 != 0) want.push_back(flat(e));
  }
  std::size_t spilled = 0;
  CHECK(through(events, 1ULL << 30, 1, &spilled) == want);
  CHECK(spilled == 0);
  CHECK(through(events, 1ULL << 30, 3, &spilled) == want);
  CHECK(spilled == 0);
  // Runs of a few events each: more than EventSpool::kFanIn runs, merged in passes.
  CHECK(through(events, 16 << 10, 1, &spilled) == want);
  CHECK(spilled > EventSpool::kFanIn);
  CHECK(through(events, 64 << 10, 4, &spilled) == want);
  CHECK(spilled > 10);
  CHECK(through(events, 1 << 20, 2, &spilled) == want);
  CHECK(spilled > 1);
}

TEST_CASE("an empty spool visits nothing") {
  EventSpool spool(1024);
  (void)spool.lane();
  int n = 0;
  REQUIRE(spool.visit(nullptr, [&n](const OwnedEvent&) { ++n; }));
  CHECK(n == 0);
}

TEST_CASE("a spool whose temporary folder cannot be used says which") {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", "/nonexistent/trailhound-spool-test", 1);
  EventSpool spool(1024);
  auto& lane = spool.lane();
  for (auto& e : make_events(50, 3)) lane.add(std::move(e));
  const Status s = spool.visit(nullptr, [](const OwnedEvent&) {});
  if (old != nullptr) setenv("TMPDIR", saved.c_str(), 1); else unsetenv("TMPDIR");
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == ErrorKind::Write);
  CHECK(s.error().path.find("/nonexistent/trailhound-spool-test") != std::string::npos);
}

