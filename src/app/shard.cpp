// One shard of a job array: the files assigned to it, read into a partial for the merge.
#include <cstdlib>

#include <fmt/format.h>

#include "output.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::app {
namespace {

/// Hands each event of one worker's files to the partial, under its file's index in the whole
/// run's table. Without `keep_all`, only the events the filter passes: the commands that
/// ignore the others (timeline, summary) have no use for them.
class PartialSink final : public EventSink {
 public:
  PartialSink(PartialWriter& writer, const std::vector<std::uint32_t>& global,
              const EventFilter* filter, bool hash_records)
      : chunk_(writer, hash_records), global_(global), filter_(filter) {}
  void on_event(const EventView& e) override {
    if (filter_ != nullptr && !filter_->matches(e)) return;
    chunk_.add(e, global_[e.source.file]);
  }
  void flush() { chunk_.flush(); }

 private:
  PartialWriter::ChunkBuilder chunk_;
  const std::vector<std::uint32_t>& global_;
  const EventFilter* filter_;
};

std::string time_text(const std::optional<TimeMs>& t) { return t ? format_iso(*t) : "-"; }

/// Writes the partial and says so with --verbose.
int finish_shard(const InputRequest& o, const ShardSpec& spec, std::size_t mine,
                 std::size_t all_files, PartialWriter& writer, const RunTotals& totals) {
  if (auto s = writer.write(o.partial_out, totals); !s) return report_error(s.error());
  if (o.verbose) {
    print_error(fmt::format("note: shard {}/{}: {} of {} files read into {}", spec.index,
                            spec.count, mine, all_files, terminal_safe(o.partial_out)));
  }
  // The partial is written: the shard is done. Whether the run is complete (unreadable files,
  // findings at --fail-on) is the merge's to say, once, for the whole run.
  return kExitOk;
}

}  // namespace

Result<RunTotals> read_states(
    PreparedRun& p, const std::function<Status(std::string_view, const std::string&)>& take) {
  std::vector<PartialProblem> problems;
  auto totals = read_partial_states(
      *p.replay, take,
      [&p](std::vector<KeyStream>& keys) { return p.duplicates->join(keys); }, problems);
  return merged_totals(p, std::move(totals), problems);
}

int run_shard(const InputRequest& request, Command command, bool keep_all, std::string resolved,
              const ShardStateRun& state) {
  // One clock for the relative times, recorded so the merge reads them the same way.
  InputRequest o = request;
  if (o.now == 0) o.now = now_ms();
  if (o.partial_out.empty()) {
    return report_error(Error::usage(
        "a shard writes a partial result for 'trailhound merge': give --partial-out FILE",
        o.shard.empty() ? "--shard-count" : "--shard"));
  }
  ShardSpec spec;
  if (!o.shard.empty()) {
    auto s = parse_shard(o.shard, o.shard_count, [](const char* n) { return std::getenv(n); });
    if (!s) return report_error(s.error());
    spec = *s;
  } else if (o.shard_count > 1) {
    return report_error(Error::usage("give --shard K/N or --shard auto", "--shard-count"));
  }
  for (const auto& path : o.paths) {
    if (path == "-") {
      return report_error(Error::usage("standard input cannot be split between shards",
                                       "--partial-out"));
    }
  }
  auto filter = build_filter(o);
  if (!filter) return report_error(filter.error());
  if (auto s = check_format(o.format, command); !s) return report_error(s.error());

  PartialHeader h;
  h.trailhound_version = TRAILHOUND_VERSION;
  h.command = std::string(to_string(command));
  h.settings = o.settings;
  h.anchor = o.now;
  h.resolved = fmt::format("since {} until {}{}{}", time_text(filter->window.since),
                           time_text(filter->window.until), resolved.empty() ? "" : " ", resolved);
  h.shard = spec;
  // Window pruning comes first: every shard prunes the same files, then splits what is left.
  Discovery d = discover_inputs(o.paths, filter->window);
  for (const auto& e : d.errors) print_error(terminal_safe(e));
  h.files = std::move(d.files);
  order_files(h.files);
  h.pruned = d.pruned;
  h.skipped_digest = d.skipped_digest;
  h.walk_errors = d.errors.size();

  FileTable mine;
  std::vector<std::uint32_t> global;
  for (std::size_t i = 0; i < h.files.size(); ++i) {
    if (shard_of(shard_key(h.files[i], o.paths), spec.count) != spec.index) continue;
    mine.push_back(h.files[i]);
    global.push_back(static_cast<std::uint32_t>(i));
  }
  const std::size_t all_files = h.files.size();
  PartialWriter writer(std::move(h));

  RunOptions run = build_run_options(o);
  run.on_file_issue = [&](const FileIssue& issue) {
    writer.add_problem(PartialProblem{global[issue.index], issue.failed, *issue.reasons});
  };
  RunTotals totals;
  if (state) {
    auto saved = state(mine, global, run, *filter, totals);
    if (!saved) return report_error(saved.error());
    writer.set_state(std::move(saved->bytes), std::move(saved->keys));
    return finish_shard(o, spec, mine.size(), all_files, writer, totals);
  }
  // summary prints no record: the merge needs one only to tell copies apart.
  const bool hash_records = command == Command::Summary;
  std::vector<std::unique_ptr<PartialSink>> sinks;
  const std::function<std::unique_ptr<PartialSink>()> make = [&] {
    return std::make_unique<PartialSink>(writer, global, keep_all ? nullptr : &*filter,
                                         hash_records);
  };
  if (!mine.empty()) totals = run_files(mine, run, make, sinks);
  for (auto& s : sinks) s->flush();
  return finish_shard(o, spec, mine.size(), all_files, writer, totals);
}

}  // namespace trailhound::app
