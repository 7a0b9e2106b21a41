// What the rules of one worker share: making findings, holding them back, and missing inputs.
#include <cstring>

#include "rule.hpp"

namespace trailhound::detect {

Finding Worker::make_finding(const EventContext& ctx, std::string_view rule, Severity severity,
                             bool with_lookup) {
  TextPool& t = *text;
  const EventView& e = ctx.event;
  // The pooled text of `s`: the previous finding's when it is the same.
  auto pooled = [&t](std::string_view s, std::string_view& last) {
    if (s.size() != last.size() ||
        (!s.empty() && std::memcmp(s.data(), last.data(), s.size()) != 0)) {
      last = t.intern(s);
    }
    return last;
  };
  Finding f;
  f.rule = rule;
  f.severity = severity;
  f.time = e.time;
  const IdentityView& id = e.identity;
  Recent& r = recent;
  f.principal.type = pooled(id.type_name(), r.type);
  f.principal.user = pooled(id.display_name(name_scratch), r.user);
  f.principal.arn = pooled(id.arn, r.arn);
  f.principal.principal_id = pooled(id.principal_id, r.principal_id);
  f.principal.access_key = pooled(id.access_key_id, r.access_key);
  f.principal.account = pooled(id.account_id, r.account);
  f.principal.session_issuer = pooled(id.issuer_arn, r.issuer);
  f.source_ip = pooled(e.source_ip, r.source_ip);
  f.event_name = pooled(e.event_name, r.event_name);
  f.event_source = pooled(e.event_source, r.event_source);
  f.region = pooled(e.aws_region, r.region);
  f.user_agent = pooled(e.user_agent, r.user_agent);
  f.error_code = pooled(e.error_code, r.error_code);
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
