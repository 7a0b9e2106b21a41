// Parse stage: tells the export shape from the content and visits every record as an EventView.
#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "trailhound/decode.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {

static_assert(kBufferPadding >= simdjson::SIMDJSON_PADDING, "decode padding too small");

std::string_view to_string(Shape shape) {
  switch (shape) {
    case Shape::Unknown: return "unknown";
    case Shape::Records: return "records";
    case Shape::Array: return "array";
    case Shape::Single: return "single";
    case Shape::Lines: return "ndjson";
    case Shape::LookupEvents: return "lookup-events";
    case Shape::Lake: return "lake";
    case Shape::CloudWatch: return "cloudwatch";
    case Shape::EventBridge: return "eventbridge";
    case Shape::Digest: return "digest";
    case Shape::Mixed: return "mixed";
  }
  return "unknown";
}

namespace {

/// `key == literal`, always compiled inline: these comparisons run for every field of every
/// record, and an out-of-line std::string_view::compare call costs more than the comparison.
template <std::size_t N>
[[gnu::always_inline]] inline bool key_is(std::string_view key, const char (&literal)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

using simdjson::error_code;
namespace od = simdjson::ondemand;

/// Shortens attacker-controlled text quoted in a message and makes it safe for a terminal.
std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  append_terminal_safe(out, text.substr(0, kMax));
  if (text.size() > kMax) out += fmt::format("...' ({} bytes)", text.size());
  else out += "'";
  return out;
}

/// The text of a member that is there but null, or not text: empty, but not the null view of
/// an absent member (see EventView::members).
constexpr std::string_view kNotText = std::string_view("", 0);

/// Reads a string field leniently: strings as text, null as empty, other scalars as their
/// JSON token (so a number in sourceIPAddress is still shown), containers as empty. Never
/// the null view: the member was there.
std::string_view lenient_string(od::value v) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) return s;
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return kNotText;
  if (type == od::json_type::number || type == od::json_type::boolean) {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                              token.back() == '\r' || token.back() == '\t' ||
                              token.back() == ',' || token.back() == '}' || token.back() == ']')) {
      token.remove_suffix(1);
    }
    return token;
  }
  return kNotText;
}

/// A list where an object is expected: a reader that looks into lists may find members there.
/// Asked only after get_object() failed (which leaves the value where it was): rare, so kept
/// out of the readers' hot path.
[[gnu::cold, gnu::noinline]] bool is_list(od::value v) {
  od::json_type type;
  return v.type().get(type) == simdjson::SUCCESS && type == od::json_type::array;
}

error_code read_issuer(od::object issuer, IdentityView& id) {
  for (auto field : issuer) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value v;
    if (auto e = field.value().get(v)) return e;
    if (key_is(key, "type")) id.issuer_type = lenient_string(v);
    else if (key_is(key, "arn")) id.issuer_arn = lenient_string(v);
    else if (key_is(key, "userName")) id.issuer_user_name = lenient_string(v);
  }
  return simdjson::SUCCESS;
}

