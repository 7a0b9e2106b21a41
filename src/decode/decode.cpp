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

}  // namespace

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
    return inflated;
  }
  if (ends_with_gz(input.path)) {
    result.status = DecodeStatus::NotGzip;
    result.message = "named .gz but not gzip data (no gzip magic bytes)";
    return result;
  }
  // Plain data: swap buffers instead of copying.
  std::swap(scratch, out);
  result.output_bytes = out.size();
  return result;
}

}  // namespace trailhound
