// The output buffer every printer writes through: one reused string, written in chunks.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace trailhound {

/// Rows are appended to `text`; maybe_flush() writes it once it has grown past a chunk, so
/// output is never held whole in memory and no row allocates once the buffer has grown.
class PrintBuffer {
 public:
  explicit PrintBuffer(std::ostream& out) : out_(out) { text.reserve(kChunk + 4096); }
  void maybe_flush() {
    if (text.size() >= kChunk) flush();
  }
  void flush() {
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    text.clear();
  }
  /// Writes what is buffered, then `more` as it is (text rendered elsewhere, not copied).
  void write_through(std::string_view more) {
    flush();
    out_.write(more.data(), static_cast<std::streamsize>(more.size()));
  }
  std::string text;

 private:
  static constexpr std::size_t kChunk = 1 << 16;
  std::ostream& out_;
};

}  // namespace trailhound
