// The registry: every rule's definition in catalog order, and the catalog made from it.
#include <vector>

#include "../rule.hpp"

namespace trailhound::detect {
namespace rules {

// A new rule is one file under src/detect/rules/ defining `const RuleDef& NAME()`, plus its
// line here, in the order `trailhound rules` prints them. The list is a macro so that the one
// line both declares the function and puts it in the registry.
#define TRAILHOUND_RULES(RULE)       \
  RULE(signin_outside_allowlist)     \
  RULE(malicious_ip_caller)          \
  RULE(credential_exfiltration)      \
  RULE(network_config_change)        \
  RULE(network_config_change_denied) \
  RULE(sg_ingress_open)              \
  RULE(nacl_entry_open)              \
  RULE(policy_grants_admin)          \
  RULE(password_data_burst)          \
  RULE(sigma_rules)

#define TRAILHOUND_DECLARE_RULE(name) const RuleDef& name();
TRAILHOUND_RULES(TRAILHOUND_DECLARE_RULE)
#undef TRAILHOUND_DECLARE_RULE

}  // namespace rules

std::span<const RuleDef> rule_registry() {
#define TRAILHOUND_LIST_RULE(name) rules::name(),
  static const std::vector<RuleDef> all = {TRAILHOUND_RULES(TRAILHOUND_LIST_RULE)};
#undef TRAILHOUND_LIST_RULE
  return all;
}

const std::vector<RuleInfo>& rule_catalog() {
  static const std::vector<RuleInfo> catalog = [] {
    std::vector<RuleInfo> out;
    for (const RuleDef& def : rule_registry()) out.push_back(def.info);
    return out;
  }();
  return catalog;
}

}  // namespace trailhound::detect
