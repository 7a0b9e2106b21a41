// Sorting within a memory budget: sorted runs in an unlinked temporary file, merged k ways.
#include "trailhound/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <queue>

#include "trailhound/escape.hpp"

namespace trailhound::app {
namespace {

std::size_t heap_bytes(const std::string& s) {
  // Short strings live inside the object (libstdc++ keeps 15 bytes in place).
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

/// The strings of an event, in the order a run stores them.
template <class E, class F>
void each_string(E& e, F&& f) {
  f(e.principal.type);
  f(e.principal.user);
  f(e.principal.arn);
  f(e.principal.principal_id);
  f(e.principal.access_key);
  f(e.principal.account);
  f(e.principal.session_issuer);
  f(e.event_name);
  f(e.event_source);
  f(e.region);
  f(e.source_ip);
  f(e.user_agent);
  f(e.error_code);
  f(e.event_id);
  f(e.record);
}

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

/// Appends one event as a run stores it: time, file, index, then each string as its length
/// (8 bytes: a record may be past 4 GiB when the limits are raised) and its bytes. Native byte order: a run is read back by the process that wrote it.
void encode(std::string& out, const OwnedEvent& e) {
  put<std::int64_t>(out, e.time);
  put<std::uint32_t>(out, e.source.file);
  put<std::uint64_t>(out, e.source.index);
  each_string(e, [&out](const std::string& s) {
    put<std::uint64_t>(out, s.size());
    out += s;
  });
}

constexpr std::size_t kWriteChunk = 1 << 20;

}  // namespace

std::size_t footprint(const OwnedEvent& e) {
  std::size_t n = sizeof(OwnedEvent);
  each_string(e, [&n](const std::string& s) { n += heap_bytes(s); });
  return n;
}

/// The spool's file: made in $TMPDIR and unlinked at once, so only the descriptor holds it.
struct EventSpool::TempFile {
  int fd = -1;
  std::uint64_t size = 0;
  std::string where;  ///< the folder, for messages
  ~TempFile() {
    if (fd >= 0) ::close(fd);
  }

  static Result<std::unique_ptr<TempFile>> make() {
    const char* env = std::getenv("TMPDIR");
    std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
    std::string name = dir + "/trailhound-sort-XXXXXX";
    auto f = std::make_unique<TempFile>();
    f->where = "$TMPDIR " + terminal_safe(dir);
    f->fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (f->fd < 0) {
      return Error::write("cannot make a temporary file to sort in (--max-memory)", f->where,
                          errno);
    }
    // Unlinked now: the data lives while the descriptor does, and no exit path leaves it.
    ::unlink(name.c_str());
    return f;
  }

  /// Appends `data`; false with errno set when the write failed.
  bool append(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(size));
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (n == 0) {
        errno = ENOSPC;
        return false;
      }
      size += static_cast<std::uint64_t>(n);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
};

namespace {

/// Reads the events of one run back, through a buffer of its own.
class RunReader {
 public:
  RunReader(int fd, std::uint64_t offset, std::uint64_t size, std::size_t buffer)
      : fd_(fd), pos_(offset), end_(offset + size), buf_(buffer) {}

  /// Reads the next event into `out`; false at the run's end or on an error (see error()).
  bool next(OwnedEvent& out) {
    if (error_ != 0 || (pos_ == end_ && have_ == used_)) return false;
    std::int64_t time = 0;
    std::uint32_t file = 0;
    std::uint64_t index = 0;
    if (!get(time) || !get(file) || !get(index)) return fail(EIO);
    out.time = time;
    out.source.file = file;
    out.source.index = index;
    bool ok = true;
    each_string(out, [&](std::string& s) {
      std::uint64_t n = 0;
      // A length past what the run holds is damage: never allocate by it.
      if (!ok || !get(n) || n > (end_ - pos_) + (have_ - used_)) {
        ok = false;
        return;
      }
      s.resize(n);
      ok = bytes(s.data(), n);
    });
    return ok || fail(EIO);
  }
  [[nodiscard]] int error() const { return error_; }

