// Decode stage: reads one input into memory and inflates gzip, within a byte budget.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "trailhound/discover.hpp"

namespace trailhound {

/// Bytes of zeroed slack kept after the data, so the parser may read past the end safely.
inline constexpr std::size_t kBufferPadding = 64;

class MemoryTurn;

/// A growable byte buffer reused across files. It grows in place (realloc: the kernel moves
/// the pages of a large block instead of copying them) and is given back by release() after a
/// large file, so that a worker does not sit on a file's worth of memory for the next one.
/// When a MemoryTurn is attached, every change of capacity is reported to it first.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& other) noexcept { swap(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ~ByteBuffer();
  /// Exchanges contents, not the MemoryTurn each buffer reports to (the sum is the same).
  void swap(ByteBuffer& other) noexcept;

  /// Makes room for `size` bytes plus padding, keeping the first `keep` bytes.
  void reserve(std::size_t size, std::size_t keep = 0);
  /// Frees the memory when it holds more than `keep_up_to` bytes.
  void release(std::size_t keep_up_to = 0);
  [[nodiscard]] char* data() { return data_; }
  [[nodiscard]] const char* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// Sets the data size (at most capacity) and zeroes the padding after it.
  void set_size(std::size_t size);
  [[nodiscard]] std::string_view view() const { return {data_, size_}; }
  /// The worker's account this buffer reports its capacity to (null: none).
  void attach(MemoryTurn* turn) { turn_ = turn; }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // usable bytes, padding excluded
  MemoryTurn* turn_ = nullptr;
};

inline void swap(ByteBuffer& a, ByteBuffer& b) noexcept { a.swap(b); }

/// The next capacity of a full buffer under a budget of `limit` bytes: double, but straight to
/// limit + 1 (one byte past the limit tells that an input is over it) once doubling reaches
/// the limit, so that refusing a bomb never reallocates for a single byte.
[[nodiscard]] std::size_t grown_capacity(std::size_t capacity, std::uint64_t limit);

/// Limits that keep a hostile file from exhausting memory.
struct DecodeLimits {
  std::uint64_t max_inflated = 1ULL << 30;  ///< bytes of decoded data per file (--max-file-bytes)
  /// The most bytes a file's input and its decoded text may take together (--max-memory's
  /// allowance for one file); a gzip file's compressed bytes count against its inflated ones.
  std::uint64_t max_buffers = UINT64_MAX;
};

/// How --max-memory is shared among the workers. Decoding a file takes about kMemoryPerByte
/// bytes of memory for each byte of its decoded text (the text, the parser's index of it and
/// the strings it unescapes), and a part of the budget is left for everything else (rules,
/// lists, results). What is left for files is split in two:
///  - every worker may hold `share` bytes of buffers at any time, so small files run in
///    parallel without ever waiting;
///  - a file that needs more takes the large-file turn (one worker at a time), which allows
///    up to `per_file` bytes: what the other workers' shares leave. The others go on with
///    their small files meanwhile; one that needs more too waits for the turn.
/// The holder of the turn never waits for memory, so nothing can deadlock, and whether a file
/// is refused depends on its size alone, never on what the other workers are reading.
struct MemoryPlan {
  std::uint64_t per_file = 0;  ///< the most decoded bytes of one file (the turn's allowance)
  std::uint64_t share = 0;     ///< buffer bytes a worker holds without the turn
};

inline constexpr std::uint64_t kMemoryPerByte = 2;

/// The plan for a budget of `budget` bytes shared by `workers` workers, with --max-file-bytes
/// as an explicit cap on per_file.
[[nodiscard]] MemoryPlan plan_memory(std::uint64_t budget, unsigned workers,
                                     std::uint64_t max_file_bytes);

/// The large-file turn of a run, shared by its workers.
struct LargeFileTurn {
  std::mutex mutex;
};

/// One worker's account of the buffer bytes it holds; takes the run's large-file turn when
/// they pass the plan's share, and hands it back (with the memory) after the file.
class MemoryTurn {
 public:
  MemoryTurn(LargeFileTurn* turn, std::uint64_t share) : turn_(turn), share_(share) {}
  MemoryTurn(const MemoryTurn&) = delete;
  MemoryTurn& operator=(const MemoryTurn&) = delete;
  ~MemoryTurn() { end_file(); }
  /// Called before the buffers grow by `bytes` (may wait for the turn).
  void grow(std::size_t bytes);
  void shrink(std::size_t bytes) { held_ -= bytes; }
  /// Whether this worker holds the turn (its buffers are past its share).
  [[nodiscard]] bool holds_turn() const { return holding_; }
  /// Gives the turn back; the caller releases its buffers first.
  void end_file();
  [[nodiscard]] std::uint64_t share() const { return share_; }

 private:
  LargeFileTurn* turn_;
  std::uint64_t share_;
  std::uint64_t held_ = 0;
  bool holding_ = false;
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
  NotText,     ///< plain data whose first KiB is binary, not JSON text (refused unread)
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

/// Reads bytes [offset, offset + length) of the plain file at `path` into `out` with pread (a
/// range of a split file). `limit` bounds the bytes held: a longer range is TooLarge, unread.
/// A file that ends before the range does is Truncated (what there was is returned).
[[nodiscard]] DecodeResult read_range(const std::string& path, std::uint64_t offset,
                                      std::uint64_t length, std::uint64_t limit, ByteBuffer& out);

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
