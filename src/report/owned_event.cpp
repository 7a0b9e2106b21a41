// Owned copies of events and principals, and the one-line rewrite of a record's JSON.
#include <simdjson.h>

#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"

namespace trailhound {

OwnedEvent OwnedEvent::from(const EventView& e) {
  OwnedEvent o;
  o.time = e.time;
  o.source = e.source;
  o.principal = Principal::from(e.identity);
  o.event_name = std::string(e.event_name);
  o.event_source = std::string(e.event_source);
  o.region = std::string(e.aws_region);
  o.source_ip = std::string(e.source_ip);
  o.user_agent = std::string(e.user_agent);
  o.error_code = std::string(e.error_code);
  o.event_id = std::string(e.event_id);
  if (!compact_json(e.record.text(), o.record)) {
    // The record's own text is damaged where the parser did not need to look; keep the
    // event, and say so instead of emitting invalid JSON.
    o.record = R"({"trailhound_error":"the original record is not valid JSON"})";
  }
  return o;
}

bool compact_json(std::string_view text, std::string& out, std::size_t* replaced) {
  out.clear();
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      // Find the string's end, then re-escape its content from the raw bytes.
      std::size_t j = i + 1;
      std::string raw;
      while (j < text.size() && text[j] != '"') {
        if (text[j] == '\\' && j + 1 < text.size()) {
          raw += text[j];
          raw += text[j + 1];
          j += 2;
          continue;
        }
        raw += text[j];
        ++j;
      }
      if (j >= text.size()) return false;
      // Keep valid escapes as they are; escape raw control bytes; replace bad UTF-8.
      out += '"';
      std::size_t k = 0;
      while (k < raw.size()) {
        const auto b = static_cast<unsigned char>(raw[k]);
        if (b == '\\') {
          out += raw[k];
          out += raw[k + 1];
          k += 2;
        } else if (b < 0x20 || b == 0x7F) {
          std::string esc;
          append_json_string(esc, std::string_view(&raw[k], 1));
          out.append(esc, 1, esc.size() - 2);
          ++k;
        } else if (b < 0x80) {
          out += raw[k];
          ++k;
        } else {
          // Validate the UTF-8 sequence through the JSON escaper (which replaces bad bytes).
          std::size_t end = k;
          while (end < raw.size() && static_cast<unsigned char>(raw[end]) >= 0x80) ++end;
          std::string esc;
          append_json_string(esc, std::string_view(raw).substr(k, end - k), replaced);
          out.append(esc, 1, esc.size() - 2);
          k = end;
        }
      }
      out += '"';
      i = j + 1;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  // Validate what was written: stage one of the parser is cheap and catches any damage.
  thread_local simdjson::dom::parser validator;
  simdjson::padded_string padded(out);
  simdjson::dom::element element;
  return validator.parse(padded).get(element) == simdjson::SUCCESS;
}

}  // namespace trailhound
