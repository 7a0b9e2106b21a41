// `timeline` and `summary`: what a principal did, event by event or principal by principal.
#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "output.hpp"
#include "trailhound/report.hpp"
#include "trailhound/spool.hpp"

namespace trailhound::app {
namespace {

/// Keeps the events that pass the filter, and their statistics. Every copy of an event is
/// kept (the one reported is decided after the run); the statistics count the first copy
/// seen, which is the same as counting the kept one, copies being byte-identical.
class TimelineSink final : public EventSink {
 public:
  TimelineSink(const EventFilter& filter, DuplicateIndex& duplicates, EventSpool& spool)
      : filter_(filter), duplicates_(duplicates), lane_(spool.lane()) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e)) return;
    const bool first = duplicates_.observe(e);
    lane_.add(OwnedEvent::from(e));
    if (first) stats.add(e);
  }
  ActivityStats stats;

 private:
  const EventFilter& filter_;
  DuplicateIndex& duplicates_;
  EventSpool::Lane& lane_;
};

/// timeline --unsorted: prints each event as it is read, and the output as each file is done.
/// Of an event's copies, the first one read is printed (with one worker, the earliest file's).
class StreamSink final : public EventSink {
 public:
  StreamSink(const EventFilter& filter, DuplicateIndex& duplicates, Printer& printer,
             std::ostream& out, std::mutex& lock)
      : filter_(filter), duplicates_(duplicates), printer_(printer), out_(out), lock_(lock) {}
  void on_event(const EventView& e) override {
    if (!filter_.matches(e) || !duplicates_.observe(e)) return;
    stats.add(e);
    const OwnedEvent owned = OwnedEvent::from(e);
    std::lock_guard hold(lock_);
    printer_.event(owned);
  }
  void on_file_done(std::size_t /*index*/) override {
    std::lock_guard hold(lock_);
    printer_.flush();
    out_.flush();
  }
  ActivityStats stats;

 private:
  const EventFilter& filter_;
  DuplicateIndex& duplicates_;
  Printer& printer_;
  std::ostream& out_;
  std::mutex& lock_;
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
    } else if (e.time <= it->second.first_seen) {
      // The events of one key can describe it differently (a session issuer's path, a
      // user name): the row shows the earliest event's, the smallest on a tie, so that
      // neither the order of the files nor the number of workers changes it.
      Principal p = Principal::from(e.identity);
      p.access_key.clear();
      if (e.time < it->second.first_seen || p < it->second.principal) {
        it->second.principal = std::move(p);
      }
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

/// Runs the files into one sink of type S per worker, made from the filter, the run's
/// duplicate index and `more`.
template <class S, class... More>
Result<std::vector<std::unique_ptr<S>>> run_into(PreparedRun& p, RunTotals& totals,
                                                 More&... more) {
  std::vector<std::unique_ptr<S>> sinks;
  const std::function<std::unique_ptr<S>()> make = [&] {
    return std::make_unique<S>(p.filter, *p.duplicates, more...);
  };
  auto read = read_events(p, make, sinks);
  if (!read) return std::move(read).error();
  totals = *read;
  p.account(totals);
  return sinks;
}

/// A timeline's last lines: the summary of what matched, the end of the document, the exit code.
int end_timeline(const InputRequest& request, PreparedRun& p, const RunTotals& totals,
                 const ActivityStats& stats) {
  RunSummary summary;
  summary.totals = &totals;
  summary.matched = stats.events;
  summary.stats = &stats;
  p.printer->summary(summary);
  p.printer->end();
  return finish_run(request, p.output, totals);
}

/// timeline --unsorted: the events as the files are read, with the run's problems after them.
int run_timeline_unsorted(const InputRequest& request, const IntelRequest& intel, PreparedRun& p) {
  RunTotals totals;
  std::mutex lock;
  p.printer->begin(PrintBegin{Command::Timeline, &p.files, false,
                              describe_request(request, intel.geoip)});
  auto sinks = run_into<StreamSink>(p, totals, *p.printer, p.output.stream(), lock);
  if (!sinks) return report_error(sinks.error());
  ActivityStats stats;
  for (auto& ss : *sinks) stats.merge(ss->stats);
  for (const auto& problem : p.problems) p.printer->file_problem(problem);
  return end_timeline(request, p, totals, stats);
}

}  // namespace

int run_timeline(const InputRequest& request, const IntelRequest& intel) {
  if (is_shard(request)) return run_shard(request, Command::Timeline, false);
  if (request.unsorted) {
    // The formats that lay out one document (json, html) cannot take rows as they come.
    const FormatInfo* f = find_format(request.format);
    if (f != nullptr && (f->name == "json" || f->name == "html")) {
      return report_error(Error::usage(
          fmt::format("--unsorted prints events as they are read: use --format jsonl, csv, "
                      "ocsf or text, not {}", f->name),
          "--unsorted"));
    }
  }
  PreparedRun p;
  if (auto s = p.geo.load(intel.geoip); !s) return report_error(s.error());
  if (auto s = prepare_run(request, Command::Timeline, p); !s) return report_error(s.error());
  if (request.unsorted) return run_timeline_unsorted(request, intel, p);
  RunTotals totals;
  ActivityStats stats;
  EventSpool spool(sort_budget(request));
  auto sinks = run_into<TimelineSink>(p, totals, spool);
  if (!sinks) return report_error(sinks.error());
  for (auto& ts : *sinks) stats.merge(ts->stats);
  begin_printing(p, Command::Timeline, false, describe_request(request, intel.geoip));
  // Of an event's copies, the one in the earliest file is reported.
  const DuplicateIndex& dups = *p.duplicates;
  const Status sorted = spool.visit(
      [&dups](const OwnedEvent& e) { return dups.kept(e.event_id, e.source); },
      [&p](const OwnedEvent& e) { p.printer->event(e); });
  if (!sorted) return report_error(sorted.error());
  note_spill(request, spool.runs_spilled());
  return end_timeline(request, p, totals, stats);
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
