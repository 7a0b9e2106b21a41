// sigma: every loaded Sigma rule (--sigma), one compiled matcher per worker.
#include <fmt/format.h>

#include "../rule.hpp"
#include "trailhound/sigma.hpp"

namespace trailhound::detect {
namespace {

Severity level_severity(std::string_view level) {
  return parse_severity(level).value_or(Severity::Medium);
}

class SigmaRules final : public Rule {
 public:
  explicit SigmaRules(Worker& w) : Rule(w) {
    if (w.config.sigma && w.config.sigma->active() > 0) {
      matcher_ = std::make_unique<sigma::Matcher>(*w.config.sigma, w.config.geo);
    }
  }

  void judge(const EventContext& ctx) override {
    if (!matcher_) return;
    Worker& w = worker();
    matcher_->match(ctx.event, [&](std::size_t index,
                                   const std::vector<sigma::MatchedField>& fields) {
      const sigma::RuleMeta& m = matcher_->meta(index);
      Finding f = w.make_finding(ctx, w.text->intern(fmt::format("sigma:{}", m.id)),
                                 level_severity(m.level), ctx.is_address());
      f.title = w.text->intern(m.title);
      f.author = w.text->intern(m.author);
      for (const auto& t : m.tags) f.tags.push_back(w.text->intern(t));
      for (const auto& r : m.references) f.references.push_back(w.text->intern(r));
      // The rule's provenance goes in the reasons too, so that every format shows it: the
      // community rules' licence asks that author and reference travel with findings.
      w.reason(f, fmt::format("Sigma rule '{}' (level {}{}{})", m.title, m.level,
                              m.status.empty() ? "" : ", status ", m.status));
      for (const auto& field : fields) {
        w.reason(f, fmt::format("matched {}: {}", field.field, field.value));
      }
      if (!m.tags.empty()) w.reason(f, fmt::format("tags: {}", fmt::join(m.tags, ", ")));
      if (!m.author.empty()) w.reason(f, fmt::format("author: {}", m.author));
      for (const auto& r : m.references) w.reason(f, fmt::format("reference: {}", r));
      w.emit(std::move(f), ctx);
    });
  }

 private:
  std::unique_ptr<sigma::Matcher> matcher_;
};

}  // namespace

namespace rules {
const RuleDef& sigma_rules() {
  static const RuleDef def{
      {kRuleSigma, "each rule's level: informational, low, medium, high, critical",
       "the Sigma rules loaded with --sigma whose logsource is product aws, service cloudtrail "
       "(listed below when given to 'rules')",
       "", "--sigma"},
      Requires::Nothing,
      make_rule<SigmaRules>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
