// Tests for src/detect/rules/network_config_change.cpp: network-config-change and
// network-config-change-denied.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record ec2(const std::string& name, const std::string& error = "") {
  Record r;
  r.event_source = "ec2.amazonaws.com";
  r.event_name = name;
  r.error_code = error;
  r.read_only = "false";
  return r;
}

}  // namespace

TEST_CASE("a successful network change is medium and names its kind", "[rules][network]") {
  const intel::IntelDb db;
  const auto r = run({ec2("CreateRoute")}, db);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleNetworkChange);
  CHECK(f.severity == Severity::Medium);
  REQUIRE(f.reasons.size() == 1);
  CHECK(f.reasons[0] == "CreateRoute changes route-table configuration");
}

TEST_CASE("with network admins set, an admin's change is low and another's high",
          "[rules][network][admins]") {
  const intel::IntelDb db;
  detect::DetectConfig config;
  config.network_admins = {"alice"};
  Record bob = ec2("CreateVpc");
  bob.arn = "arn:aws:iam::111122223333:user/bob";
  bob.user_name = "bob";
  bob.time = "2026-03-14T10:01:00Z";
  const auto r = run({ec2("CreateVpc"), bob}, db, config);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].severity == Severity::Low);
  CHECK(r.findings[0].reasons[0] == "CreateVpc changes vpc configuration (caller is a network administrator)");
  CHECK(r.findings[1].severity == Severity::High);
  CHECK(r.findings[1].reasons[0] ==
        "CreateVpc changes vpc configuration (caller is not among the network administrators)");
}

TEST_CASE("a failed network change is network-config-change-denied, low", "[rules][network]") {
  const intel::IntelDb db;
  const auto r = run({ec2("DeleteFlowLogs", "Client.UnauthorizedOperation")}, db);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.rule == detect::kRuleNetworkDenied);
  CHECK(f.severity == Severity::Low);
  CHECK(f.reasons[0] ==
        "DeleteFlowLogs on flow-logs was attempted and failed: Client.UnauthorizedOperation");
}

TEST_CASE("reads, other services, unwatched kinds and disabled rules give nothing",
          "[rules][network]") {
  const intel::IntelDb db;
  CHECK(run({ec2("DescribeVpcs")}, db).findings.empty());
  Record read_only = ec2("CreateRoute");
  read_only.read_only = "true";
  CHECK(run({read_only}, db).findings.empty());
  Record other = ec2("CreateRoute");
  other.event_source = "s3.amazonaws.com";
  CHECK(run({other}, db).findings.empty());
  detect::DetectConfig kinds;
  kinds.network_kinds = {"vpc"};
  CHECK(run({ec2("CreateRoute")}, db, kinds).findings.empty());
  CHECK(run({ec2("CreateRoute")}, db, only({"network-config-change-denied"})).findings.empty());
  CHECK(run({ec2("CreateRoute", "AccessDenied")}, db, only({"network-config-change"}))
            .findings.empty());
}

TEST_CASE("--suppress-event and --suppress-principal hold network findings back",
          "[rules][network][suppress]") {
  const intel::IntelDb db;
  detect::DetectConfig events;
  events.suppress_events = {"Create*"};
  const auto by_event = run({ec2("CreateRoute"), ec2("DeleteRoute")}, db, events);
  CHECK(by_event.suppressed.event == 1);
  REQUIRE(by_event.findings.size() == 1);
  CHECK(by_event.findings[0].event_name == "DeleteRoute");
  detect::DetectConfig principals;
  principals.suppress_principals = {"arn:aws:iam::111122223333:user/alice"};
  const auto by_principal = run({ec2("CreateRoute"), ec2("DeleteRoute")}, db, principals);
  CHECK(by_principal.findings.empty());
  CHECK(by_principal.suppressed.principal == 2);
}

// Broke: network-config-change-denied fired on Client.FlowLogAlreadyExists, a failure that
// is not a denial.
TEST_CASE("only authorisation errors are network-config-change-denied",
          "[rules][network][denied]") {
  const intel::IntelDb db;
  for (const char* denied : {"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation",
                             "UnauthorizedOperation", "UnauthorizedAccess", "Client.NotAuthorized"}) {
    INFO(denied);
    CHECK(of_rule(run({ec2("CreateRoute", denied)}, db), detect::kRuleNetworkDenied).size() == 1);
  }
  for (const char* other : {"Client.FlowLogAlreadyExists", "InvalidParameterValue",
                            "Client.RequestLimitExceeded", "InvalidGroup.NotFound",
                            "Server.InternalError"}) {
    INFO(other);
    const auto r = run({ec2("CreateFlowLogs", other)}, db);
    CHECK(r.findings.empty());
  }
}

TEST_CASE("VPN gateways, VPN connections and transit gateways are network kinds",
          "[rules][network][kinds]") {
  CHECK(detect::network_kind_of("CreateVpnGateway") == "vpn-gateway");
  CHECK(detect::network_kind_of("AttachVpnGateway") == "vpn-gateway");
  CHECK(detect::network_kind_of("CreateVpnConnection") == "vpn-connection");
  CHECK(detect::network_kind_of("CreateVpnConnectionRoute") == "vpn-connection");
  CHECK(detect::network_kind_of("CreateTransitGateway") == "transit-gateway");
  CHECK(detect::network_kind_of("CreateTransitGatewayVpcAttachment") == "transit-gateway");
  CHECK(detect::network_kind_of("CreateTransitGatewayRoute") == "transit-gateway");
  CHECK(detect::network_kind_of("DescribeTransitGateways").empty());
  const intel::IntelDb db;
  const auto r = run({ec2("CreateTransitGatewayRoute")}, db);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].reasons[0] == "CreateTransitGatewayRoute changes transit-gateway configuration");
}
