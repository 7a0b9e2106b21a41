// Escaping of attacker-controlled text for each sink: JSON, terminals, CSV cells.
#pragma once

#include <string>
#include <string_view>

namespace trailhound {

/// Appends `text` as a JSON string literal (with quotes). Invalid UTF-8 bytes are replaced by
/// U+FFFD and counted in `*replaced` when given, so JSON output is always valid UTF-8.
void append_json_string(std::string& out, std::string_view text, std::size_t* replaced = nullptr);

/// Returns `text` as a JSON string literal (with quotes).
[[nodiscard]] std::string json_string(std::string_view text);

/// Appends `text` for a terminal: control characters (C0, DEL, C1, and escape sequences) are
/// shown visibly as `\xNN` or `\n`-style escapes, invalid UTF-8 bytes as `\xNN`, backslash as
/// `\\`. Unicode format controls that reorder or hide text (bidi embeddings, overrides and
/// isolates, zero-width characters, U+FEFF, U+00AD, line and paragraph separators, tag
/// characters) are shown as `\u202e` (`\U000e0041` above U+FFFF). Nothing from a log field
/// reaches the terminal raw.
void append_terminal_safe(std::string& out, std::string_view text);
[[nodiscard]] std::string terminal_safe(std::string_view text);

/// Appends one RFC 4180 CSV cell. A cell that a spreadsheet would run as a formula (first
/// character `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`. Quoted when it
/// holds a comma, quote, CR or LF (or was neutralised). Invalid UTF-8 is replaced by U+FFFD;
/// control characters other than tab, CR and LF (C0, DEL, C1) are written as `\xNN`, so a CSV
/// printed on a terminal cannot carry escape sequences.
void append_csv_cell(std::string& out, std::string_view text);

/// Appends one CSV row of `cells` (each through append_csv_cell), ended by CRLF.
template <typename Cells>
void append_csv_row(std::string& out, const Cells& cells) {
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) out += ',';
    first = false;
    append_csv_cell(out, cell);
  }
  out += "\r\n";
}

/// Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes there are not
/// valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

/// True when `text` is valid UTF-8.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

/// True when `text` holds a Unicode format control that `append_terminal_safe` escapes
/// (bidi embeddings, overrides and isolates, zero-width characters and kin). Invalid UTF-8
/// bytes are stepped over.
[[nodiscard]] bool has_hiding_format_control(std::string_view text);

}  // namespace trailhound