error_code read_session_context(od::object ctx, IdentityView& id, std::uint32_t& members) {
  for (auto field : ctx) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value v;
    if (auto e = field.value().get(v)) return e;
    if (key_is(key, "sessionIssuer")) {
      od::object o;
      if (v.get_object().get(o) == simdjson::SUCCESS) {
        if (auto e = read_issuer(o, id)) return e;
      } else if (is_list(v)) {
        members |= Member::kIrregular;
      }
    } else if (key_is(key, "attributes")) {
      od::object o;
      if (v.get_object().get(o) != simdjson::SUCCESS) {
        if (is_list(v)) members |= Member::kIrregular;
      } else {
        for (auto attr : o) {
          std::string_view k;
          if (auto e = attr.unescaped_key().get(k)) return e;
          if (k == "mfaAuthenticated") {
            od::value av;
            if (auto e = attr.value().get(av)) return e;
            id.mfa_authenticated = lenient_string(av);
          }
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

error_code read_identity(od::object obj, IdentityView& id, std::uint32_t& members) {
  id.type = IdentityType::Unknown;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value v;
    if (auto e = field.value().get(v)) return e;
    if (key_is(key, "type")) {
      id.type_text = lenient_string(v);
      id.type = parse_identity_type(id.type_text);
    } else if (key_is(key, "principalId")) {
      id.principal_id = lenient_string(v);
    } else if (key_is(key, "arn")) {
      id.arn = lenient_string(v);
    } else if (key_is(key, "accountId")) {
      id.account_id = lenient_string(v);
    } else if (key_is(key, "accessKeyId")) {
      id.access_key_id = lenient_string(v);
    } else if (key_is(key, "userName")) {
      id.user_name = lenient_string(v);
    } else if (key_is(key, "invokedBy")) {
      id.invoked_by = lenient_string(v);
    } else if (key_is(key, "identityProvider")) {
      id.identity_provider = lenient_string(v);
    } else if (key_is(key, "sessionContext")) {
      od::object o;
      if (v.get_object().get(o) == simdjson::SUCCESS) {
        if (auto e = read_session_context(o, id, members)) return e;
      } else if (is_list(v)) {
        members |= Member::kIrregular;
      }
    } else if (key_is(key, "onBehalfOf")) {
      od::object o;
      if (v.get_object().get(o) == simdjson::SUCCESS) {
        for (auto f : o) {
          std::string_view k;
          if (auto e = f.unescaped_key().get(k)) return e;
          if (k == "userId") {
            od::value uv;
            if (auto e = f.value().get(uv)) return e;
            id.on_behalf_user_id = lenient_string(uv);
          }
        }
      }
    }
  }
  if (id.type_text.empty()) id.type = IdentityType::Unknown;
  return simdjson::SUCCESS;
}

/// Replaces, in place, bytes that are not valid UTF-8 by '?' and raw control characters
/// inside strings by ' ', so the parser accepts the text; offsets do not move. Returns the
/// counts of each.
std::pair<std::size_t, std::size_t> repair_json_text(char* text, std::size_t len) {
  std::size_t bad = 0, controls = 0;
  bool in_string = false;
  const std::string_view view(text, len);
  for (std::size_t i = 0; i < len;) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(view, i);
      if (n == 0) {
        text[i] = '?';
        ++bad;
        ++i;
      } else {
        i += n;
      }
      continue;
    }
    if (in_string) {
      if (c == '\\' && i + 1 < len) {
        // Keep the escape, but an escaped raw control byte is still not JSON.
        const auto next = static_cast<unsigned char>(text[i + 1]);
        if (next < 0x20) {
          text[i + 1] = ' ';
          ++controls;
        }
        i += next >= 0x80 ? 1 : 2;
        continue;
      }
      if (c == '"') in_string = false;
      else if (c < 0x20) {
        text[i] = ' ';
        ++controls;
      }
    } else if (c == '"') {
      in_string = true;
    }
    ++i;
  }
  return {bad, controls};
}

/// True for a key that only an event record has at its top level.
bool is_event_key(std::string_view key) {
  return key_is(key, "eventVersion") || key_is(key, "eventTime") || key_is(key, "eventName") ||
         key_is(key, "userIdentity") || key_is(key, "eventSource") || key_is(key, "eventID");
}

/// The shape of a file whose first records were found by salvage, reading `first` of them.
Shape salvaged_shape(const char* begin, const char* end, Shape first) {
  if (first != Shape::Single) return first;
  const std::string_view head(begin, std::min<std::size_t>(std::size_t(end - begin), 64));
  if (head.find("\"Records\"") != std::string_view::npos) return Shape::Records;
  return *begin == '[' ? Shape::Array : Shape::Lines;
}

bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/// True when the '{' at `p` opens an object whose first key is an event key: the start of a
/// record, as far as a scan that cannot trust the text around it can tell.
bool opens_record(const char* p, const char* end) {
  ++p;
  while (p < end && is_json_space(*p)) ++p;
  if (p >= end || *p != '"') return false;
  const char* key = ++p;
  while (p < end && *p != '"' && p - key < 16) ++p;
  return p < end && *p == '"' && is_event_key(std::string_view(key, std::size_t(p - key)));
}

/// The first record opener in [p, end), or nullptr.
const char* find_record_opener(const char* p, const char* end) {
  while (p < end) {
    const auto* brace = static_cast<const char*>(std::memchr(p, '{', std::size_t(end - p)));
    if (brace == nullptr) return nullptr;
    if (opens_record(brace, end)) return brace;
    p = brace + 1;
  }
  return nullptr;
}

/// Whether [p, end) holds anything but the punctuation and envelope keys found between
/// records (white space, `,` `[` `]` `{` `}` `:` and "Records"): a lost record, or part of one.
bool holds_content(const char* p, const char* end) {
  constexpr std::string_view kRecordsKey = "\"Records\"";
  while (p < end) {
    const char c = *p;
    if (is_json_space(c) || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
        c == ':') {
      ++p;
    } else if (std::string_view(p, std::size_t(end - p)).substr(0, kRecordsKey.size()) ==
               kRecordsKey) {
      p += kRecordsKey.size();
    } else {
      return true;
    }
  }
  return false;
}

/// True when the text is NDJSON: two lines or more, of which one among the first few is a
/// whole JSON object by itself. Looks at a bounded head of the text.
bool looks_line_delimited(const char* p, const char* end) {
  constexpr int kLinesLooked = 16;
  constexpr std::size_t kHeadBytes = 8u << 20;
  if (std::size_t(end - p) > kHeadBytes) end = p + kHeadBytes;
  int lines = 0;
  bool whole_line = false;
  while (p < end && lines < kLinesLooked) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* line_end = nl ? nl : end;
    const char* s = p;
    const char* e = line_end;
    while (s < e && is_json_space(*s)) ++s;
    while (e > s && is_json_space(e[-1])) --e;
    if (s < e) {
      ++lines;
      if (*s == '{' && e[-1] == '}' && json_value_length(s, e) == std::size_t(e - s)) {
        whole_line = true;
      }
    }
    if (!nl) break;
    p = nl + 1;
  }
  return whole_line && lines >= 2;
}

/// True when the head of the text names a shape whose records are embedded (strings, Lake
/// cells): resynchronising on objects would read their parts as records.
bool embeds_records(const char* p, const char* end) {
  const std::string_view head(p, std::min<std::size_t>(std::size_t(end - p), 4096));
  return head.find("\"CloudTrailEvent\"") != std::string_view::npos ||
         head.find("\"QueryResultRows\"") != std::string_view::npos ||
         head.find("\"logEvents\"") != std::string_view::npos;
}

}  // namespace

struct EventReader::Impl {
  ParseLimits limits;
  od::parser outer;   // one top-level value per file, with the depth limit
  od::parser stream;  // several top-level values (NDJSON, concatenated envelopes)
  od::parser inner;
  std::string inner_text;  // an embedded record (string or merged row), padded
  const std::function<void(const EventView&)>* visit = nullptr;
  ParseOutcome* outcome = nullptr;
  std::uint32_t file_index = 0;
  std::uint64_t rejected_messages = 0;
  std::size_t batch = 1u << 20;  ///< document_stream batch size, grown monotonically
  std::string repaired;          ///< a copy of a file's text with bad bytes replaced
  bool repairing = false;
  char* writable = nullptr;      ///< the text being read, when the caller lets it be changed
  // Where salvage reads on from (set while the file's own text is read, not embedded records).
  const char* outer_limit = nullptr;  ///< `limit` of the file's text
  const char* resume_at = nullptr;    ///< end of the last record read whole
  const char* failed_at = nullptr;    ///< start of a record whose JSON failed (rejected)
  std::uint64_t embedded_records = 0;  ///< records read from strings or Lake cells
  // read_lines: record numbers start at index_base, and a line holding several records (an
  // envelope, an array) is not read, so that every line is one record.
  std::uint64_t index_base = 0;
  bool lines_only = false;

  void start_file(const char* limit) {
    outer_limit = limit;
    resume_at = failed_at = nullptr;
    embedded_records = 0;
  }

  explicit Impl(ParseLimits l)
      : limits(l), outer(4ULL << 30), stream(4ULL << 30), inner(l.max_record_bytes) {}

  void note(std::string message) {
    if (outcome->messages.size() < limits.max_errors_per_file) {
      outcome->messages.push_back(std::move(message));
    } else if (outcome->messages.size() == limits.max_errors_per_file) {
      outcome->messages.push_back("further messages for this file are not shown");
    }
  }

  void reject(std::uint64_t index, std::string_view reason) {
    ++outcome->records_rejected;
    note(fmt::format("record {}: {}", index, reason));
  }

