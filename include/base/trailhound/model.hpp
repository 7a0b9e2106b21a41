// The shared model: one CloudTrail record as the parse stage hands it to every later stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trailhound {

/// Milliseconds since the Unix epoch, UTC.
using TimeMs = std::int64_t;

/// userIdentity.type, as CloudTrail writes it; Missing when the record has no userIdentity.
enum class IdentityType {
  IAMUser,
  AssumedRole,
  Root,
  FederatedUser,
  AWSService,
  AWSAccount,
  IdentityCenterUser,
  SAMLUser,
  WebIdentityUser,
  Unknown,
  Missing,
  Other,
};

/// The CloudTrail spelling of an identity type ("Missing" for a record without one).
std::string_view to_string(IdentityType type);
/// Reads userIdentity.type; an unlisted spelling gives Other.
IdentityType parse_identity_type(std::string_view text);

/// A JSON value inside a decoded buffer, kept as its first byte so that its extent is measured
/// only when a later stage needs it (most records never need their raw text).
class RawJson {
 public:
  RawJson() = default;
  /// `start` points at the value's first byte; `limit` is the end of the readable buffer.
  RawJson(const char* start, const char* limit) : start_(start), limit_(limit) {}
  /// A value whose extent the parser already knows; `limit` as above.
  RawJson(std::string_view exact, const char* limit)
      : start_(exact.data()), limit_(limit), length_(exact.size()) {}
  [[nodiscard]] bool present() const { return start_ != nullptr; }
  /// The value's text, found by scanning to its end; empty when absent.
  [[nodiscard]] std::string_view text() const;
  /// Bytes readable from the start (at least text().size(), padding included).
  [[nodiscard]] std::size_t capacity() const { return start_ ? std::size_t(limit_ - start_) : 0; }

 private:
  const char* start_ = nullptr;
  const char* limit_ = nullptr;
  std::size_t length_ = kUnknownLength;
  static constexpr std::size_t kUnknownLength = ~std::size_t{0};
};

/// The identity of the caller. Views are valid only while the event is being visited.
struct IdentityView {
  IdentityType type = IdentityType::Missing;
  std::string_view type_text;     ///< userIdentity.type as written
  std::string_view principal_id;  ///< principalId
  std::string_view arn;
  std::string_view account_id;
  std::string_view access_key_id;
  std::string_view user_name;         ///< userName (IAMUser, Root, some others)
  std::string_view invoked_by;        ///< invokedBy (AWSService and service-made calls)
  std::string_view issuer_type;       ///< sessionContext.sessionIssuer.type
  std::string_view issuer_arn;        ///< sessionContext.sessionIssuer.arn
  std::string_view issuer_user_name;  ///< sessionContext.sessionIssuer.userName (the role name)
  std::string_view on_behalf_user_id; ///< onBehalfOf.userId (IAM Identity Center)
  std::string_view mfa_authenticated; ///< sessionContext.attributes.mfaAuthenticated
  std::string_view identity_provider; ///< identityProvider (SAML, web identity)

  /// The session name of an assumed role, the last part of `assumed-role/ROLE/SESSION`.
  [[nodiscard]] std::string_view session_name() const;
  /// The best short name for a person reading a report: user name, role/session, service...
  [[nodiscard]] std::string display_name() const;
  /// The same, with no string of its own unless it must join two parts (ROLE/SESSION), which
  /// it builds in `scratch`; the result may point into `scratch` or the record.
  [[nodiscard]] std::string_view display_name(std::string& scratch) const;
  /// The type as reports show it: the known name, or the text as written for other types. An
  /// identity with no `type` but an `invokedBy` is an AWS service acting (AWSService).
  [[nodiscard]] std::string_view type_name() const;
  /// The role of an assumed-role session: sessionIssuer.userName, else read from the ARN
  /// (`assumed-role/ROLE/SESSION`); empty for other identities.
  [[nodiscard]] std::string_view role_name() const;
  /// True when `name` selects this identity for --user, --suppress-principal and
  /// --network-admin: every name a report prints for it (display_name()), and its user name
  /// (userName, or the last part of an IAM user ARN `user/[PATH/]NAME`), ARN, principalId, role name or ARN, session name, ROLE/SESSION, the calling service, the
  /// account of an AWSAccount caller, and `root` for the root user.
  [[nodiscard]] bool answers_to(std::string_view name) const;
  /// The key that groups one principal's events: the ARN, else the principalId, else type and
  /// display name (built in `scratch`, which the result may point into).
  [[nodiscard]] std::string_view key(std::string& scratch) const;
};

/// The principal of an event, owned: what the `principal` object of every output shows.
struct Principal {
  std::string type;          ///< userIdentity.type ("Missing" when absent)
  std::string user;          ///< display name: user, ROLE/SESSION, service, ...
  std::string arn;
  std::string principal_id;
  std::string access_key;
  std::string account;
  std::string session_issuer;  ///< the role ARN behind an assumed-role session

  [[nodiscard]] static Principal from(const IdentityView& identity);
  /// A stable key that groups one principal's events: ARN, else principalId, else name.
  [[nodiscard]] std::string key() const;
  /// Field by field, in the order above: which of two descriptions of one key a report shows
  /// when both come from events of the same time.
  friend auto operator<=>(const Principal&, const Principal&) = default;
};

/// The same fields as views, for findings, whose text lives in a pool (detect::TextPool).
struct PrincipalView {
  std::string_view type, user, arn, principal_id, access_key, account, session_issuer;
  /// The same key as Principal::key().
  [[nodiscard]] std::string key() const;
};

/// Where a record came from: the file (as given or found) and its 0-based index in that file.
struct SourceRef {
  std::uint32_t file = 0;  ///< index into the run's file table
  std::uint64_t index = 0; ///< 0-based record index within the file
};

/// One CloudTrail record. String views point into the parser's buffers and are valid only
/// during the visit; a stage that keeps an event copies what it needs (see OwnedEvent).
struct EventView {
  std::string_view event_time; ///< eventTime as written
  TimeMs time = 0;              ///< eventTime parsed, UTC
  std::string_view event_version;
  std::string_view event_name;
  std::string_view event_source;
  std::string_view aws_region;
  std::string_view source_ip;  ///< sourceIPAddress as written (may be a service name)
  std::string_view user_agent;
  std::string_view error_code;
  std::string_view error_message;
  std::string_view event_type;
  std::string_view event_id;
  std::string_view recipient_account_id;
  std::optional<bool> read_only;
  IdentityView identity;
  RawJson request_parameters;
  RawJson response_elements;
  RawJson additional_event_data;
  RawJson record;  ///< the whole record
  SourceRef source;
  /// Member::kKnown when the reader saw every member on the paths of the views above (every
  /// object on them was an object). Then a view that is null (data() == nullptr) is a member
  /// the record does not have; one that was there but null, an object or a list is empty and
  /// not null. Without kKnown (events made otherwise), absence is not known.
  std::uint32_t members = 0;
};

/// The bits of EventView::members.
namespace Member {
/// An object on a member's path was a list (a reader that looks into lists may find the
/// member there): membership is not known.
inline constexpr std::uint32_t kIrregular = 1U << 30;
inline constexpr std::uint32_t kKnown = 1U << 31;
}  // namespace Member

}  // namespace trailhound
