// policy-grants-admin: an IAM policy that grants every action on every resource.
#include <fmt/format.h>

#include "../rule.hpp"
#include "../policy.hpp"

namespace trailhound::detect {
namespace {

class PolicyGrantsAdmin final : public Rule {
 public:
  using Rule::Rule;

  // Only changes that took effect: a refused call granted nothing.
  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (!e.error_code.empty() || e.event_source != "iam.amazonaws.com") return;
    const std::string_view n = e.event_name;
    const bool inline_policy = n == "PutUserPolicy" || n == "PutRolePolicy" ||
                               n == "PutGroupPolicy" || n == "CreatePolicyVersion" ||
                               n == "CreatePolicy";
    const bool attach = n == "AttachUserPolicy" || n == "AttachRolePolicy" ||
                        n == "AttachGroupPolicy";
    if (!inline_policy && !attach) return;
    const std::string_view text = e.request_parameters.text();
    if (text.empty() || text == "null") return;
    Worker& w = worker();
    simdjson::dom::element root;
    if (w.json.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) return;
    const std::string target = target_of(root);
    std::string why;
    if (attach) {
      std::string_view arn;
      if (root["policyArn"].get(arn) != simdjson::SUCCESS || !is_admin_policy_arn(arn)) return;
      why = fmt::format("attaches {} to {}", arn, target);
    } else {
      std::string_view doc;
      if (root["policyDocument"].get(doc) != simdjson::SUCCESS) return;
      const std::string statement = grants_everything(document_parser_, doc);
      if (statement.empty()) return;
      std::string_view name;
      if (root["policyName"].get(name) != simdjson::SUCCESS) name = {};
      why = fmt::format("policy {}{}grants every action on every resource ({}) to {}",
                        name.empty() ? "" : "'", name.empty() ? std::string() : std::string(name) + "' ",
                        statement, target);
    }
    Finding f = w.make_finding(ctx, kRulePolicyAdmin, Severity::High, ctx.is_address());
    w.reason(f, fmt::format("{} {}", n, why));
    w.emit(std::move(f), ctx);
  }

 private:
  /// Who receives the policy: the user, role or group named in the request.
  static std::string target_of(simdjson::dom::element root) {
    for (const char* key : {"userName", "roleName", "groupName", "policyArn"}) {
      std::string_view v;
      if (root[key].get(v) == simdjson::SUCCESS) {
        return fmt::format("{} {}", std::string_view(key).substr(0, std::string_view(key).size() - 4), v);
      }
    }
    return "an unnamed principal";
  }

  simdjson::dom::parser document_parser_;
};

}  // namespace

namespace rules {
const RuleDef& policy_grants_admin() {
  static const RuleDef def{
      {kRulePolicyAdmin, "high",
       "successful iam PutUserPolicy, PutRolePolicy, PutGroupPolicy, CreatePolicy and "
       "CreatePolicyVersion whose document (URL-encoded or not) has an Allow statement with "
       "Action * (or *:*) on Resource *; AttachUserPolicy, AttachRolePolicy and "
       "AttachGroupPolicy of arn:aws:iam::aws:policy/AdministratorAccess",
       "", ""},
      Requires::Nothing,
      make_rule<PolicyGrantsAdmin>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
