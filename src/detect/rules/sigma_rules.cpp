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
      const Text& t = text_of(index);
      Finding f = w.make_finding(ctx, t.rule, t.severity, ctx.is_address());
      f.title = t.title;
      f.author = t.author;
      f.tags = t.tags;
      f.references = t.references;
      // The rule's provenance goes in the reasons too, so that every format shows it: the
      // community rules' licence asks that author and reference travel with findings.
      f.reasons.reserve(1 + fields.size() + t.trailer.size());
      f.reasons.push_back(t.header);
      for (const auto& field : fields) {
        line_.assign("matched ");
        line_ += field.field;
        line_ += ": ";
        line_ += field.value;
        w.reason(f, line_);
      }
      f.reasons.insert(f.reasons.end(), t.trailer.begin(), t.trailer.end());
      w.emit(std::move(f), ctx);
    });
  }

 private:
  /// A rule's text as its findings show it, pooled once per worker on its first finding.
  struct Text {
    bool ready = false;
    Severity severity = Severity::Medium;
    std::string_view rule, title, author, header;
    std::span<const std::string_view> tags, references;  ///< in the pool
    std::vector<std::string_view> trailer;
  };

  const Text& text_of(std::size_t index) {
    if (texts_.size() <= index) texts_.resize(index + 1);
    Text& t = texts_[index];
    if (t.ready) return t;
    TextPool& pool = *worker().text;
    const sigma::RuleMeta& m = matcher_->meta(index);
    t.ready = true;
    t.severity = level_severity(m.level);
    t.rule = pool.intern(fmt::format("sigma:{}", m.id));
    t.title = pool.intern(m.title);
    t.author = pool.intern(m.author);
    std::vector<std::string_view> tags, references;
    for (const auto& tag : m.tags) tags.push_back(pool.intern(tag));
    for (const auto& r : m.references) references.push_back(pool.intern(r));
    t.tags = pool.keep(std::move(tags));
    t.references = pool.keep(std::move(references));
    t.header = pool.intern(fmt::format("Sigma rule '{}' (level {}{}{})", m.title, m.level,
                                       m.status.empty() ? "" : ", status ", m.status));
    if (!m.tags.empty()) t.trailer.push_back(pool.intern(fmt::format("tags: {}", fmt::join(m.tags, ", "))));
    if (!m.author.empty()) t.trailer.push_back(pool.intern(fmt::format("author: {}", m.author)));
    for (const auto& r : m.references) t.trailer.push_back(pool.intern(fmt::format("reference: {}", r)));
    return t;
  }

  std::unique_ptr<sigma::Matcher> matcher_;
  std::vector<Text> texts_;
  std::string line_;  ///< a reason being written
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
