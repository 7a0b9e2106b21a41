// Tests for src/detect/detector.cpp: stable finding ids, the same for any split of the events
// over workers, and the filter and suppression accounting around the rules.
#include <set>

#include "rule_test_support.hpp"

using namespace rule_test;

namespace {

/// Network changes (one finding each), some without eventID and otherwise identical.
std::vector<Record> changes() {
  std::vector<Record> out;
  for (int i = 0; i < 6; ++i) {
    Record r;
    r.event_source = "ec2.amazonaws.com";
    r.event_name = i % 2 == 0 ? "CreateRoute" : "DeleteRoute";
    r.time = "2026-03-14T10:0" + std::to_string(i / 2) + ":00Z";
    r.event_id = "e-" + std::to_string(i);
    out.push_back(r);
  }
  Record twin;
  twin.event_source = "ec2.amazonaws.com";
  twin.event_name = "CreateVpc";
  twin.time = "2026-03-14T11:00:00Z";
  for (int i = 0; i < 3; ++i) out.push_back(twin);
  return out;
}

std::vector<std::string> ids(const detect::DetectResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.emplace_back(f.id);
  return out;
}

bool is_hex16(std::string_view id) {
  if (id.size() != 16) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("finding ids are 16 hex digits, distinct, and suffixed for identical events",
          "[detect][ids]") {
  const intel::IntelDb db;
  const auto r = run(changes(), db);
  const auto got = ids(r);
  REQUIRE(got.size() == 9);
  for (std::size_t i = 0; i < 7; ++i) {
    INFO(got[i]);
    CHECK(is_hex16(got[i]));
  }
  // The three identical CreateVpc calls come last in report order (time, then record).
  CHECK(got[7] == got[6] + "-2");
  CHECK(got[8] == got[6] + "-3");
  const std::set<std::string> distinct(got.begin(), got.end());
  CHECK(distinct.size() == got.size());
}

TEST_CASE("the same input gives the same ids on every run and for any split over workers",
          "[detect][ids]") {
  const intel::IntelDb db;
  const auto once = ids(run(changes(), db));
  CHECK(ids(run(changes(), db)) == once);
  const auto alternate = run(changes(), db, {}, {}, nullptr, 2, [](std::size_t i) { return i % 2; });
  CHECK(ids(alternate) == once);
  const auto halves = run(changes(), db, {}, {}, nullptr, 3, [](std::size_t i) { return 2 - i / 3; });
  CHECK(ids(halves) == once);
}

TEST_CASE("a finding id changes with what names the event", "[detect][ids]") {
  const intel::IntelDb db;
  auto one = [&](Record r) {
    r.event_source = "ec2.amazonaws.com";
    r.event_name = "CreateRoute";
    const auto res = run({r}, db);
    REQUIRE(res.findings.size() == 1);
    return std::string(res.findings[0].id);
  };
  const Record base;
  const std::string id = one(base);
  Record other_id = base;
  other_id.event_id = "another";
  Record other_time = base;
  other_time.time = "2026-03-14T10:00:01Z";
  Record other_ip = base;
  other_ip.ip = "198.51.100.8";
  Record other_key = base;
  other_key.access_key = "AKIAEXAMPLEALICE0002";
  Record other_user = base;
  other_user.arn = "arn:aws:iam::111122223333:user/bob";
  for (const Record& r : {other_id, other_time, other_ip, other_key, other_user}) {
    CHECK(one(r) != id);
  }
  CHECK(one(base) == id);
}

TEST_CASE("only events passing the filter give findings; all are counted", "[detect][filter]") {
  const intel::IntelDb db;
  EventFilter filter;
  filter.events = {"Create*"};
  const auto r = run(changes(), db, {}, filter);
  CHECK(r.events_matched == 6);
  CHECK(r.findings.size() == 6);
  for (const auto& f : r.findings) CHECK(f.event_name.substr(0, 6) == "Create");
}