  /// Parses one record object; visits it or rejects it. A JSON error is returned so the
  /// caller can stop reading a document that can no longer be trusted.
  error_code read_record(od::value value, const char* limit) {
    const std::uint64_t index = index_base + outcome->records_read++;
    od::object obj;
    const char* start = value.raw_json_token().data();
    if (auto e = value.get_object().get(obj)) {
      if (e == simdjson::INCORRECT_TYPE) {
        reject(index, "not a JSON object");
        if (limit == outer_limit) failed_at = start;
        return simdjson::SUCCESS;
      }
      reject(index, simdjson::error_message(e));
      if (limit == outer_limit) failed_at = start;
      return e;
    }
    // The size limit is checked on the record's text before any of its strings is unescaped
    // (a string of a gigabyte would otherwise be copied whole into the parser's buffer first).
    // A record that starts less than the limit from the end of the text cannot be over it, so
    // this costs a comparison for every record of a file below the limit.
    if (std::size_t(limit - start) > limits.max_record_bytes) {
      std::string_view raw;
      if (auto e = obj.raw_json().get(raw)) {
        reject(index, simdjson::error_message(e));
        if (limit == outer_limit) failed_at = start;
        return e;
      }
      if (raw.size() > limits.max_record_bytes) {
        if (limit == outer_limit) resume_at = raw.data() + raw.size();
        reject(index, fmt::format("record of {} bytes is over the record size limit of {} bytes "
                                  "(--max-record-bytes)",
                                  raw.size(), limits.max_record_bytes));
        return simdjson::SUCCESS;
      }
      if (auto e = obj.reset().error()) {
        reject(index, simdjson::error_message(e));
        if (limit == outer_limit) failed_at = start;
        return e;
      }
    }
    EventView ev;
    ev.record = RawJson(start, limit);
    ev.source = SourceRef{file_index, index};
    std::string_view timestamp_fallback;
    bool has_identity = false;
    // The fields a detection keys on, each a bit: a second copy is an ambiguity (which one a
    // reader keeps differs from tool to tool), so the record is rejected with the key named.
    unsigned seen = 0;
    std::string_view twice;
    const auto once = [&](unsigned bit, std::string_view k) {
      if ((seen & bit) != 0 && twice.empty()) twice = k;
      seen |= bit;
    };
    for (auto field : obj) {
      std::string_view key;
      error_code e = field.unescaped_key().get(key);
      od::value v;
      if (!e) e = field.value().get(v);
      if (e) {
        reject(index, simdjson::error_message(e));
        if (limit == outer_limit) failed_at = start;
        return e;
      }
      if (key.empty()) continue;
      switch (key[0]) {
        case 'e':
          if (key_is(key, "eventTime")) {
            once(1u, key);
            ev.event_time = lenient_string(v);
          } else if (key_is(key, "eventName")) {
            once(2u, key);
            ev.event_name = lenient_string(v);
          } else if (key_is(key, "eventSource")) {
            once(4u, key);
            ev.event_source = lenient_string(v);
          } else if (key_is(key, "eventType")) ev.event_type = lenient_string(v);
          else if (key_is(key, "eventID")) ev.event_id = lenient_string(v);
          else if (key_is(key, "eventVersion")) ev.event_version = lenient_string(v);
          else if (key_is(key, "errorCode")) ev.error_code = lenient_string(v);
          else if (key_is(key, "errorMessage")) ev.error_message = lenient_string(v);
          break;
        case 'a':
          if (key_is(key, "awsRegion")) ev.aws_region = lenient_string(v);
          else if (key_is(key, "additionalEventData")) ev.additional_event_data = RawJson(v.raw_json_token().data(), limit);
          break;
        case 's':
          if (key_is(key, "sourceIPAddress")) {
            once(8u, key);
            ev.source_ip = lenient_string(v);
          }
          break;
        case 'u':
          if (key_is(key, "userAgent")) {
            ev.user_agent = lenient_string(v);
          } else if (key_is(key, "userIdentity")) {
            once(16u, key);
            od::object id;
            if (v.get_object().get(id) == simdjson::SUCCESS) {
              has_identity = true;
              if (auto ie = read_identity(id, ev.identity, ev.members)) {
                reject(index, simdjson::error_message(ie));
                if (limit == outer_limit) failed_at = start;
                return ie;
              }
            } else if (is_list(v)) {
              ev.members |= Member::kIrregular;
            }
          }
          break;
        case 'r':
          if (key_is(key, "requestParameters")) ev.request_parameters = RawJson(v.raw_json_token().data(), limit);
          else if (key_is(key, "responseElements")) ev.response_elements = RawJson(v.raw_json_token().data(), limit);
          else if (key_is(key, "recipientAccountId")) ev.recipient_account_id = lenient_string(v);
          else if (key_is(key, "readOnly")) {
            bool b = false;
            std::string_view s;
            if (v.get_bool().get(b) == simdjson::SUCCESS) ev.read_only = b;
            else if (v.get_string().get(s) == simdjson::SUCCESS) {
              if (s == "true") ev.read_only = true;
              else if (s == "false") ev.read_only = false;
            }
          }
          break;
        case '@':
          if (key_is(key, "@timestamp")) timestamp_fallback = lenient_string(v);
          break;
        default:
          break;
      }
    }
    // Every field has been visited, so the object's text ends where the iterator stands.
    std::string_view raw;
    if (obj.raw_json().get(raw) == simdjson::SUCCESS) {
      if (limit == outer_limit) resume_at = raw.data() + raw.size();
      if (raw.size() > limits.max_record_bytes) {
        reject(index, fmt::format("record of {} bytes is over the record size limit of {} bytes "
                                  "(--max-record-bytes)",
                                  raw.size(), limits.max_record_bytes));
        return simdjson::SUCCESS;
      }
      if (json_nests_deeper_than(raw, limits.max_depth)) {
        reject(index, fmt::format("nests deeper than {} levels (--max-depth)", limits.max_depth));
        return simdjson::SUCCESS;
      }
      // Trim what follows the closing brace (white space before a ',' or ']').
      while (!raw.empty() && raw.back() != '}') raw.remove_suffix(1);
      ev.record = RawJson(raw, limit);
    }
    if (!twice.empty()) {
      reject(index, fmt::format("{} appears twice", twice));
      return simdjson::SUCCESS;
    }
    if (!has_identity) ev.identity.type = IdentityType::Missing;
    if ((ev.members & Member::kIrregular) == 0) ev.members |= Member::kKnown;
    std::string_view when = ev.event_time;
    bool from_timestamp = false;
    if (when.empty() && !timestamp_fallback.empty()) {
      when = timestamp_fallback;
      from_timestamp = true;
    }
    if (when.empty()) {
      reject(index, "no eventTime");
      return simdjson::SUCCESS;
    }
    const auto t = parse_timestamp(when);
    if (!t) {
      reject(index, fmt::format("eventTime {} cannot be read", quote_for_message(when)));
      return simdjson::SUCCESS;
    }
    if (ev.event_time.empty()) ev.event_time = when;
    if (from_timestamp) ++outcome->time_from_timestamp;
    ev.time = *t;
    ++outcome->records_used;
    (*visit)(ev);
    return simdjson::SUCCESS;
  }

