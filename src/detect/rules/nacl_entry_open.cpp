// nacl-entry-open: a network-ACL entry that allows ingress from the world or a wide range.
#include "../detect_internal.hpp"

namespace trailhound::detect {
namespace {

class NaclEntryOpen final : public Rule {
 public:
  using Rule::Rule;

  // Only changes that took effect; egress and deny entries are dropped by judge_permission.
  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (!e.error_code.empty() || e.event_source != "ec2.amazonaws.com") return;
    if (e.event_name != "CreateNetworkAclEntry" && e.event_name != "ReplaceNetworkAclEntry") return;
    report_open_ingress(worker(), ctx, kRuleNaclEntry, false);
  }
};

}  // namespace

namespace rules {
const RuleDef& nacl_entry_open() {
  static const RuleDef def{
      {kRuleNaclEntry, "as sg-ingress-open, for world-open ingress allow entries",
       "successful CreateNetworkAclEntry and ReplaceNetworkAclEntry with egress false and "
       "ruleAction allow",
       "", ""},
      Requires::Nothing,
      make_rule<NaclEntryOpen>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
