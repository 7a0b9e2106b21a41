// Tests for src/detect/filter.cpp: globs, principal matching, and every event filter.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "trailhound/filter.hpp"
#include "trailhound/timeutil.hpp"

using namespace trailhound;

namespace {

intel::Prefix prefix(std::string_view text) {
  intel::Prefix p;
  std::string error;
  INFO("prefix " << text);
  REQUIRE(intel::parse_prefix(text, p, nullptr, &error));
  return p;
}

intel::IpAddr address(std::string_view text) {
  intel::IpAddr a;
  INFO("address " << text);
  REQUIRE(intel::parse_address(text, a));
  return a;
}

IdentityView iam_user() {
  IdentityView id;
  id.type = IdentityType::IAMUser;
  id.type_text = "IAMUser";
  id.user_name = "alice";
  id.arn = "arn:aws:iam::111122223333:user/alice";
  id.principal_id = "AIDAALICEXXXXXXXXXXXX";
  id.account_id = "111122223333";
  id.access_key_id = "AKIAEXAMPLEALICE0001";
  return id;
}

IdentityView assumed_role() {
  IdentityView id;
  id.type = IdentityType::AssumedRole;
  id.type_text = "AssumedRole";
  id.arn = "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-42";
  id.principal_id = "AROADEPLOYXXXXXXXXXXX:ci-run-42";
  id.account_id = "111122223333";
  id.access_key_id = "ASIAEXAMPLEDEPLOY001";
  id.issuer_type = "Role";
  id.issuer_arn = "arn:aws:iam::111122223333:role/deploy";
  id.issuer_user_name = "deploy";
  return id;
}

IdentityView identity_center() {
  IdentityView id;
  id.type = IdentityType::IdentityCenterUser;
  id.type_text = "IdentityCenterUser";
  id.account_id = "111122223333";
  id.on_behalf_user_id = "94482488-3041-7026-18f3-be45837cd0e4";
  return id;
}

const TimeMs kT = *parse_timestamp("2026-03-14T10:00:00Z");

EventView base_event() {
  EventView e;
  e.time = kT;
  e.event_name = "GetObject";
  e.event_source = "s3.amazonaws.com";
  e.aws_region = "us-east-1";
  e.source_ip = "198.51.100.7";
  e.identity = iam_user();
  return e;
}

}  // namespace

// ---- globs ------------------------------------------------------------------------------------

TEST_CASE("a glob without wildcards matches only the same text", "[filter][glob]") {
  CHECK(glob_match("GetObject", "GetObject"));
  CHECK_FALSE(glob_match("GetObject", "getobject"));
  CHECK_FALSE(glob_match("GetObject", "GetObjectAcl"));
  CHECK_FALSE(glob_match("GetObject", "GetObjec"));
  CHECK_FALSE(glob_match("[a]", "a"));  // brackets are literal
  CHECK(glob_match("[a]", "[a]"));
}

TEST_CASE("a star matches any run, including an empty one", "[filter][glob]") {
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("Get*", "Get"));
  CHECK(glob_match("Get*", "GetObject"));
  CHECK(glob_match("*Object", "GetObject"));
  CHECK(glob_match("*Bucket*", "ListBuckets"));
  CHECK(glob_match("Delete*Policy", "DeleteBucketPolicy"));
  CHECK(glob_match("**a**", "a"));
  CHECK(glob_match("a*b*c", "aXbYbZc"));
  CHECK_FALSE(glob_match("a*b*c", "aXbYbZ"));
  CHECK_FALSE(glob_match("Get*", "ListObjects"));
  CHECK_FALSE(glob_match("*Object", "GetObjects"));
}

TEST_CASE("a question mark matches exactly one character", "[filter][glob]") {
  CHECK(glob_match("Get?bject", "GetObject"));
  CHECK(glob_match("???", "abc"));
  CHECK_FALSE(glob_match("???", "ab"));
  CHECK_FALSE(glob_match("???", "abcd"));
  CHECK_FALSE(glob_match("?", ""));
  CHECK(glob_match("?*", "x"));
  CHECK_FALSE(glob_match("?*", ""));
}

TEST_CASE("an empty glob matches only empty text", "[filter][glob]") {
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "x"));
}