  /// Parses the text in inner_text (an embedded record) with the inner parser.
  error_code read_embedded(std::uint64_t* count_if_rejected_before_read) {
    (void)count_if_rejected_before_read;
    const std::size_t len = inner_text.size();
    inner_text.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document doc;
    error_code e = inner.iterate(inner_text.data(), len, inner_text.size()).get(doc);
    if (e) {
      const std::uint64_t index = outcome->records_read++;
      reject(index, fmt::format("embedded record is not valid JSON ({})", simdjson::error_message(e)));
      return simdjson::SUCCESS;
    }
    od::value root;
    e = doc.get_value().get(root);
    if (e) {
      const std::uint64_t index = outcome->records_read++;
      reject(index, fmt::format("embedded record is not valid JSON ({})", simdjson::error_message(e)));
      return simdjson::SUCCESS;
    }
    const std::uint64_t before = outcome->records_rejected;
    ++embedded_records;
    e = read_record(root, inner_text.data() + inner_text.size());
    if (e && outcome->records_rejected == before) {
      reject(outcome->records_read - 1, simdjson::error_message(e));
    }
    // An error inside an embedded record spoils that record only, not the outer document.
    return simdjson::SUCCESS;
  }

  /// An embedded record carried as a JSON string (lookup-events, CloudWatch Logs messages).
  error_code read_string_record(od::value v, std::string_view what) {
    std::string_view text;
    error_code e = v.get_string().get(text);
    if (e == simdjson::INCORRECT_TYPE) {
      const std::uint64_t index = outcome->records_read++;
      reject(index, fmt::format("{} is not a string holding a record", what));
      return simdjson::SUCCESS;
    }
    if (e) return e;
    if (text.size() > limits.max_record_bytes) {
      const std::uint64_t index = outcome->records_read++;
      reject(index, fmt::format("{} of {} bytes is over the record size limit of {} bytes", what,
                                text.size(), limits.max_record_bytes));
      return simdjson::SUCCESS;
    }
    inner_text.assign(text);
    return read_embedded(nullptr);
  }

