// The run: a pool of workers takes files in order, decodes, parses and feeds their sinks.
#include "trailhound/engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
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

/// One unit of work: a whole file, or the count or the parse of one range of a split file.
struct WorkItem {
  enum class Kind : std::uint8_t { Whole, Count, Parse };
  Kind kind = Kind::Whole;
  std::size_t file = 0;
  std::size_t split = 0;  ///< index in ReadPlan::splits (Count, Parse)
  std::size_t range = 0;
};

/// The work items in the order workers take them. A split file's ranges are counted one ahead
/// of their parse (C0 C1 P0 C2 P1 ...): a parse waits only for counts taken before it, which
/// never wait themselves, and a range is read again soon after its count, from the page cache.
std::vector<WorkItem> work_items(const FileTable& files, const ReadPlan& plan) {
  std::vector<WorkItem> items;
  std::size_t s = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (s < plan.splits.size() && plan.splits[s].file == i) {
      const std::size_t k_count = plan.splits[s].cuts.size() - 1;
      items.push_back({WorkItem::Kind::Count, i, s, 0});
      for (std::size_t k = 0; k < k_count; ++k) {
        if (k + 1 < k_count) items.push_back({WorkItem::Kind::Count, i, s, k + 1});
        items.push_back({WorkItem::Kind::Parse, i, s, k});
      }
      ++s;
    } else {
      items.push_back({WorkItem::Kind::Whole, i, 0, 0});
    }
  }
  return items;
}

/// What the workers share about one split file while its ranges are read.
struct SplitState {
  explicit SplitState(std::size_t ranges)
      : counts(ranges), count_done(ranges), parts(ranges) {}
  std::vector<LineCount> counts;
  std::vector<char> count_done;
  std::string count_error;      ///< the first range that could not be counted, and why
  std::size_t counted_prefix = 0;  ///< ranges [0, counted_prefix) are counted
  std::mutex mutex;
  std::condition_variable counted;
  std::vector<ParseOutcome> parts;
  std::atomic<std::size_t> parsed{0};
};

/// Counts the lines of bytes [from, to) of `path` a block at a time; an error's reason, or "".
std::string count_range(const std::string& path, std::uint64_t from, std::uint64_t to,
                        LineCount& count) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  // Small and short-lived: not counted against the budget.
  std::vector<char> block(std::size_t(1) << 20);
  std::string error;
  for (std::uint64_t at = from; at < to;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), to - at));
    const ssize_t n = ::pread(fd, block.data(), want, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? std::strerror(errno)
                    : fmt::format("the file ends at byte {}: it shrank while being read", at);
      break;
    }
    count_lines(std::string_view(block.data(), static_cast<std::size_t>(n)), count);
    at += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  end_lines(count);
  return error;
}

