// Escaping of attacker-controlled text for JSON, terminals and CSV cells.
#include "trailhound/escape.hpp"

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif


namespace trailhound {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

void append_hex_byte(std::string& out, unsigned char c);

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    len = 2;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    len = 3;
    if (c0 == 0xE0) lo = 0xA0;
    if (c0 == 0xED) hi = 0x9F;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    len = 4;
    if (c0 == 0xF0) lo = 0x90;
    if (c0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    const auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return len;
}

namespace {

void append_hex_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

/// The code point of the valid `n`-byte UTF-8 sequence at the start of `s`.
char32_t decode_utf8(const char* s, std::size_t n) {
  const auto b = [s](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[k])); };
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

/// `\uXXXX` for the Basic Multilingual Plane, `\UXXXXXXXX` above it.
void append_code_point_escape(std::string& out, char32_t cp) {
  const int digits = cp > 0xFFFF ? 8 : 4;
  out += digits == 8 ? "\\U" : "\\u";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

/// True for a byte that JSON output copies as it is: printable ASCII but '"' and '\\'.
inline bool plain_json_byte(unsigned char c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

/// The length of the run of plain bytes at the start of `text`, sixteen bytes at a time; the
/// last few bytes are copied into a zeroed block and tested the same way (a zero byte is a
/// control, so the padding stops the run where the text ends).
std::size_t plain_json_run(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7F);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const auto special_mask = [&](__m128i v) {
    // Signed compare: bytes 0x80-0xFF are negative, so "< 0x20" catches them with controls.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    return static_cast<unsigned>(_mm_movemask_epi8(special));
  };
  for (; i + 16 <= n; i += 16) {
    __m128i v;
    std::memcpy(&v, p + i, 16);
    const unsigned mask = special_mask(v);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  if (i < n) {
    alignas(16) char tail[16] = {};
    std::memcpy(tail, p + i, n - i);
    __m128i v;
    std::memcpy(&v, tail, 16);
    // Bit n - i is set at least: the first padding byte is zero, a control.
    return i + static_cast<std::size_t>(__builtin_ctz(special_mask(v) | (1U << (n - i))));
  }
  return i;
#else
  while (i < n && plain_json_byte(static_cast<unsigned char>(p[i]))) ++i;
  return i;
#endif
}

}  // namespace

void append_json_string(std::string& out, std::string_view text, std::size_t* replaced) {
  std::size_t i = plain_json_run(text);
  if (i == text.size()) {
    // Nothing to escape (most fields): the quotes and the text in one append.
    const std::size_t at = out.size();
    out.append(text.size() + 2, '"');
    if (!text.empty()) std::memcpy(out.data() + at + 1, text.data(), text.size());
    return;
  }
  out += '"';
  out.append(text.data(), i);
  while (i < text.size()) {
    // Most of a field is plain text: copy it in one piece.
    const std::size_t run = plain_json_run(text.substr(i));
    out.append(text.data() + i, run);
    i += run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out += kReplacement;
        if (replaced) ++*replaced;
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

namespace {

/// Unicode format controls that reorder or hide text on a terminal.
bool is_hiding_format_control(char32_t cp) {
  return cp == 0x00AD ||                     // soft hyphen: invisible unless at a line break
         cp == 0x061C ||                     // Arabic letter mark (bidi)
         cp == 0x180E ||                     // Mongolian vowel separator (zero width)
         (cp >= 0x200B && cp <= 0x200F) ||   // zero-width space/joiners, LRM, RLM
         (cp >= 0x2028 && cp <= 0x202E) ||   // line/paragraph separators, bidi embeddings
         (cp >= 0x2060 && cp <= 0x206F) ||   // word joiner, invisible operators, bidi isolates
         cp == 0xFEFF ||                     // zero-width no-break space (BOM)
         (cp >= 0xFFF9 && cp <= 0xFFFB) ||   // interlinear annotation controls
         (cp >= 0xE0000 && cp <= 0xE007F);   // tag characters (invisible text)
}

}  // namespace

bool has_hiding_format_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n > 1 && is_hiding_format_control(decode_utf8(text.data() + i, n))) return true;
    i += n == 0 ? 1 : n;
  }
  return false;
}

void append_terminal_safe(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text, i);
      // C1 controls (U+0080..U+009F) are encoded as C2 80..C2 9F; some terminals obey them.
      if (n == 0 || (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0)) {
        const std::size_t count = n == 0 ? 1 : n;
        for (std::size_t k = 0; k < count; ++k) {
          append_hex_byte(out, static_cast<unsigned char>(text[i + k]));
        }
        i += count;
      } else if (const char32_t cp = decode_utf8(text.data() + i, n);
                 is_hiding_format_control(cp)) {
        // Bidi overrides reorder what follows on the line and zero-width characters hide
        // text: shown as escapes, they cannot disguise a value on a terminal.
        append_code_point_escape(out, cp);
        i += n;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          append_hex_byte(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_terminal_safe(out, text);
  return out;
}

void append_csv_cell(std::string& out, std::string_view text) {
  std::string cell;
  cell.reserve(text.size() + 1);
  bool needs_quotes = false;
  if (!text.empty()) {
    const char first = text.front();
    if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' ||
        first == '\r') {
      cell += '\'';
      needs_quotes = true;
    }
  }
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        cell += kReplacement;
        ++i;
      } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
        // A C1 control (U+0080..U+009F): CSV is often read on a terminal, which may obey it.
        append_hex_byte(cell, c);
        append_hex_byte(cell, static_cast<unsigned char>(text[i + 1]));
        i += 2;
      } else {
        cell.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      // Escape sequences (ESC, BEL, ...) would reach the terminal of whoever cats the file.
      append_hex_byte(cell, c);
      ++i;
      continue;
    }
    if (c == '"') {
      cell += "\"\"";
      needs_quotes = true;
    } else {
      if (c == ',' || c == '\n' || c == '\r') needs_quotes = true;
      cell += static_cast<char>(c);
    }
    ++i;
  }
  if (needs_quotes) {
    out += '"';
    out += cell;
    out += '"';
  } else {
    out += cell;
  }
}

}  // namespace trailhound