  error_code read_record_array(od::value v, const char* limit) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    for (auto element : arr) {
      od::value item;
      if (auto e = element.get(item)) return e;
      if (auto e = read_record(item, limit)) return e;
    }
    return simdjson::SUCCESS;
  }

  error_code read_lookup_events(od::value v) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    for (auto element : arr) {
      od::object entry;
      if (auto e = element.get_object().get(entry)) return e;
      bool found = false;
      for (auto field : entry) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        if (key_is(key, "CloudTrailEvent")) {
          od::value cv;
          if (auto e = field.value().get(cv)) return e;
          found = true;
          if (auto e = read_string_record(cv, "CloudTrailEvent")) return e;
        }
      }
      if (!found) {
        const std::uint64_t index = outcome->records_read++;
        reject(index, "lookup-events entry without CloudTrailEvent");
      }
    }
    return simdjson::SUCCESS;
  }

  error_code read_log_events(od::value v) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    for (auto element : arr) {
      od::object entry;
      if (auto e = element.get_object().get(entry)) return e;
      bool found = false;
      for (auto field : entry) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        if (key_is(key, "message")) {
          od::value mv;
          if (auto e = field.value().get(mv)) return e;
          found = true;
          if (auto e = read_string_record(mv, "logEvents message")) return e;
        }
      }
      if (!found) {
        const std::uint64_t index = outcome->records_read++;
        reject(index, "logEvents entry without message");
      }
    }
    return simdjson::SUCCESS;
  }

  /// CloudTrail Lake rows are arrays of one-field objects; they are merged into one record.
  error_code read_lake_rows(od::value v) {
    od::array rows;
    if (auto e = v.get_array().get(rows)) return e;
    for (auto row_element : rows) {
      od::array row;
      error_code e = row_element.get_array().get(row);
      if (e == simdjson::INCORRECT_TYPE) {
        const std::uint64_t index = outcome->records_read++;
        reject(index, "Lake result row is not an array");
        continue;
      }
      if (e) return e;
      inner_text.assign("{");
      bool first = true;
      for (auto cell : row) {
        od::object cell_obj;
        if (auto ce = cell.get_object().get(cell_obj)) return ce;
        std::string_view raw;
        if (auto ce = cell_obj.raw_json().get(raw)) return ce;
        // Strip the braces: `{"k":v}` becomes `"k":v`.
        const auto open = raw.find('{');
        const auto close = raw.rfind('}');
        if (open == std::string_view::npos || close == std::string_view::npos || close <= open) continue;
        const std::string_view inside = raw.substr(open + 1, close - open - 1);
        if (inside.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
        if (!first) inner_text += ',';
        inner_text.append(inside);
        first = false;
      }
      inner_text += '}';
      if (auto re = read_embedded(nullptr)) return re;
    }
    return simdjson::SUCCESS;
  }

  /// Reads one top-level JSON value and says which shape it had.
  error_code read_top_value(od::document_reference doc, const char* limit, Shape& shape) {
    od::json_type type;
    if (auto e = doc.type().get(type)) return e;
    if (type == od::json_type::array) {
      shape = Shape::Array;
      if (lines_only) return simdjson::SUCCESS;
      od::array arr;
      if (auto e = doc.get_array().get(arr)) return e;
      for (auto element : arr) {
        od::value item;
        if (auto e = element.get(item)) return e;
        if (auto e = read_record(item, limit)) return e;
      }
      return simdjson::SUCCESS;
    }
    if (type != od::json_type::object) {
      shape = Shape::Unknown;
      return simdjson::INCORRECT_TYPE;
    }
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    bool single = false;
    for (auto field : root) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      od::value v;
      if (auto e = field.value().get(v)) return e;
      if (key_is(key, "Records")) {
        shape = Shape::Records;
        if (lines_only) return simdjson::SUCCESS;
        if (auto e = read_record_array(v, limit)) return e;
      } else if (key_is(key, "Events")) {
        shape = Shape::LookupEvents;
        if (lines_only) return simdjson::SUCCESS;
        if (auto e = read_lookup_events(v)) return e;
      } else if (key_is(key, "QueryResultRows")) {
        shape = Shape::Lake;
        if (lines_only) return simdjson::SUCCESS;
        if (auto e = read_lake_rows(v)) return e;
      } else if (key_is(key, "logEvents")) {
        shape = Shape::CloudWatch;
        if (lines_only) return simdjson::SUCCESS;
        if (auto e = read_log_events(v)) return e;
      } else if (key_is(key, "detail")) {
        od::json_type dt;
        if (auto e = v.type().get(dt)) return e;
        if (dt == od::json_type::object) {
          shape = Shape::EventBridge;
          if (auto e = read_record(v, limit)) return e;
        }
      } else if (key_is(key, "digestStartTime") || key_is(key, "digestEndTime")) {
        shape = Shape::Digest;
        return simdjson::SUCCESS;
      } else if (is_event_key(key)) {
        single = true;
        break;
      }
    }
    if (single) {
      shape = Shape::Single;
      doc.rewind();
      od::value v;
      if (auto e = doc.get_value().get(v)) return e;
      return read_record(v, limit);
    }
    return simdjson::SUCCESS;
  }

  // ---- salvage: reading on after damage ------------------------------------------------------

  /// Counts one damaged stretch [from, to) that held `openers` failed record openers: its
  /// bytes are skipped, and it is one rejected record at least, unless the record it broke was
  /// rejected already (`counted`).
  void lose(const char* text, const char* from, const char* to, std::size_t openers,
            bool counted) {
    if (from >= to || (openers == 0 && !holds_content(from, to))) return;
    outcome->bytes_skipped += std::uint64_t(to - from);
    const std::uint64_t lost = counted ? openers : std::max<std::size_t>(openers, 1);
    if (lost == 0) return;
    outcome->records_read += lost;
    outcome->records_rejected += lost;
    note(fmt::format("damaged JSON at byte {} ({} bytes skipped): {} record{} rejected",
                     from - text, to - from, lost, lost == 1 ? "" : "s"));
  }

  /// Reads one line of NDJSON; a line that gives no record is rejected with its number.
  void read_line(const char* s, const char* e, std::uint64_t line) {
    const std::uint64_t read_before = outcome->records_read;
    od::document doc;
    Shape shape = Shape::Unknown;
    error_code err = outer.iterate(s, std::size_t(e - s), std::size_t(outer_limit - s)).get(doc);
    if (!err) err = read_top_value(doc, outer_limit, shape);
    if (outcome->records_read != read_before) {
      if (err) note(fmt::format("line {}: {}", line, simdjson::error_message(err)));
      const Shape as = shape == Shape::Single ? Shape::Lines : shape;
      if (outcome->shape == Shape::Unknown || outcome->shape == Shape::Single) {
        outcome->shape = as;
      } else if (outcome->shape != as) {
        outcome->shape = Shape::Mixed;
      }
      return;
    }
    if (!err && shape == Shape::Digest) return;
    outcome->bytes_skipped += std::uint64_t(e - s);
    ++outcome->records_read;
    ++outcome->records_rejected;
    note(fmt::format("line {}: {}", line,
                     err ? fmt::format("not a whole JSON record ({})", simdjson::error_message(err))
                         : std::string("not a CloudTrail record")));
  }

  /// Reads one line of a split NDJSON file as one record, number index_base + records_read: a
  /// line that gives none is rejected as one, and fails the file.
  void read_split_line(char* s, const char* e, std::uint64_t line) {
    const std::uint64_t before = outcome->records_read;
    const std::size_t len = std::size_t(e - s);
    od::document doc;
    Shape shape = Shape::Unknown;
    error_code err = outer.iterate(s, len, std::size_t(outer_limit - s)).get(doc);
    if (err == simdjson::UTF8_ERROR || err == simdjson::UNESCAPED_CHARS) {
      // As for a whole file: the bad bytes are replaced in place, offsets kept.
      const auto [bad_bytes, controls] = repair_json_text(s, len);
      outcome->repaired_bytes += bad_bytes;
      outcome->repaired_controls += controls;
      err = outer.iterate(s, len, std::size_t(outer_limit - s)).get(doc);
    }
    if (!err) err = read_top_value(doc, outer_limit, shape);
    // What follows the record on its line is damage too (a second value, garbage).
    const char* rest = nullptr;
    if (!err && outcome->records_read != before &&
        doc.current_location().get(rest) == simdjson::SUCCESS && rest != nullptr && rest < e) {
      err = simdjson::TRAILING_CONTENT;
    }
    const std::uint64_t index = index_base + before;
    if (outcome->records_read != before) {
      if (err) {
        outcome->file_error = true;
        note(fmt::format("line {} (record {}): {}", line, index, simdjson::error_message(err)));
      }
      return;
    }
    outcome->file_error = true;
    outcome->bytes_skipped += len;
    ++outcome->records_read;
    ++outcome->records_rejected;
    std::string reason;
    if (err) {
      reason = fmt::format("not a whole JSON record ({})", simdjson::error_message(err));
    } else if (shape == Shape::Digest) {
      reason = "a CloudTrail digest, not a record";
    } else if (shape != Shape::Unknown) {
      reason = fmt::format("an export of several records ({}) on one line, where each line of "
                           "a split NDJSON file is read as one record",
                           to_string(shape));
    } else {
      reason = "not a CloudTrail record";
    }
    note(fmt::format("line {} (record {}): {}", line, index, reason));
  }

  /// Reads on through damaged text from the last whole record: NDJSON line by line, anything
  /// else by resynchronising on the next object that parses as a record. `text` is where the
  /// file's content starts (for byte offsets and line numbers).
  void salvage(const char* text, const char* begin, const char* end, std::string reason) {
    outcome->file_error = true;
    outcome->messages.push_back(std::move(reason));
    if (end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
    // Start after the last whole record; if a record broke after it, that one is rejected
    // already, so the stretch it leaves is not counted again.
    const char* pos = begin;
    bool counted = false;
    if (failed_at != nullptr && failed_at >= begin && failed_at < end &&
        (resume_at == nullptr || failed_at >= resume_at)) {
      pos = failed_at + 1;
      counted = true;
    } else if (resume_at != nullptr && resume_at > begin && resume_at <= end) {
      pos = resume_at;
    }
    if (embedded_records > 0 || embeds_records(begin, end)) {
      // Records carried in strings or Lake cells cannot be told from their parts by a scan.
      outcome->bytes_skipped += std::uint64_t(end - pos);
      outcome->messages.push_back(fmt::format(
          "the {} bytes after the damage are not read (records embedded in strings or Lake "
          "rows are read up to the damage only)", end - pos));
      return;
    }
    // Each failed candidate costs a scan; the total is bounded so that hostile text (braces
    // that never close) stays linear.
    std::uint64_t work = 0;
    const std::uint64_t budget = 8 * std::uint64_t(end - begin) + (1u << 20);
    bool stopped = false;
    if (looks_line_delimited(begin, end)) {
      std::uint64_t line =
          1 + std::uint64_t(std::count(text, pos, '\n'));
      while (pos < end) {
        const auto* nl = static_cast<const char*>(std::memchr(pos, '\n', std::size_t(end - pos)));
        const char* line_end = nl ? nl : end;
        const char* s = pos;
        const char* e = line_end;
        while (s < e && is_json_space(*s)) ++s;
        while (e > s && is_json_space(e[-1])) --e;
        const bool line_start = pos == begin || pos[-1] == '\n';
        if (s < e) {
          if (!line_start || counted) {
            // The rest of a line whose record was read (or rejected) already.
            if (holds_content(s, e)) outcome->bytes_skipped += std::uint64_t(e - s);
          } else if ((work += std::uint64_t(e - s)) > budget) {
            stopped = true;
            break;
          } else {
            read_line(s, e, line);
          }
        }
        counted = false;
        ++line;
        pos = nl ? nl + 1 : end;
      }
    } else {
      const char* gap = pos;
      std::size_t openers = 0;
      while (pos < end) {
        const auto* p = static_cast<const char*>(std::memchr(pos, '{', std::size_t(end - pos)));
        if (p == nullptr) break;
        if (work > budget) {
          stopped = true;
          break;
        }
        const bool record_like = opens_record(p, end);
        const char* scan_end =
            std::size_t(end - p) > limits.max_record_bytes ? p + limits.max_record_bytes : end;
        const std::size_t len = json_value_length(p, scan_end);
        work += len ? len : std::uint64_t(scan_end - p);
        od::document doc;
        error_code err = len ? outer.iterate(p, len, std::size_t(outer_limit - p)).get(doc)
                             : simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
        const std::uint64_t read_before = outcome->records_read;
        const char* failed_before = failed_at;
        Shape shape = Shape::Unknown;
        if (!err) err = read_top_value(doc, outer_limit, shape);
        if (outcome->records_read == read_before) {
          if (!err && shape == Shape::Unknown) {
            pos = p + len;  // a whole object that is no record (part of a broken one)
          } else {
            if (record_like) ++openers;
            pos = p + 1;
          }
          continue;
        }
        lose(text, gap, p, openers, counted);
        counted = false;
        openers = 0;
        if (outcome->shape == Shape::Unknown) outcome->shape = salvaged_shape(begin, end, shape);
        if (!err) {
          pos = p + len;
        } else if (failed_at != failed_before && failed_at != nullptr) {
          pos = failed_at + 1;
          counted = true;
        } else {
          pos = resume_at != nullptr && resume_at > p ? resume_at : p + 1;
        }
        gap = pos;
      }
      if (!stopped) lose(text, gap, end, openers, counted);
      else pos = gap;
    }
    if (stopped) {
      outcome->bytes_skipped += std::uint64_t(end - pos);
      outcome->messages.push_back(fmt::format(
          "too damaged to read on: the last {} bytes are skipped", end - pos));
    }
    outcome->messages.push_back(fmt::format(
        "read on past the damage: {} records used, {} rejected, {} bytes skipped in all",
        outcome->records_used, outcome->records_rejected, outcome->bytes_skipped));
  }
};

