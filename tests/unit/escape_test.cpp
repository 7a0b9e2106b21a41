// Tests for src/report/escape.cpp: escaping attacker-controlled text for JSON, terminals and
// CSV cells, and UTF-8 validation.
#include <catch2/catch.hpp>

#include <random>

#include <string>

#include "trailhound/escape.hpp"

using namespace trailhound;

namespace {
const std::string kFFFD = "\xEF\xBF\xBD";

std::string json(std::string_view text, std::size_t* replaced = nullptr) {
  std::string out;
  append_json_string(out, text, replaced);
  return out;
}

std::string csv(std::string_view text) {
  std::string out;
  append_csv_cell(out, text);
  return out;
}
}  // namespace

// ---- JSON strings -----------------------------------------------------------------------------

TEST_CASE("plain text becomes a quoted JSON string", "[escape][json]") {
  CHECK(json_string("") == R"("")");
  CHECK(json_string("alice") == R"("alice")");
  CHECK(json_string("a/b c") == R"("a/b c")");
}

TEST_CASE("quotes and backslashes are escaped in JSON", "[escape][json]") {
  CHECK(json_string(R"(say "hi")") == R"("say \"hi\"")");
  CHECK(json_string(R"(C:\temp\)") == R"("C:\\temp\\")");
  CHECK(json_string(R"(\")") == R"("\\\"")");
}

