// Tests for src/detect/rules/sg_ingress_open.cpp.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record authorize(const std::string& cidr, int from, int to, const std::string& error = "") {
  Record r;
  r.event_source = "ec2.amazonaws.com";
  r.event_name = "AuthorizeSecurityGroupIngress";
  r.error_code = error;
  r.request = "{\"groupId\":\"sg-0123\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\","
              "\"fromPort\":" + std::to_string(from) + ",\"toPort\":" + std::to_string(to) +
              ",\"ipRanges\":{\"items\":[{\"cidrIp\":\"" + cidr + "\"}]}}]}}";
  return r;
}

}  // namespace

TEST_CASE("ssh open to the world is high", "[rules][sg]") {
  const intel::IntelDb db;
  const auto r = run({authorize("0.0.0.0/0", 22, 22)}, db, only({"sg-ingress-open"}));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleSgIngress);
  CHECK(f.severity == Severity::High);
  REQUIRE(f.reasons.size() == 1);
  CHECK(f.reasons[0] == "world-open 0.0.0.0/0 to tcp port 22 (risky port 22)");
}

TEST_CASE("https open to the world is medium; a wide range low", "[rules][sg]") {
  const intel::IntelDb db;
  const auto https = run({authorize("0.0.0.0/0", 443, 443)}, db, only({"sg-ingress-open"}));
  REQUIRE(https.findings.size() == 1);
  CHECK(https.findings[0].severity == Severity::Medium);
  const auto wide = run({authorize("10.0.0.0/8", 443, 443)}, db, only({"sg-ingress-open"}));
  REQUIRE(wide.findings.size() == 1);
  CHECK(wide.findings[0].severity == Severity::Low);
}

TEST_CASE("the same permission in request and response is one reason", "[rules][sg]") {
  const intel::IntelDb db;
  Record r = authorize("0.0.0.0/0", 3389, 3389);
  r.response = "{\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupId\":\"sg-0123\","
               "\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":3389,\"toPort\":3389,"
               "\"cidrIpv4\":\"0.0.0.0/0\"}]}}";
  const auto res = run({r}, db, only({"sg-ingress-open"}));
  REQUIRE(res.findings.size() == 1);
  CHECK(res.findings[0].reasons.size() == 1);
}

TEST_CASE("a narrow range, a failed call and a network ACL call give no sg finding",
          "[rules][sg]") {
  const intel::IntelDb db;
  CHECK(run({authorize("203.0.113.0/24", 22, 22)}, db, only({"sg-ingress-open"})).findings.empty());
  CHECK(run({authorize("0.0.0.0/0", 22, 22, "InvalidPermission.Duplicate")}, db, only({"sg-ingress-open"}))
            .findings.empty());
  Record nacl = authorize("0.0.0.0/0", 22, 22);
  nacl.event_name = "CreateNetworkAclEntry";
  CHECK(run({nacl}, db, only({"sg-ingress-open"})).findings.empty());
}
