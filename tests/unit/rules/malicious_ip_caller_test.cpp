// Tests for src/detect/rules/malicious_ip_caller.cpp: the tier table through the real rule,
// the baseline it learns, trusted addresses and the off-note.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

const std::string kListed = "203.0.113.66";     // on the threat list, outside AWS
const std::string kListedAws = "3.80.1.20";     // on the threat list, inside AWS
const std::string kClean = "198.51.100.1";

/// Alice's usual calls from an address on no list: ListBuckets with aws-cli in us-east-1.
std::vector<Record> usual() {
  std::vector<Record> out;
  for (int i = 0; i < 3; ++i) {
    Record r;
    r.ip = kClean;
    r.time = "2026-03-14T09:0" + std::to_string(i) + ":00Z";
    out.push_back(r);
  }
  return out;
}

Record listed_call(const std::string& ip, const std::string& name, const std::string& agent,
                   const std::string& region) {
  Record r;
  r.ip = ip;
  r.event_name = name;
  r.agent = agent;
  r.region = region;
  r.time = "2026-03-14T10:00:00Z";
  return r;
}

intel::IntelDb threat_db(bool with_aws) {
  intel::IntelDb db;
  add(db, intel::ListRole::Threat, "feed", kListed);
  add(db, intel::ListRole::Threat, "feed", kListedAws);
  if (with_aws) load_aws(db);
  return db;
}

Severity severity_of(const Record& call, bool with_aws) {
  const auto db = threat_db(with_aws);
  std::vector<Record> records = usual();
  records.push_back(call);
  const auto r = run(records, db);
  const auto found = of_rule(r, detect::kRuleMaliciousIp);
  REQUIRE(found.size() == 1);
  return found[0]->severity;
}

const std::string kCli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1";

}  // namespace

TEST_CASE("malicious-ip-caller tiers, judged against the learned baseline",
          "[rules][malicious][tiers]") {
  // Inside AWS, so only the unexpected properties count.
  CHECK(severity_of(listed_call(kListedAws, "ListBuckets", kCli, "us-east-1"), true) ==
        Severity::Informational);
  CHECK(severity_of(listed_call(kListedAws, "PutObject", kCli, "us-east-1"), true) ==
        Severity::Low);
  CHECK(severity_of(listed_call(kListedAws, "PutObject", "Boto3/1.34.0", "us-east-1"), true) ==
        Severity::High);
  CHECK(severity_of(listed_call(kListedAws, "PutObject", "Boto3/1.34.0", "eu-west-1"), true) ==
        Severity::High);
  // Outside AWS: high even when the call is the usual one.
  CHECK(severity_of(listed_call(kListed, "ListBuckets", kCli, "us-east-1"), true) ==
        Severity::High);
  // Without AWS ranges the outside-AWS tier is not applied.
  CHECK(severity_of(listed_call(kListed, "ListBuckets", kCli, "us-east-1"), false) ==
        Severity::Informational);
}

TEST_CASE("malicious-ip-caller says what was unexpected and where the address is listed",
          "[rules][malicious]") {
  const auto db = threat_db(true);
  std::vector<Record> records = usual();
  records.push_back(listed_call(kListedAws, "PutObject", kCli, "eu-west-1"));
  const auto r = run(records, db);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleMaliciousIp);
  CHECK(f.severity == Severity::High);
  REQUIRE(f.reasons.size() == 4);
  CHECK(f.reasons[0] == "source 3.80.1.20 is on threat list feed (3.80.1.20/32)");
  CHECK(f.reasons[1] == "unexpected action s3.amazonaws.com:PutObject (baseline: "
                        "s3.amazonaws.com:ListBuckets)");
  CHECK(f.reasons[2] == "unexpected region eu-west-1 (baseline: us-east-1)");
  CHECK(f.reasons[3] == "source is inside AWS's address space");
  CHECK(f.guardduty_type == "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom");
  REQUIRE(r.baseline.find("arn:aws:iam::111122223333:user/alice") != nullptr);
  CHECK(r.baseline.find("arn:aws:iam::111122223333:user/alice")->events == 3);
}

TEST_CASE("a loaded baseline counts as known behaviour", "[rules][malicious][baseline]") {
  const auto db = threat_db(true);
  detect::Baseline loaded;
  loaded.add("arn:aws:iam::111122223333:user/alice", "s3.amazonaws.com:PutObject", "aws-cli",
             "us-east-1");
  const auto r = run({listed_call(kListedAws, "PutObject", kCli, "us-east-1")}, db, {}, {}, &loaded);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::Informational);
  // Without it there is no baseline at all for alice.
  const auto bare = run({listed_call(kListedAws, "PutObject", kCli, "us-east-1")}, db);
  REQUIRE(bare.findings.size() == 1);
  CHECK(has_reason(bare.findings[0], "no baseline for this principal"));
}

TEST_CASE("the baseline learns from events the filter drops", "[rules][malicious][filter]") {
  const auto db = threat_db(true);
  EventFilter filter;
  filter.events = {"PutObject"};
  std::vector<Record> records = usual();
  records.push_back(listed_call(kListedAws, "PutObject", kCli, "us-east-1"));
  const auto r = run(records, db, {}, filter);
  CHECK(r.events_matched == 1);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::Low);  // the region and agent were learned
}

TEST_CASE("a trusted listed address is counted, not reported", "[rules][malicious][trusted]") {
  auto db = threat_db(true);
  add(db, intel::ListRole::Trusted, "vpn", kListed);
  const auto r = run({listed_call(kListed, "ListBuckets", kCli, "us-east-1")}, db);
  CHECK(r.findings.empty());
  CHECK(r.suppressed.trusted == 1);
}

TEST_CASE("calls from addresses on no list give no malicious-ip-caller finding",
          "[rules][malicious]") {
  const auto db = threat_db(true);
  const auto r = run(usual(), db);
  CHECK(r.findings.empty());
  CHECK(r.baseline.size() == 1);
}

TEST_CASE("without a threat list the rule is off, learns nothing, and says so",
          "[rules][malicious][notes]") {
  intel::IntelDb db;
  load_aws(db);
  const auto r = run(usual(), db, only({"malicious-ip-caller"}));
  CHECK(r.baseline.size() == 0);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "malicious-ip-caller is off: no --threat-list");
}

// Broke: a listed private address (a VPC endpoint's caller) rated high as "outside AWS's
// address space".
TEST_CASE("a listed private address is neither inside nor outside AWS",
          "[rules][malicious][private]") {
  intel::IntelDb db;
  add(db, intel::ListRole::Threat, "feed", "10.0.0.0/8");
  load_aws(db);
  std::vector<Record> records = usual();
  records.push_back(listed_call("10.20.30.40", "ListBuckets", kCli, "us-east-1"));
  const auto r = run(records, db);
  const auto found = of_rule(r, detect::kRuleMaliciousIp);
  REQUIRE(found.size() == 1);
  CHECK(found[0]->severity == Severity::Informational);  // nothing unexpected, not outside AWS
  bool said = false;
  for (auto reason : found[0]->reasons) {
    if (reason.find("private network address (VPC endpoint or on-premises)") !=
        std::string_view::npos) {
      said = true;
    }
    CHECK(reason.find("outside AWS's address space") == std::string_view::npos);
  }
  CHECK(said);
}