TEST_CASE("control characters are escaped in JSON", "[escape][json]") {
  CHECK(json_string("a\nb\rc\td") == R"("a\nb\rc\td")");
  CHECK(json_string("\b\f") == R"("\b\f")");
  CHECK(json_string(std::string_view("\x00", 1)) == R"("\u0000")");
  CHECK(json_string("\x01\x1b[31m") == R"("\u0001\u001b[31m")");
  CHECK(json_string("\x1f") == R"("\u001f")");
  CHECK(json_string("\x7f") == R"("\u007f")");
}

TEST_CASE("valid multi-byte UTF-8 is kept as it is in JSON", "[escape][json]") {
  std::size_t replaced = 0;
  CHECK(json("caf\xC3\xA9", &replaced) == "\"caf\xC3\xA9\"");                // é (2 bytes)
  CHECK(json("\xE2\x82\xAC", &replaced) == "\"\xE2\x82\xAC\"");              // € (3 bytes)
  CHECK(json("\xF0\x9F\x98\x80", &replaced) == "\"\xF0\x9F\x98\x80\"");      // 😀 (4 bytes)
  CHECK(json("\xEF\xBF\xBF", &replaced) == "\"\xEF\xBF\xBF\"");              // U+FFFF
  CHECK(json("\xF4\x8F\xBF\xBF", &replaced) == "\"\xF4\x8F\xBF\xBF\"");      // U+10FFFF
  CHECK(json("\xC2\x85", &replaced) == "\"\xC2\x85\"");                      // U+0085 (C1)
  CHECK(replaced == 0);
}

TEST_CASE("invalid UTF-8 bytes become U+FFFD in JSON and are counted", "[escape][json]") {
  std::size_t replaced = 0;
  CHECK(json("a\xFFz", &replaced) == "\"a" + kFFFD + "z\"");
  CHECK(replaced == 1);
  replaced = 0;
  // a lone continuation byte, a cut sequence at the end, a lead byte followed by ASCII
  CHECK(json("\x80", &replaced) == "\"" + kFFFD + "\"");
  CHECK(json("\xE2\x82", &replaced) == "\"" + kFFFD + kFFFD + "\"");
  CHECK(json("\xC3" "A", &replaced) == "\"" + kFFFD + "A\"");
  CHECK(replaced == 4);
}

TEST_CASE("overlong encodings, surrogates and code points above U+10FFFF are invalid",
          "[escape][json]") {
  for (const char* bad : {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xE0\x9F\xBF",
                          "\xF0\x80\x80\xAF", "\xF0\x8F\xBF\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80",
                          "\xFE", "\xFF"}) {
    INFO("bytes of length " << std::string_view(bad).size());
    std::size_t replaced = 0;
    const std::string out = json(bad, &replaced);
    CHECK(replaced >= 1);
    CHECK(is_valid_utf8(out));
    CHECK(out.find(bad) == std::string::npos);
  }
}

TEST_CASE("JSON escaping without a counter still replaces", "[escape][json]") {
  CHECK(json_string("\xFF") == "\"" + kFFFD + "\"");
  std::string out = "prefix:";
  append_json_string(out, "x");
  CHECK(out == R"(prefix:"x")");
}

// ---- terminal ---------------------------------------------------------------------------------

TEST_CASE("normal text and UTF-8 reach the terminal unchanged", "[escape][terminal]") {
  CHECK(terminal_safe("alice@example.com 1.2.3.4") == "alice@example.com 1.2.3.4");
  CHECK(terminal_safe("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(terminal_safe("\xC2\xA0") == "\xC2\xA0");  // U+00A0, just past the C1 range
  CHECK(terminal_safe("") == "");
}

TEST_CASE("escape sequences are shown, never sent to the terminal", "[escape][terminal]") {
  CHECK(terminal_safe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(terminal_safe("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(terminal_safe("bell\x07") == "bell\\x07");
  CHECK(terminal_safe(std::string_view("nul\0x", 5)) == "nul\\x00x");
  CHECK(terminal_safe("del\x7f") == "del\\x7f");
}

TEST_CASE("CR, LF, tab and backslash are shown as escapes on the terminal",
          "[escape][terminal]") {
  CHECK(terminal_safe("fake\rline") == "fake\\rline");
  CHECK(terminal_safe("a\nb\tc") == "a\\nb\\tc");
  CHECK(terminal_safe(R"(a\x1b)") == R"(a\\x1b)");
}

TEST_CASE("C1 controls U+0080 to U+009F are shown escaped on the terminal",
          "[escape][terminal]") {
  CHECK(terminal_safe("\xC2\x80") == "\\xc2\\x80");
  CHECK(terminal_safe("\xC2\x9B" "31m") == "\\xc2\\x9b31m");  // CSI
  CHECK(terminal_safe("\xC2\x9F") == "\\xc2\\x9f");
  CHECK(terminal_safe("\xC2\x85") == "\\xc2\\x85");  // NEL
}

TEST_CASE("invalid UTF-8 is shown byte by byte on the terminal", "[escape][terminal]") {
  CHECK(terminal_safe("a\xFF" "b") == "a\\xffb");
  CHECK(terminal_safe("\x9b") == "\\x9b");  // a raw 8-bit CSI byte
  CHECK(terminal_safe("\xED\xA0\x80") == "\\xed\\xa0\\x80");
  CHECK(terminal_safe("\xE2\x82") == "\\xe2\\x82");
}

TEST_CASE("terminal-safe text never holds a control byte", "[escape][terminal]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  all += "\xC2\x80\xC2\x9F";
  const std::string out = terminal_safe(all);
  std::size_t controls = 0;
  for (unsigned char c : out) controls += (c < 0x20 || c == 0x7F) ? 1 : 0;
  CHECK(controls == 0);
  // and no C1 control survives as a valid UTF-8 sequence
  CHECK(out.find("\xC2\x80") == std::string::npos);
  CHECK(out.find("\xC2\x9F") == std::string::npos);
}

TEST_CASE("bidi overrides and isolates are shown escaped on the terminal",
          "[escape][terminal][regression]") {
  // "txt.exe" shown reversed by U+202E would read as "exe.txt" on a terminal.
  CHECK(terminal_safe("evil\xE2\x80\xAEtxt.exe") == "evil\\u202etxt.exe");
  CHECK(terminal_safe("\xE2\x80\xAA") == "\\u202a");  // LRE, first of the embeddings
  CHECK(terminal_safe("\xE2\x80\xAD") == "\\u202d");  // LRO
  CHECK(terminal_safe("\xE2\x81\xA6") == "\\u2066");  // LRI, first isolate
  CHECK(terminal_safe("\xE2\x81\xA9") == "\\u2069");  // PDI, last isolate
  CHECK(terminal_safe("\xD8\x9C") == "\\u061c");      // Arabic letter mark
}

TEST_CASE("zero-width and invisible format characters are shown escaped on the terminal",
          "[escape][terminal][regression]") {
  CHECK(terminal_safe("ad\xE2\x80\x8Bmin") == "ad\\u200bmin");  // zero-width space
  CHECK(terminal_safe("\xE2\x80\x8F") == "\\u200f");              // RLM, end of the run
  CHECK(terminal_safe("\xE2\x81\xA0") == "\\u2060");              // word joiner
  CHECK(terminal_safe("\xEF\xBB\xBF" "x") == "\\ufeffx");         // BOM / ZWNBSP
  CHECK(terminal_safe("\xC2\xAD") == "\\u00ad");                  // soft hyphen
  CHECK(terminal_safe("\xE2\x80\xA8") == "\\u2028");              // line separator
  CHECK(terminal_safe("\xF3\xA0\x80\x81") == "\\U000e0001");      // language tag
  CHECK(terminal_safe("\xF3\xA0\x81\xBF") == "\\U000e007f");      // cancel tag
}

TEST_CASE("characters just outside the format-control ranges reach the terminal unchanged",
          "[escape][terminal]") {
  for (const char* kept : {"\xE2\x80\x8A",       // U+200A hair space, before U+200B
                           "\xE2\x80\x90",       // U+2010 hyphen, after U+200F
                           "\xE2\x80\xA7",       // U+2027, before U+2028
                           "\xE2\x80\xAF",       // U+202F narrow no-break space, after U+202E
                           "\xE2\x81\x9F",       // U+205F, before U+2060
                           "\xE2\x81\xB0",       // U+2070 superscript zero, after U+206F
                           "\xEF\xBB\xBE",       // U+FEFE, before U+FEFF
                           "\xEF\xBC\x80",       // U+FF00, after U+FEFF
                           "\xC2\xAC",           // U+00AC, before U+00AD
                           "\xF3\xA0\x82\x80",   // U+E0080, after the tags
                           "\xF0\x9F\x98\x80"}) {  // an emoji
    INFO("bytes: " << kept);
    CHECK(terminal_safe(kept) == kept);
  }
}

TEST_CASE("has_hiding_format_control finds exactly what the terminal escapes", "[escape][terminal]") {
  CHECK(has_hiding_format_control("\xE2\x81\xA9{"));           // U+2069 pop directional isolate
  CHECK(has_hiding_format_control("a\xE2\x80\x8B" "b"));          // U+200B zero-width space
  CHECK(has_hiding_format_control("\xFF\xF3\xA0\x81\x81"));   // invalid byte, then a tag
  CHECK_FALSE(has_hiding_format_control("plain text"));
  CHECK_FALSE(has_hiding_format_control("\xE2\x80\xAF\xF0\x9F\x98\x80"));  // U+202F, emoji
  CHECK_FALSE(has_hiding_format_control("\xE2\x81"));           // a cut sequence is not one
  for (const std::string text : {"\xE2\x81\xA9{", "x\xEF\xBB\xBFy", "caf\xC3\xA9"}) {
    CHECK_FALSE(has_hiding_format_control(terminal_safe(text)));
  }
}

// ---- CSV --------------------------------------------------------------------------------------

TEST_CASE("a plain CSV cell is written as it is", "[escape][csv]") {
  CHECK(csv("alice") == "alice");
  CHECK(csv("") == "");
  CHECK(csv("a b") == "a b");
  CHECK(csv("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("CSV cells with a comma, quote or line break are quoted", "[escape][csv]") {
  CHECK(csv("a,b") == R"("a,b")");
  CHECK(csv(R"(say "hi")") == R"("say ""hi""")");
  CHECK(csv("line1\nline2") == "\"line1\nline2\"");
  CHECK(csv("a\rb") == "\"a\rb\"");
}

TEST_CASE("CSV cells a spreadsheet would run as a formula are neutralised", "[escape][csv]") {
  CHECK(csv("=cmd|' /C calc'!A0") == R"("'=cmd|' /C calc'!A0")");
  CHECK(csv("+1") == R"("'+1")");
  CHECK(csv("-1+2") == R"("'-1+2")");
  CHECK(csv("@SUM(A1)") == R"~("'@SUM(A1)")~");
  CHECK(csv("\t=1") == "\"'\t=1\"");
  CHECK(csv("\r=1") == "\"'\r=1\"");
  CHECK(csv(R"~(=HYPERLINK("http://x","y"))~") == R"~("'=HYPERLINK(""http://x"",""y"")")~");
}

TEST_CASE("formula characters after the first are left alone in CSV", "[escape][csv]") {
  CHECK(csv("a=b") == "a=b");
  CHECK(csv("x-1") == "x-1");
  CHECK(csv("user@example.com") == "user@example.com");
}

TEST_CASE("invalid UTF-8 in a CSV cell becomes U+FFFD", "[escape][csv]") {
  CHECK(csv("a\xFF" "b") == "a" + kFFFD + "b");
  CHECK(is_valid_utf8(csv("\xC0\xAF,\xED\xA0\x80")));
}

TEST_CASE("CSV cells append to what is already there", "[escape][csv]") {
  std::string row = "x,";
  append_csv_cell(row, "a,b");
  row += ',';
  append_csv_cell(row, "c");
  CHECK(row == R"(x,"a,b",c)");
}

// ---- UTF-8 validation -------------------------------------------------------------------------

TEST_CASE("is_valid_utf8 accepts well-formed text", "[escape][utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("ascii"));
  CHECK(is_valid_utf8(std::string_view("\0", 1)));
  CHECK(is_valid_utf8("\xC2\x80"));
  CHECK(is_valid_utf8("\xDF\xBF"));
  CHECK(is_valid_utf8("\xE0\xA0\x80"));
  CHECK(is_valid_utf8("\xED\x9F\xBF"));  // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xEE\x80\x80"));  // U+E000, just above
  CHECK(is_valid_utf8("\xF0\x90\x80\x80"));
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));
}

TEST_CASE("is_valid_utf8 refuses malformed text", "[escape][utf8]") {
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));
  CHECK_FALSE(is_valid_utf8("\xC2"));
  CHECK_FALSE(is_valid_utf8("\xC2\x41"));
  CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));
  CHECK_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("ok\xFF"));
}

namespace {

/// JSON escaping one byte at a time: the definition the bulk-copy path must agree with.
std::string json_string_slowly(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text, i);
      out += n == 0 ? std::string("\xEF\xBF\xBD") : std::string(text.substr(i, n));
      i += n == 0 ? 1 : n;
      continue;
    }
    static const char* hex = "0123456789abcdef";
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\b') out += "\\b";
    else if (c == '\f') out += "\\f";
    else if (c < 0x20 || c == 0x7F) out += std::string("\\u00") + hex[c >> 4] + hex[c & 15];
    else out += static_cast<char>(c);
    ++i;
  }
  return out + "\"";
}

}  // namespace

TEST_CASE("JSON escaping agrees with a byte-by-byte escape at every position",
          "[escape][json]") {
  std::mt19937 rng(7);
  // Mostly plain text with a special byte now and then, at every offset of the 16-byte blocks.
  const std::string specials[] = {"\"", "\\", "\n", "\x01", "\x7F", "\x1B[31m", "\xC3\xA9",
                                  "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xFF", "\xC3", " "};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const std::size_t len = rng() % 70;
    while (text.size() < len) {
      if (rng() % 8 == 0) text += specials[rng() % std::size(specials)];
      else text += static_cast<char>('a' + rng() % 26);
    }
    INFO("round " << round);
    CHECK(json_string(text) == json_string_slowly(text));
  }
}
