// A finding saved whole and loaded back (a shard's partial to the merge): every field, its
// text as strings, loaded into the worker's pool.
#include "detect_internal.hpp"

namespace trailhound::detect {

void save_finding(StateWriter& out, const Finding& f, std::span<const std::uint32_t> files) {
  out.str(f.rule);
  out.varint(static_cast<std::uint64_t>(f.severity));
  out.varint(static_cast<std::uint64_t>(f.time));
  const PrincipalView& p = f.principal;
  for (std::string_view v : {p.type, p.user, p.arn, p.principal_id, p.access_key, p.account,
                             p.session_issuer, f.source_ip}) {
    out.str(v);
  }
  out.varint(f.lists.size());
  for (const ListMatch& l : f.lists) {
    out.str(l.name);
    out.str(l.prefix);
    out.str(l.role);
  }
  out.flag(f.aws.has_value());
  if (f.aws) {
    out.varint(f.aws->services.size());
    for (const auto& s : f.aws->services) out.str(s);
    out.str(f.aws->region);
    out.str(f.aws->prefix);
  }
  out.flag(f.aws_known);
  for (std::string_view v : {f.event_name, f.event_source, f.region, f.user_agent, f.error_code,
                             f.event_id, f.guardduty_type, f.title, f.author}) {
    out.str(v);
  }
  out.varint(f.source.file < files.size() ? files[f.source.file] : f.source.file);
  out.varint(f.source.index);
  for (const std::span<const std::string_view> list :
       {std::span<const std::string_view>(f.reasons), f.tags, f.references}) {
    out.varint(list.size());
    for (std::string_view v : list) out.str(v);
  }
}

bool load_finding(StateReader& in, Finding& f) {
  std::uint64_t severity = 0, time = 0, n = 0;
  if (!in.text(f.rule) || !in.varint(severity) || !in.varint(time) ||
      severity > static_cast<std::uint64_t>(Severity::Critical)) {
    return in.fail();
  }
  f.severity = static_cast<Severity>(severity);
  f.time = static_cast<TimeMs>(time);
  PrincipalView& p = f.principal;
  for (std::string_view* v : {&p.type, &p.user, &p.arn, &p.principal_id, &p.access_key,
                              &p.account, &p.session_issuer, &f.source_ip}) {
    if (!in.text(*v)) return false;
  }
  if (!in.count(n, 3)) return false;
  f.lists.resize(n);
  for (ListMatch& l : f.lists) {
    if (!in.text(l.name) || !in.text(l.prefix) || !in.text(l.role)) return false;
  }
  bool has_aws = false;
  if (!in.flag(has_aws)) return false;
  if (has_aws) {
    if (!in.count(n)) return false;
    std::vector<std::string> services(n);
    for (auto& s : services) {
      std::string_view v;
      if (!in.str(v)) return false;
      s.assign(v);
    }
    AwsMatch a;
    a.services = in.worker().text->keep(std::move(services));
    if (!in.text(a.region) || !in.text(a.prefix)) return false;
    f.aws = a;
  }
  if (!in.flag(f.aws_known)) return false;
  for (std::string_view* v : {&f.event_name, &f.event_source, &f.region, &f.user_agent,
                              &f.error_code, &f.event_id, &f.guardduty_type, &f.title,
                              &f.author}) {
    if (!in.text(*v)) return false;
  }
  if (!in.number(f.source.file) || !in.varint(f.source.index)) return false;
  std::vector<std::string_view> tags, references;
  for (auto* list : {&f.reasons, &tags, &references}) {
    if (!in.count(n)) return false;
    list->resize(n);
    for (std::string_view& v : *list) {
      if (!in.text(v)) return false;
    }
  }
  TextPool& pool = *in.worker().text;
  if (!tags.empty()) f.tags = pool.keep(std::move(tags));
  if (!references.empty()) f.references = pool.keep(std::move(references));
  return true;
}

}  // namespace trailhound::detect
