// A small binary encoding for state saved by one process and read by another (a shard's
// partial): LEB128 varints, length-prefixed strings, raw 64-bit words.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace trailhound {

/// Appends values to a byte string.
class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void flag(bool b) { out_ += static_cast<char>(b ? 1 : 0); }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  /// Eight bytes as they are in memory (hashes: a varint would not make them shorter).
  void word(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  [[nodiscard]] std::string& out() { return out_; }

 private:
  std::string& out_;
};

/// Reads what a ByteWriter wrote. Every read checks the bounds: a damaged or hostile input
/// makes a read fail (false), never read past the end; once one failed, all do.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  [[nodiscard]] bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      if (pos_ >= in_.size()) break;
      const auto c = static_cast<unsigned char>(in_[pos_++]);
      v |= std::uint64_t(c & 0x7F) << shift;
      if ((c & 0x80) == 0) return true;
    }
    return ok_ = false;
  }
  template <class T>
  [[nodiscard]] bool number(T& out) {
    std::uint64_t v = 0;
    if (!varint(v) || v > static_cast<std::uint64_t>(static_cast<T>(~T{}))) return ok_ = false;
    out = static_cast<T>(v);
    return true;
  }
  [[nodiscard]] bool flag(bool& b) {
    if (!ok_ || pos_ >= in_.size() || static_cast<unsigned char>(in_[pos_]) > 1) return ok_ = false;
    b = in_[pos_++] == 1;
    return true;
  }
  /// A string; the view points into the input.
  [[nodiscard]] bool str(std::string_view& s) {
    std::uint64_t n = 0;
    if (!varint(n) || n > in_.size() - pos_) return ok_ = false;
    s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool word(std::uint64_t& v) {
    if (!ok_ || in_.size() - pos_ < sizeof v) return ok_ = false;
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  /// A count of items each at least `min_bytes` long: no larger than what is left can hold,
  /// so a damaged count cannot make the reader reserve memory for nothing.
  [[nodiscard]] bool count(std::uint64_t& n, std::size_t min_bytes = 1) {
    if (!varint(n) || n > (in_.size() - pos_) / (min_bytes == 0 ? 1 : min_bytes)) return ok_ = false;
    return true;
  }
  /// Marks the input as damaged (a value read well but out of range).
  bool fail() { return ok_ = false; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool done() const { return ok_ && pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace trailhound