 private:
  bool fail(int err) {
    if (error_ == 0) error_ = err;
    return false;
  }
  template <class T>
  bool get(T& value) {
    char raw[sizeof(T)];
    if (!bytes(raw, sizeof(T))) return false;
    std::memcpy(&value, raw, sizeof(T));
    return true;
  }
  bool bytes(char* out, std::size_t n) {
    while (n > 0) {
      if (used_ == have_ && !refill()) return false;
      const std::size_t take = std::min(n, have_ - used_);
      std::memcpy(out, buf_.data() + used_, take);
      used_ += take;
      out += take;
      n -= take;
    }
    return true;
  }
  bool refill() {
    if (pos_ >= end_) return false;  // the run ends inside an event: damaged
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size(), end_ - pos_));
    ssize_t n = 0;
    do {
      n = ::pread(fd_, buf_.data(), want, static_cast<off_t>(pos_));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return fail(n < 0 ? errno : EIO);
    pos_ += static_cast<std::uint64_t>(n);
    have_ = static_cast<std::size_t>(n);
    used_ = 0;
    return true;
  }

  int fd_;
  std::uint64_t pos_, end_;
  std::vector<char> buf_;
  std::size_t have_ = 0, used_ = 0;
  int error_ = 0;
};

/// One input of a merge: a run on disk or a sorted vector in memory.
struct Source {
  std::unique_ptr<RunReader> reader;  ///< null: the vector below
  const std::vector<OwnedEvent>* memory = nullptr;
  std::size_t next_index = 0;
  OwnedEvent head;
  const OwnedEvent* current = nullptr;

  /// Moves to the next event; false when done or failed.
  bool advance() {
    if (reader) {
      current = reader->next(head) ? &head : nullptr;
    } else {
      current = next_index < memory->size() ? &(*memory)[next_index++] : nullptr;
    }
    return current != nullptr;
  }
};

/// Merges `sources` (each sorted) and calls `visit` with each event in order.
/// Returns the errno of a run that could not be read back, 0 when all went well.
int merge(std::vector<Source>& sources, const std::function<void(const OwnedEvent&)>& visit) {
  auto later = [&sources](std::size_t a, std::size_t b) {
    return *sources[b].current < *sources[a].current;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heap(later);
  auto failed = [&]() {
    for (const auto& s : sources) {
      if (s.reader && s.reader->error() != 0) return s.reader->error();
    }
    return 0;
  };
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].advance()) heap.push(i);
  }
  if (int err = failed(); err != 0) return err;
  while (!heap.empty()) {
    const std::size_t i = heap.top();
    heap.pop();
    visit(*sources[i].current);
    if (sources[i].advance()) {
      heap.push(i);
    } else if (sources[i].reader && sources[i].reader->error() != 0) {
      return sources[i].reader->error();
    }
  }
  return 0;
}

}  // namespace

EventSpool::EventSpool(std::uint64_t budget) : budget_(std::max<std::uint64_t>(budget, 1)) {}
EventSpool::~EventSpool() = default;

EventSpool::Lane& EventSpool::lane() {
  std::lock_guard lock(mutex_);
  lanes_.push_back(std::unique_ptr<Lane>(new Lane(*this)));
  return *lanes_.back();
}

std::size_t EventSpool::lane_share() const {
  // The lanes are all made before the workers start, so their count is settled here.
  return static_cast<std::size_t>(budget_ / std::max<std::size_t>(lanes_.size(), 1));
}

std::size_t EventSpool::runs_spilled() const {
  std::lock_guard lock(mutex_);
  return spilled_;
}

void EventSpool::Lane::add(OwnedEvent&& event) {
  const std::size_t before = events_.capacity();
  bytes_ += footprint(event) - sizeof(OwnedEvent);
  events_.push_back(std::move(event));
  bytes_ += (events_.capacity() - before) * sizeof(OwnedEvent);
  if (bytes_ > spool_.lane_share()) spill();
}

void EventSpool::Lane::spill() {
  std::sort(events_.begin(), events_.end());
  // On a failed write the events are dropped all the same (the error fails the command): a
  // full $TMPDIR must not turn into memory growing without bound.
  (void)spool_.write_run(events_);
  events_.clear();
  // The array goes too: a lane's share, not its largest moment, is what it may keep.
  events_.shrink_to_fit();
  bytes_ = 0;
}

