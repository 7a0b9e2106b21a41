// Decode stage: reads one input into memory and inflates gzip, within a byte budget.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "trailhound/discover.hpp"

namespace trailhound {

/// Bytes of zeroed slack kept after the data, so the parser may read past the end safely.
inline constexpr std::size_t kBufferPadding = 64;

/// A growable byte buffer reused across files; it never shrinks, so a worker thread pays for
/// its allocation once, not per file.
class ByteBuffer {
 public:
  /// Makes room for `size` bytes plus padding, keeping the first `keep` bytes.
  void reserve(std::size_t size, std::size_t keep = 0);
  [[nodiscard]] char* data() { return data_.get(); }
  [[nodiscard]] const char* data() const { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// Sets the data size (at most capacity) and zeroes the padding after it.
  void set_size(std::size_t size);
  [[nodiscard]] std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // usable bytes, padding excluded
};

/// The next capacity of a full buffer under a budget of `limit` bytes: double, but straight to
/// limit + 1 (one byte past the limit tells that an input is over it) once doubling reaches
/// the limit, so that refusing a bomb never reallocates for a single byte.
[[nodiscard]] std::size_t grown_capacity(std::size_t capacity, std::uint64_t limit);

/// Limits that keep a hostile file from exhausting memory.
struct DecodeLimits {
  std::uint64_t max_inflated = 1ULL << 30;  ///< bytes of decoded data per file
};

/// How reading one input ended.
enum class DecodeStatus {
  Ok,
  Empty,       ///< zero bytes
  IoError,     ///< missing or unreadable
  NotGzip,     ///< named .gz but not gzip data
  Truncated,   ///< gzip stream ends early (what was inflated is still returned)
  Corrupt,     ///< gzip data error (what was inflated is still returned)
  TooLarge,    ///< decoded size over max_inflated (refused: a decompression bomb)
};

/// The outcome of reading one input; the decoded bytes are in the caller's buffer.
struct DecodeResult {
  DecodeStatus status = DecodeStatus::Ok;
  bool gzip = false;
  bool utf16 = false;              ///< UTF-16 text (told by its BOM), transcoded to UTF-8
  std::uint64_t input_bytes = 0;   ///< bytes read from disk or stdin
  std::uint64_t output_bytes = 0;  ///< decoded bytes
  std::string message;             ///< reason, for anything but Ok
};

/// Reads `input` fully into `scratch` and inflates gzip (told by its magic bytes, every member
/// of a multi-member stream) into `out`. Plain data is moved to `out` as it is.
[[nodiscard]] DecodeResult read_input(const InputFile& input, const DecodeLimits& limits,
                                      ByteBuffer& scratch, ByteBuffer& out);

/// Inflates the gzip stream in `in` into `out`, up to `limit` bytes. Exposed for tests and the
/// benchmark. `backend` names the inflater in use ("zlib", "libdeflate").
[[nodiscard]] DecodeResult inflate_gzip(std::string_view in, std::uint64_t limit,
                                        ByteBuffer& out);

/// Whether `data` starts with a UTF-16 byte order mark (FF FE little-endian, FE FF big-endian).
[[nodiscard]] bool has_utf16_bom(std::string_view data);

/// Transcodes UTF-16 text that starts with its BOM into UTF-8 in `out` (without the BOM). The
/// output is at most 1.5 times the input: an unpaired surrogate becomes U+FFFD (3 bytes for 2)
/// and an odd last byte '?'. Returns false, leaving `out` unspecified, when the output would
/// pass `limit` bytes.
[[nodiscard]] bool transcode_utf16(std::string_view data, std::uint64_t limit, ByteBuffer& out);

/// The name of the inflate backend compiled in.
[[nodiscard]] std::string_view inflate_backend();

}  // namespace trailhound
