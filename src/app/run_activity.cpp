// `timeline` and `summary`: what a principal did, event by event or principal by principal.
#include <algorithm>
#include <iterator>
#include <map>

#include "output.hpp"
#include "trailhound/report.hpp"

namespace trailhound::app {
namespace {

/// Keeps the events that pass the filter, and their statistics.
class TimelineSink final : public EventSink {
 public:
  explicit TimelineSink(const EventFilter& filter) : filter_(filter) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    events.push_back(OwnedEvent::from(e));
    stats.add(e);
  }
  std::vector<OwnedEvent> events;
  ActivityStats stats;

 private:
  const EventFilter& filter_;
};

/// Adds up activity per principal for the events that pass the filter.
class SummarySink final : public EventSink {
 public:
  explicit SummarySink(const EventFilter& filter) : filter_(filter) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    ++matched;
    const std::string_view key = e.identity.key(scratch_);
    auto it = principals.find(key);
    if (it == principals.end()) {
      const Principal p = Principal::from(e.identity);
      it = principals.emplace(std::string(key), ActivityStats{}).first;
      it->second.type = p.type;
      it->second.user = p.user;
    }
    it->second.add(e);
  }
  std::map<std::string, ActivityStats, std::less<>> principals;
  std::uint64_t matched = 0;

 private:
  std::string scratch_;
  const EventFilter& filter_;
};

/// Runs the files into one sink of type S per worker, made from the filter.
template <class S>
std::vector<std::unique_ptr<S>> run_into(PreparedRun& p, RunTotals& totals) {
  std::vector<std::unique_ptr<S>> sinks;
  const std::function<std::unique_ptr<S>()> make = [&] { return std::make_unique<S>(p.filter); };
  totals = run_files(p.files, p.run, make, sinks);
  p.account(totals);
  return sinks;
}

}  // namespace

int run_timeline(const InputRequest& request) {
  PreparedRun p;
  if (auto s = prepare_run(request, p); !s) return report_error(s.error());
  RunTotals totals;
  std::vector<OwnedEvent> events;
  ActivityStats stats;
  for (auto& ts : run_into<TimelineSink>(p, totals)) {
    std::move(ts->events.begin(), ts->events.end(), std::back_inserter(events));
    stats.merge(ts->stats);
  }
  std::sort(events.begin(), events.end());
  print_timeline(p.output.stream(), p.format, events, stats, totals, p.files, p.output.color());
  return finish_run(request, p.output, totals);
}

int run_summary(const InputRequest& request) {
  PreparedRun p;
  if (auto s = prepare_run(request, p); !s) return report_error(s.error());
  RunTotals totals;
  std::map<std::string, ActivityStats, std::less<>> principals;
  std::uint64_t matched = 0;
  for (auto& ss : run_into<SummarySink>(p, totals)) {
    for (auto& [k, v] : ss->principals) principals[k].merge(v);
    matched += ss->matched;
  }
  print_principal_summary(p.output.stream(), p.format, principals, totals, matched,
                          p.output.color());
  return finish_run(request, p.output, totals);
}

}  // namespace trailhound::app
