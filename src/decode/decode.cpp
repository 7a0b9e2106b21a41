// Decode stage: reads an input fully (file or stdin), then inflates it when it is gzip.
#include "trailhound/decode.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include <fmt/format.h>

namespace trailhound {

std::size_t grown_capacity(std::size_t capacity, std::uint64_t limit) {
  const std::uint64_t doubled = capacity * 2ULL;
  return static_cast<std::size_t>(doubled >= limit ? limit + 1 : doubled);
}

ByteBuffer::~ByteBuffer() {
  if (turn_ && data_) turn_->shrink(capacity_ + kBufferPadding);
  std::free(data_);
}

void ByteBuffer::swap(ByteBuffer& other) noexcept {
  // The capacities move with the data; both buffers of a worker report to the same account.
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
  std::swap(capacity_, other.capacity_);
}

void ByteBuffer::reserve(std::size_t size, std::size_t keep) {
  if (size <= capacity_ && data_) return;
  // Exactly what was asked for: the callers grow geometrically and clamp to their byte budget
  // themselves, so doubling here too would let a budget of N bytes become a buffer of 2N (a
  // decompression bomb under the default 1 GiB limit peaked at 2 GiB per worker).
  const std::size_t cap = std::max<std::size_t>(size, 64 * 1024);
  const std::size_t before = data_ ? capacity_ + kBufferPadding : 0;
  if (turn_) turn_->grow(cap + kBufferPadding - before);
  char* fresh = nullptr;
  if (keep > 0 && data_) {
    // realloc grows a large block in place or moves its pages (mremap): no second copy of
    // the data is ever held, so a buffer near the limit does not briefly cost twice as much.
    fresh = static_cast<char*>(std::realloc(data_, cap + kBufferPadding));
  } else {
    std::free(data_);
    data_ = nullptr;
    fresh = static_cast<char*>(std::malloc(cap + kBufferPadding));  // not zeroed: written first
  }
  if (fresh == nullptr) {
    if (turn_) turn_->shrink(cap + kBufferPadding - before);
    if (data_ == nullptr) {
      capacity_ = size_ = 0;
      if (turn_ && before) turn_->shrink(before);
    }
    throw std::bad_alloc();
  }
  data_ = fresh;
  capacity_ = cap;
}

void ByteBuffer::release(std::size_t keep_up_to) {
  if (!data_ || capacity_ <= keep_up_to) return;
  if (turn_) turn_->shrink(capacity_ + kBufferPadding);
  std::free(data_);
  data_ = nullptr;
  capacity_ = size_ = 0;
}

void ByteBuffer::set_size(std::size_t size) {
  size_ = size;
  std::memset(data_ + size, 0, kBufferPadding);
}

MemoryPlan plan_memory(std::uint64_t budget, unsigned workers, std::uint64_t max_file_bytes) {
  if (workers == 0) workers = 1;
  // A quarter of the budget for the rest of the run; the other three quarters for files, at
  // kMemoryPerByte bytes of memory per buffer byte.
  const std::uint64_t pool = budget / 4 * 3 / kMemoryPerByte;
  MemoryPlan plan;
  // Each worker's share is half of an even split, so the turn always leaves at least half of
  // the pool to one large file, whatever the number of workers.
  plan.share = workers == 1 ? pool : pool / (2ULL * workers);
  plan.per_file = std::min<std::uint64_t>(max_file_bytes, pool - (workers - 1ULL) * plan.share);
  plan.share = std::min<std::uint64_t>(plan.share, plan.per_file);
  return plan;
}

void MemoryTurn::grow(std::size_t bytes) {
  held_ += bytes;
  if (held_ > share_ && !holding_ && turn_ != nullptr) {
    turn_->mutex.lock();
    holding_ = true;
  }
}

void MemoryTurn::end_file() {
  if (!holding_) return;
  turn_->mutex.unlock();
  holding_ = false;
}

namespace {

bool ends_with_gz(std::string_view path) {
  return path.size() >= 3 && (path.substr(path.size() - 3) == ".gz" ||
                              path.substr(path.size() - 3) == ".GZ");
}

/// Why the first bytes of a plain input are not JSON text, or empty when they may be: JSON
/// starts with '{' or '[' (after a BOM and white space); anything else is given to the parser
/// (a capture cut at its start is text still), unless it holds control bytes no text has.
std::string not_text(std::string_view head) {
  std::size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
                             head[i] == '\t')) {
    ++i;
  }
  if (i < head.size() && (head[i] == '{' || head[i] == '[')) return {};
  for (std::size_t j = i; j < head.size(); ++j) {
    const auto c = static_cast<unsigned char>(head[j]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b && c != '\f') {
      return fmt::format("binary data, not JSON text (byte 0x{:02x} at offset {} of the first {} "
                         "bytes); skipped unread",
                         c, j, head.size());
    }
  }
  return {};
}

