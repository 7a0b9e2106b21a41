// Tests for src/detect/rules/password_data_burst.cpp.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record call(int minute, int second = 0, const std::string& user = "alice") {
  Record r;
  r.event_source = "ec2.amazonaws.com";
  r.event_name = "GetPasswordData";
  r.user_name = user;
  r.arn = "arn:aws:iam::111122223333:user/" + user;
  char t[32];
  std::snprintf(t, sizeof t, "2026-03-14T10:%02d:%02dZ", minute, second);
  r.time = t;
  r.request = "{\"instanceId\":\"i-0abc\"}";
  return r;
}

detect::DetectConfig burst(int threshold) {
  auto c = only({"password-data-burst"});
  c.password_data_threshold = threshold;
  return c;
}

}  // namespace

TEST_CASE("more than the threshold in ten minutes is one medium finding",
          "[rules][password-data]") {
  const intel::IntelDb db;
  std::vector<Record> calls;
  for (int i = 0; i < 6; ++i) calls.push_back(call(i));
  const auto r = run(calls, db, burst(5));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::Medium);
  CHECK(has_reason(r.findings[0], "6 GetPasswordData calls by alice within ten minutes (more "
                                  "than 5), from 2026-03-14T10:00:00Z to 2026-03-14T10:05:00Z"));
}

TEST_CASE("the threshold itself, or calls spread out, give nothing", "[rules][password-data]") {
  const intel::IntelDb db;
  std::vector<Record> five;
  for (int i = 0; i < 5; ++i) five.push_back(call(i));
  CHECK(run(five, db, burst(5)).findings.empty());
  // Six calls, but never more than five within ten minutes.
  std::vector<Record> spread;
  for (int i = 0; i < 6; ++i) spread.push_back(call(i * 11 % 60, 0));
  CHECK(run(spread, db, burst(5)).findings.empty());
  // Six calls by two principals.
  std::vector<Record> two;
  for (int i = 0; i < 6; ++i) two.push_back(call(i, 0, i % 2 ? "alice" : "bob"));
  CHECK(run(two, db, burst(5)).findings.empty());
}

TEST_CASE("the burst is counted across workers, and a later burst is reported again",
          "[rules][password-data]") {
  const intel::IntelDb db;
  std::vector<Record> calls;
  for (int i = 0; i < 4; ++i) calls.push_back(call(i));        // 10:00-10:03
  for (int i = 0; i < 4; ++i) calls.push_back(call(30 + i));   // 10:30-10:33
  const auto r = run(calls, db, burst(2), {}, nullptr, 2, [](std::size_t i) { return i % 2; });
  REQUIRE(r.findings.size() == 2);
  CHECK(has_reason(r.findings[0], "3 GetPasswordData calls"));
  CHECK(has_reason(r.findings[1], "from 2026-03-14T10:30:00Z to 2026-03-14T10:32:00Z"));
}