TEST_CASE("a pathological glob finishes quickly", "[filter][glob]") {
  const std::string text(5000, 'a');
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", text));
  CHECK(glob_match("*a*a*a*a*a*a*a*a*", text));
}

// ---- principals -------------------------------------------------------------------------------

TEST_CASE("an IAM user is named by user name, ARN or principalId", "[filter][identity]") {
  const auto id = iam_user();
  CHECK(identity_matches(id, "alice"));
  CHECK(identity_matches(id, "arn:aws:iam::111122223333:user/alice"));
  CHECK(identity_matches(id, "AIDAALICEXXXXXXXXXXXX"));
}

TEST_CASE("a partial, differently cased or empty name does not match", "[filter][identity]") {
  const auto id = iam_user();
  CHECK_FALSE(identity_matches(id, "ali"));
  CHECK_FALSE(identity_matches(id, "alice2"));
  CHECK_FALSE(identity_matches(id, "Alice"));
  CHECK_FALSE(identity_matches(id, "user/alice"));
  CHECK_FALSE(identity_matches(id, "arn:aws:iam::111122223333:user/ali"));
  CHECK_FALSE(identity_matches(id, "AIDAALICE"));
  CHECK_FALSE(identity_matches(id, ""));
  CHECK_FALSE(identity_matches(id, "111122223333"));         // the account is not a principal
  CHECK_FALSE(identity_matches(id, "AKIAEXAMPLEALICE0001"));  // nor is the key (--access-key)
}

TEST_CASE("an assumed role is named by role name, role ARN, session, ROLE/SESSION, ARN or "
          "principalId",
          "[filter][identity]") {
  const auto id = assumed_role();
  CHECK(identity_matches(id, "deploy"));
  CHECK(identity_matches(id, "arn:aws:iam::111122223333:role/deploy"));
  CHECK(identity_matches(id, "ci-run-42"));
  CHECK(identity_matches(id, "deploy/ci-run-42"));
  CHECK(identity_matches(id, "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-42"));
  CHECK(identity_matches(id, "AROADEPLOYXXXXXXXXXXX:ci-run-42"));
}

TEST_CASE("a wrong role or session in ROLE/SESSION does not match", "[filter][identity]") {
  const auto id = assumed_role();
  CHECK_FALSE(identity_matches(id, "other/ci-run-42"));
  CHECK_FALSE(identity_matches(id, "deploy/ci-run-4"));
  CHECK_FALSE(identity_matches(id, "deploy/"));
  CHECK_FALSE(identity_matches(id, "/ci-run-42"));
  CHECK_FALSE(identity_matches(id, "dep"));
  CHECK_FALSE(identity_matches(id, "ci-run"));
  CHECK_FALSE(identity_matches(id, "assumed-role/deploy/ci-run-42"));
}

TEST_CASE("an Identity Center user is named by its user id", "[filter][identity]") {
  const auto id = identity_center();
  CHECK(identity_matches(id, "94482488-3041-7026-18f3-be45837cd0e4"));
  CHECK_FALSE(identity_matches(id, "94482488"));
}

TEST_CASE("a missing identity matches no name", "[filter][identity]") {
  IdentityView id;
  CHECK_FALSE(identity_matches(id, "alice"));
  CHECK_FALSE(identity_matches(id, "-"));
  CHECK_FALSE(identity_matches(id, ""));
}

TEST_CASE("matches_user accepts any of several names", "[filter][identity]") {
  EventFilter f;
  f.users = {"bob", "deploy"};
  CHECK(f.matches_user(assumed_role()));
  CHECK_FALSE(f.matches_user(iam_user()));
  f.users.push_back("alice");
  CHECK(f.matches_user(iam_user()));
}

// ---- event filters ----------------------------------------------------------------------------

TEST_CASE("an empty filter matches every event", "[filter][event]") {
  EventFilter f;
  CHECK(f.matches(base_event()));
  EventView bare;
  CHECK(f.matches(bare));
}