/// The bytes of a plain input looked at before the rest is read.
constexpr std::size_t kSniffBytes = 1024;

/// Reads everything from `fd` into `buf`; gives the errno on failure, 0 on success. Once the
/// first KiB is in, an input that is neither gzip, UTF-16 nor text stops being read, with the
/// reason in `refused`.
int read_all(int fd, ByteBuffer& buf, std::uint64_t limit, bool& over, std::string& refused) {
  std::size_t used = 0;
  bool sniffed = false;
  buf.reserve(64 * 1024);
  for (;;) {
    if (used == buf.capacity()) buf.reserve(grown_capacity(buf.capacity(), limit), used);
    const ssize_t n = ::read(fd, buf.data() + used, buf.capacity() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (!sniffed && used >= kSniffBytes) {
      sniffed = true;
      const std::string_view head(buf.data(), kSniffBytes);
      const bool gzip = head[0] == '\x1f' && head[1] == '\x8b';
      if (!gzip && !has_utf16_bom(head)) {
        refused = not_text(head);
        if (!refused.empty()) break;
      }
    }
    if (used > limit) {
      over = true;
      break;
    }
  }
  buf.set_size(used);
  return 0;
}

void put_utf8(char*& o, char32_t cp) {
  if (cp < 0x80) {
    *o++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *o++ = static_cast<char>(0xC0 | (cp >> 6));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = static_cast<char>(0xE0 | (cp >> 12));
    *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *o++ = static_cast<char>(0xF0 | (cp >> 18));
    *o++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Transcodes a UTF-16 input (Windows exports) in `in` into `out`, under the byte budget.
DecodeResult utf16_to_utf8(DecodeResult result, ByteBuffer& in, ByteBuffer& out,
                           std::uint64_t limit) {
  result.utf16 = true;
  if (!transcode_utf16(in.view(), limit, out)) {
    result.status = DecodeStatus::TooLarge;
    result.output_bytes = 0;
    result.message = fmt::format("UTF-16 text larger than the limit of {} bytes once in UTF-8 "
                                 "(--max-file-bytes)", limit);
    return result;
  }
  result.output_bytes = out.size();
  return result;
}

}  // namespace

bool has_utf16_bom(std::string_view data) {
  return data.size() >= 2 && ((data[0] == '\xFF' && data[1] == '\xFE') ||
                              (data[0] == '\xFE' && data[1] == '\xFF'));
}

bool transcode_utf16(std::string_view data, std::uint64_t limit, ByteBuffer& out) {
  const bool big_endian = data[0] == '\xFE';
  const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + 2;
  const std::size_t units = (data.size() - 2) / 2;
  const bool odd = (data.size() - 2) % 2 != 0;
  // Every unit gives at most 3 bytes, a surrogate pair 4 bytes for 4: 1.5 bytes a byte.
  const std::uint64_t bound = std::uint64_t(units) * 3 + (odd ? 1 : 0);
  const std::uint64_t room = std::min<std::uint64_t>(bound, limit + 1);
  out.reserve(static_cast<std::size_t>(room));
  // Writing stops at `limit` bytes, and `room` holds the whole output below it.
  char* o = out.data();
  const auto unit = [&](std::size_t i) -> char32_t {
    const unsigned a = p[2 * i], b = p[2 * i + 1];
    return big_endian ? char32_t((a << 8) | b) : char32_t((b << 8) | a);
  };
  for (std::size_t i = 0; i < units; ++i) {
    char32_t cp = unit(i);
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < units) {
      const char32_t low = unit(i + 1);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        ++i;
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    const std::size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (std::uint64_t(o - out.data()) + need > limit) return false;
    put_utf8(o, cp);
  }
  if (odd) {
    if (std::uint64_t(o - out.data()) + 1 > limit) return false;
    *o++ = '?';
  }
  out.set_size(std::size_t(o - out.data()));
  return true;
}

DecodeResult read_range(const std::string& path, std::uint64_t offset, std::uint64_t length,
                        std::uint64_t limit, ByteBuffer& out) {
  DecodeResult result;
  if (length > limit) {
    result.status = DecodeStatus::TooLarge;
    result.message = fmt::format("larger than the limit of {} bytes", limit);
    return result;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.status = DecodeStatus::IoError;
    result.message = std::strerror(errno);
    return result;
  }
  out.reserve(static_cast<std::size_t>(length));
  std::size_t used = 0;
  while (used < length) {
    const ssize_t n = ::pread(fd, out.data() + used, std::size_t(length) - used,
                              static_cast<off_t>(offset + used));
    if (n < 0) {
      if (errno == EINTR) continue;
      result.status = DecodeStatus::IoError;
      result.message = std::strerror(errno);
      break;
    }
    if (n == 0) {
      result.status = DecodeStatus::Truncated;
      result.message = fmt::format("the file ends at byte {}, before the {} bytes planned: it "
                                   "shrank while being read",
                                   offset + used, offset + length);
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.set_size(used);
  result.input_bytes = result.output_bytes = used;
  return result;
}

DecodeResult read_input(const InputFile& input, const DecodeLimits& limits, ByteBuffer& scratch,
                        ByteBuffer& out) {
  DecodeResult result;
  int fd = 0;
  if (!input.is_stdin) {
    fd = ::open(input.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result.status = DecodeStatus::IoError;
      result.message = std::strerror(errno);
      return result;
    }
  }
  bool over = false;
  std::string refused;
  // A compressed input larger than the decoded budget cannot decode within it either.
  const bool memory_bound = limits.max_buffers < limits.max_inflated;
  const std::uint64_t limit = memory_bound ? limits.max_buffers : limits.max_inflated;
  const char* flag = memory_bound ? "--max-memory" : "--max-file-bytes";
  const int err = read_all(fd, scratch, limit, over, refused);
  if (!input.is_stdin) ::close(fd);
  if (err != 0) {
    result.status = DecodeStatus::IoError;
    result.message = std::strerror(err);
    return result;
  }
  result.input_bytes = scratch.size();
  if (!refused.empty()) {
    result.status = DecodeStatus::NotText;
    result.message = std::move(refused);
    return result;
  }
  if (over) {
    result.status = DecodeStatus::TooLarge;
    result.message = fmt::format("larger than the limit of {} bytes ({})", limit, flag);
    return result;
  }
  if (scratch.size() == 0) {
    result.status = DecodeStatus::Empty;
    result.message = "empty file";
    out.reserve(0);
    out.set_size(0);
    return result;
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(scratch.data());
  if (scratch.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    // The compressed bytes are held while inflating: under --max-memory they count.
    std::uint64_t room = limits.max_inflated;
    if (limits.max_buffers - scratch.size() < room) {
      room = limits.max_buffers - scratch.size();
      flag = "--max-memory";
    } else {
      flag = "--max-file-bytes";
    }
    DecodeResult inflated = inflate_gzip(scratch.view(), room, out);
    inflated.input_bytes = result.input_bytes;
    if (inflated.status == DecodeStatus::TooLarge) {
      inflated.message = fmt::format(
          "inflates to more than the limit of {} bytes ({}); refused as a possible "
          "decompression bomb",
          room, flag);
      return inflated;
    }
    if ((inflated.status == DecodeStatus::Ok || inflated.status == DecodeStatus::Truncated ||
         inflated.status == DecodeStatus::Corrupt) &&
        has_utf16_bom(out.view())) {
      DecodeResult text = utf16_to_utf8(inflated, out, scratch, room);
      scratch.swap(out);
      return text;
    }
    return inflated;
  }
  if (ends_with_gz(input.path)) {
    result.status = DecodeStatus::NotGzip;
    result.message = "named .gz but not gzip data (no gzip magic bytes)";
    return result;
  }
  // Windows tools export UTF-16; the parser reads UTF-8 only.
  if (has_utf16_bom(scratch.view())) {
    const std::uint64_t room = std::min(limits.max_inflated, limit - std::min<std::uint64_t>(limit, scratch.size()));
    return utf16_to_utf8(result, scratch, out, room);
  }
  // Plain data: swap buffers instead of copying.
  scratch.swap(out);
  result.output_bytes = out.size();
  return result;
}

}  // namespace trailhound
