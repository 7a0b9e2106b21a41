// IAM policy documents: does one grant every action on every resource?
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace trailhound::detect {

/// Decodes %XX escapes (and + as a space) of a URL-encoded document; text without a % is
/// returned as it is. A malformed escape is kept as written.
[[nodiscard]] std::string url_decode(std::string_view text);

/// The first statement of a policy document (JSON, or URL-encoded JSON as CloudTrail records
/// some) that allows Action "*" (or "*:*") on Resource "*", as short text (`Sid ...` or
/// `statement N`); empty when there is none or the document cannot be read.
[[nodiscard]] std::string grants_everything(simdjson::dom::parser& parser, std::string_view document);

/// True for the ARN of AWS's managed AdministratorAccess policy (any partition).
[[nodiscard]] bool is_admin_policy_arn(std::string_view arn);

}  // namespace trailhound::detect