TEST_CASE("the time window includes since and excludes until", "[filter][event]") {
  EventFilter f;
  f.window.since = kT;
  f.window.until = kT + 1000;
  auto e = base_event();
  e.time = kT - 1;
  CHECK_FALSE(f.matches(e));
  e.time = kT;
  CHECK(f.matches(e));
  e.time = kT + 999;
  CHECK(f.matches(e));
  e.time = kT + 1000;
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("a window open at one end is bounded only at the other", "[filter][event]") {
  auto e = base_event();
  EventFilter since_only;
  since_only.window.since = kT;
  CHECK(since_only.matches(e));
  e.time = kT - 1;
  CHECK_FALSE(since_only.matches(e));
  EventFilter until_only;
  until_only.window.until = kT;
  CHECK(until_only.matches(e));
  e.time = kT;
  CHECK_FALSE(until_only.matches(e));
}

TEST_CASE("errors_only keeps events with an errorCode", "[filter][event]") {
  EventFilter f;
  f.errors_only = true;
  auto e = base_event();
  CHECK_FALSE(f.matches(e));
  e.error_code = "AccessDenied";
  CHECK(f.matches(e));
}

TEST_CASE("the access key filter is exact", "[filter][event]") {
  EventFilter f;
  f.access_keys = {"AKIAEXAMPLEALICE0001"};
  auto e = base_event();
  CHECK(f.matches(e));
  e.identity.access_key_id = "AKIAEXAMPLEALICE000";
  CHECK_FALSE(f.matches(e));
  e.identity.access_key_id = "";
  CHECK_FALSE(f.matches(e));
  f.access_keys.push_back("ASIAEXAMPLEDEPLOY001");
  e.identity = assumed_role();
  CHECK(f.matches(e));
}

TEST_CASE("the region filter is exact and takes several regions", "[filter][event]") {
  EventFilter f;
  f.regions = {"eu-west-1", "us-east-1"};
  auto e = base_event();
  CHECK(f.matches(e));
  e.aws_region = "us-east-2";
  CHECK_FALSE(f.matches(e));
  e.aws_region = "";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("the event filter takes globs", "[filter][event]") {
  EventFilter f;
  f.events = {"Put*", "Get?bject"};
  auto e = base_event();
  CHECK(f.matches(e));
  e.event_name = "PutBucketPolicy";
  CHECK(f.matches(e));
  e.event_name = "ListBuckets";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("the user filter uses identity_matches", "[filter][event]") {
  EventFilter f;
  f.users = {"deploy/ci-run-42"};
  auto e = base_event();
  CHECK_FALSE(f.matches(e));
  e.identity = assumed_role();
  CHECK(f.matches(e));
}

TEST_CASE("an IPv4 source address filter matches the address itself", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("198.51.100.7")};
  auto e = base_event();
  CHECK(f.matches(e));
  e.source_ip = "198.51.100.8";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("an IPv4 CIDR filter matches addresses inside it", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("198.51.100.0/24")};
  auto e = base_event();
  for (const char* in : {"198.51.100.0", "198.51.100.7", "198.51.100.255"}) {
    e.source_ip = in;
    CHECK(f.matches(e));
  }
  for (const char* out : {"198.51.101.0", "198.51.99.255", "10.0.0.1", "2001:db8::1"}) {
    e.source_ip = out;
    CHECK_FALSE(f.matches(e));
  }
}

TEST_CASE("a CIDR with host bits set still filters", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("198.51.100.77/24")};
  auto e = base_event();
  e.source_ip = "198.51.100.200";
  CHECK(f.matches(e));
  e.source_ip = "198.51.101.77";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("an IPv6 CIDR filter matches IPv6 sources only", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("2001:db8:abcd::/48")};
  auto e = base_event();
  e.source_ip = "2001:db8:abcd:12::1";
  CHECK(f.matches(e));
  e.source_ip = "2001:db8:abce::1";
  CHECK_FALSE(f.matches(e));
  e.source_ip = "198.51.100.7";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("a service-name source never matches an address filter", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("0.0.0.0/0"), prefix("::/0")};
  auto e = base_event();
  CHECK(f.matches(e));
  for (const char* service : {"ec2.amazonaws.com", "AWS Internal", "", "not an address"}) {
    INFO("source " << service);
    e.source_ip = service;
    CHECK_FALSE(f.matches(e));
  }
}

TEST_CASE("several source filters match any of them", "[filter][event]") {
  EventFilter f;
  f.source_ips = {prefix("10.0.0.0/8"), prefix("104.102.221.250")};
  auto e = base_event();
  e.source_ip = "104.102.221.250";
  CHECK(f.matches(e));
  e.source_ip = "10.20.30.40";
  CHECK(f.matches(e));
  e.source_ip = "104.102.221.251";
  CHECK_FALSE(f.matches(e));
}

TEST_CASE("every filter must pass", "[filter][event]") {
  EventFilter f;
  f.users = {"alice"};
  f.regions = {"us-east-1"};
  f.events = {"Get*"};
  f.errors_only = true;
  f.source_ips = {prefix("198.51.100.0/24")};
  f.window.since = kT;
  auto e = base_event();
  e.error_code = "NoSuchKey";
  CHECK(f.matches(e));
  auto wrong_region = e;
  wrong_region.aws_region = "eu-west-1";
  CHECK_FALSE(f.matches(wrong_region));
  auto wrong_user = e;
  wrong_user.identity = assumed_role();
  CHECK_FALSE(f.matches(wrong_user));
  auto too_early = e;
  too_early.time = kT - 1;
  CHECK_FALSE(f.matches(too_early));
}

// ---- prefix_contains --------------------------------------------------------------------------

TEST_CASE("prefix_contains checks IPv4 prefixes of every length", "[filter][prefix]") {
  CHECK(prefix_contains(prefix("0.0.0.0/0"), address("255.255.255.255")));
  CHECK(prefix_contains(prefix("10.0.0.0/8"), address("10.255.0.1")));
  CHECK_FALSE(prefix_contains(prefix("10.0.0.0/8"), address("11.0.0.0")));
  CHECK(prefix_contains(prefix("192.168.1.128/25"), address("192.168.1.200")));
  CHECK_FALSE(prefix_contains(prefix("192.168.1.128/25"), address("192.168.1.127")));
  CHECK(prefix_contains(prefix("1.2.3.4/32"), address("1.2.3.4")));
  CHECK_FALSE(prefix_contains(prefix("1.2.3.4/32"), address("1.2.3.5")));
  CHECK(prefix_contains(prefix("128.0.0.0/1"), address("200.1.1.1")));
  CHECK_FALSE(prefix_contains(prefix("128.0.0.0/1"), address("127.255.255.255")));
}

TEST_CASE("prefix_contains checks IPv6 prefixes on both halves", "[filter][prefix]") {
  CHECK(prefix_contains(prefix("::/0"), address("2001:db8::1")));
  CHECK(prefix_contains(prefix("2001:db8::/32"), address("2001:db8:ffff::1")));
  CHECK_FALSE(prefix_contains(prefix("2001:db8::/32"), address("2001:db9::1")));
  CHECK(prefix_contains(prefix("2001:db8::/64"), address("2001:db8::ffff:ffff:ffff:ffff")));
  CHECK_FALSE(prefix_contains(prefix("2001:db8::/64"), address("2001:db8:0:1::")));
  CHECK(prefix_contains(prefix("2001:db8::8000:0:0:0/65"), address("2001:db8::ffff:0:0:1")));
  CHECK_FALSE(prefix_contains(prefix("2001:db8::8000:0:0:0/65"), address("2001:db8::7fff:0:0:1")));
  CHECK(prefix_contains(prefix("2001:db8::1/128"), address("2001:db8::1")));
  CHECK_FALSE(prefix_contains(prefix("2001:db8::1/128"), address("2001:db8::2")));
}

TEST_CASE("prefix_contains never mixes families", "[filter][prefix]") {
  CHECK_FALSE(prefix_contains(prefix("0.0.0.0/0"), address("2001:db8::1")));
  CHECK_FALSE(prefix_contains(prefix("::/0"), address("1.2.3.4")));
  // an IPv4-mapped IPv6 address is an IPv4 address
  CHECK(prefix_contains(prefix("1.2.3.0/24"), address("::ffff:1.2.3.4")));
}

TEST_CASE("an exact-text source filter matches an anonymised address as written",
          "[filter][event]") {
  // Regression: anonymised data writes 035.249.253.232, which address parsing refuses, so
  // --source-ip could not select the events a summary listed for it.
  EventFilter f;
  f.source_texts = {"035.249.253.232"};
  auto e = base_event();
  e.source_ip = "035.249.253.232";
  CHECK(f.matches(e));
  e.source_ip = "35.249.253.232";
  CHECK_FALSE(f.matches(e));
  f.source_ips = {prefix("35.249.253.0/24")};
  CHECK(f.matches(e));  // any of the texts and prefixes
}

TEST_CASE("an IAM user is named by the user name its ARN writes, whatever userName says",
          "[filter][identity]") {
  // Regression: a summary row groups by ARN and showed "alice", but events of that ARN whose
  // userName was something else did not answer to --user alice.
  auto id = iam_user();
  id.user_name = "=1+2";
  CHECK(identity_matches(id, "alice"));
  id.arn = "arn:aws:iam::111122223333:user/team/ops/alice";
  CHECK(identity_matches(id, "alice"));
  CHECK_FALSE(identity_matches(id, "ops"));
}

TEST_CASE("a service without a type keys as AWSService, as its principal does",
          "[filter][identity]") {
  // Regression: the summary row key said "Unknown:AWS Internal" while the row's principal (and
  // findings' keys) said AWSService.
  IdentityView id;
  id.type = IdentityType::Unknown;
  id.account_id = "111122223333";
  id.invoked_by = "AWS Internal";
  std::string scratch;
  CHECK(id.key(scratch) == "AWSService:AWS Internal");
  CHECK(id.key(scratch) == Principal::from(id).key());
}

TEST_CASE("a session's record of another type answers to the session's ROLE/SESSION",
          "[filter][identity]") {
  // Grouped by its ARN with the session's AssumedRole records, whose summary row reads
  // ROLE/SESSION: --user with that name must select it too.
  IdentityView id;
  id.type = IdentityType::Unknown;
  id.type_text = "Unknown";
  id.arn = "arn:aws:sts::111122223333:assumed-role/Admin/alice";
  CHECK(id.answers_to("Admin/alice"));
  CHECK(id.answers_to("alice"));
  CHECK_FALSE(id.answers_to("Admi/alice"));
  CHECK_FALSE(id.answers_to("Admin/alic"));
  CHECK_FALSE(id.answers_to("Other/alice"));
  CHECK_FALSE(id.answers_to("Admin/"));
}

TEST_CASE("every identity shape answers to the name a report shows for it",
          "[filter][identity]") {
  // Every type, with every combination of the fields display_name() reads present or absent,
  // and ARNs of each shape: --user NAME must select what a report printed as NAME.
  const IdentityType types[] = {
      IdentityType::IAMUser,       IdentityType::AssumedRole,        IdentityType::Root,
      IdentityType::FederatedUser, IdentityType::AWSService,         IdentityType::AWSAccount,
      IdentityType::IdentityCenterUser, IdentityType::SAMLUser,      IdentityType::WebIdentityUser,
      IdentityType::Unknown,       IdentityType::Other};
  const std::string_view arns[] = {"", "arn:aws:iam::111122223333:user/ops/alice",
                                   "arn:aws:sts::111122223333:assumed-role/deploy/run-1",
                                   "arn:aws:sts::111122223333:federated-user/carol",
                                   "arn:aws:iam::111122223333:root"};
  int checked = 0;
  for (const IdentityType type : types) {
    for (const std::string_view arn : arns) {
      for (unsigned mask = 0; mask < 64; ++mask) {
        IdentityView id;
        id.type = type;
        id.arn = arn;
        if (type == IdentityType::Other || (mask & 1u)) id.type_text = "SomeNewType";
        if (mask & 2u) id.principal_id = "AROAEXAMPLE:run-1";
        if (mask & 4u) id.user_name = "bob";
        if (mask & 8u) id.invoked_by = "ec2.amazonaws.com";
        if (mask & 16u) id.issuer_user_name = "deploy";
        if (mask & 32u) {
          id.on_behalf_user_id = "94482488-3041";
          id.account_id = "111122223333";
        }
        const std::string shown = id.display_name();
        std::string scratch = "left over";  // the form without a string of its own agrees
        CHECK(id.display_name(scratch) == shown);
        if (shown.empty() || shown == "-") continue;
        INFO("type " << id.type_name() << ", arn '" << arn << "', fields " << mask << ", shown '"
                     << shown << "'");
        CHECK(id.answers_to(shown));
        CHECK_FALSE(id.answers_to(shown + "x"));
        ++checked;
      }
    }
  }
  CHECK(checked > 3000);
}
