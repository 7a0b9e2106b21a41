// Identity types and the names a report shows for a caller.
#include <array>
#include <utility>

#include "trailhound/model.hpp"

namespace trailhound {
namespace {

constexpr std::array<std::pair<IdentityType, std::string_view>, 11> kTypeNames{{
    {IdentityType::IAMUser, "IAMUser"},
    {IdentityType::AssumedRole, "AssumedRole"},
    {IdentityType::Root, "Root"},
    {IdentityType::FederatedUser, "FederatedUser"},
    {IdentityType::AWSService, "AWSService"},
    {IdentityType::AWSAccount, "AWSAccount"},
    {IdentityType::IdentityCenterUser, "IdentityCenterUser"},
    {IdentityType::SAMLUser, "SAMLUser"},
    {IdentityType::WebIdentityUser, "WebIdentityUser"},
    {IdentityType::Unknown, "Unknown"},
    {IdentityType::Missing, "Missing"},
}};

}  // namespace

std::string_view to_string(IdentityType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "Other";
}

IdentityType parse_identity_type(std::string_view text) {
  for (const auto& [t, name] : kTypeNames) {
    if (name == text && t != IdentityType::Missing) return t;
  }
  return IdentityType::Other;
}

std::string_view IdentityView::session_name() const {
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (also federated-user/NAME)
  constexpr std::string_view kAssumed = ":assumed-role/";
  const auto at = arn.find(kAssumed);
  if (at == std::string_view::npos) return {};
  const auto rest = arn.substr(at + kAssumed.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  return rest.substr(slash + 1);
}

std::string_view IdentityView::key(std::string& scratch) const {
  if (!arn.empty()) return arn;
  if (!principal_id.empty()) return principal_id;
  // The type as reports show it, so this key and Principal::key() agree (an AWS service
  // without a type is "AWSService:ec2.amazonaws.com" in both).
  scratch.assign(type_name());
  scratch += ':';
  scratch += display_name();
  return scratch;
}

namespace {

/// An identity with no type but the service that acted: CloudTrail writes AWS service events
/// as `{"accountId":...,"invokedBy":"ec2.amazonaws.com"}`.
bool service_without_type(const IdentityView& id) {
  return id.type == IdentityType::Unknown && id.type_text.empty() && !id.invoked_by.empty() &&
         id.arn.empty() && id.user_name.empty();
}

}  // namespace

std::string_view IdentityView::role_name() const {
  if (type != IdentityType::AssumedRole) return {};
  if (!issuer_user_name.empty()) return issuer_user_name;
  constexpr std::string_view kAssumed = ":assumed-role/";
  const auto at = arn.find(kAssumed);
  if (at == std::string_view::npos) return {};
  const auto rest = arn.substr(at + kAssumed.size());
  return rest.substr(0, rest.find('/'));
}

std::string_view IdentityView::display_name(std::string& scratch) const {
  if (service_without_type(*this)) return invoked_by;
  switch (type) {
    case IdentityType::AssumedRole: {
      const auto session = session_name();
      const std::string_view role = role_name();
      if (role.empty()) {
        if (!user_name.empty()) return user_name;
        return principal_id.empty() ? std::string_view("-") : principal_id;
      }
      if (session.empty()) return role;
      scratch.assign(role);
      scratch += '/';
      scratch += session;
      return scratch;
    }
    case IdentityType::Root:
      return user_name.empty() ? std::string_view("root") : user_name;
    case IdentityType::AWSService:
      if (!invoked_by.empty()) return invoked_by;
      return principal_id.empty() ? std::string_view("-") : principal_id;
    case IdentityType::IdentityCenterUser:
      return on_behalf_user_id.empty() ? principal_id : on_behalf_user_id;
    case IdentityType::AWSAccount:
      return account_id.empty() ? principal_id : account_id;
    case IdentityType::Missing:
      return {};
    case IdentityType::FederatedUser: {
      const auto at = arn.find(":federated-user/");
      if (at != std::string_view::npos) return arn.substr(at + 16);
      return principal_id;
    }
    default:
      if (!user_name.empty()) return user_name;
      if (!arn.empty()) return arn;
      if (!principal_id.empty()) return principal_id;
      if (!invoked_by.empty()) return invoked_by;
      return type_text.empty() ? std::string_view("-") : type_text;
  }
}

std::string IdentityView::display_name() const {
  std::string scratch;
  return std::string(display_name(scratch));
}

std::string_view IdentityView::type_name() const {
  if (service_without_type(*this)) return to_string(IdentityType::AWSService);
  return type == IdentityType::Other ? type_text : to_string(type);
}

bool IdentityView::answers_to(std::string_view name) const {
  if (name.empty() || type == IdentityType::Missing) return false;
  if (user_name == name || arn == name || principal_id == name || issuer_arn == name ||
      on_behalf_user_id == name) {
    return true;
  }
  if (type == IdentityType::Root && name == "root") return true;
  if (type == IdentityType::AWSAccount && account_id == name) return true;
  if (!invoked_by.empty() && invoked_by == name &&
      (type == IdentityType::AWSService || service_without_type(*this))) {
    return true;
  }
  // An IAM user's name as its ARN writes it (arn:aws:iam::ACCOUNT:user/[PATH/]NAME): events
  // are grouped by ARN, so the name a report shows for the ARN must select all of them, even
  // those whose userName says otherwise.
  if (const auto at = arn.find(":user/"); at != std::string_view::npos &&
                                          arn.substr(arn.rfind('/') + 1) == name) {
    return true;
  }
  const std::string_view role = role_name();
  if (!role.empty() && role == name) return true;
  const auto session = session_name();
  if (!session.empty()) {
    if (session == name) return true;
    // ROLE/SESSION, as the display name shows it. The role as the ARN writes it counts too:
    // a record of the session whose userIdentity.type is not AssumedRole (some exports
    // write "Unknown") is grouped with the session's other events by its ARN, and the name
    // their summary row shows must select it.
    const auto slash = name.find('/');
    if (slash != std::string_view::npos && name.substr(slash + 1) == session) {
      const std::string_view named = name.substr(0, slash);
      if (named == role) return true;
      constexpr std::string_view kAssumed = ":assumed-role/";
      const auto at = arn.find(kAssumed);
      if (at != std::string_view::npos &&
          arn.substr(at + kAssumed.size()).substr(0, named.size() + 1) ==
              name.substr(0, slash + 1)) {
        return true;
      }
    }
  }
  // The rest of what display_name() can show, matched without building it (this runs for
  // every event a --user filter sees): a federated user's name from its ARN, and, for types
  // with no name of their own, the service that acted or the type's own text.
  switch (type) {
    case IdentityType::FederatedUser: {
      const auto at = arn.find(":federated-user/");
      return at != std::string_view::npos && arn.substr(at + 16) == name;
    }
    case IdentityType::AssumedRole:
    case IdentityType::Root:
    case IdentityType::AWSService:
    case IdentityType::IdentityCenterUser:
    case IdentityType::AWSAccount:
    case IdentityType::Missing:
      return false;  // every name these show was compared above
    default:
      if (!user_name.empty() || !arn.empty() || !principal_id.empty()) return false;
      if (!invoked_by.empty()) return invoked_by == name;
      return type_text == name && name != "-";
  }
}

Principal Principal::from(const IdentityView& id) {
  Principal p;
  p.type = std::string(id.type_name());
  p.user = id.display_name();
  p.arn = std::string(id.arn);
  p.principal_id = std::string(id.principal_id);
  p.access_key = std::string(id.access_key_id);
  p.account = std::string(id.account_id);
  p.session_issuer = std::string(id.issuer_arn);
  return p;
}

std::string Principal::key() const {
  return PrincipalView{type, user, arn, principal_id, access_key, account, session_issuer}.key();
}

std::string PrincipalView::key() const {
  if (!arn.empty()) return std::string(arn);
  if (!principal_id.empty()) return std::string(principal_id);
  return std::string(type) + ":" + std::string(user);
}

}  // namespace trailhound
