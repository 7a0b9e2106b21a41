// Tests of the detect stage: the severity tiers, names and ids, user-agent families, network
// kinds, permission verdicts and the baseline's save and load.
#include <catch2/catch.hpp>

#include "../../src/detect/detect_internal.hpp"
#include "trailhound/detect.hpp"

using namespace trailhound;
using namespace trailhound::detect;

TEST_CASE("malicious-ip-caller severity follows the tier table", "[detect][tiers]") {
  struct Row {
    bool outside_aws;
    int unexpected;
    Severity expected;
  };
  // informational when a listed address is seen; low with one unexpected property; high with
  // two or more, or when the address is outside AWS's address space.
  const Row table[] = {
      {false, 0, Severity::Informational}, {false, 1, Severity::Low},
      {false, 2, Severity::High},          {false, 3, Severity::High},
      {true, 0, Severity::High},           {true, 1, Severity::High},
      {true, 3, Severity::High},
  };
  for (const auto& row : table) {
    INFO("outside_aws=" << row.outside_aws << " unexpected=" << row.unexpected);
    CHECK(malicious_ip_severity(row.outside_aws, row.unexpected) == row.expected);
  }
}

TEST_CASE("severities are ordered and round-trip through their names", "[detect]") {
  CHECK(Severity::Informational < Severity::Low);
  CHECK(Severity::Low < Severity::Medium);
  CHECK(Severity::Medium < Severity::High);
  CHECK(Severity::High < Severity::Critical);
  for (auto s : {Severity::Informational, Severity::Low, Severity::Medium, Severity::High,
                 Severity::Critical}) {
    CHECK(parse_severity(to_string(s)) == s);
  }
  CHECK(parse_severity("info") == Severity::Informational);
  CHECK_FALSE(parse_severity("severe").has_value());
}

TEST_CASE("severity names are read in any letter case", "[detect]") {
  CHECK(parse_severity("HIGH") == Severity::High);
  CHECK(parse_severity("High") == Severity::High);
  CHECK(parse_severity("mEdIuM") == Severity::Medium);
  CHECK(parse_severity("INFO") == Severity::Informational);
  CHECK(parse_severity("Critical") == Severity::Critical);
  CHECK_FALSE(parse_severity("").has_value());
  CHECK_FALSE(parse_severity("highest").has_value());
  CHECK_FALSE(parse_severity("informational-and-then-some").has_value());
}

TEST_CASE("severity ids follow OCSF 1.1.0's scale", "[detect]") {
  CHECK(severity_id(Severity::Informational) == 1);
  CHECK(severity_id(Severity::Low) == 2);
  CHECK(severity_id(Severity::Medium) == 3);
  CHECK(severity_id(Severity::High) == 4);
  CHECK(severity_id(Severity::Critical) == 5);
}

TEST_CASE("user agents fall into their families", "[detect][baseline]") {
  CHECK(user_agent_family("aws-cli/2.15.0 Python/3.11.6 Linux/6.1") == "aws-cli");
  CHECK(user_agent_family("[aws-cli/1.16.19 Python/2.7.10 Darwin/17.7.0 botocore/1.12.9]") ==
        "aws-cli");
  CHECK(user_agent_family("Boto3/1.34.11 md/Botocore#1.34.11") == "boto3");
  CHECK(user_agent_family("APN/1.0 HashiCorp/1.0 Terraform/1.6.6") == "terraform");
  CHECK(user_agent_family("console.amazonaws.com") == "console");
  CHECK(user_agent_family("Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0") == "console");
  CHECK(user_agent_family("aws-sdk-go-v2/1.24.0 os/linux") == "sdk-go");
  CHECK(user_agent_family("ec2.amazonaws.com") == "aws-service");
  CHECK(user_agent_family("AWS Internal") == "aws-internal");
  CHECK(user_agent_family("") == "none");
  CHECK(user_agent_family("SomeScanner/9.9 (+http://x)") == "somescanner");
}

TEST_CASE("network-changing calls map to their resource kinds; reads map to none",
          "[detect][network]") {
  CHECK(network_kind_of("AuthorizeSecurityGroupIngress") == "security-group");
  CHECK(network_kind_of("ReplaceNetworkAclEntry") == "network-acl");
  CHECK(network_kind_of("CreateRoute") == "route-table");
  CHECK(network_kind_of("AcceptVpcPeeringConnection") == "vpc");
  CHECK(network_kind_of("DeleteFlowLogs") == "flow-logs");
  CHECK(network_kind_of("AllocateAddress") == "elastic-ip");
  CHECK(network_kind_of("DescribeVpcs").empty());
  CHECK(network_kind_of("ListBuckets").empty());
  // Every CIS benchmark call is watched.
  for (const char* name :
       {"AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
        "CreateSecurityGroup", "DeleteSecurityGroup", "CreateNetworkAcl", "CreateNetworkAclEntry",
        "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclAssociation",
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
        "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
        "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
        "DeleteRoute", "DisassociateRouteTable", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
        "EnableVpcClassicLink"}) {
    INFO(name);
    CHECK_FALSE(network_kind_of(name).empty());
  }
}

