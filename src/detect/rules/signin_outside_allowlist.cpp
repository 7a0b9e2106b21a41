// signin-outside-allowlist: a sign-in from an address on no sign-in allow list.
#include <fmt/format.h>

#include "../rule.hpp"

namespace trailhound::detect {
namespace {

bool is_signin_event(const EventView& e) {
  const auto& n = e.event_name;
  // Every event of the sign-in service is a step of a console sign-in (ConsoleLogin,
  // CheckMfa, SwitchRole, PasswordUpdated, GetSigninToken, ...): all are held to the list.
  if (e.event_source == "signin.amazonaws.com") return true;
  if (e.event_source == "sso.amazonaws.com") return n == "Authenticate" || n == "Federate";
  if (e.event_source == "sts.amazonaws.com") {
    return n == "AssumeRoleWithSAML" || n == "AssumeRoleWithWebIdentity";
  }
  return false;
}

/// Text of a small JSON member (e.g. responseElements.ConsoleLogin), or empty.
std::string member_text(simdjson::dom::parser& parser, const RawJson& json, const char* key) {
  const std::string_view text = json.text();
  if (text.empty() || text == "null") return {};
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (root[key].get(s) == simdjson::SUCCESS) return std::string(s);
  return {};
}

class SigninOutsideAllowlist final : public Rule {
 public:
  using Rule::Rule;

  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    // An unparseable source cannot be on the allow list: it fails closed.
    if (!is_signin_event(e) || (ctx.is_address() && ctx.lookup.signin_allowed)) return;
    Worker& w = worker();
    Finding f = w.make_finding(ctx, kRuleSignin, Severity::High, ctx.is_address());
    const std::string outcome =
        member_text(w.json, e.response_elements, std::string(e.event_name).c_str());
    if (!outcome.empty()) w.reason(f, fmt::format("{} {}", e.event_name, outcome));
    else if (!e.error_code.empty()) w.reason(f, fmt::format("{} failed: {}", e.event_name, e.error_code));
    const std::string mfa = member_text(w.json, e.additional_event_data, "MFAUsed");
    if (!mfa.empty()) w.reason(f, fmt::format("MFA used: {}", mfa));
    if (ctx.is_address()) {
      w.reason(f, fmt::format("source {} is not on the sign-in allow list",
                              intel::to_string(ctx.addr)));
    } else {
      w.reason(f, "source is not an address, so it cannot be on the allow list (fail closed)");
    }
    w.emit(std::move(f), ctx);
  }
};

}  // namespace

namespace rules {
const RuleDef& signin_outside_allowlist() {
  static const RuleDef def{
      {kRuleSignin,
       "high (a sign-in from outside the allow list; an unparseable source is outside)",
       "signin.amazonaws.com ConsoleLogin, GetSigninToken, CheckMfa, SwitchRole, "
       "ExternalIdPDirectoryLogin, UserAuthentication, CredentialChallenge, "
       "CredentialVerification, Federate; sso.amazonaws.com Authenticate, Federate; "
       "sts.amazonaws.com AssumeRoleWithSAML, AssumeRoleWithWebIdentity",
       "", "--signin-allowlist or --allow-signin"},
      Requires::SigninAllowlist,
      make_rule<SigninOutsideAllowlist>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
