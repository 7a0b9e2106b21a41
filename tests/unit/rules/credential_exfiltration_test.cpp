// Tests for src/detect/rules/credential_exfiltration.cpp.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record use(const std::string& ip, const std::string& time, const std::string& key = "ASIAEXAMPLEWORKER001") {
  Record r;
  r.type = "AssumedRole";
  r.arn = "arn:aws:sts::111122223333:assumed-role/worker/i-0abc123def4567890";
  r.principal_id = "AROAWORKERXXXXXXXXXXX:i-0abc123def4567890";
  r.user_name.clear();
  r.access_key = key;
  r.event_source = "ec2.amazonaws.com";
  r.event_name = "DescribeInstances";
  r.ip = ip;
  r.time = time;
  return r;
}

intel::IntelDb aws_db() {
  intel::IntelDb db;
  load_aws(db);
  return db;
}

const std::string kInAws = "3.80.1.20";
const std::string kOutside = "198.51.100.23";

}  // namespace

TEST_CASE("a temporary key used from AWS and then from outside AWS is high",
          "[rules][exfiltration]") {
  const auto db = aws_db();
  const auto r = run({use(kInAws, "2026-03-14T10:00:00Z"), use(kOutside, "2026-03-14T10:05:00Z")}, db);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleExfiltration);
  CHECK(f.severity == Severity::High);
  CHECK(f.source_ip == kOutside);
  CHECK(f.guardduty_type ==
        "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS");
  REQUIRE(f.reasons.size() == 1);
  CHECK(f.reasons[0] == "temporary key ASIAEXAMPLEWORKER001 was used from AWS (first at "
                        "2026-03-14T10:00:00Z) and now from 198.51.100.23, outside AWS");
}

TEST_CASE("a service source counts as a use from AWS", "[rules][exfiltration]") {
  const auto db = aws_db();
  const auto r = run({use("ec2.amazonaws.com", "2026-03-14T10:00:00Z"),
                      use(kOutside, "2026-03-14T10:05:00Z")},
                     db);
  CHECK(of_rule(r, detect::kRuleExfiltration).size() == 1);
}

TEST_CASE("outside-first, long-term keys and AWS-only uses give nothing",
          "[rules][exfiltration]") {
  const auto db = aws_db();
  // Outside AWS before it was ever seen from AWS.
  CHECK(run({use(kOutside, "2026-03-14T10:00:00Z"), use(kInAws, "2026-03-14T10:05:00Z")}, db)
            .findings.empty());
  // A long-term (AKIA) key.
  CHECK(run({use(kInAws, "2026-03-14T10:00:00Z", "AKIAEXAMPLEWORKER001"),
             use(kOutside, "2026-03-14T10:05:00Z", "AKIAEXAMPLEWORKER001")},
            db)
            .findings.empty());
  // Another key's history does not count.
  CHECK(run({use(kInAws, "2026-03-14T10:00:00Z", "ASIAOTHERKEY00000001"),
             use(kOutside, "2026-03-14T10:05:00Z")},
            db)
            .findings.empty());
}

TEST_CASE("the key history spans workers and events the filter drops",
          "[rules][exfiltration][filter]") {
  const auto db = aws_db();
  EventFilter filter;
  filter.source_ips.emplace_back();
  std::string error;
  REQUIRE(intel::parse_prefix("198.51.100.0/24", filter.source_ips.back(), nullptr, &error));
  // The AWS use goes to worker 0 and is filtered out; the outside use to worker 1.
  const auto r = run({use(kInAws, "2026-03-14T10:00:00Z"), use(kOutside, "2026-03-14T10:05:00Z")},
                     db, {}, filter, nullptr, 2, [](std::size_t i) { return i; });
  CHECK(r.events_matched == 1);
  CHECK(of_rule(r, detect::kRuleExfiltration).size() == 1);
}

TEST_CASE("without AWS ranges the rule is off and says so", "[rules][exfiltration][notes]") {
  const intel::IntelDb db;
  const auto r = run({use(kInAws, "2026-03-14T10:00:00Z"), use(kOutside, "2026-03-14T10:05:00Z")},
                     db, only({"credential-exfiltration"}));
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "credential-exfiltration is off: no --aws-ip-ranges");
}

// Broke: a call through a VPC endpoint carries the caller's private address, which is in no
// AWS range, so a temporary key used from 192.168.10.20 was "outside AWS" and raised
// credential-exfiltration.
TEST_CASE("a temporary key used from a private address is no exfiltration",
          "[rules][exfiltration][private]") {
  const auto db = aws_db();
  for (const char* private_ip : {"10.1.2.3", "172.16.0.9", "192.168.10.20", "100.64.3.4",
                                 "169.254.169.254", "fd00::1"}) {
    INFO(private_ip);
    const auto r = run({use(kInAws, "2026-03-14T10:00:00Z"), use(private_ip, "2026-03-14T10:05:00Z")},
                       db);
    CHECK(of_rule(r, detect::kRuleExfiltration).empty());
  }
  // The public address just past 172.16.0.0/12 is outside AWS again.
  const auto r = run({use(kInAws, "2026-03-14T10:00:00Z"), use("172.32.0.1", "2026-03-14T10:05:00Z")},
                     db);
  CHECK(of_rule(r, detect::kRuleExfiltration).size() == 1);
}
