// The run: a pool of workers takes files in order, decodes, parses and feeds their sinks.
#include "trailhound/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "trailhound/escape.hpp"

namespace trailhound {
namespace {

/// Counters one worker adds up; summed after the run, so workers never share a cache line.
struct WorkerTotals {
  RunTotals totals;
};

/// Progress on stderr: only on a terminal, at most a few updates a second.
class Progress {
 public:
  Progress(bool enabled, std::size_t files) : enabled_(enabled), files_(files) {
    start_ = std::chrono::steady_clock::now();
  }
  void file_done(std::uint64_t bytes, std::uint64_t records) {
    if (!enabled_) return;
    done_files_.fetch_add(1, std::memory_order_relaxed);
    done_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    done_records_.fetch_add(records, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const auto nf = done_files_.load();
    const double rate = secs > 0 ? done_records_.load() / secs : 0;
    const double eta = nf > 0 ? secs * (double(files_) - nf) / nf : 0;
    std::fprintf(stderr, "\r%s", fmt::format("{} / {} files, {:.1f} MB, {:.0f} events/s, ETA {:.0f}s  ",
                                            nf, files_, done_bytes_.load() / 1e6, rate, eta)
                                    .c_str());
    drawn_ = true;
  }
  void finish() {
    if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  std::size_t files_;
  std::atomic<std::uint64_t> done_files_{0}, done_bytes_{0}, done_records_{0};
  std::chrono::steady_clock::time_point start_, last_{};
  std::mutex mutex_;
  bool drawn_ = false;
};

/// What became of one file, for the messages and the issue callback.
enum class FileOutcome { Read, Failed, Skipped };

/// Prints each file's messages in file order, whatever order the workers finish in, so that
/// stderr, like stdout, is the same for any thread count; hands failed and skipped files to
/// the issue callback in the same order.
class OrderedMessages {
 public:
  OrderedMessages(const FileTable& files, const std::function<void(const FileIssue&)>& on_issue)
      : files_(files), on_issue_(on_issue), pending_(files.size()) {}
  void file_done(std::size_t index, FileOutcome outcome, std::vector<std::string> lines,
                 std::vector<std::string> reasons = {}) {
    std::string text;
    const std::string safe_path = terminal_safe(files_[index].path);
    for (const auto& line : lines) text += fmt::format("trailhound: {}: {}\n", safe_path, line);
    if (outcome == FileOutcome::Failed && reasons.empty()) reasons = std::move(lines);
    std::lock_guard lock(mutex_);
    Pending& p = pending_[index];
    p.text = std::move(text);
    p.outcome = outcome;
    p.reasons = std::move(reasons);
    p.ready = true;
    while (next_ < pending_.size() && pending_[next_].ready) {
      Pending& n = pending_[next_];
      if (!n.text.empty()) std::fputs(n.text.c_str(), stderr);
      if (on_issue_ && n.outcome != FileOutcome::Read) {
        on_issue_(FileIssue{files_[next_].path, next_, n.outcome == FileOutcome::Failed,
                            &n.reasons});
      }
      n = Pending{};
      n.ready = true;
      ++next_;
    }
  }

 private:
  struct Pending {
    bool ready = false;
    FileOutcome outcome = FileOutcome::Read;
    std::string text;
    std::vector<std::string> reasons;
  };
  const FileTable& files_;
  const std::function<void(const FileIssue&)>& on_issue_;
  std::mutex mutex_;
  std::vector<Pending> pending_;
  std::size_t next_ = 0;
};

}  // namespace

unsigned worker_count(const FileTable& files, const RunOptions& options) {
  unsigned jobs = options.jobs == 0 ? 1 : std::min(options.jobs, kMaxJobs);
  if (jobs > files.size()) jobs = files.empty() ? 1 : static_cast<unsigned>(files.size());
  return jobs;
}

RunTotals run_files_with(const FileTable& files, const RunOptions& options,
                         const std::function<EventSink&(unsigned)>& sink_of) {
  const unsigned jobs = worker_count(files, options);
  std::vector<WorkerTotals> worker_totals(jobs);
  std::atomic<std::size_t> next{0};
  OrderedMessages messages(files, options.on_file_issue);
  Progress progress(options.progress && !options.quiet, files.size());
  // The memory budget: each worker holds a share without asking; a larger file takes the
  // run's large-file turn (see plan_memory).
  DecodeLimits decode_limits = options.decode;
  MemoryPlan plan{decode_limits.max_inflated, UINT64_MAX};
  if (options.max_memory > 0) {
    // Below 16 MiB the plan would leave a worker too little for any real file: decoding plans
    // with that floor, while a smaller budget still makes the sort spill early.
    const std::uint64_t budget = std::max<std::uint64_t>(options.max_memory, 16ULL << 20);
    plan = plan_memory(budget, jobs, decode_limits.max_inflated);
    // The budget's own allowance, so that a message names --max-file-bytes when that is the
    // smaller limit.
    decode_limits.max_buffers = plan_memory(budget, jobs, UINT64_MAX).per_file;
  }
  LargeFileTurn large_file_turn;

  auto work = [&](unsigned id) {
    EventReader reader(options.parse);
    MemoryTurn memory(&large_file_turn, plan.share);
    ByteBuffer scratch, decoded;
    scratch.attach(&memory);
    decoded.attach(&memory);
    // After a file past the share, its buffers and the parser's go back before the turn does,
    // so the next small file does not sit on a large file's memory.
    const auto end_file = [&] {
      if (!memory.holds_turn()) return;
      scratch.release();
      decoded.release();
      reader.release_memory();
      memory.end_file();
    };
    EventSink& sink = sink_of(id);
    RunTotals& t = worker_totals[id].totals;
    const std::function<void(const EventView&)> visit = [&sink](const EventView& e) {
      sink.on_event(e);
    };
    // One file: decode, parse, feed the sink, count, and queue its messages.
    auto read_one = [&](std::size_t index) {
      const InputFile& file = files[index];
      std::vector<std::string> lines;
      const DecodeResult dr = read_input(file, decode_limits, scratch, decoded);
      // A gzip file's compressed bytes are not needed once inflated.
      if (memory.holds_turn()) scratch.release();
      t.bytes_in += dr.input_bytes;
      t.bytes_decoded += dr.output_bytes;
      bool failed = false;
      switch (dr.status) {
        case DecodeStatus::Ok:
          break;
        case DecodeStatus::Truncated:
        case DecodeStatus::Corrupt:
          // What was inflated before the damage is still read: its records are evidence.
          failed = true;
          lines.push_back(dr.message);
          break;
        case DecodeStatus::NotText:
          // Not CloudTrail at all, as the parser would say of it, but told from its first KiB.
          ++t.files_skipped;
          ++t.files_not_cloudtrail;
          lines.push_back(dr.message);
          {
            std::vector<std::string> reasons{dr.message};
            if (options.quiet) lines.clear();
            messages.file_done(index, FileOutcome::Skipped, std::move(lines), std::move(reasons));
          }
          progress.file_done(dr.input_bytes, 0);
          return;
        default:
          lines.push_back(dr.message);
          ++t.files_failed;
          messages.file_done(index, FileOutcome::Failed, std::move(lines));
          progress.file_done(dr.input_bytes, 0);
          return;
      }
      const ParseOutcome po =
          reader.read_writable(decoded.data(), decoded.size(), static_cast<std::uint32_t>(index),
                               visit);
      t.records_read += po.records_read;
      t.records_used += po.records_used;
      t.records_rejected += po.records_rejected;
      FileOutcome outcome = FileOutcome::Read;
      std::vector<std::string> reasons;
      if (po.digest || (po.not_json && !failed)) {
        ++t.files_skipped;
        if (!po.digest) ++t.files_not_cloudtrail;
        // A digest found by walking a folder is expected; a digest named explicitly, and any
        // file that is not CloudTrail, is named with its reason (a cut or foreign file among
        // the logs must not vanish silently).
        if (file.explicit_arg || !po.digest) {
          outcome = FileOutcome::Skipped;
          reasons.push_back(po.digest ? "CloudTrail digest file, skipped"
                            : po.messages.empty() ? std::string("not CloudTrail, skipped")
                                                  : po.messages.front());
          if (!options.quiet) lines.push_back(reasons.back());
        }
      } else {
        for (const auto& m : po.messages) lines.push_back(m);
        if (po.file_error || failed) {
          ++t.files_failed;
          outcome = FileOutcome::Failed;
          reasons = lines;
        } else {
          ++t.files_read;
        }
      }
      if (po.time_from_timestamp > 0 && !options.quiet) {
        lines.push_back(fmt::format("{} records have no eventTime; their @timestamp was used",
                                    po.time_from_timestamp));
      }
      messages.file_done(index, outcome, std::move(lines), std::move(reasons));
      progress.file_done(dr.input_bytes, po.records_read);
    };
    for (;;) {
      const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
      if (index >= files.size()) break;
      try {
        read_one(index);
        end_file();
      } catch (const std::exception& ex) {
        end_file();
        // A bug or an exhausted resource: this file fails with the reason and the run goes
        // on. Its records are not added to the totals (the file counts as failed).
        ++t.files_failed;
        messages.file_done(index, FileOutcome::Failed,
                           {fmt::format("internal error while reading the file: {}", ex.what())});
      }
      sink.on_file_done(index);
    }
  };

  if (jobs == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned i = 0; i < jobs; ++i) {
      try {
        threads.emplace_back(work, i);
      } catch (const std::system_error& ex) {
        // Out of threads or memory for a stack: the workers already started, and this
        // thread, share the files left (they take them from one counter), so nothing goes
        // unread; the run is slower, and says so.
        std::fputs(fmt::format("trailhound: warning: worker thread {} of {} could not start "
                               "({}); going on with {}\n",
                               i + 1, jobs, ex.what(), i + 1)
                       .c_str(),
                   stderr);
        work(i);
        break;
      }
    }
    for (auto& th : threads) th.join();
  }
  progress.finish();

  RunTotals total;
  for (const auto& w : worker_totals) {
    const RunTotals& t = w.totals;
    total.files_read += t.files_read;
    total.files_skipped += t.files_skipped;
    total.files_not_cloudtrail += t.files_not_cloudtrail;
    total.files_failed += t.files_failed;
    total.records_read += t.records_read;
    total.records_used += t.records_used;
    total.records_rejected += t.records_rejected;
    total.bytes_in += t.bytes_in;
    total.bytes_decoded += t.bytes_decoded;
  }
  return total;
}

}  // namespace trailhound