namespace {
/// The outer parser's first capacity: larger than most delivery files (a few MB inflated),
/// so that their buffers are made once. Untouched capacity costs no memory.
constexpr std::size_t kOuterCapacity = 4u << 20;
}  // namespace

EventReader::EventReader(ParseLimits limits) : impl_(std::make_unique<Impl>(limits)) {
  // A failed allocation here shows up again, as an error, on the first iterate().
  if (impl_->outer.allocate(kOuterCapacity, limits.max_depth) != simdjson::SUCCESS ||
      impl_->inner.allocate(1 << 16, limits.max_depth) != simdjson::SUCCESS) {
    return;
  }
}

EventReader::~EventReader() = default;

ParseOutcome EventReader::read_writable(char* data, std::size_t size, std::uint32_t file_index,
                                        const std::function<void(const EventView&)>& visit) {
  impl_->writable = data;
  struct Reset {
    Impl& im;
    ~Reset() { im.writable = nullptr; }
  } reset{*impl_};
  return read(std::string_view(data, size), file_index, visit);
}

void EventReader::release_memory() {
  Impl& im = *impl_;
  im.stream = od::parser(4ULL << 30);
  im.batch = 1u << 20;
  std::string().swap(im.repaired);
  std::string().swap(im.inner_text);
  // allocate() replaces the buffers when the capacity changes, freeing the large ones. A
  // failed allocation shows up again, as an error, on the next iterate().
  if (im.outer.allocate(kOuterCapacity, im.limits.max_depth) != simdjson::SUCCESS) return;
  if (im.inner.allocate(1 << 16, im.limits.max_depth) != simdjson::SUCCESS) return;
}

ParseOutcome EventReader::read_lines(char* data, std::size_t size, std::uint32_t file_index,
                                     std::uint64_t first_record, std::uint64_t first_line,
                                     const std::function<void(const EventView&)>& visit) {
  ParseOutcome outcome;
  outcome.shape = Shape::Lines;
  Impl& im = *impl_;
  im.visit = &visit;
  im.outcome = &outcome;
  im.file_index = file_index;
  im.start_file(data + size + kBufferPadding);
  im.index_base = first_record;
  im.lines_only = true;
  struct Reset {
    Impl& im;
    ~Reset() {
      im.index_base = 0;
      im.lines_only = false;
    }
  } reset{im};
  std::uint64_t line = first_line;
  char* p = data;
  char* const end = data + size;
  while (p < end) {
    auto* nl = static_cast<char*>(std::memchr(p, '\n', std::size_t(end - p)));
    char* s = p;
    char* e = nl ? nl : end;
    // The same blank test as count_lines: a line of spaces, tabs and CRs holds no record.
    while (s < e && is_json_space(*s)) ++s;
    while (e > s && is_json_space(e[-1])) --e;
    if (s < e) im.read_split_line(s, e, line);
    ++line;
    p = nl ? nl + 1 : end;
  }
  return outcome;
}

