// password-data-burst: many GetPasswordData calls by one principal in a short time.
#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "../rule.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::detect {
namespace {

/// The window a burst is counted in.
constexpr TimeMs kWindow = 10 * 60 * 1000;

class PasswordDataBurst final : public Rule {
 public:
  using Rule::Rule;

  // Every call waits as a candidate: a principal's calls may be read by several workers.
  void judge(const EventContext& ctx) override {
    const EventView& e = ctx.event;
    if (e.event_name != "GetPasswordData" || e.event_source != "ec2.amazonaws.com") return;
    Worker& w = worker();
    Finding f = w.make_finding(ctx, kRulePasswordData, Severity::Medium, ctx.is_address());
    if (Finding* kept = w.emit(std::move(f), ctx)) candidates_.push_back(kept);
  }

  void settle(std::span<Rule* const> peers, const SettleContext& run) override {
    struct Call {
      Finding* finding;
      PasswordDataBurst* owner;
    };
    std::map<std::string, std::vector<Call>> by_principal;
    for (Rule* peer : peers) {
      auto* p = static_cast<PasswordDataBurst*>(peer);
      for (Finding* f : p->candidates_) by_principal[f->principal.key()].push_back({f, p});
      p->candidates_.clear();
    }
    const auto threshold = static_cast<std::size_t>(std::max(run.config.password_data_threshold, 1));
    for (auto& [key, calls] : by_principal) {
      std::sort(calls.begin(), calls.end(),
                [](const Call& a, const Call& b) { return *a.finding < *b.finding; });
      std::size_t left = 0;
      std::optional<TimeMs> reported;  // the call a finding was made at
      for (std::size_t i = 0; i < calls.size(); ++i) {
        Finding& f = *calls[i].finding;
        while (f.time - calls[left].finding->time >= kWindow) ++left;
        const std::size_t count = i - left + 1;
        // One finding per burst: the call that passes the threshold, and again only once the
        // window holds none of the calls before the last finding.
        if (count > threshold && (!reported || calls[left].finding->time > *reported)) {
          reported = f.time;
          calls[i].owner->worker().reason(
              f, fmt::format("{} GetPasswordData calls by {} within ten minutes (more than {}), "
                             "from {} to {}",
                             count, f.principal.user, threshold,
                             format_iso(calls[left].finding->time), format_iso(f.time)));
        } else {
          f.rule = {};  // part of no burst, or of one already reported
        }
      }
    }
  }

  void save_state(StateWriter& out) const override { out.findings(candidates_); }

  bool load_state(StateReader& in) override { return in.findings(candidates_); }

 private:
  std::vector<Finding*> candidates_;
};

}  // namespace

namespace rules {
const RuleDef& password_data_burst() {
  static const RuleDef def{
      {kRulePasswordData, "medium",
       "ec2 GetPasswordData: more than --password-data-threshold calls (default 5) by one "
       "principal within ten minutes; one finding per burst",
       "", ""},
      Requires::Nothing,
      make_rule<PasswordDataBurst>};
  return def;
}
}  // namespace rules

}  // namespace trailhound::detect
