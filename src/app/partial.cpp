// Sharded runs: the file split, and the partial file a shard writes and the merge replays.
//
// A partial is a series of gzip members (so `zcat` reads it whole); their text, joined, is:
//
//   "THPARTIAL\n" version header (events... | 'S' state) 'P' problems... 'T' totals 'Z'
//
// Numbers are LEB128 varints, strings a varint length and the bytes. Each event is the
// parse stage's view of one record, field by field: the merge hands the detector exactly the
// view the single run would have, without parsing JSON again. A state (scan) is one string:
// what the command's merge loads instead of reading events (see run_detect.cpp).
#include "trailhound/partial.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "trailhound/escape.hpp"

namespace trailhound::app {

// ---------------------------------------------------------------------------------------------
// The split

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint32_t shard_of(std::string_view key, std::uint32_t count) {
  const std::uint64_t h = fnv1a64(key);
  // FNV's low bits mix less than its high ones: fold them together before the modulo.
  return static_cast<std::uint32_t>((h ^ (h >> 29) ^ (h >> 47)) % (count == 0 ? 1 : count));
}

std::string shard_key(const InputFile& file, const std::vector<std::string>& roots) {
  if (file.explicit_arg || file.is_stdin) return file.path;
  std::size_t best = 0;
  bool found = false;
  for (const auto& root : roots) {
    if (root.size() < best || file.path.compare(0, root.size(), root) != 0) continue;
    best = root.size();
    found = true;
  }
  if (!found) return file.path;
  std::string key = file.path.substr(best);
  const auto start = key.find_first_not_of('/');
  return start == std::string::npos ? std::string() : key.substr(start);
}

namespace {

Error bad_shard(std::string message) { return Error::usage(std::move(message), "--shard"); }

/// A whole non-negative decimal number that fits 32 bits.
std::optional<std::uint32_t> read_count(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::uint32_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return v;
}

}  // namespace

Result<ShardSpec> parse_shard(std::string_view text, unsigned shard_count,
                              const std::function<const char*(const char*)>& getenv) {
  auto env = [&](const char* name) -> std::optional<std::string_view> {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string_view(v);
  };
  ShardSpec s;
  if (text == "auto") {
    std::uint32_t index = 0, count = 0;
    if (auto id = env("SLURM_ARRAY_TASK_ID")) {
      const auto task = read_count(*id);
      const auto min = read_count(env("SLURM_ARRAY_TASK_MIN").value_or("0"));
      const auto n = read_count(env("SLURM_ARRAY_TASK_COUNT").value_or(""));
      if (!task || !min || !n || *task < *min) {
        return bad_shard(
            "auto: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT do not "
            "make a task index");
      }
      index = *task - *min;
      count = *n;
      if (shard_count != 0 && shard_count != count) {
        return bad_shard(fmt::format("auto: Slurm runs {} tasks but --shard-count is {}", count,
                                     shard_count));
      }
    } else {
      const char* name = env("JOB_COMPLETION_INDEX")        ? "JOB_COMPLETION_INDEX"
                         : env("AWS_BATCH_JOB_ARRAY_INDEX") ? "AWS_BATCH_JOB_ARRAY_INDEX"
                                                             : nullptr;
      if (name == nullptr) {
        return bad_shard(
            "auto: none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or "
            "AWS_BATCH_JOB_ARRAY_INDEX is set");
      }
      const auto task = read_count(*env(name));
      if (!task) return bad_shard(fmt::format("auto: {} is not a task index", name));
      index = *task;
      if (shard_count != 0) {
        count = shard_count;
      } else if (auto n = env("TRAILHOUND_SHARD_COUNT")) {
        const auto c = read_count(*n);
        if (!c) return bad_shard("auto: TRAILHOUND_SHARD_COUNT is not a number");
        count = *c;
      } else {
        return bad_shard(fmt::format(
            "auto: {} gives the task but not how many there are: set --shard-count or "
            "TRAILHOUND_SHARD_COUNT",
            name));
      }
    }
    s.index = index;
    s.count = count;
  } else {
    const auto slash = text.find('/');
    const auto k = slash == std::string_view::npos ? std::nullopt : read_count(text.substr(0, slash));
    const auto n = slash == std::string_view::npos ? std::nullopt : read_count(text.substr(slash + 1));
    if (!k || !n) {
      return bad_shard(fmt::format("cannot read '{}' as K/N (such as 0/4) or auto",
                                   terminal_safe(text)));
    }
    if (shard_count != 0 && shard_count != *n) {
      return bad_shard(fmt::format("N is {} but --shard-count is {}", *n, shard_count));
    }
    s.index = *k;
    s.count = *n;
  }
  if (s.count == 0) return bad_shard("the number of shards must be at least 1");
  if (s.index >= s.count) {
    return bad_shard(fmt::format("shard {} of {} does not exist (K counts from 0)", s.index,
                                 s.count));
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Encoding

namespace {

constexpr std::string_view kMagic = "THPARTIAL\n";
constexpr char kTagEvent = 'E', kTagState = 'S', kTagKeys = 'K', kTagProblem = 'P',
               kTagTotals = 'T', kTagEnd = 'Z';

/// The view fields of an event, in the order a partial holds them.
constexpr std::string_view EventView::*kEventFields[] = {
    &EventView::event_time,   &EventView::event_version, &EventView::event_name,
    &EventView::event_source, &EventView::aws_region,    &EventView::source_ip,
    &EventView::user_agent,   &EventView::error_code,    &EventView::error_message,
    &EventView::event_type,   &EventView::event_id,      &EventView::recipient_account_id,
};
constexpr std::string_view IdentityView::*kIdentityFields[] = {
    &IdentityView::type_text,        &IdentityView::principal_id,
    &IdentityView::arn,              &IdentityView::account_id,
    &IdentityView::access_key_id,    &IdentityView::user_name,
    &IdentityView::invoked_by,       &IdentityView::issuer_type,
    &IdentityView::issuer_arn,       &IdentityView::issuer_user_name,
    &IdentityView::on_behalf_user_id, &IdentityView::mfa_authenticated,
    &IdentityView::identity_provider,
};
constexpr RawJson EventView::*kRawFields[] = {
    &EventView::request_parameters,
    &EventView::response_elements,
    &EventView::additional_event_data,
    &EventView::record,
};
constexpr std::size_t kViewCount = std::size(kEventFields) + std::size(kIdentityFields);
constexpr std::size_t kRawCount = std::size(kRawFields);

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_totals(std::string& out, const RunTotals& t) {
  for (const std::uint64_t v : {t.files_read, t.files_skipped, t.files_not_cloudtrail,
                                t.files_failed, t.files_pruned, t.records_read, t.records_used,
                                t.records_rejected, t.records_duplicate, t.bytes_in,
                                t.bytes_decoded}) {
    put_varint(out, v);
  }
}

/// `data` as one gzip member (fast level: a partial is written once and read once; level 0
/// stores it, for bytes that do not compress, such as hashes).
std::string gzip_member(std::string_view data, int level = 1) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("cannot start the compressor");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("cannot compress a partial chunk");
  return out;
}

/// Chunks are cut at this size, so a shard holds at most this much uncompressed per worker.
constexpr std::size_t kChunkBytes = 4u << 20;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writing

struct PartialWriter::Impl {
  PartialHeader header;
  std::mutex mutex;
  std::map<std::uint32_t, std::vector<std::string>> chunks;  ///< by file, in record order
  std::vector<PartialProblem> problems;
  std::optional<std::string> state;
  std::string keys;
};

PartialWriter::PartialWriter(PartialHeader header) : impl_(std::make_unique<Impl>()) {
  impl_->header = std::move(header);
}

PartialWriter::~PartialWriter() = default;

PartialWriter::ChunkBuilder::~ChunkBuilder() {
  try {
    flush();
  } catch (...) {
    // The writer has failed already (out of memory); write() reports what it has.
  }
}

void PartialWriter::ChunkBuilder::add(const EventView& e, std::uint32_t file) {
  if (file != file_ || raw_.size() >= kChunkBytes) flush();
  file_ = file;
  ++events_;
  raw_ += kTagEvent;
  put_varint(raw_, file);
  put_varint(raw_, e.source.index);
  put_varint(raw_, static_cast<std::uint64_t>(e.time));
  raw_ += static_cast<char>(e.identity.type);
  raw_ += static_cast<char>(!e.read_only ? 0 : *e.read_only ? 2 : 1);
  // The record first: most fields are stretches of it (the parser's views into the buffer),
  // written as an offset and a length; a field the parser unescaped is written out.
  std::string_view record = e.record.present() ? e.record.text() : std::string_view{};
  if (hash_records_ && e.record.present()) {
    const std::uint64_t h = std::hash<std::string_view>{}(record);
    put_varint(raw_, sizeof h + 1);
    raw_.append(reinterpret_cast<const char*>(&h), sizeof h);
    record = {};  // no field is written as a stretch of it
  } else {
    put_varint(raw_, e.record.present() ? record.size() + 1 : 0);
    raw_.append(record);
  }
  const auto rec_begin = reinterpret_cast<std::uintptr_t>(record.data());
  const auto rec_end = rec_begin + record.size();
  auto put_field = [&](std::string_view v) {
    const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
    if (!v.empty() && !record.empty() && begin >= rec_begin && begin + v.size() <= rec_end) {
      put_varint(raw_, (std::uint64_t(begin - rec_begin) << 1) | 1);
      put_varint(raw_, v.size());
    } else {
      put_varint(raw_, std::uint64_t(v.size()) << 1);
      raw_.append(v);
    }
  };
  for (auto field : kEventFields) put_field(e.*field);
  for (auto field : kIdentityFields) put_field(e.identity.*field);
  for (std::size_t r = 0; r + 1 < kRawCount; ++r) {  // the record is last in kRawFields
    const RawJson& raw = e.*kRawFields[r];
    raw_ += static_cast<char>(raw.present() ? 1 : 0);
    if (raw.present()) put_field(raw.text());
  }
}

void PartialWriter::ChunkBuilder::flush() {
  if (events_ == 0) return;
  writer_.take_chunk(file_, gzip_member(raw_));
  raw_.clear();
  events_ = 0;
}

void PartialWriter::take_chunk(std::uint32_t file, std::string compressed) {
  std::lock_guard lock(impl_->mutex);
  impl_->chunks[file].push_back(std::move(compressed));
}

void PartialWriter::add_problem(PartialProblem problem) {
  std::lock_guard lock(impl_->mutex);
  impl_->problems.push_back(std::move(problem));
}

void PartialWriter::set_state(std::string state, std::string keys) {
  std::lock_guard lock(impl_->mutex);
  impl_->state = std::move(state);
  impl_->keys = std::move(keys);
}

Status PartialWriter::write(const std::string& path, const RunTotals& totals) {
  const PartialHeader& h = impl_->header;
  std::string head(kMagic);
  put_varint(head, h.format_version);
  put_str(head, h.trailhound_version);
  put_str(head, h.command);
  put_varint(head, h.settings.size());
  for (const auto& s : h.settings) put_str(head, s);
  put_str(head, h.resolved);
  put_varint(head, static_cast<std::uint64_t>(h.anchor));
  put_varint(head, h.shard.index);
  put_varint(head, h.shard.count);
  put_varint(head, h.files.size());
  for (const auto& f : h.files) {
    put_str(head, f.path);
    head += static_cast<char>((f.explicit_arg ? 1 : 0) | (f.is_stdin ? 2 : 0));
  }
  put_varint(head, h.pruned);
  put_varint(head, h.skipped_digest);
  put_varint(head, h.walk_errors);

  std::string tail;
  std::stable_sort(impl_->problems.begin(), impl_->problems.end(),
                   [](const auto& a, const auto& b) { return a.file < b.file; });
  for (const auto& p : impl_->problems) {
    tail += kTagProblem;
    put_varint(tail, p.file);
    tail += static_cast<char>(p.failed ? 1 : 0);
    put_varint(tail, p.reasons.size());
    for (const auto& r : p.reasons) put_str(tail, r);
  }
  tail += kTagTotals;
  put_totals(tail, totals);
  tail += kTagEnd;

  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    return Error::write("cannot create the file", "--partial-out " + terminal_safe(path), errno);
  }
  bool ok = true;
  auto put = [&](std::string_view bytes) {
    if (ok && std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) ok = false;
  };
  put(gzip_member(head));
  if (impl_->state) {
    // Two members: the state and the keys' length, which compress, then the keys stored as
    // they are (zcat and the reader see one stream).
    std::string state(1, kTagState);
    put_str(state, *impl_->state);
    state += kTagKeys;
    put_varint(state, impl_->keys.size());
    put(gzip_member(state));
    if (!impl_->keys.empty()) put(gzip_member(impl_->keys, 0));
  }
  for (const auto& [file, list] : impl_->chunks) {
    for (const auto& c : list) put(c);
  }
  put(gzip_member(tail));
  const int write_errno = ok ? 0 : errno;
  if (std::fclose(out) != 0 && ok) {
    return Error::write("cannot write the file", "--partial-out " + terminal_safe(path), errno);
  }
  if (!ok) {
    return Error::write("cannot write the file", "--partial-out " + terminal_safe(path),
                        write_errno);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reading

struct PartialReader::Impl {
  std::string path;
  gzFile gz = nullptr;
  PartialHeader header;
  std::string buf;
  std::size_t pos = 0;
  bool eof = false;
  std::string failure;  ///< why reading stopped ("" while it goes on)

  // The event being handed out: its bytes and the view over them.
  std::string text;
  EventView view;
  std::optional<std::uint32_t> pending_file;  ///< an 'E' tag and file index already read

  ~Impl() {
    if (gz != nullptr) gzclose(gz);
  }

  /// At least `n` unread bytes in `buf`, or false at the end of the data.
  bool need(std::size_t n) {
    if (buf.size() - pos >= n) return true;
    buf.erase(0, pos);
    pos = 0;
    while (buf.size() < n && !eof) {
      const std::size_t want = std::max<std::size_t>(n - buf.size(), 1u << 18);
      const std::size_t old = buf.size();
      buf.resize(old + want);
      const int got = gzread(gz, buf.data() + old, static_cast<unsigned>(want));
      if (got < 0) {
        int zerr = 0;
        failure = gzerror(gz, &zerr);
        buf.resize(old);
        eof = true;
        break;
      }
      buf.resize(old + static_cast<std::size_t>(got));
      if (got == 0) eof = true;
    }
    return buf.size() - pos >= n;
  }
  bool byte(unsigned char& c) {
    if (!need(1)) return false;
    c = static_cast<unsigned char>(buf[pos++]);
    return true;
  }
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      unsigned char c = 0;
      if (!byte(c)) return false;
      v |= std::uint64_t(c & 0x7F) << shift;
      if ((c & 0x80) == 0) return true;
    }
    return false;
  }
  template <class T>
  bool number(T& out) {
    std::uint64_t v = 0;
    if (!varint(v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  /// A length, no larger than `limit`.
  bool length(std::uint64_t& n, std::uint64_t limit = 1ULL << 31) {
    return varint(n) && n <= limit;
  }
  bool str(std::string& s) {
    std::uint64_t n = 0;
    if (!length(n) || !need(n)) return false;
    s.assign(buf, pos, n);
    pos += n;
    return true;
  }
  /// Appends a string's bytes to `text`, returning where they start.
  bool str_into(std::string& out, std::size_t& at, std::size_t& len) {
    std::uint64_t n = 0;
    if (!length(n) || !need(n)) return false;
    at = out.size();
    len = n;
    out.append(buf, pos, n);
    pos += n;
    return true;
  }
  Error cut() const {
    return Error::input(failure.empty() ? "the partial is cut short or damaged"
                                        : fmt::format("the partial cannot be read: {}", failure),
                        terminal_safe(path));
  }
};

PartialReader::PartialReader() : impl_(std::make_unique<Impl>()) {}
PartialReader::~PartialReader() = default;

const PartialHeader& PartialReader::header() const { return impl_->header; }
const std::string& PartialReader::path() const { return impl_->path; }

Status PartialReader::open(const std::string& path) {
  Impl& im = *impl_;
  im.path = path;
  im.gz = gzopen(path.c_str(), "rb");
  if (im.gz == nullptr) return Error::input("cannot open the partial", terminal_safe(path), errno);
  gzbuffer(im.gz, 1u << 18);
  const std::string safe = terminal_safe(path);
  if (!im.need(kMagic.size()) || std::string_view(im.buf).substr(0, kMagic.size()) != kMagic) {
    return Error::input("not a trailhound partial (see --partial-out)", safe);
  }
  im.pos += kMagic.size();
  PartialHeader& h = im.header;
  if (!im.number(h.format_version)) return im.cut();
  if (h.format_version != kPartialVersion) {
    return Error::input(fmt::format("partial format version {}; this trailhound reads version {}",
                                    h.format_version, kPartialVersion),
                        safe);
  }
  std::uint64_t n = 0;
  if (!im.str(h.trailhound_version) || !im.str(h.command) || !im.length(n, 1u << 20)) {
    return im.cut();
  }
  h.settings.resize(n);
  for (auto& s : h.settings) {
    if (!im.str(s)) return im.cut();
  }
  std::uint64_t anchor = 0;
  if (!im.str(h.resolved) || !im.varint(anchor) || !im.number(h.shard.index) ||
      !im.number(h.shard.count) || !im.length(n, 1u << 30)) {
    return im.cut();
  }
  h.anchor = static_cast<TimeMs>(anchor);
  h.files.reserve(std::min<std::uint64_t>(n, 1u << 20));
  for (std::uint64_t i = 0; i < n; ++i) {
    InputFile f;
    unsigned char flags = 0;
    if (!im.str(f.path) || !im.byte(flags)) return im.cut();
    f.explicit_arg = (flags & 1) != 0;
    f.is_stdin = (flags & 2) != 0;
    h.files.push_back(std::move(f));
  }
  if (!im.varint(h.pruned) || !im.varint(h.skipped_digest) || !im.varint(h.walk_errors)) {
    return im.cut();
  }
  if (h.trailhound_version != TRAILHOUND_VERSION) {
    return Error::input(fmt::format("made by trailhound {}; this is trailhound {}",
                                    terminal_safe(h.trailhound_version), TRAILHOUND_VERSION),
                        safe);
  }
  return {};
}

std::optional<std::uint32_t> PartialReader::peek_file() {
  Impl& im = *impl_;
  if (im.pending_file) return im.pending_file;
  if (!im.need(1) || im.buf[im.pos] != kTagEvent) return std::nullopt;
  ++im.pos;
  std::uint32_t file = 0;
  if (!im.number(file)) {
    im.failure = im.failure.empty() ? "an event is cut short" : im.failure;
    return std::nullopt;
  }
  im.pending_file = file;
  return file;
}

Result<const EventView*> PartialReader::next_event() {
  Impl& im = *impl_;
  if (!peek_file()) return im.cut();
  const std::uint32_t file = *im.pending_file;
  im.pending_file.reset();
  EventView& v = im.view;
  v = EventView{};
  v.source.file = file;
  std::uint64_t time = 0;
  unsigned char type = 0, read_only = 0;
  if (!im.varint(v.source.index) || !im.varint(time) || !im.byte(type) || !im.byte(read_only)) {
    return im.cut();
  }
  if (type > static_cast<unsigned char>(IdentityType::Other) || read_only > 2) return im.cut();
  v.time = static_cast<TimeMs>(time);
  v.identity.type = static_cast<IdentityType>(type);
  if (read_only != 0) v.read_only = read_only == 2;
  // The bytes first (the string may grow), then the views over them. The record comes first,
  // and fields that are stretches of it are offsets into it.
  std::size_t at[kViewCount + kRawCount], len[kViewCount + kRawCount];
  bool present[kRawCount];
  im.text.clear();
  std::uint64_t n = 0;
  if (!im.length(n) || !im.need(n == 0 ? 0 : n - 1)) return im.cut();
  const std::size_t rec = kViewCount + kRawCount - 1;
  present[kRawCount - 1] = n != 0;
  at[rec] = 0;
  len[rec] = n == 0 ? 0 : n - 1;
  im.text.append(im.buf, im.pos, len[rec]);
  im.pos += len[rec];
  im.text.append(64, ' ');  // readable padding after each JSON value, as the parser leaves
  auto field = [&](std::size_t i) {
    std::uint64_t code = 0, length = 0;
    if (!im.varint(code)) return false;
    if ((code & 1) != 0) {
      if (!im.length(length) || (code >> 1) + length > len[rec]) return false;
      at[i] = code >> 1;
      len[i] = length;
      return true;
    }
    length = code >> 1;
    if (length > (1ULL << 31) || !im.need(length)) return false;
    at[i] = im.text.size();
    len[i] = length;
    im.text.append(im.buf, im.pos, length);
    im.pos += length;
    return true;
  };
  for (std::size_t i = 0; i < kViewCount; ++i) {
    if (!field(i)) return im.cut();
  }
  for (std::size_t r = 0; r + 1 < kRawCount; ++r) {
    unsigned char has = 0;
    if (!im.byte(has) || has > 1) return im.cut();
    present[r] = has == 1;
    at[kViewCount + r] = len[kViewCount + r] = 0;
    if (present[r] && !field(kViewCount + r)) return im.cut();
    im.text.append(64, ' ');
  }
  const char* base = im.text.data();
  const char* limit = base + im.text.size();
  std::size_t i = 0;
  for (auto f : kEventFields) { v.*f = std::string_view(base + at[i], len[i]); ++i; }
  for (auto f : kIdentityFields) { v.identity.*f = std::string_view(base + at[i], len[i]); ++i; }
  for (std::size_t r = 0; r < kRawCount; ++r, ++i) {
    if (present[r]) v.*kRawFields[r] = RawJson(std::string_view(base + at[i], len[i]), limit);
  }
  return &im.view;
}

Status PartialReader::read_state(std::string& state, std::uint64_t& key_bytes) {
  Impl& im = *impl_;
  unsigned char tag = 0, keys = 0;
  std::uint64_t n = 0;
  if (!im.byte(tag) || tag != kTagState || !im.length(n)) return im.cut();
  // Straight into `state`, past the reader's buffer: a state runs to megabytes.
  const std::size_t buffered = std::min<std::size_t>(n, im.buf.size() - im.pos);
  state.assign(im.buf, im.pos, buffered);
  im.pos += buffered;
  if (buffered < n) {
    state.resize(n);
    std::size_t at = buffered;
    while (at < n) {
      const int got = gzread(im.gz, state.data() + at,
                             static_cast<unsigned>(std::min<std::size_t>(n - at, 1u << 30)));
      if (got <= 0) {
        int zerr = 0;
        if (got < 0) im.failure = gzerror(im.gz, &zerr);
        im.eof = true;
        return im.cut();
      }
      at += static_cast<std::size_t>(got);
    }
  }
  if (!im.byte(keys) || keys != kTagKeys || !im.varint(key_bytes)) return im.cut();
  return {};
}

bool PartialReader::read_keys(std::size_t n, std::string_view& piece) {
  Impl& im = *impl_;
  if (!im.need(n)) return false;
  piece = std::string_view(im.buf).substr(im.pos, n);
  im.pos += n;
  return true;
}

Status PartialReader::read_trailer(std::vector<PartialProblem>& problems, RunTotals& totals) {
  Impl& im = *impl_;
  for (;;) {
    unsigned char tag = 0;
    if (!im.byte(tag)) return im.cut();
    if (tag == kTagProblem) {
      PartialProblem p;
      unsigned char failed = 0;
      std::uint64_t n = 0;
      if (!im.number(p.file) || !im.byte(failed) || !im.length(n, 1u << 20)) return im.cut();
      p.failed = failed != 0;
      p.reasons.resize(n);
      for (auto& r : p.reasons) {
        if (!im.str(r)) return im.cut();
      }
      problems.push_back(std::move(p));
    } else if (tag == kTagTotals) {
      RunTotals t;
      for (std::uint64_t* v : {&t.files_read, &t.files_skipped, &t.files_not_cloudtrail,
                               &t.files_failed, &t.files_pruned, &t.records_read, &t.records_used,
                               &t.records_rejected, &t.records_duplicate, &t.bytes_in,
                               &t.bytes_decoded}) {
        if (!im.varint(*v)) return im.cut();
      }
      unsigned char end = 0;
      if (!im.byte(end) || end != kTagEnd) return im.cut();
      totals = t;
      return {};
    } else {
      return im.cut();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The set

namespace {

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out += ' ';
    out += terminal_safe(a);
  }
  return out;
}

}  // namespace

Result<PartialSet> open_partials(const std::vector<std::string>& paths) {
  PartialSet set;
  if (paths.empty()) return Error::usage("merge needs the partial files of every shard");
  for (const auto& path : paths) {
    auto r = std::make_unique<PartialReader>();
    if (auto s = r->open(path); !s) {
      Error e = std::move(s).error();
      e.kind = ErrorKind::Usage;
      return e;
    }
    set.readers.push_back(std::move(r));
  }
  const PartialReader& first = *set.readers.front();
  const PartialHeader& a = first.header();
  const std::string first_path = terminal_safe(first.path());
  for (const auto& r : set.readers) {
    const PartialHeader& b = r->header();
    const std::string here = terminal_safe(r->path());
    auto differ = [&](std::string_view what, const std::string& x, const std::string& y) {
      return Error::usage(fmt::format("{} and {} were made with different {}: '{}' and '{}'",
                                      first_path, here, what, x, y));
    };
    if (a.command != b.command) return differ("commands", a.command, b.command);
    if (a.settings != b.settings) return differ("settings", joined(a.settings), joined(b.settings));
    if (a.resolved != b.resolved) {
      return differ("relative times (give --since/--until as absolute times, or run the shards "
                    "together)",
                    a.resolved, b.resolved);
    }
    if (a.shard.count != b.shard.count) {
      return differ("shard counts", std::to_string(a.shard.count), std::to_string(b.shard.count));
    }
    const bool same_files =
        a.files.size() == b.files.size() &&
        std::equal(a.files.begin(), a.files.end(), b.files.begin(), [](const auto& x, const auto& y) {
          return x.path == y.path && x.explicit_arg == y.explicit_arg && x.is_stdin == y.is_stdin;
        });
    if (!same_files || a.pruned != b.pruned || a.skipped_digest != b.skipped_digest ||
        a.walk_errors != b.walk_errors) {
      return Error::usage(fmt::format(
          "{} and {} saw different input files ({} and {}): every shard must see the same inputs",
          first_path, here, a.files.size(), b.files.size()));
    }
  }
  // Every shard exactly once.
  std::vector<std::vector<std::string>> by_shard(a.shard.count);
  for (const auto& r : set.readers) {
    if (r->header().shard.index >= a.shard.count) {
      return Error::usage(fmt::format("{} says it is shard {} of {}", terminal_safe(r->path()),
                                      r->header().shard.index, a.shard.count));
    }
    by_shard[r->header().shard.index].push_back(terminal_safe(r->path()));
  }
  std::vector<std::string> missing, doubled;
  for (std::uint32_t k = 0; k < a.shard.count; ++k) {
    if (by_shard[k].empty()) missing.push_back(std::to_string(k));
    if (by_shard[k].size() > 1) {
      doubled.push_back(fmt::format("{} ({})", k, fmt::join(by_shard[k], ", ")));
    }
  }
  if (!doubled.empty()) {
    return Error::usage(fmt::format("shard(s) given more than once: {}", fmt::join(doubled, "; ")));
  }
  if (!missing.empty()) {
    return Error::usage(fmt::format("the set is incomplete: shard(s) {} of {} missing",
                                    fmt::join(missing, ", "), a.shard.count));
  }
  return set;
}

namespace {

/// Reads every partial's trailer after its events or state: problems in file order, totals
/// added up.
Result<RunTotals> read_trailers(PartialSet& set, std::vector<PartialProblem>& problems) {
  RunTotals sum;
  for (auto& r : set.readers) {
    RunTotals t;
    if (auto s = r->read_trailer(problems, t); !s) return std::move(s).error();
    sum.files_read += t.files_read;
    sum.files_skipped += t.files_skipped;
    sum.files_not_cloudtrail += t.files_not_cloudtrail;
    sum.files_failed += t.files_failed;
    sum.files_pruned += t.files_pruned;
    sum.records_read += t.records_read;
    sum.records_used += t.records_used;
    sum.records_rejected += t.records_rejected;
    sum.records_duplicate += t.records_duplicate;
    sum.bytes_in += t.bytes_in;
    sum.bytes_decoded += t.bytes_decoded;
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto& x, const auto& y) { return x.file < y.file; });
  for (const auto& p : problems) {
    if (p.file >= set.header().files.size()) {
      return Error::input("a problem names a file the partial does not list",
                          terminal_safe(set.readers.front()->path()));
    }
  }
  return sum;
}

}  // namespace

Result<RunTotals> read_partial_states(
    PartialSet& set, const std::function<Status(std::string_view, const std::string&)>& take,
    const std::function<std::optional<std::size_t>(std::vector<KeyStream>&)>& join,
    std::vector<PartialProblem>& problems) {
  std::string state;
  std::vector<KeyStream> keys;
  for (auto& r : set.readers) {
    std::uint64_t key_bytes = 0;
    if (auto s = r->read_state(state, key_bytes); !s) return std::move(s).error();
    if (auto s = take(state, r->path()); !s) return std::move(s).error();
    PartialReader* reader = r.get();
    keys.push_back(KeyStream{key_bytes, [reader](std::size_t n, std::string_view& piece) {
                               return reader->read_keys(n, piece);
                             }});
  }
  // Every partial's keys at once: each stream is read up to its trailer.
  if (const auto bad = join(keys)) {
    return Error::input("the partial's duplicate keys are cut short or damaged",
                        terminal_safe(set.readers[*bad]->path()));
  }
  return read_trailers(set, problems);
}

Result<RunTotals> replay_partials(PartialSet& set,
                                  const std::function<void(const EventView&)>& visit,
                                  std::vector<PartialProblem>& problems) {
  // Each partial holds its files in run order, and no two hold the same file: taking the
  // lowest next file each time gives every event in run order.
  for (;;) {
    PartialReader* best = nullptr;
    std::uint32_t best_file = 0;
    for (auto& r : set.readers) {
      const auto f = r->peek_file();
      if (f && (best == nullptr || *f < best_file)) {
        best = r.get();
        best_file = *f;
      }
    }
    if (best == nullptr) break;
    if (best_file >= set.header().files.size()) {
      return Error::input("an event names a file the partial does not list",
                          terminal_safe(best->path()));
    }
    while (best->peek_file() == best_file) {
      auto e = best->next_event();
      if (!e) return std::move(e).error();
      visit(**e);
    }
  }
  return read_trailers(set, problems);
}

}  // namespace trailhound::app