bool splittable_ndjson(std::string_view head) {
  std::size_t i = head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < head.size() && is_json_space(head[i])) ++i;
  if (i >= head.size() || head[i] != '{') return false;
  const char* p = head.data() + i;
  const char* end = head.data() + head.size();
  if (!looks_line_delimited(p, end)) return false;
  // Every whole line of the head must be one record; the last, maybe cut, is not looked at.
  while (p < end) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    if (nl == nullptr) break;
    const char* s = p;
    const char* e = nl;
    while (s < e && is_json_space(*s)) ++s;
    while (e > s && is_json_space(e[-1])) --e;
    if (s < e) {
      const std::string_view text(s, std::size_t(e - s));
      const bool eventbridge = text.find("\"detail-type\"") != std::string_view::npos &&
                               text.find("\"detail\"") != std::string_view::npos;
      if (*s != '{' || !(opens_record(s, e) || eventbridge)) return false;
    }
    p = nl + 1;
  }
  return true;
}

void count_lines(std::string_view text, LineCount& count) {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* line_end = nl ? nl : end;
    // A record line starts with '{': one byte looked at per line.
    for (const char* q = p; !count.in_record && q < line_end; ++q) {
      if (!is_json_space(*q)) count.in_record = true;
    }
    if (nl == nullptr) break;
    ++count.newlines;
    if (count.in_record) ++count.records;
    count.in_record = false;
    p = nl + 1;
  }
}

void end_lines(LineCount& count) {
  if (count.in_record) ++count.records;
  count.in_record = false;
}

ParseOutcome join_ranges(std::vector<ParseOutcome>& parts, const ParseLimits& limits) {
  ParseOutcome joined;
  joined.shape = Shape::Lines;
  std::uint64_t repaired = 0, controls = 0;
  bool more = false;
  for (ParseOutcome& part : parts) {
    joined.records_read += part.records_read;
    joined.records_used += part.records_used;
    joined.records_rejected += part.records_rejected;
    joined.bytes_skipped += part.bytes_skipped;
    joined.time_from_timestamp += part.time_from_timestamp;
    joined.file_error = joined.file_error || part.file_error;
    repaired += part.repaired_bytes;
    controls += part.repaired_controls;
    // A part keeps its first max_errors_per_file messages and a last line saying there were
    // more: the file keeps its first ones in all, and that line when any was left out.
    const std::size_t kept = std::min(part.messages.size(), limits.max_errors_per_file);
    if (part.messages.size() > kept) more = true;
    for (std::size_t i = 0; i < kept; ++i) {
      if (joined.messages.size() < limits.max_errors_per_file) {
        joined.messages.push_back(std::move(part.messages[i]));
      } else {
        more = true;
      }
    }
  }
  if (more) joined.messages.push_back("further messages for this file are not shown");
  if (repaired > 0 || controls > 0) {
    joined.messages.insert(
        joined.messages.begin(),
        fmt::format("{} invalid UTF-8 bytes and {} raw control characters in strings were "
                    "replaced by '?' and ' ' before reading",
                    repaired, controls));
  }
  return joined;
}

ParseOutcome EventReader::read(std::string_view data, std::uint32_t file_index,
                               const std::function<void(const EventView&)>& visit) {
  ParseOutcome outcome;
  Impl& im = *impl_;
  im.visit = &visit;
  im.outcome = &outcome;
  im.file_index = file_index;

  // A file that does not start like JSON is not an export at all: skipped, not failed.
  std::size_t first = 0;
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") first = 3;  // UTF-8 BOM
  while (first < data.size() &&
         (data[first] == ' ' || data[first] == '\n' || data[first] == '\r' || data[first] == '\t')) {
    ++first;
  }
  if (first == data.size()) {
    outcome.file_error = true;
    outcome.messages.push_back("no JSON content (only white space)");
    return outcome;
  }
  const char* base = data.data() + first;
  const std::size_t len = data.size() - first;
  const char* limit = data.data() + data.size() + kBufferPadding;
  const std::size_t allocated = std::size_t(limit - base);
  im.start_file(limit);
  if (data[first] != '{' && data[first] != '[') {
    // A partial download or a pasted capture starts inside a record: its whole records are
    // still evidence. Text with no record opener near its start is no export at all.
    const char* end = base + len;
    const char* scan_end = len > im.limits.max_record_bytes ? base + im.limits.max_record_bytes : end;
    if (find_record_opener(base, scan_end) != nullptr) {
      im.salvage(data.data(), base, end, "the file starts inside a record (cut at its start)");
      if (outcome.records_used > 0) return outcome;
      outcome = ParseOutcome{};
    }
    outcome.not_json = true;
    outcome.messages.push_back("not JSON (does not start with '{' or '['), skipped");
    return outcome;
  }

  // The common case, one top-level value (an S3 delivery file, an array, one event): one
  // stage-1 pass with the depth limit, then the records. Where the value ends before the
  // text does, what follows is more values (NDJSON, concatenated envelopes): read on.
  od::document doc;
  if (len > im.outer.capacity()) {
    // The parser's buffers grow to the file, by half at least: files a little larger than
    // the last would otherwise each replace them, and every fresh page costs a fault.
    // A failed allocation shows up again, as an error, in iterate().
    const std::size_t grown = std::max(len, im.outer.capacity() + im.outer.capacity() / 2);
    const error_code grew =
        im.outer.allocate(std::min(grown, im.outer.max_capacity()), im.limits.max_depth);
    static_cast<void>(grew);
  }
  error_code e = im.outer.iterate(base, len, allocated).get(doc);
  if (e == simdjson::SUCCESS) {
    Shape shape = Shape::Unknown;
    e = im.read_top_value(doc, limit, shape);
    outcome.shape = shape;
    if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT && outcome.records_read == 0) {
      // The text does not end where its first value would: several values (NDJSON,
      // concatenated envelopes) whose last is cut, or one value cut off. The stream reader
      // tells them apart and keeps every whole record.
      outcome.shape = Shape::Unknown;
      return read_many(im, outcome, base, len, first, limit, Shape::Unknown);
    }
    if (e) {
      const bool cut = e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
      im.salvage(data.data(), base, base + len,
                 fmt::format("{} JSON after {} records: {}", cut ? "truncated or invalid" : "invalid",
                             outcome.records_read, simdjson::error_message(e)));
      return outcome;
    }
    if (shape == Shape::Unknown) {
      outcome.file_error = true;
      outcome.messages.push_back(
          "not a CloudTrail export shape (no Records, Events, logEvents, QueryResultRows, "
          "detail or event fields)");
      return outcome;
    }
    if (shape == Shape::Digest) {
      outcome.digest = true;
      return outcome;
    }
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS && rest != nullptr &&
        rest > base && rest < base + len) {
      const auto offset = static_cast<std::size_t>(rest - base);
      return read_many(im, outcome, rest, len - offset, first + offset, limit, shape);
    }
    return outcome;
  }
  if ((e == simdjson::UTF8_ERROR || e == simdjson::UNESCAPED_CHARS) && !im.repairing) {
    // One bad byte must not cost every record of the file: repair the text, keeping every
    // offset, read it again, and say what was replaced. Nothing was visited yet (simdjson
    // validates the whole text before the first value), so the repair can be in place when
    // the caller allows it; otherwise it is made in a copy.
    char* text = nullptr;
    if (im.writable != nullptr) {
      text = im.writable;
    } else {
      im.repaired.assign(data.data(), data.size());
      im.repaired.append(kBufferPadding, '\0');
      text = im.repaired.data();
    }
    const auto [bad_bytes, controls] = repair_json_text(text + first, len);
    im.repairing = true;
    ParseOutcome repaired = read(std::string_view(text, data.size()), file_index, visit);
    im.repairing = false;
    if (im.writable == nullptr) {
      im.repaired.clear();
      im.repaired.shrink_to_fit();
    }
    repaired.messages.insert(
        repaired.messages.begin(),
        fmt::format("{} invalid UTF-8 bytes and {} raw control characters in strings were "
                    "replaced by '?' and ' ' before reading",
                    bad_bytes, controls));
    return repaired;
  }
  if (e == simdjson::MEMALLOC || e == simdjson::CAPACITY) {
    outcome.file_error = true;
    outcome.messages.push_back(fmt::format("invalid JSON: {}", simdjson::error_message(e)));
    return outcome;
  }
  // Cut off inside a string, or a quote too many: read the whole records around the damage.
  im.salvage(data.data(), base, base + len,
             e == simdjson::UNCLOSED_STRING
                 ? std::string("truncated JSON or an unbalanced quote: a string is not closed")
                 : fmt::format("invalid JSON: {}", simdjson::error_message(e)));
  return outcome;
}

