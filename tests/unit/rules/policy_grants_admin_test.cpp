// Tests for src/detect/rules/policy_grants_admin.cpp and src/detect/policy.cpp.
#include "rule_test_support.hpp"
#include "../../../src/detect/policy.hpp"

using namespace rule_test;
using trailhound::detect::Severity;

namespace {

const std::string kAdmin =
    R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]})";
// The same document URL-encoded, as CloudTrail records some IAM calls.
const std::string kAdminEncoded =
    "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C"
    "%22Action%22%3A%5B%22*%3A*%22%5D%2C%22Resource%22%3A%5B%22*%22%5D%7D%7D";
const std::string kNarrow =
    R"({\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]})";
const std::string kDenyAll =
    R"({\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]})";

Record put(const std::string& name, const std::string& who, const std::string& document) {
  Record r;
  r.event_source = "iam.amazonaws.com";
  r.event_name = name;
  r.request = "{\"" + who + "\":\"victim\",\"policyName\":\"p\",\"policyDocument\":\"" + document + "\"}";
  return r;
}

Record attach(const std::string& name, const std::string& arn) {
  Record r;
  r.event_source = "iam.amazonaws.com";
  r.event_name = name;
  r.request = "{\"roleName\":\"victim\",\"policyArn\":\"" + arn + "\"}";
  return r;
}

}  // namespace

TEST_CASE("a policy granting * on * is high, plain or URL-encoded", "[rules][policy-admin]") {
  const intel::IntelDb db;
  const auto r = run({put("PutUserPolicy", "userName", kAdmin),
                      put("PutRolePolicy", "roleName", kAdminEncoded),
                      put("PutGroupPolicy", "groupName", kAdmin),
                      put("CreatePolicyVersion", "policyArn", kAdmin)},
                     db, only({"policy-grants-admin"}));
  REQUIRE(r.findings.size() == 4);
  for (const auto& f : r.findings) CHECK(f.severity == Severity::High);
  CHECK(has_reason(r.findings[0], "PutUserPolicy policy 'p' grants every action on every "
                                  "resource (Sid All) to user victim"));
  CHECK(has_reason(r.findings[1], "(statement 1) to role victim"));
}

TEST_CASE("narrow, denying and failed policy changes give nothing", "[rules][policy-admin]") {
  const intel::IntelDb db;
  Record failed = put("PutUserPolicy", "userName", kAdmin);
  failed.error_code = "AccessDenied";
  Record other_service = put("PutUserPolicy", "userName", kAdmin);
  other_service.event_source = "s3.amazonaws.com";
  Record garbage = put("PutUserPolicy", "userName", "%7B%7B%7Bnot json");
  const auto r = run({put("PutUserPolicy", "userName", kNarrow),
                      put("PutUserPolicy", "userName", kDenyAll), failed, other_service, garbage},
                     db, only({"policy-grants-admin"}));
  CHECK(r.findings.size() == 0);
}

TEST_CASE("attaching AdministratorAccess is high; other managed policies are not",
          "[rules][policy-admin]") {
  const intel::IntelDb db;
  const auto r = run({attach("AttachUserPolicy", "arn:aws:iam::aws:policy/AdministratorAccess"),
                      attach("AttachRolePolicy", "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"),
                      attach("AttachRolePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
                      attach("AttachRolePolicy", "arn:aws:iam::111122223333:policy/AdministratorAccess")},
                     db, only({"policy-grants-admin"}));
  REQUIRE(r.findings.size() == 2);
  CHECK(has_reason(r.findings[0], "attaches arn:aws:iam::aws:policy/AdministratorAccess to role victim"));
}

TEST_CASE("url_decode and grants_everything", "[rules][policy-admin]") {
  CHECK(detect::url_decode("a%20b+c%2") == "a b c%2");
  CHECK(detect::url_decode("no escapes") == "no escapes");
  simdjson::dom::parser parser;
  CHECK(detect::grants_everything(parser, R"({"Statement":{"Effect":"Allow","Action":["s3:Get*","*"],"Resource":"*"}})") == "statement 1");
  CHECK(detect::grants_everything(parser, R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]})").empty());
  CHECK(detect::grants_everything(parser, "not json").empty());
  CHECK(detect::grants_everything(parser, R"({"Statement":"x"})").empty());
}
