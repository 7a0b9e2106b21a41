// What the rules of one worker share: making findings, holding them back, and missing inputs.
#include "rule.hpp"

namespace trailhound::detect {

Finding Worker::make_finding(const EventContext& ctx, std::string_view rule, Severity severity,
                             bool with_lookup) {
  TextPool& t = *text;
  const EventView& e = ctx.event;
  Finding f;
  f.rule = rule;
  f.severity = severity;
  f.time = e.time;
  const IdentityView& id = e.identity;
  f.principal.type = t.intern(id.type_name());
  f.principal.user = t.intern(id.display_name());
  f.principal.arn = t.intern(id.arn);
  f.principal.principal_id = t.intern(id.principal_id);
  f.principal.access_key = t.intern(id.access_key_id);
  f.principal.account = t.intern(id.account_id);
  f.principal.session_issuer = t.intern(id.issuer_arn);
  f.source_ip = t.intern(e.source_ip);
  f.event_name = t.intern(e.event_name);
  f.event_source = t.intern(e.event_source);
  f.region = t.intern(e.aws_region);
  f.user_agent = t.intern(e.user_agent);
  f.error_code = t.intern(e.error_code);
  f.event_id = t.store(e.event_id);
  f.source = e.source;
  f.aws_known = intel.has_aws_ranges();
  if (with_lookup) {
    const intel::LookupResult& lookup = ctx.lookup;
    for (std::size_t i = 0; i < lookup.count; ++i) {
      const auto& hit = lookup.hits[i];
      const auto& info = intel.lists()[hit.list];
      f.lists.push_back(ListMatch{t.intern(info.name), t.intern(intel::to_string(hit.prefix)),
                                  intel::to_string(info.role)});
    }
    if (lookup.aws) {
      AwsMatch a;
      a.services = lookup.aws->services;
      a.region = lookup.aws->regions.empty() ? std::string_view{}
                                             : std::string_view(lookup.aws->regions.front());
      // The range's text is made once per range: most findings of a run share a few.
      auto [it, added] = aws_prefix_text.try_emplace(lookup.aws);
      if (added) it->second = t.intern(intel::to_string(lookup.aws->prefix));
      a.prefix = it->second;
      f.aws = a;
    }
  }
  return f;
}

Finding* Worker::emit(Finding&& f, const EventContext& ctx) {
  if (ctx.principal_suppressed) {
    ++suppressed.principal;
    return nullptr;
  }
  return &findings.emplace_back(std::move(f));
}

std::string_view missing_input(Requires what, const intel::IntelDb& intel) {
  switch (what) {
    case Requires::Nothing: return {};
    case Requires::ThreatLists: return intel.has_threat_lists() ? "" : "no --threat-list";
    case Requires::SigninAllowlist:
      return intel.has_signin_allowlist() ? "" : "no --signin-allowlist or --allow-signin";
    case Requires::AwsRanges: return intel.has_aws_ranges() ? "" : "no --aws-ip-ranges";
  }
  return {};
}

}  // namespace trailhound::detect
