// Decode stage: reads an input fully (file or stdin), then inflates it when it is gzip.
#include "trailhound/decode.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace trailhound {

std::size_t grown_capacity(std::size_t capacity, std::uint64_t limit) {
  const std::uint64_t doubled = capacity * 2ULL;
  return static_cast<std::size_t>(doubled >= limit ? limit + 1 : doubled);
}

void ByteBuffer::reserve(std::size_t size, std::size_t keep) {
  if (size <= capacity_ && data_) return;
  // Exactly what was asked for: the callers grow geometrically and clamp to their byte budget
  // themselves, so doubling here too would let a budget of N bytes become a buffer of 2N (a
  // decompression bomb under the default 1 GiB limit peaked at 2 GiB per worker).
  const std::size_t cap = std::max<std::size_t>(size, 64 * 1024);
  std::unique_ptr<char[]> fresh(new char[cap + kBufferPadding]);  // not zeroed: written first
  if (keep) std::memcpy(fresh.get(), data_.get(), keep);
  data_ = std::move(fresh);
  capacity_ = cap;
}

void ByteBuffer::set_size(std::size_t size) {
  size_ = size;
  std::memset(data_.get() + size, 0, kBufferPadding);
}

namespace {

bool ends_with_gz(std::string_view path) {
  return path.size() >= 3 && (path.substr(path.size() - 3) == ".gz" ||
                              path.substr(path.size() - 3) == ".GZ");
}

/// Reads everything from `fd` into `buf`; gives the errno on failure, 0 on success.
int read_all(int fd, ByteBuffer& buf, std::uint64_t limit, bool& over) {
  std::size_t used = 0;
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
  // A compressed input larger than the decoded budget cannot decode within it either.
  const int err = read_all(fd, scratch, limits.max_inflated, over);
  if (!input.is_stdin) ::close(fd);
  if (err != 0) {
    result.status = DecodeStatus::IoError;
    result.message = std::strerror(err);
    return result;
  }
  result.input_bytes = scratch.size();
  if (over) {
    result.status = DecodeStatus::TooLarge;
    result.message = fmt::format("larger than the limit of {} bytes (--max-file-bytes)",
                                 limits.max_inflated);
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
    DecodeResult inflated = inflate_gzip(scratch.view(), limits.max_inflated, out);
    inflated.input_bytes = result.input_bytes;
    if ((inflated.status == DecodeStatus::Ok || inflated.status == DecodeStatus::Truncated ||
         inflated.status == DecodeStatus::Corrupt) &&
        has_utf16_bom(out.view())) {
      DecodeResult text = utf16_to_utf8(inflated, out, scratch, limits.max_inflated);
      std::swap(scratch, out);
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
  if (has_utf16_bom(scratch.view())) return utf16_to_utf8(result, scratch, out, limits.max_inflated);
  // Plain data: swap buffers instead of copying.
  std::swap(scratch, out);
  result.output_bytes = out.size();
  return result;
}

}  // namespace trailhound
