// Tests for src/detect/rules/nacl_entry_open.cpp.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record entry(const std::string& cidr, const std::string& action, bool egress,
             const std::string& protocol = "6", int from = 3389, int to = 3389) {
  Record r;
  r.event_source = "ec2.amazonaws.com";
  r.event_name = "CreateNetworkAclEntry";
  r.request = "{\"networkAclId\":\"acl-0123\",\"ruleNumber\":100,\"egress\":" +
              std::string(egress ? "true" : "false") + ",\"ruleAction\":\"" + action +
              "\",\"aclProtocol\":\"" + protocol + "\",\"cidrBlock\":\"" + cidr +
              "\",\"portRange\":{\"from\":" + std::to_string(from) + ",\"to\":" +
              std::to_string(to) + "}}";
  return r;
}

}  // namespace

TEST_CASE("an allow entry for RDP from the world is high", "[rules][nacl]") {
  const intel::IntelDb db;
  const auto r = run({entry("0.0.0.0/0", "allow", false)}, db, only({"nacl-entry-open"}));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleNaclEntry);
  CHECK(f.severity == Severity::High);
  REQUIRE(f.reasons.size() == 1);
  CHECK(f.reasons[0] == "world-open 0.0.0.0/0 to tcp port 3389 (risky port 3389)");
}

TEST_CASE("all protocols from the world is high; a wide range is low", "[rules][nacl]") {
  const intel::IntelDb db;
  const auto all = run({entry("::/0", "allow", false, "-1", -1, -1)}, db, only({"nacl-entry-open"}));
  REQUIRE(all.findings.size() == 1);
  CHECK(all.findings[0].severity == Severity::High);
  Record replace = entry("10.0.0.0/8", "allow", false, "6", 80, 80);
  replace.event_name = "ReplaceNetworkAclEntry";
  const auto wide = run({replace}, db, only({"nacl-entry-open"}));
  REQUIRE(wide.findings.size() == 1);
  CHECK(wide.findings[0].severity == Severity::Low);
}

TEST_CASE("deny entries, egress entries and failed calls give nothing", "[rules][nacl]") {
  const intel::IntelDb db;
  CHECK(run({entry("0.0.0.0/0", "deny", false)}, db, only({"nacl-entry-open"})).findings.empty());
  CHECK(run({entry("0.0.0.0/0", "allow", true)}, db, only({"nacl-entry-open"})).findings.empty());
  Record failed = entry("0.0.0.0/0", "allow", false);
  failed.error_code = "Client.UnauthorizedOperation";
  CHECK(run({failed}, db, only({"nacl-entry-open"})).findings.empty());
}