TEST_CASE("permission verdicts: world-open, wide, risky ports, all protocols", "[detect][ingress]") {
  DetectConfig config;
  auto judge = [&](const char* cidr, const char* proto, int from, int to) {
    Permission p;
    p.cidr = cidr;
    p.protocol = proto;
    p.from_port = from;
    p.to_port = to;
    return judge_permission(p, config);
  };
  auto ssh = judge("0.0.0.0/0", "tcp", 22, 22);
  REQUIRE(ssh);
  CHECK(ssh->severity == Severity::High);
  auto host_bits = judge("1.2.3.4/0", "tcp", 3389, 3389);
  REQUIRE(host_bits);
  CHECK(host_bits->severity == Severity::High);
  CHECK(host_bits->reason.find("written 1.2.3.4/0") != std::string::npos);
  auto all = judge("::/0", "-1", -1, -1);
  REQUIRE(all);
  CHECK(all->severity == Severity::High);
  auto https = judge("0.0.0.0/0", "tcp", 443, 443);
  REQUIRE(https);
  CHECK(https->severity == Severity::Medium);
  auto range = judge("0.0.0.0/0", "tcp", 1000, 3000);  // holds 1433
  REQUIRE(range);
  CHECK(range->severity == Severity::High);
  auto wide = judge("10.0.0.0/8", "tcp", 80, 80);
  REQUIRE(wide);
  CHECK(wide->severity == Severity::Low);
  CHECK_FALSE(judge("203.0.113.0/24", "tcp", 22, 22));
  CHECK_FALSE(judge("not-a-cidr", "tcp", 22, 22));
  Permission egress;
  egress.cidr = "0.0.0.0/0";
  egress.protocol = "-1";
  egress.egress = true;
  CHECK_FALSE(judge_permission(egress, config));
  Permission deny = egress;
  deny.egress = false;
  deny.deny = true;
  CHECK_FALSE(judge_permission(deny, config));
}

TEST_CASE("a saved baseline loads back to the same profiles", "[detect][baseline]") {
  Baseline b;
  b.add("arn:aws:iam::1:user/alice", "s3.amazonaws.com:ListBuckets", "aws-cli", "us-east-1");
  b.add("arn:aws:iam::1:user/alice", "s3.amazonaws.com:GetObject", "boto3", "eu-west-1");
  b.add("arn:aws:iam::1:user/bob", "iam.amazonaws.com:ListUsers", "console", "us-east-1");
  const std::string json = b.to_json();
  Baseline loaded;
  std::string error;
  REQUIRE(loaded.load_json(json, error));
  CHECK(loaded.size() == 2);
  const auto* alice = loaded.find("arn:aws:iam::1:user/alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->events == 2);
  CHECK(alice->actions.size() == 2);
  CHECK(alice->agent_families.count("boto3") == 1);
  CHECK(alice->regions.count("eu-west-1") == 1);
  CHECK(loaded.to_json() == json);  // sorted output: the same data gives the same file
  Baseline bad;
  CHECK_FALSE(bad.load_json("{\"type\":\"something-else\"}", error));
  CHECK_FALSE(bad.load_json("not json", error));
}

TEST_CASE("a copied baseline does not share its lookup cache", "[detect][baseline]") {
  Baseline a;
  a.add("k", "s:a", "aws-cli", "r");
  Baseline b = a;
  b.add("k", "s:b", "aws-cli", "r");
  CHECK(a.find("k")->actions.size() == 1);
  CHECK(b.find("k")->actions.size() == 2);
}

namespace {

EventView call(const char* arn, const char* source_ip, const char* name, const char* agent,
               const char* region, TimeMs time) {
  EventView e;
  e.identity.type = IdentityType::IAMUser;
  e.identity.type_text = "IAMUser";
  e.identity.arn = arn;
  e.event_source = "s3.amazonaws.com";
  e.event_name = name;
  e.user_agent = agent;
  e.aws_region = region;
  e.source_ip = source_ip;
  e.time = time;
  e.event_time = "2026-03-14T10:00:00Z";
  return e;
}

}  // namespace

// The baseline remembers (principal, value) pairs by hash so that a repeated call costs no
// string work; it must still count every call and keep every distinct value.
TEST_CASE("the learned baseline counts every call and keeps each distinct value",
          "[detect][baseline]") {
  intel::IntelDb db;
  std::string error;
  REQUIRE(db.add_inline(intel::ListRole::Threat, "feed", "203.0.113.66", &error));
  const DetectConfig config;
  const EventFilter filter;
  Detector worker_a(db, config, filter), worker_b(db, config, filter);
  const char* alice = "arn:aws:iam::111122223333:user/alice";
  const char* bob = "arn:aws:iam::111122223333:user/bob";
  const char* cli = "aws-cli/2.15.0 Python/3.11.6";
  for (int i = 0; i < 5; ++i) worker_a.on_event(call(alice, "198.51.100.1", "ListBuckets", cli, "us-east-1", i));
  worker_a.on_event(call(alice, "198.51.100.1", "GetObject", "Boto3/1.34.0", "us-east-1", 10));
  worker_b.on_event(call(alice, "198.51.100.2", "ListBuckets", cli, "eu-west-1", 11));
  worker_b.on_event(call(bob, "198.51.100.3", "ListBuckets", cli, "us-east-1", 12));
  // From the listed address: not learned, and judged against what was.
  worker_b.on_event(call(alice, "203.0.113.66", "PutObject", cli, "us-east-1", 13));
  worker_b.on_event(call(alice, "203.0.113.66", "GetObject", cli, "us-east-1", 14));

  const DetectResult r = finish({&worker_a, &worker_b}, db, config, nullptr);
  const Baseline::Profile* a = r.baseline.find(alice);
  REQUIRE(a != nullptr);
  CHECK(a->events == 7);
  CHECK(a->actions.size() == 2);
  CHECK(a->actions.count("s3.amazonaws.com:GetObject") == 1);
  CHECK(a->agent_families.size() == 2);
  CHECK(a->regions.size() == 2);
  const Baseline::Profile* b = r.baseline.find(bob);
  REQUIRE(b != nullptr);
  CHECK(b->events == 1);
  CHECK(b->actions.size() == 1);

  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].event_name == "PutObject");
  CHECK(r.findings[0].severity == Severity::Low);  // one unexpected property: the action
  CHECK(r.findings[1].event_name == "GetObject");
  CHECK(r.findings[1].severity == Severity::Informational);
  CHECK(r.findings[0].guardduty_type == "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom");
  CHECK(r.findings[1].guardduty_type == "Recon:IAMUser/MaliciousIPCaller.Custom");
}

