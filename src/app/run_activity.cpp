// `timeline` and `summary`: what a principal did, event by event or principal by principal.
#include <algorithm>
#include <iterator>
#include <map>

#include "output.hpp"
#include "trailhound/report.hpp"

namespace trailhound::app {
namespace {

/// Keeps the events that pass the filter, and their statistics. Every copy of an event is
/// kept (the one reported is decided after the run); the statistics count the first copy
/// seen, which is the same as counting the kept one, copies being byte-identical.
class TimelineSink final : public EventSink {
 public:
  TimelineSink(const EventFilter& filter, DuplicateIndex& duplicates)
      : filter_(filter), duplicates_(duplicates) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    const bool first = duplicates_.observe(e);
    events.push_back(OwnedEvent::from(e));
    if (first) stats.add(e);
  }
  std::vector<OwnedEvent> events;
  ActivityStats stats;

 private:
  const EventFilter& filter_;
  DuplicateIndex& duplicates_;
};

/// Adds up activity per principal for the events that pass the filter.
/// An event's copies count once: the first copy any worker sees (copies are identical).
class SummarySink final : public EventSink {
 public:
  SummarySink(const EventFilter& filter, DuplicateIndex& duplicates)
      : filter_(filter), duplicates_(duplicates) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e) || !duplicates_.observe(e)) return;
    ++matched;
    const std::string_view key = e.identity.key(scratch_);
    auto it = principals.find(key);
    if (it == principals.end()) {
      it = principals.emplace(std::string(key), ActivityStats{}).first;
      it->second.principal = Principal::from(e.identity);
      // A principal's keys vary event by event: the row lists them all (access_keys).
      it->second.principal.access_key.clear();
    }
    it->second.add(e);
  }
  std::map<std::string, ActivityStats, std::less<>> principals;
  std::uint64_t matched = 0;

 private:
  std::string scratch_;
  const EventFilter& filter_;
  DuplicateIndex& duplicates_;
};

/// Runs the files into one sink of type S per worker, made from the filter and the run's
/// duplicate index.
template <class S>
Result<std::vector<std::unique_ptr<S>>> run_into(PreparedRun& p, RunTotals& totals) {
  std::vector<std::unique_ptr<S>> sinks;
  const std::function<std::unique_ptr<S>()> make = [&] {
    return std::make_unique<S>(p.filter, *p.duplicates);
  };
  auto read = read_events(p, make, sinks);
  if (!read) return std::move(read).error();
  totals = *read;
  p.account(totals);
  return sinks;
}

}  // namespace

int run_timeline(const InputRequest& request, const IntelRequest& intel) {
  if (is_shard(request)) return run_shard(request, Command::Timeline, false);
  PreparedRun p;
  if (auto s = p.geo.load(intel.geoip); !s) return report_error(s.error());
  if (auto s = prepare_run(request, Command::Timeline, p); !s) return report_error(s.error());
  RunTotals totals;
  std::vector<OwnedEvent> events;
  ActivityStats stats;
  auto sinks = run_into<TimelineSink>(p, totals);
  if (!sinks) return report_error(sinks.error());
  for (auto& ts : *sinks) {
    std::move(ts->events.begin(), ts->events.end(), std::back_inserter(events));
    stats.merge(ts->stats);
  }
  // Of an event's copies, the one in the earliest file is reported.
  std::erase_if(events, [&](const OwnedEvent& e) { return !p.duplicates->kept(e.event_id, e.source); });
  std::sort(events.begin(), events.end());
  begin_printing(p, Command::Timeline, false, describe_request(request, intel.geoip));
  for (const auto& e : events) p.printer->event(e);
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = stats.events;
  summary.stats = &stats;
  p.printer->summary(summary);
  p.printer->end();
  return finish_run(request, p.output, totals);
}

int run_summary(const InputRequest& request, const IntelRequest& intel) {
  if (is_shard(request)) return run_shard(request, Command::Summary, false);
  PreparedRun p;
  if (auto s = p.geo.load(intel.geoip); !s) return report_error(s.error());
  if (auto s = prepare_run(request, Command::Summary, p); !s) return report_error(s.error());
  RunTotals totals;
  std::map<std::string, ActivityStats, std::less<>> principals;
  std::uint64_t matched = 0;
  auto sinks = run_into<SummarySink>(p, totals);
  if (!sinks) return report_error(sinks.error());
  for (auto& ss : *sinks) {
    for (auto& [k, v] : ss->principals) principals[k].merge(v);
    matched += ss->matched;
  }
  // Busiest principals first; ties by key so the order is stable.
  std::vector<std::pair<const std::string*, const ActivityStats*>> rows;
  for (const auto& [k, st] : principals) rows.emplace_back(&k, &st);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second->events > b.second->events; });
  begin_printing(p, Command::Summary);
  for (const auto& [key, st] : rows) p.printer->principal(*key, *st);
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = matched;
  summary.principals = principals.size();
  p.printer->summary(summary);
  p.printer->end();
  return finish_run(request, p.output, totals);
}

}  // namespace trailhound::app