ParseOutcome& EventReader::read_many(Impl& im, ParseOutcome& outcome, const char* base,
                                     std::size_t len, std::size_t first, const char* limit,
                                     Shape first_shape) {
  // Several top-level values: NDJSON, or envelopes concatenated with no separator. The
  // stream parser reallocates whenever its batch size changes, so that only grows.
  od::document_stream stream;
  while (im.batch < len) im.batch *= 2;
  error_code e = im.stream.iterate_many(base, len, im.batch).get(stream);
  if (e) {
    outcome.file_error = true;
    outcome.messages.push_back(fmt::format("invalid JSON: {}", simdjson::error_message(e)));
    return outcome;
  }
  // The value before `base` was read already and counts as the first document.
  std::size_t documents = first_shape == Shape::Unknown ? 0 : 1;
  Shape shape = first_shape;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    od::document_reference doc;
    e = (*it).get(doc);
    Shape this_shape = Shape::Unknown;
    if (!e) e = im.read_top_value(doc, limit, this_shape);
    if (!e && this_shape == Shape::Unknown) {
      outcome.file_error = true;
      outcome.messages.push_back(fmt::format(
          "JSON value at byte {} is not a CloudTrail export shape (no Records, Events, "
          "logEvents, QueryResultRows, detail or event fields)",
          first + it.current_index()));
    }
    if (e) {
      outcome.shape = documents == 0 ? Shape::Unknown : shape;
      im.salvage(base - first, base - first, base + len,
                 fmt::format("invalid JSON at byte {} (after {} records): {}",
                             first + it.current_index(), outcome.records_read,
                             simdjson::error_message(e)));
      return outcome;
    }
    ++documents;
    if (documents == 1) {
      shape = this_shape;
    } else if (this_shape == Shape::Single && (shape == Shape::Single || shape == Shape::Lines)) {
      shape = Shape::Lines;
    } else if (this_shape != shape) {
      shape = Shape::Mixed;
    }
  }
  if (!e && stream.truncated_bytes() > 0) {
    outcome.shape = documents == 0 ? Shape::Unknown : shape;
    im.salvage(base - first, base - first, base + len,
               documents == 0 ? std::string("truncated JSON: the value is cut off")
                              : fmt::format("truncated JSON: the last {} bytes do not complete a value",
                                            stream.truncated_bytes()));
    return outcome;
  }
  outcome.digest = shape == Shape::Digest;
  outcome.shape = shape;
  return outcome;
}

std::size_t json_value_length(const char* start, const char* limit) {
  const char* p = start;
  if (p >= limit) return 0;
  const char c = *p;
  if (c == '"') {
    ++p;
    while (p < limit) {
      if (*p == '\\') {
        p += 2;
        continue;
      }
      if (*p == '"') return static_cast<std::size_t>(p + 1 - start);
      ++p;
    }
    return 0;
  }
  if (c != '{' && c != '[') {
    // A scalar: up to the next delimiter.
    while (p < limit && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
           *p != '\r' && *p != '\t' && *p != '\0') {
      ++p;
    }
    return static_cast<std::size_t>(p - start);
  }
  std::size_t depth = 0;
  while (p < limit) {
    const char ch = *p;
    if (ch == '"') {
      ++p;
      while (p < limit && *p != '"') {
        if (*p == '\\') ++p;
        ++p;
      }
      if (p >= limit) return 0;
    } else if (ch == '{' || ch == '[') {
      ++depth;
    } else if (ch == '}' || ch == ']') {
      if (--depth == 0) return static_cast<std::size_t>(p + 1 - start);
    }
    ++p;
  }
  return 0;
}

std::string_view RawJson::text() const {
  if (!start_) return {};
  if (length_ != kUnknownLength) return {start_, length_};
  return {start_, json_value_length(start_, limit_)};
}

}  // namespace trailhound
