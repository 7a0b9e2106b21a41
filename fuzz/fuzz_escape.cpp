// Fuzz target: the escapers every log field goes through on its way out.
//   append_json_string: a JSON string simdjson accepts, valid UTF-8, that decodes to the input
//     when the input was valid UTF-8.
//   append_terminal_safe: no C0 control, DEL, C1 control or hiding format control (bidi,
//     zero-width), valid UTF-8; plain printable text passes unchanged.
//   append_csv_cell: valid UTF-8, one RFC 4180 cell that never starts a formula and holds no
//     control character but tab, CR and LF.
//   compact_json: when it succeeds, valid UTF-8 JSON on one line.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"

using namespace trailhound;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdjson::dom::parser parser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid = is_valid_utf8(text);

  std::string json;
  std::size_t replaced = 0;
  append_json_string(json, text, &replaced);
  TH_FUZZ_CHECK(is_valid_utf8(json));
  TH_FUZZ_CHECK(valid == (replaced == 0));
  {
    simdjson::padded_string padded(json);
    simdjson::dom::element element;
    TH_FUZZ_CHECK(parser.parse(padded).get(element) == simdjson::SUCCESS);
    std::string_view decoded;
    TH_FUZZ_CHECK(element.get_string().get(decoded) == simdjson::SUCCESS);
    if (valid) TH_FUZZ_CHECK(decoded == text);
  }

  std::string term;
  append_terminal_safe(term, text);
  TH_FUZZ_CHECK(is_valid_utf8(term));
  for (std::size_t i = 0; i < term.size(); ++i) {
    const auto c = static_cast<unsigned char>(term[i]);
    TH_FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < term.size()) {
      TH_FUZZ_CHECK(static_cast<unsigned char>(term[i + 1]) >= 0xA0);
    }
  }
  // Format controls that reorder or hide text never reach the terminal raw.
  TH_FUZZ_CHECK(!has_hiding_format_control(term));
  if (valid && text.find_first_of(std::string_view("\\\x7f", 2)) == std::string_view::npos &&
      !has_hiding_format_control(text)) {
    bool plain = true;
    for (char ch : text) plain = plain && static_cast<unsigned char>(ch) >= 0x20;
    if (plain && text.find("\xC2") == std::string_view::npos) TH_FUZZ_CHECK(term == text);
  }

  std::string cell;
  append_csv_cell(cell, text);
  TH_FUZZ_CHECK(is_valid_utf8(cell));
  for (std::size_t i = 0; i < cell.size(); ++i) {
    const auto c = static_cast<unsigned char>(cell[i]);
    TH_FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
    TH_FUZZ_CHECK(c != 0x7F);
    if (c == 0xC2 && i + 1 < cell.size()) {
      TH_FUZZ_CHECK(static_cast<unsigned char>(cell[i + 1]) >= 0xA0);
    }
  }
  std::string_view body = cell;
  if (!cell.empty() && cell.front() == '"') {
    TH_FUZZ_CHECK(cell.size() >= 2 && cell.back() == '"');
    body = std::string_view(cell).substr(1, cell.size() - 2);
    // Inside quotes every quote is doubled.
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '"') {
        TH_FUZZ_CHECK(i + 1 < body.size() && body[i + 1] == '"');
        ++i;
      }
    }
  } else {
    TH_FUZZ_CHECK(cell.find_first_of(",\"\r\n") == std::string::npos);
  }
  if (!body.empty()) {
    const char first = body.front();
    TH_FUZZ_CHECK(first != '=' && first != '+' && first != '-' && first != '@' &&
                  first != '\t' && first != '\r');
  }

  std::string compact;
  if (size < 4096 && compact_json(text, compact)) {
    TH_FUZZ_CHECK(is_valid_utf8(compact));
    TH_FUZZ_CHECK(compact.find('\n') == std::string::npos);
  }
  return 0;
}