bool EventSpool::write_run(const std::vector<OwnedEvent>& events) {
  std::lock_guard lock(mutex_);
  if (error_) return false;
  if (!file_) {
    auto made = TempFile::make();
    if (!made) {
      error_ = std::move(made).error();
      return false;
    }
    file_ = std::move(*made);
  }
  Run run;
  run.offset = file_->size;
  std::string chunk;
  chunk.reserve(kWriteChunk + 4096);
  bool ok = true;
  for (const auto& e : events) {
    encode(chunk, e);
    if (chunk.size() >= kWriteChunk) {
      ok = file_->append(chunk);
      if (!ok) break;
      chunk.clear();
    }
  }
  if (ok) ok = file_->append(chunk);
  if (!ok) {
    error_ = Error::write("cannot write to the temporary file to sort in (--max-memory)",
                          file_->where, errno);
    return false;
  }
  run.size = file_->size - run.offset;
  runs_.push_back(run);
  ++spilled_;
  return true;
}

Status EventSpool::visit(const std::function<bool(const OwnedEvent&)>& keep,
                         const std::function<void(const OwnedEvent&)>& visit) {
  std::lock_guard lock(mutex_);
  if (error_) return *error_;
  auto drop = [&keep](std::vector<OwnedEvent>& v) {
    if (keep) std::erase_if(v, [&keep](const OwnedEvent& e) { return !keep(e); });
  };
  if (runs_.empty()) {
    // Everything fit: one vector sorted in memory, as without a budget.
    std::vector<OwnedEvent> all;
    if (lanes_.size() == 1) {
      all = std::move(lanes_.front()->events_);
    } else {
      std::size_t n = 0;
      for (const auto& l : lanes_) n += l->events_.size();
      all.reserve(n);
      for (auto& l : lanes_) {
        std::move(l->events_.begin(), l->events_.end(), std::back_inserter(all));
        l->events_ = {};
      }
    }
    drop(all);
    std::sort(all.begin(), all.end());
    for (const auto& e : all) visit(e);
    return {};
  }
  // What the lanes still hold is merged from memory: it fits in their shares.
  for (auto& l : lanes_) {
    drop(l->events_);
    std::sort(l->events_.begin(), l->events_.end());
  }
  auto reader_buffer = [this](std::size_t runs) {
    return static_cast<std::size_t>(
        std::clamp<std::uint64_t>(budget_ / std::max<std::size_t>(runs, 1), 4096, 1 << 20));
  };
  auto read_error = [this](int err) {
    return Error::write("cannot read back the temporary file to sort in (--max-memory)",
                        file_->where, err);
  };
  // Passes over the disk runs until few enough are left to merge at once.
  while (runs_.size() > kFanIn) {
    auto next = TempFile::make();
    if (!next) return std::move(next).error();
    std::vector<Run> merged;
    const std::size_t buffer = reader_buffer(kFanIn);
    for (std::size_t first = 0; first < runs_.size(); first += kFanIn) {
      const std::size_t last = std::min(runs_.size(), first + kFanIn);
      std::vector<Source> sources(last - first);
      for (std::size_t i = first; i < last; ++i) {
        sources[i - first].reader =
            std::make_unique<RunReader>(file_->fd, runs_[i].offset, runs_[i].size, buffer);
      }
      Run run;
      run.offset = (*next)->size;
      std::string chunk;
      bool wrote = true;
      const int err = merge(sources, [&](const OwnedEvent& e) {
        encode(chunk, e);
        if (chunk.size() >= kWriteChunk && wrote) {
          wrote = (*next)->append(chunk);
          chunk.clear();
        }
      });
      if (err != 0) return read_error(err);
      if (wrote) wrote = (*next)->append(chunk);
      if (!wrote) {
        return Error::write("cannot write to the temporary file to sort in (--max-memory)",
                            (*next)->where, errno);
      }
      run.size = (*next)->size - run.offset;
      merged.push_back(run);
    }
    runs_ = std::move(merged);
    file_ = std::move(*next);  // the previous file goes with its descriptor
  }
  std::vector<Source> sources(runs_.size() + lanes_.size());
  const std::size_t buffer = reader_buffer(runs_.size());
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    sources[i].reader = std::make_unique<RunReader>(file_->fd, runs_[i].offset, runs_[i].size, buffer);
  }
  for (std::size_t i = 0; i < lanes_.size(); ++i) sources[runs_.size() + i].memory = &lanes_[i]->events_;
  const bool keep_all = !keep;
  const int err = merge(sources, [&](const OwnedEvent& e) {
    if (keep_all || keep(e)) visit(e);
  });
  if (err != 0) return read_error(err);
  return {};
}

}  // namespace trailhound::app