/// The head of a plain file and its size, when it is a regular file larger than `over`.
bool read_head(const std::string& path, std::uint64_t over, std::uint64_t& size,
               std::string& head) {
  // Looked at before it is opened: opening a FIFO takes its writer's data (the writer runs
  // on, writes and may be gone before the reader opens it again to read), and a device may
  // do something on open.
  struct stat named {};
  if (::stat(path.c_str(), &named) != 0 || !S_ISREG(named.st_mode) ||
      static_cast<std::uint64_t>(named.st_size) <= over) {
    return false;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            static_cast<std::uint64_t>(st.st_size) > over;
  if (ok) {
    size = static_cast<std::uint64_t>(st.st_size);
    head.resize(64 * 1024);
    const ssize_t n = ::pread(fd, head.data(), head.size(), 0);
    ok = n > 0;
    head.resize(ok ? static_cast<std::size_t>(n) : 0);
  }
  ::close(fd);
  return ok;
}

/// The offset just past the first newline at or after `at` in `path` (of `size` bytes), or
/// `size` when there is none.
std::uint64_t next_line_start(const std::string& path, std::uint64_t at, std::uint64_t size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return size;
  char block[64 * 1024];
  std::uint64_t found = size;
  while (at < size) {
    const ssize_t n = ::pread(fd, block, sizeof block, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (const void* nl = std::memchr(block, '\n', static_cast<std::size_t>(n))) {
      found = at + std::uint64_t(static_cast<const char*>(nl) - block) + 1;
      break;
    }
    at += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return found;
}

/// The size a split file's ranges are cut at, unless --split-size or the budget is smaller.
constexpr std::uint64_t kRangeBytes = 4ULL << 20;

bool named_gz(std::string_view path) {
  return path.size() >= 3 && (path.substr(path.size() - 3) == ".gz" ||
                              path.substr(path.size() - 3) == ".GZ");
}

}  // namespace

ReadPlan plan_reads(const FileTable& files, const RunOptions& options) {
  ReadPlan plan;
  const unsigned jobs = options.jobs == 0 ? 1 : std::min(options.jobs, kMaxJobs);
  // A range is small enough to stay in the processor's cache while it is counted, read and
  // parsed, and to reuse its buffer: with 64 MiB ranges two workers took twice the CPU time
  // of one (page faults and cache misses), with 4 MiB ranges about 5% more. It fits in a
  // worker's share of the budget, so that ranges are read side by side without waiting for
  // the large-file turn.
  std::uint64_t range = std::min<std::uint64_t>(options.split_bytes, kRangeBytes);
  if (options.max_memory > 0) {
    const std::uint64_t budget = std::max<std::uint64_t>(options.max_memory, 16ULL << 20);
    range = std::min(range, plan_memory(budget, jobs, options.decode.max_inflated).share);
  }
  range = std::max<std::uint64_t>(range, 64 * 1024);
  plan.range_bytes = range;
  for (std::size_t i = 0; i < files.size() && options.split_bytes > 0; ++i) {
    const InputFile& file = files[i];
    std::uint64_t size = 0;
    std::string head;
    if (file.is_stdin || named_gz(file.path) ||
        !read_head(file.path, options.split_bytes, size, head)) {
      continue;
    }
    if ((head[0] == '\x1f' && head.size() > 1 && head[1] == '\x8b') || has_utf16_bom(head) ||
        !splittable_ndjson(head)) {
      continue;
    }
    SplitFile split;
    split.file = i;
    // The BOM is no part of the first line (the whole-file reader skips it too).
    split.cuts.push_back(head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0);
    while (size - split.cuts.back() > range) {
      const std::uint64_t cut = next_line_start(file.path, split.cuts.back() + range - 1, size);
      if (cut >= size) break;
      split.cuts.push_back(cut);
    }
    split.cuts.push_back(size);
    plan.splits.push_back(std::move(split));
  }
  plan.units = files.size();
  for (const SplitFile& s : plan.splits) plan.units += s.cuts.size() - 2;
  plan.workers = std::max<unsigned>(
      1, static_cast<unsigned>(std::min<std::size_t>(jobs, plan.units)));
  return plan;
}

unsigned worker_count(const FileTable& files, const RunOptions& options) {
  unsigned jobs = options.jobs == 0 ? 1 : std::min(options.jobs, kMaxJobs);
  if (jobs > files.size()) jobs = files.empty() ? 1 : static_cast<unsigned>(files.size());
  return jobs;
}

RunTotals run_files_with(const FileTable& files, const ReadPlan& plan, const RunOptions& options,
                         const std::function<EventSink&(unsigned)>& sink_of) {
  const unsigned jobs = plan.workers;
  std::vector<WorkerTotals> worker_totals(jobs);
  const std::vector<WorkItem> items = work_items(files, plan);
  std::vector<std::unique_ptr<SplitState>> split_states;
  for (const SplitFile& s : plan.splits) {
    split_states.push_back(std::make_unique<SplitState>(s.cuts.size() - 1));
  }
  std::atomic<std::size_t> next{0};
  OrderedMessages messages(files, options.on_file_issue);
  Progress progress(options.progress && !options.quiet, files.size());
  // The memory budget: each worker holds a share without asking; a larger file takes the
  // run's large-file turn (see plan_memory).
  DecodeLimits decode_limits = options.decode;
  MemoryPlan memory_plan{decode_limits.max_inflated, UINT64_MAX};
  if (options.max_memory > 0) {
    // Below 16 MiB the plan would leave a worker too little for any real file: decoding plans
    // with that floor, while a smaller budget still makes the sort spill early.
    const std::uint64_t budget = std::max<std::uint64_t>(options.max_memory, 16ULL << 20);
    memory_plan = plan_memory(budget, jobs, decode_limits.max_inflated);
    // The budget's own allowance, so that a message names --max-file-bytes when that is the
    // smaller limit.
    decode_limits.max_buffers = plan_memory(budget, jobs, UINT64_MAX).per_file;
  }
  LargeFileTurn large_file_turn;

  auto work = [&](unsigned id) {
    EventReader reader(options.parse);
    MemoryTurn memory(&large_file_turn, memory_plan.share);
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
    // A file's parse outcome: added to the totals, its messages queued (a verbose `note`
    // last).
    auto settle = [&](std::size_t index, const ParseOutcome& po, bool failed,
                      std::vector<std::string> lines, std::uint64_t input_bytes,
                      std::string note) {
      const InputFile& file = files[index];
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
      if (!note.empty() && options.verbose && !options.quiet) lines.push_back(std::move(note));
      messages.file_done(index, outcome, std::move(lines), std::move(reasons));
      progress.file_done(input_bytes, po.records_read);
    };
    // One range of a split file: its lines counted, so that later ranges know their first
    // record's number.
    auto count_one = [&](const WorkItem& item) {
      const SplitFile& split = plan.splits[item.split];
      SplitState& st = *split_states[item.split];
      LineCount count;
      std::string error;
      try {
        error = count_range(files[item.file].path, split.cuts[item.range],
                            split.cuts[item.range + 1], count);
      } catch (const std::exception& ex) {
        error = ex.what();
      }
      {
        std::lock_guard lock(st.mutex);
        st.counts[item.range] = count;
        st.count_done[item.range] = 1;
        if (!error.empty() && st.count_error.empty()) {
          st.count_error = fmt::format("cannot read bytes {} to {}: {}", split.cuts[item.range],
                                       split.cuts[item.range + 1], error);
        }
        while (st.counted_prefix < st.count_done.size() && st.count_done[st.counted_prefix]) {
          ++st.counted_prefix;
        }
      }
      st.counted.notify_all();
    };
    // One range of a split file: read (pread) and parsed with its records numbered in the
    // file; the last range done settles the file.
    auto parse_one = [&](const WorkItem& item) {
      const SplitFile& split = plan.splits[item.split];
      SplitState& st = *split_states[item.split];
      const std::uint64_t from = split.cuts[item.range], to = split.cuts[item.range + 1];
      std::uint64_t first_record = 0, first_line = 1;
      std::string count_error;
      {
        // The counts before this range were taken before it: they end without waiting.
        std::unique_lock lock(st.mutex);
        st.counted.wait(lock, [&] { return st.counted_prefix > item.range; });
        for (std::size_t k = 0; k < item.range; ++k) {
          first_record += st.counts[k].records;
          first_line += st.counts[k].newlines;
        }
        count_error = st.count_error;
      }
      const std::uint64_t records = st.counts[item.range].records;
      ParseOutcome part;
      // A range that cannot be read is its records rejected: every record stays accounted.
      const auto lost = [&](std::string reason) {
        part = ParseOutcome{};
        part.file_error = true;
        part.records_read = part.records_rejected = records;
        part.bytes_skipped = to - from;
        part.messages.push_back(
            records == 0 ? fmt::format("bytes {} to {} (no record) not read: {}", from, to,
                                       std::move(reason))
                         : fmt::format("bytes {} to {} (records {} to {}) not read: {}", from,
                                       to, first_record, first_record + records - 1,
                                       std::move(reason)));
      };
      if (!count_error.empty()) {
        // Without every count the numbers are unknown: the file is failed unread.
        if (item.range == 0) {
          part.file_error = true;
          part.messages.push_back(std::move(count_error));
        }
      } else {
        try {
          const std::uint64_t limit = std::min(decode_limits.max_inflated, decode_limits.max_buffers);
          // Room for a range a little longer than the cut size, so that the buffer is made
          // once and reused.
          if (decoded.capacity() < to - from && to - from <= limit) {
            decoded.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(
                limit, std::max(to - from, plan.range_bytes + plan.range_bytes / 4))));
          }
          const DecodeResult dr = read_range(files[item.file].path, from, to - from, limit, decoded);
          if (dr.status == DecodeStatus::Ok) {
            part = reader.read_lines(decoded.data(), decoded.size(),
                                     static_cast<std::uint32_t>(item.file), first_record,
                                     first_line, visit);
          } else {
            lost(dr.status == DecodeStatus::TooLarge
                     ? fmt::format("a range of {} bytes (a line that long) is {} ({})", to - from,
                                   dr.message, limit == decode_limits.max_buffers
                                                   ? "--max-memory" : "--max-file-bytes")
                     : dr.message);
          }
        } catch (const std::exception& ex) {
          // As for a whole file: a bug or an exhausted resource fails the file, and the
          // records of this range are not in the totals.
          part = ParseOutcome{};
          part.file_error = true;
          part.messages.push_back(fmt::format("internal error while reading bytes {} to {}: {}",
                                              from, to, ex.what()));
        }
      }
      st.parts[item.range] = std::move(part);
      if (st.parsed.fetch_add(1, std::memory_order_acq_rel) + 1 < st.parts.size()) return;
      // The last range: the file is settled once, its ranges in file order.
      const ParseOutcome po = join_ranges(st.parts, options.parse);
      const std::uint64_t size = split.cuts.back();
      t.bytes_in += size;
      t.bytes_decoded += size;
      settle(item.file, po, false, {}, size,
             fmt::format("note: read in {} range{} of about {} bytes, cut at line ends",
                         st.parts.size(), st.parts.size() == 1 ? "" : "s", plan.range_bytes));
      st.parts.clear();
      st.parts.shrink_to_fit();
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
      settle(index, po, failed, std::move(lines), dr.input_bytes, {});
    };
    for (;;) {
      const std::size_t n = next.fetch_add(1, std::memory_order_relaxed);
      if (n >= items.size()) break;
      const WorkItem& item = items[n];
      const std::size_t index = item.file;
      if (item.kind == WorkItem::Kind::Count) {
        count_one(item);
        continue;
      }
      if (item.kind == WorkItem::Kind::Parse) {
        parse_one(item);
        end_file();
        sink.on_file_done(index);
        continue;
      }
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
