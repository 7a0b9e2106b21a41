// `timeline` and `summary`: what a principal did, event by event or principal by principal.
#include <algorithm>

#include <fmt/format.h>

#include "trailhound/cli.hpp"
#include "trailhound/report.hpp"

namespace trailhound::cli {
namespace {

/// Keeps the events that pass the filter, and their statistics.
class TimelineSink final : public EventSink {
 public:
  explicit TimelineSink(const EventFilter& filter) : filter_(filter) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    events_.push_back(OwnedEvent::from(e));
    stats_.add(e);
  }
  std::vector<OwnedEvent> events_;
  ActivityStats stats_;

 private:
  const EventFilter& filter_;
};

/// Adds up activity per principal for the events that pass the filter.
class SummarySink final : public EventSink {
 public:
  explicit SummarySink(const EventFilter& filter) : filter_(filter) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    ++matched_;
    const std::string_view key = e.identity.key(scratch_);
    auto it = principals_.find(key);
    if (it == principals_.end()) {
      const Principal p = Principal::from(e.identity);
      it = principals_.emplace(std::string(key), ActivityStats{}).first;
      it->second.type = p.type;
      it->second.user = p.user;
    }
    it->second.add(e);
  }
  std::map<std::string, ActivityStats, std::less<>> principals_;
  std::uint64_t matched_ = 0;

 private:
  std::string scratch_;
  const EventFilter& filter_;
};

}  // namespace

void register_timeline_commands(CLI::App& app, int& exit_code) {
  auto timeline_opts = std::make_shared<InputOptions>();
  auto* timeline = app.add_subcommand(
      "timeline",
      "every matching event in time order, then a summary (events, first and last seen, "
      "distinct source IPs, regions, user agents, access keys, errors)");
  add_input_options(*timeline, *timeline_opts);
  timeline->callback([timeline_opts, &exit_code] {
    PreparedRun p;
    if (!prepare_run(*timeline_opts, p)) {
      exit_code = kExitUsage;
      return;
    }
    std::vector<std::unique_ptr<EventSink>> sinks;
    RunTotals totals = run_files(
        p.files, p.run, [&] { return std::make_unique<TimelineSink>(p.filter); }, sinks);
    p.account(totals);
    std::vector<OwnedEvent> events;
    ActivityStats stats;
    for (auto& s : sinks) {
      auto& ts = static_cast<TimelineSink&>(*s);
      std::move(ts.events_.begin(), ts.events_.end(), std::back_inserter(events));
      stats.merge(ts.stats_);
    }
    std::sort(events.begin(), events.end());
    print_timeline(p.output.stream(), p.format, events, stats, totals, p.files, p.output.color());
    exit_code = finish_run(p.output, totals);
  });

  auto summary_opts = std::make_shared<InputOptions>();
  auto* summary = app.add_subcommand(
      "summary",
      "one row per principal: events, first and last seen, distinct IPs, access keys, user "
      "agents, regions, top actions, errors");
  add_input_options(*summary, *summary_opts);
  summary->callback([summary_opts, &exit_code] {
    PreparedRun p;
    if (!prepare_run(*summary_opts, p)) {
      exit_code = kExitUsage;
      return;
    }
    std::vector<std::unique_ptr<EventSink>> sinks;
    RunTotals totals = run_files(
        p.files, p.run, [&] { return std::make_unique<SummarySink>(p.filter); }, sinks);
    p.account(totals);
    std::map<std::string, ActivityStats, std::less<>> principals;
    std::uint64_t matched = 0;
    for (auto& s : sinks) {
      auto& ss = static_cast<SummarySink&>(*s);
      for (auto& [k, v] : ss.principals_) principals[k].merge(v);
      matched += ss.matched_;
    }
    print_principal_summary(p.output.stream(), p.format, principals, totals, matched,
                            p.output.color());
    exit_code = finish_run(p.output, totals);
  });
}

}  // namespace trailhound::cli
