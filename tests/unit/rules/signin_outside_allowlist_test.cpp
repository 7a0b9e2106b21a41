// Tests for src/detect/rules/signin_outside_allowlist.cpp.
#include "rule_test_support.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

Record console_login(const std::string& ip, const std::string& outcome = "Success") {
  Record r;
  r.event_source = "signin.amazonaws.com";
  r.event_name = "ConsoleLogin";
  r.ip = ip;
  r.agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0";
  r.response = "{\"ConsoleLogin\":\"" + outcome + "\"}";
  r.additional = "{\"MFAUsed\":\"No\"}";
  return r;
}

intel::IntelDb allow_office() {
  intel::IntelDb db;
  add(db, intel::ListRole::SigninAllow, "office", "192.0.2.0/24");
  return db;
}

}  // namespace

TEST_CASE("a console login from outside the allow list is high, with its outcome and MFA",
          "[rules][signin]") {
  const auto db = allow_office();
  const auto r = run({console_login("198.51.100.9")}, db);
  const auto found = of_rule(r, detect::kRuleSignin);
  REQUIRE(found.size() == 1);
  const auto& f = *found[0];
  CHECK(f.severity == Severity::High);
  REQUIRE(f.reasons.size() == 3);
  CHECK(f.reasons[0] == "ConsoleLogin Success");
  CHECK(f.reasons[1] == "MFA used: No");
  CHECK(f.reasons[2] == "source 198.51.100.9 is not on the sign-in allow list");
  CHECK(f.guardduty_type.empty());
}

TEST_CASE("a sign-in from an allowed address and other calls give nothing", "[rules][signin]") {
  const auto db = allow_office();
  Record list = console_login("198.51.100.9");
  list.event_source = "s3.amazonaws.com";
  list.event_name = "ListBuckets";
  const auto r = run({console_login("192.0.2.40"), list}, db);
  CHECK(r.findings.empty());
}

TEST_CASE("a sign-in whose source is no address fails closed", "[rules][signin]") {
  const auto db = allow_office();
  Record federate = console_login("signin.amazonaws.com");
  federate.event_source = "sts.amazonaws.com";
  federate.event_name = "AssumeRoleWithSAML";
  federate.response = "null";
  federate.error_code = "AccessDenied";
  const auto r = run({federate}, db);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].lists.empty());
  CHECK(r.findings[0].reasons[0] == "AssumeRoleWithSAML failed: AccessDenied");
  CHECK(r.findings[0].reasons.back() ==
        "source is not an address, so it cannot be on the allow list (fail closed)");
}

TEST_CASE("without an allow list the rule is off and says so", "[rules][signin][notes]") {
  const intel::IntelDb db;
  const auto r = run({console_login("198.51.100.9")}, db, only({"signin-outside-allowlist"}));
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "signin-outside-allowlist is off: no --signin-allowlist or --allow-signin");
}

TEST_CASE("a suppressed principal's sign-in is counted, not reported", "[rules][signin]") {
  const auto db = allow_office();
  detect::DetectConfig config;
  config.suppress_principals = {"alice"};
  const auto r = run({console_login("198.51.100.9")}, db, config);
  CHECK(r.findings.empty());
  CHECK(r.suppressed.principal == 1);
}

// Broke: sign-in events other than the nine listed (PasswordUpdated, RenewRole, ...) were not
// held to the allow list.
TEST_CASE("every sign-in service event is held to the allow list", "[rules][signin]") {
  const auto db = allow_office();
  for (const char* name : {"PasswordUpdated", "SwitchRole", "CheckMfa", "RenewRole",
                           "GetSigninToken", "ConsoleLogin"}) {
    INFO(name);
    Record r = console_login("203.0.113.9");
    r.event_name = name;
    CHECK(of_rule(run({r}, db), detect::kRuleSignin).size() == 1);
    Record allowed = console_login("192.0.2.10");
    allowed.event_name = name;
    CHECK(of_rule(run({allowed}, db), detect::kRuleSignin).empty());
  }
}
