// Tests for src/detect/rules/registry.cpp: the one list of rules, the catalog made from it,
// and the "is off" notes made from the rules' own requirements.
#include <set>

#include "../../../src/detect/rule.hpp"
#include "rule_test_support.hpp"

using namespace rule_test;
using namespace trailhound::detect;

TEST_CASE("every registered rule says what it is, under a unique id", "[rules][registry]") {
  const auto registry = rule_registry();
  REQUIRE(registry.size() == 10);
  std::set<std::string_view> ids;
  for (const RuleDef& def : registry) {
    INFO(def.info.id);
    CHECK_FALSE(def.info.id.empty());
    CHECK_FALSE(def.info.severity.empty());
    CHECK_FALSE(def.info.events.empty());
    CHECK(def.make != nullptr);
    CHECK(ids.insert(def.info.id).second);
  }
}

TEST_CASE("the catalog lists the registry's rules in its order", "[rules][registry]") {
  const auto registry = rule_registry();
  const auto& catalog = rule_catalog();
  REQUIRE(catalog.size() == registry.size());
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    CHECK(catalog[i].id == registry[i].info.id);
    CHECK(catalog[i].severity == registry[i].info.severity);
    CHECK(catalog[i].guardduty == registry[i].info.guardduty);
    CHECK(catalog[i].needs == registry[i].info.needs);
  }
  // The order `trailhound rules` prints.
  const std::vector<std::string_view> expected = {
      kRuleSignin,        kRuleMaliciousIp, kRuleExfiltration, kRuleNetworkChange,
      kRuleNetworkDenied, kRuleSgIngress,   kRuleNaclEntry,    kRulePolicyAdmin,
      kRulePasswordData,  kRuleSigma};
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(catalog[i].id == expected[i]);
}

TEST_CASE("rules that need missing intel are off, with one note each, grouped by input",
          "[rules][registry][notes]") {
  const intel::IntelDb none;
  const auto r = run({Record{}}, none);
  REQUIRE(r.notes.size() == 3);
  CHECK(r.notes[0] == "malicious-ip-caller is off: no --threat-list");
  CHECK(r.notes[1] == "signin-outside-allowlist is off: no --signin-allowlist or --allow-signin");
  CHECK(r.notes[2] == "credential-exfiltration is off: no --aws-ip-ranges");

  // A rule left out by --rules says nothing.
  CHECK(run({Record{}}, none, only({"sg-ingress-open"})).notes.empty());

  // Loaded intel turns the note off.
  intel::IntelDb aws;
  load_aws(aws);
  const auto with_aws = run({Record{}}, aws);
  REQUIRE(with_aws.notes.size() == 2);
  CHECK(with_aws.notes[1] == "signin-outside-allowlist is off: no --signin-allowlist or --allow-signin");
}

TEST_CASE("missing_input names the flag that would turn a rule on", "[rules][registry]") {
  const intel::IntelDb none;
  CHECK(missing_input(Requires::Nothing, none).empty());
  CHECK(missing_input(Requires::ThreatLists, none) == "no --threat-list");
  CHECK(missing_input(Requires::AwsRanges, none) == "no --aws-ip-ranges");
  intel::IntelDb allow;
  add(allow, intel::ListRole::SigninAllow, "office", "192.0.2.0/24");
  CHECK(missing_input(Requires::SigninAllowlist, allow).empty());
}