TEST_CASE("the text pool keeps each distinct string once and never moves what it holds",
          "[detect][pool]") {
  TextPool pool;
  const std::string_view a = pool.intern("arn:aws:iam::111122223333:user/alice");
  const std::string_view b = pool.intern(std::string("arn:aws:iam::111122223333:user/") + "alice");
  CHECK(a.data() == b.data());
  CHECK(pool.intern("").empty());
  // Many more strings, a big one among them: what was returned earlier stays in place.
  std::vector<std::pair<std::string, std::string_view>> kept;
  for (int i = 0; i < 20000; ++i) {
    std::string text = "event-" + std::to_string(i);
    kept.emplace_back(text, pool.store(text));
  }
  const std::string big(1 << 20, 'x');
  const std::string_view big_view = pool.intern(big);
  const std::string_view after = pool.intern("after the big one");
  CHECK(big_view == big);
  CHECK(after == "after the big one");
  CHECK(a == "arn:aws:iam::111122223333:user/alice");
  for (const auto& [text, view] : kept) REQUIRE(view == text);
  CHECK(pool.intern(big).data() == big_view.data());
}

TEST_CASE("the text pool's table finds every interned string again as it grows",
          "[detect][pool]") {
  TextPool pool;
  std::vector<std::pair<std::string, std::string_view>> kept;
  // Past many doublings of the table; strings that share prefixes and lengths.
  for (int i = 0; i < 50000; ++i) {
    std::string text = "arn:aws:sts::111122223333:assumed-role/r/" + std::to_string(i * 7919);
    kept.emplace_back(text, pool.intern(text));
  }
  for (const auto& [text, view] : kept) {
    REQUIRE(view == text);
    REQUIRE(pool.intern(text).data() == view.data());
  }
  // A string equal to a prefix of another is its own entry.
  const std::string_view whole = pool.intern("abcdef");
  const std::string_view part = pool.intern("abc");
  CHECK(part == "abc");
  CHECK(whole == "abcdef");
  CHECK(pool.intern(std::string("abc")).data() == part.data());
}

TEST_CASE("a finding store keeps every finding in place across its blocks", "[detect][store]") {
  // Blocks of 64: 9,000 findings fill 140 of them and start one more.
  FindingStore store;
  std::vector<const Finding*> where;
  for (int i = 0; i < 9000; ++i) {
    Finding f;
    f.time = i;
    where.push_back(&store.emplace_back(std::move(f)));
  }
  REQUIRE(store.size() == 9000);
  bool same = true;
  for (std::size_t i = 0; i < where.size(); ++i) {
    same = same && &store[i] == where[i] && store[i].time == static_cast<TimeMs>(i);
  }
  CHECK(same);  // no finding moved, and the index finds each one
  TimeMs expect = 0;
  bool in_order = true;
  for (const Finding& f : store) in_order = in_order && f.time == expect++;
  CHECK(in_order);
  CHECK(expect == 9000);
  CHECK(&store.back() == where.back());
}
