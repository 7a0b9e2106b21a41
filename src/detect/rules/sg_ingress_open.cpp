// sg-ingress-open: a security-group change that opens ingress to the world or a wide range.
#include "../detect_internal.hpp"

namespace trailhound::detect {
namespace {

class SgIngressOpen final : public Rule {
 public:
  using Rule::Rule;

  // Only changes that took effect.
  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (!e.error_code.empty() || e.event_source != "ec2.amazonaws.com") return;
    if (e.event_name != "AuthorizeSecurityGroupIngress" &&
        e.event_name != "ModifySecurityGroupRules") {
      return;
    }
    // The response repeats the rules with their ids; both are read, duplicates dropped.
    report_open_ingress(worker(), ctx, kRuleSgIngress, true);
  }
};

}  // namespace

namespace rules {
const RuleDef& sg_ingress_open() {
  static const RuleDef def{
      {kRuleSgIngress,
       "high: world-open (/0) to a risky port or all protocols; medium: world-open to other "
       "ports; low: a wide range (--wide-prefix)",
       "successful AuthorizeSecurityGroupIngress and ModifySecurityGroupRules", "", ""},
      Requires::Nothing,
      make_rule<SgIngressOpen>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
