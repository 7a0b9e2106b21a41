// Inflate behind one interface: zlib everywhere, libdeflate when it was found at build time.
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "trailhound/decode.hpp"

#ifdef TRAILHOUND_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

namespace trailhound {

std::string_view inflate_backend() {
#ifdef TRAILHOUND_HAVE_LIBDEFLATE
  const char* v = std::getenv("TRAILHOUND_INFLATE");
  if (v != nullptr && std::string_view(v) == "zlib") return "zlib";
  return "libdeflate";
#else
  return "zlib";
#endif
}

namespace {

DecodeResult too_large(std::uint64_t limit, DecodeResult r) {
  r.status = DecodeStatus::TooLarge;
  r.message = fmt::format(
      "inflates to more than the limit of {} bytes (--max-file-bytes); refused as a possible "
      "decompression bomb",
      limit);
  return r;
}

/// deflate cannot expand input by more than about 1032:1.
constexpr std::size_t kMaxRatio = 1032;

/// A first output size: the last member's ISIZE field, which a forged file can set to
/// anything, so it is believed only within what the input could possibly inflate to and
/// within the budget; the buffer then grows by doubling as output really arrives.
std::size_t first_guess(std::string_view in, std::uint64_t limit) {
  std::size_t guess = in.size() * 4;
  if (in.size() >= 18) {
    std::uint32_t isize = 0;
    std::memcpy(&isize, in.data() + in.size() - 4, 4);
    guess = std::max<std::size_t>(guess, isize);
  }
  guess = std::min(guess, in.size() * kMaxRatio + 64);
  guess = std::min<std::size_t>(guess, static_cast<std::size_t>(limit) + 1);
  return std::max<std::size_t>(guess, 1 << 16);
}

/// Streaming zlib inflate of every gzip member; the reference path and the fallback.
DecodeResult inflate_zlib(std::string_view in, std::uint64_t limit, ByteBuffer& out) {
  DecodeResult r;
  r.gzip = true;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    r.status = DecodeStatus::Corrupt;
    r.message = "zlib could not start";
    return r;
  }
  const std::size_t guess = first_guess(in, limit);
  out.reserve(guess + 1);
  std::size_t used = 0;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  std::size_t in_left = in.size();
  int ret = Z_OK;
  for (;;) {
    if (used == out.capacity()) {
      if (used > limit) break;
      out.reserve(grown_capacity(out.capacity(), limit), used);
    }
    const std::size_t chunk_in = in_left > (1u << 30) ? (1u << 30) : in_left;
    const std::size_t room = out.capacity() - used;
    const std::size_t chunk_out = room > (1u << 30) ? (1u << 30) : room;
    zs.avail_in = static_cast<uInt>(chunk_in);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = static_cast<uInt>(chunk_out);
    ret = inflate(&zs, Z_NO_FLUSH);
    const std::size_t consumed_in = chunk_in - zs.avail_in;
    in_left -= consumed_in;
    used += chunk_out - zs.avail_out;
    if (used > limit) break;
    if (ret == Z_STREAM_END) {
      // Another member may follow (multi-member gzip, e.g. concatenated files).
      if (in_left >= 2 && static_cast<unsigned char>(zs.next_in[0]) == 0x1f &&
          static_cast<unsigned char>(zs.next_in[1]) == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (ret == Z_BUF_ERROR && in_left == 0 && zs.avail_out != 0) break;  // input ran out
    if (ret != Z_OK && ret != Z_BUF_ERROR) break;
  }
  inflateEnd(&zs);
  out.set_size(used > limit ? 0 : used);
  r.output_bytes = used;
  if (used > limit) return too_large(limit, r);
  if (ret == Z_STREAM_END) {
    bool only_zeros = true;
    for (std::size_t i = 0; i < in_left; ++i) {
      if (zs.next_in[i] != 0) only_zeros = false;
    }
    if (!only_zeros) {
      r.status = DecodeStatus::Corrupt;
      r.message = fmt::format("{} bytes after the end of the gzip data are not gzip", in_left);
    }
    return r;
  }
  if (ret == Z_BUF_ERROR || ret == Z_OK) {
    r.status = DecodeStatus::Truncated;
    r.message = fmt::format("truncated gzip data (ends after {} compressed bytes)", in.size());
  } else {
    r.status = DecodeStatus::Corrupt;
    r.message = fmt::format("corrupt gzip data: {}", zs.msg ? zs.msg : "inflate failed");
  }
  return r;
}

#ifdef TRAILHOUND_HAVE_LIBDEFLATE
/// Whole-buffer libdeflate inflate, about twice zlib's speed. It cannot tell a truncated
/// stream from a corrupt one or return partial output, so any failure other than a full
/// buffer hands the file to the zlib path, which reports exactly what happened.
bool inflate_libdeflate(std::string_view in, std::uint64_t limit, ByteBuffer& out,
                        DecodeResult& r) {
  thread_local std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)>
      decompressor(libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!decompressor) return false;
  r.gzip = true;
  std::size_t used = 0;
  std::size_t pos = 0;
  while (pos < in.size()) {
    // The member's size is unknown until it is inflated; the last member's ISIZE and the
    // input size are the guesses, doubled on a full buffer up to the limit.
    std::size_t room = first_guess(in.substr(pos), limit);
    for (;;) {
      if (used + room > limit + 1) room = static_cast<std::size_t>(limit + 1 - used);
      // Grow geometrically (members come one after another), never past the budget.
      std::size_t want = used + room;
      if (want > out.capacity()) want = std::max(want, grown_capacity(out.capacity(), limit));
      out.reserve(want, used);
      std::size_t in_used = 0, out_used = 0;
      const auto rc = libdeflate_gzip_decompress_ex(
          decompressor.get(), in.data() + pos, in.size() - pos, out.data() + used,
          out.capacity() - used, &in_used, &out_used);
      if (rc == LIBDEFLATE_SUCCESS) {
        used += out_used;
        pos += in_used;
        break;
      }
      if (rc != LIBDEFLATE_INSUFFICIENT_SPACE) return false;
      if (out.capacity() - used >= limit + 1 - used) {
        out.set_size(0);
        r.output_bytes = limit + 1;
        r = too_large(limit, r);
        return true;
      }
      room = (out.capacity() - used) * 2;
    }
    if (used > limit) {
      out.set_size(0);
      r.output_bytes = used;
      r = too_large(limit, r);
      return true;
    }
    // Another member may follow; anything else after the data is for zlib to judge.
    if (pos < in.size() && !(in.size() - pos >= 2 &&
                             static_cast<unsigned char>(in[pos]) == 0x1f &&
                             static_cast<unsigned char>(in[pos + 1]) == 0x8b)) {
      return false;
    }
  }
  out.set_size(used);
  r.output_bytes = used;
  return true;
}
#endif

}  // namespace

DecodeResult inflate_gzip(std::string_view in, std::uint64_t limit, ByteBuffer& out) {
#ifdef TRAILHOUND_HAVE_LIBDEFLATE
  // TRAILHOUND_INFLATE=zlib takes the fallback path in a libdeflate build, so that one build
  // can run its tests over both inflaters.
  static const bool zlib_only = [] {
    const char* v = std::getenv("TRAILHOUND_INFLATE");
    return v != nullptr && std::string_view(v) == "zlib";
  }();
  DecodeResult r;
  if (!zlib_only && in.size() >= 18 && inflate_libdeflate(in, limit, out, r)) return r;
#endif
  return inflate_zlib(in, limit, out);
}

}  // namespace trailhound
