// The HTML printer: one self-contained page per run (investigate, scan, timeline) that fetches
// nothing: inline CSS, an inline SVG chart and one small inline script, all allowed by hash in
// a Content-Security-Policy whose default is 'none'. Every log field is HTML-escaped; no markup
// is ever built from a field.
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>

#include <fmt/format.h>

#include "print_buffer.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {
namespace {

using detect::Severity;

/// Rows the event table (and the findings list) holds; the rest are counted, and the page
/// says how to get them (--format jsonl).
constexpr std::size_t kMaxRows = 5000;
/// A record shown in the event table is cut after this many bytes of the page (its JSON is
/// then shown up to there, with a note), so that 5,000 rows stay a page a browser opens.
constexpr std::size_t kMaxRecordBytes = 16 * 1024;
/// A table cell (a user agent, a user name...) is cut after this many bytes of the page.
constexpr std::size_t kMaxCellBytes = 1024;
/// Lanes in the chart: the busiest ones, then one lane for all the others.
constexpr std::size_t kMaxLanes = 12;
/// Columns (time bins) in the chart at most.
constexpr std::int64_t kMaxBins = 480;
/// Rows of the summary tables (addresses, agents, actions...): the most frequent first.
constexpr std::size_t kMaxSummaryRows = 200;

// ---- SHA-256, for the CSP hashes of the page's own style and script -----------------------

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  static constexpr std::uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bits >> (i * 8)) & 0xff);
  auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int j = 0; j < 4; ++j) {
        w[i] = (w[i] << 8) | static_cast<std::uint8_t>(msg[off + static_cast<std::size_t>(i * 4 + j)]);
      }
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = s0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) {
      out[static_cast<std::size_t>(i * 4 + j)] = static_cast<std::uint8_t>(h[i] >> (24 - j * 8));
    }
  }
  return out;
}

std::string base64(const std::array<std::uint8_t, 32>& bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  // 32 bytes: two left over.
  const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
  out += alphabet[(v >> 18) & 63];
  out += alphabet[(v >> 12) & 63];
  out += alphabet[(v >> 6) & 63];
  out += '=';
  return out;
}

// ---- The page's own style and script ------------------------------------------------------

constexpr std::string_view kStyle = R"CSS(
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:1em 2em;color:#1b1f24;background:#fff}
h1{font-size:1.5em;margin:.2em 0 .6em}
h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.r{white-space:nowrap}
td.src{font-size:11px;color:#57606a}
th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[data-dir=asc]::after{content:" \25B2"}
th[data-dir=desc]::after{content:" \25BC"}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 1.2em;margin:0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-weight:600;font-size:12px}
.critical{background:#7d0a0a}.high{background:#cf222e}.medium{background:#9a6700}.low{background:#0969da}.informational{background:#6e7781}
.esc{color:#a40e26;background:#ffebe9;font-family:ui-monospace,monospace;font-size:12px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:6px;margin:4px 0;max-height:30em;overflow:auto;font-size:12px}
summary{cursor:pointer}
.note{color:#57606a}
.mono{font-family:ui-monospace,monospace;font-size:12px}
ul.reasons{margin:0;padding-left:1.2em}
input[type=search]{width:24em;max-width:100%;padding:3px;margin:.3em 0}
tr.hide{display:none}
svg.chart{display:block;max-width:100%;height:auto;border:1px solid #eaeef2}
svg.chart text{font:11px system-ui,sans-serif;fill:#1b1f24}
)CSS";

constexpr std::string_view kScript = R"JS(
"use strict";
document.querySelectorAll("table.sortable").forEach(function (t) {
  var heads = t.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener("click", function () {
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute("data-dir") !== "asc", num = th.classList.contains("n");
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", asc ? "asc" : "desc");
      rows.sort(function (x, y) {
        var a = x.cells[i].textContent, b = y.cells[i].textContent;
        var r = num ? (parseFloat(a) || 0) - (parseFloat(b) || 0) : a.localeCompare(b);
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.querySelectorAll("input[data-filter]").forEach(function (box) {
  var t = document.getElementById(box.getAttribute("data-filter"));
  box.addEventListener("input", function () {
    var q = box.value.toLowerCase();
    Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {
      r.classList.toggle("hide", q !== "" && r.textContent.toLowerCase().indexOf(q) < 0);
    });
  });
});
)JS";

/// The policy: nothing may be fetched, and only the page's own style and script apply.
const std::string& content_security_policy() {
  static const std::string csp = fmt::format(
      "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src 'none'; "
      "base-uri 'none'; form-action 'none'",
      base64(sha256(kStyle)), base64(sha256(kScript)));
  return csp;
}

// ---- Escaping ----------------------------------------------------------------------------

/// Appends a visible escape (`\x1b`, `\u202e`) marked as such.
void append_visible_escape(std::string& out, std::string_view escape) {
  out += "<span class=\"esc\">";
  out += escape;
  out += "</span>";
}

/// Appends `text` as HTML text (element content; also safe in a quoted attribute, though no
/// field is ever put in one). Markup characters become entities; control characters, invalid
/// UTF-8 bytes and Unicode format controls that reorder or hide text (bidi overrides,
/// zero-width characters...) are shown as visible escapes, so a field can neither add markup
/// nor disguise what it says. Stops at a character boundary once `limit` bytes have been
/// appended; returns how many bytes of `text` were written (text.size() when all).
std::size_t append_html(std::string& out, std::string_view text,
                        std::size_t limit = std::string::npos) {
  const std::size_t start = out.size();
  std::size_t i = 0;
  while (i < text.size() && out.size() - start < limit) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\n': append_visible_escape(out, "\\n"); break;
        case '\r': append_visible_escape(out, "\\r"); break;
        case '\t': append_visible_escape(out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f) {
            append_visible_escape(out, fmt::format("\\x{:02x}", c));
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      append_visible_escape(out, fmt::format("\\x{:02x}", c));
      ++i;
      continue;
    }
    std::uint32_t cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    const std::string_view seq = text.substr(i, n);
    if (cp < 0xa0 || has_hiding_format_control(seq)) {  // C1 controls, format controls
      append_visible_escape(out, cp > 0xffff ? fmt::format("\\U{:08x}", cp) : fmt::format("\\u{:04x}", cp));
    } else {
      out += seq;
    }
    i += n;
  }
  return i;
}

std::string html(std::string_view text) {
  std::string out;
  append_html(out, text);
  return out;
}

/// A table cell's text: escaped, and cut after kMaxCellBytes of it with the size said, so one
/// 32 MiB field does not become a 32 MiB cell.
std::string cell(std::string_view text) {
  std::string out;
  const std::size_t used = append_html(out, text, kMaxCellBytes);
  if (used < text.size()) out += fmt::format("\u2026 <span class=\"note\">({} bytes)</span>", text.size());
  return out;
}

/// An absent value is shown as `-`.
std::string html_or_dash(std::string_view text) { return text.empty() ? "-" : cell(text); }

/// Cuts `text` to at most `bytes` on a UTF-8 boundary, ending it in `…` when cut.
std::string cut(std::string_view text, std::size_t bytes) {
  if (text.size() <= bytes) return std::string(text);
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "\u2026";
}

/// Re-indents one line of valid JSON for reading: two spaces per level, a line per member.
std::string pretty_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 4);
  int depth = 0;
  bool in_string = false, escaped = false;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<std::size_t>(std::max(depth, 0)) * 2, ' ');
  };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; out += c; break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) break;
        ++depth;
        newline();
        break;
      case '}':
      case ']':
        if (i > 0 && json[i - 1] != '{' && json[i - 1] != '[') {
          --depth;
          newline();
        }
        out += c;
        break;
      case ',': out += c; newline(); break;
      case ':': out += ": "; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view short_source(std::string_view event_source) {
  const auto dot = event_source.find(".amazonaws.com");
  return dot == std::string_view::npos ? event_source : event_source.substr(0, dot);
}

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::Critical: return "#7d0a0a";
    case Severity::High: return "#cf222e";
    case Severity::Medium: return "#9a6700";
    case Severity::Low: return "#0969da";
    case Severity::Informational: return "#6e7781";
  }
  return "#6e7781";
}

std::string severity_badge(Severity s) {
  const std::string_view name = detect::to_string(s);
  return fmt::format("<span class=\"sev {}\">{}</span>", name, name);
}

/// The most frequent entries first (ties by name), at most `n`.
std::vector<std::pair<std::string_view, std::uint64_t>> top(const CountMap& m, std::size_t n) {
  std::vector<std::pair<std::string_view, std::uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

/// A chart's time unit: its length and its name.
struct BinUnit {
  TimeMs ms = 60'000;
  std::string name = "minute";
};

/// Per minute up to 6 hours, per hour up to 20 days, per day beyond; a multiple of the unit
/// when that would still give more than kMaxBins columns.
BinUnit choose_unit(TimeMs span) {
  constexpr TimeMs minute = 60'000, hour = 60 * minute, day = 24 * hour;
  BinUnit u;
  if (span <= 6 * hour) {
    u = {minute, "minute"};
  } else if (span <= 20 * day) {
    u = {hour, "hour"};
  } else {
    u = {day, "day"};
  }
  const TimeMs bins = span / u.ms + 1;
  if (bins > kMaxBins) {
    const TimeMs k = (bins + kMaxBins - 1) / kMaxBins;
    u.ms *= k;
    u.name = fmt::format("{} {}s", k, u.name);
  }
  return u;
}

/// A chart time label: the date and the minute, UTC.
std::string chart_time(TimeMs t) {
  std::string iso = format_iso(t);  // 2026-03-14T10:30:00Z (or with milliseconds)
  if (iso.size() >= 16) iso = iso.substr(0, 10) + " " + iso.substr(11, 5);
  return iso;
}

class HtmlPrinter final : public Printer {
 public:
  HtmlPrinter(std::ostream& out, const PrinterOptions& o) : buf_(out), options_(o) {}

  void begin(const PrintBegin& b) override {
    command_ = b.command;
    files_ = b.files;
    grouped_ = b.grouped;
    asked_ = b.asked;
  }
  void section(std::string_view title) override { section_ = std::string(title); }
  void file_problem(const FileProblem& p) override {
    std::string& s = problems_;
    s += "<tr><td>";
    s += p.failed ? "failed" : "skipped";
    s += "</td><td class=\"mono\">";
    append_html(s, p.path);
    s += "</td><td>";
    for (std::size_t i = 0; i < p.reasons.size(); ++i) {
      if (i) s += "<br>";
      append_html(s, p.reasons[i]);
    }
    s += "</td></tr>\n";
    ++problem_count_;
  }
  void event(const OwnedEvent& e) override {
    ++events_;
    add_point(e.time, command_ == Command::Investigate ? std::string_view(e.source_ip)
                                                       : std::string_view(e.principal.user));
    ++principals_[e.principal.user.empty() ? e.principal.key() : e.principal.user];
    if (rows_ >= kMaxRows) return;
    ++rows_;
    std::string& s = event_rows_;
    s += "<tr><td class=\"t\">";
    s += html(format_iso(e.time));
    s += "</td><td>";
    s += html_or_dash(e.principal.user);
    s += "</td><td>";
    s += html_or_dash(short_source(e.event_source));
    s += "</td><td>";
    s += html_or_dash(e.event_name);
    s += "</td><td>";
    s += html_or_dash(e.region);
    s += "</td><td class=\"mono\">";
    s += html_or_dash(e.source_ip);
    s += "</td><td>";
    s += html_or_dash(e.error_code);
    s += "</td><td>";
    s += html_or_dash(e.user_agent);
    s += "</td><td><details><summary>";
    s += html(files_ != nullptr && e.source.file < files_->size()
                  ? fmt::format("{} #{}", short_path(files_->at(e.source.file).path), e.source.index)
                  : fmt::format("#{}", e.source.index));
    s += "</summary><pre>";
    const std::string pretty = pretty_json(e.record);
    if (append_html(s, pretty, kMaxRecordBytes) < pretty.size()) {
      s += "</pre><p class=\"note\">";
      s += fmt::format("The record ({} bytes) is cut here: --format jsonl prints it whole.",
                       e.record.size());
      s += "</p>";
    } else {
      s += "</pre>";
    }
    s += "</details></td></tr>\n";
  }
  void finding(const detect::Finding& f) override {
    const auto sev = static_cast<std::size_t>(f.severity);
    ++by_severity_[sev];
    add_mark(f.time, lane_of(f), f.severity);
    if (findings_shown_ >= kMaxRows) return;
    ++findings_shown_;
    std::string& s = finding_rows_[sev];
    s += "<tr><td class=\"t\">";
    s += html(format_iso(f.time));
    s += "</td><td>";
    s += severity_badge(f.severity);
    s += "</td><td class=\"mono r\">";
    s += html(f.rule);
    s += "</td><td>";
    s += html_or_dash(f.principal.user);
    s += " <span class=\"note\">(";
    s += html(f.principal.type);
    if (!f.principal.access_key.empty()) {
      s += ", key ";
      s += html(f.principal.access_key);
    }
    s += ")</span></td><td class=\"mono\">";
    s += html_or_dash(f.source_ip);
    s += place_note(f.source_ip);
    s += "</td><td>";
    s += html(short_source(f.event_source));
    s += ' ';
    s += html(f.event_name);
    s += " <span class=\"note\">";
    s += html_or_dash(f.region);
    s += "</span></td><td><ul class=\"reasons\">";
    for (const auto& r : f.reasons) {
      s += "<li>";
      s += html(r);
      s += "</li>";
    }
    s += "</ul></td><td>";
    s += html_or_dash(f.guardduty_type);
    s += "</td><td class=\"mono src\">";
    if (files_ != nullptr && f.source.file < files_->size()) {
      s += html(fmt::format("{} #{}", short_path(files_->at(f.source.file).path), f.source.index));
    }
    s += "<br>";
    s += html(f.id);
    s += "</td></tr>\n";
  }
  void group(const FindingGroup& g) override {
    const auto sev = static_cast<std::size_t>(g.severity);
    by_severity_[sev] += g.count;
    add_mark(g.first_seen, lane_of(*g.first), g.severity);
    add_mark(g.last_seen, lane_of(*g.first), g.severity);
    if (findings_shown_ >= kMaxRows) return;
    ++findings_shown_;
    std::string& s = finding_rows_[sev];
    s += "<tr><td class=\"t\">";
    s += html(format_iso(g.first_seen));
    s += "<br>";
    s += html(format_iso(g.last_seen));
    s += "</td><td>";
    s += severity_badge(g.severity);
    s += "</td><td class=\"mono r\">";
    s += html(g.first->rule);
    s += "</td><td>";
    s += html_or_dash(g.first->principal.user);
    s += "</td><td class=\"mono\">";
    s += html_or_dash(g.first->source_ip);
    s += place_note(g.first->source_ip);
    s += "</td><td>";
    bool first = true;
    for (const auto& [name, count] : g.events) {
      if (!first) s += ", ";
      first = false;
      s += html(name);
      s += fmt::format(" ({})", count);
    }
    s += "</td><td><ul class=\"reasons\">";
    for (const auto& r : g.first->reasons) {
      s += "<li>";
      s += html(r);
      s += "</li>";
    }
    s += "</ul></td><td>";
    s += html_or_dash(g.first->guardduty_type);
    s += "</td><td class=\"n\">";
    s += fmt::format("{}", g.count);
    s += "</td></tr>\n";
  }
  // Commands this format does not print (the format table refuses them).
  void principal(std::string_view, const ActivityStats&) override {}
  void ip(const IpRow&) override {}
  void ip_list(const intel::ListInfo&) override {}
  void aws_ranges(const intel::AwsRangesInfo&) override {}
  void rule(const detect::RuleInfo&) override {}
  void network_kind(const detect::NetworkKind&) override {}

  void summary(const RunSummary& r) override { write_page(r); }
  void end() override { buf_.flush(); }

 private:
  /// A chart point: its time and lane (an index into lanes_).
  struct Point {
    TimeMs time;
    std::uint32_t lane;
  };
  /// A finding mark: its time, lane and severity.
  struct Mark {
    TimeMs time;
    std::uint32_t lane;
    Severity severity;
  };

  std::uint32_t lane_index(std::string_view key) {
    auto it = lane_ids_.find(key);
    if (it == lane_ids_.end()) {
      it = lane_ids_.emplace(std::string(key), static_cast<std::uint32_t>(lane_names_.size())).first;
      lane_names_.push_back(it->first);
      lane_counts_.push_back(0);
    }
    return it->second;
  }
  void add_point(TimeMs t, std::string_view key) {
    const std::uint32_t lane = lane_index(key);
    ++lane_counts_[lane];
    points_.push_back({t, lane});
  }
  std::string_view lane_of(const detect::Finding& f) const {
    return command_ == Command::Investigate ? f.source_ip : f.principal.user;
  }
  void add_mark(TimeMs t, std::string_view key, Severity sev) {
    marks_.push_back({t, lane_index(key), sev});
  }
  /// The file's name, and its folder's when short: the table stays readable; the header
  /// names the inputs in full.
  static std::string_view short_path(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
  }
  /// ` (US, Boston, AS16625 Akamai)` when --geoip places the address.
  std::string place_note(std::string_view address) const {
    const intel::GeoInfo* g = options_.geo && !address.empty() ? options_.geo(address) : nullptr;
    const std::string brief = g != nullptr ? g->brief() : std::string();
    if (brief.empty()) return {};
    return "<br><span class=\"note\">" + html(brief) + "</span>";
  }
  /// The lists that hold `address`, and AWS's range, as escaped text ("" when none).
  std::string lists_of(std::string_view address) const {
    if (options_.intel == nullptr) return {};
    intel::IpAddr addr;
    if (intel::classify_source(address, &addr) != intel::SourceClass::Address) return {};
    intel::LookupResult hit;
    options_.intel->lookup(addr, hit);
    std::string s;
    for (std::size_t i = 0; i < hit.count; ++i) {
      const intel::ListInfo& list = options_.intel->lists()[hit.hits[i].list];
      if (!s.empty()) s += ", ";
      s += html(fmt::format("{} ({}, {})", list.name, to_string(list.role), to_string(hit.hits[i].prefix)));
    }
    if (hit.aws != nullptr) {
      if (!s.empty()) s += ", ";
      std::string services;
      for (const auto& sv : hit.aws->services) services += (services.empty() ? "" : ",") + sv;
      s += html(fmt::format("AWS {} ({})", services, to_string(hit.aws->prefix)));
    }
    if (hit.private_network) s += std::string(s.empty() ? "" : ", ") + "private network";
    return s;
  }

  void write_page(const RunSummary& r) {
    std::string& s = buf_.text;
    const std::string_view cmd = to_string(command_);
    s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += "<meta http-equiv=\"Content-Security-Policy\" content=\"";
    s += content_security_policy();
    s += "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n";
    s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    s += fmt::format("<title>trailhound {}</title>\n<style>", cmd);
    s += kStyle;
    s += "</style>\n</head>\n<body>\n";
    s += fmt::format("<h1>trailhound {}</h1>\n", cmd);
    write_header(r);
    buf_.maybe_flush();
    write_chart(r);
    buf_.maybe_flush();
    if (r.findings != nullptr) write_findings();
    if (r.stats != nullptr) write_activity(*r.stats);
    if (command_ != Command::Scan) write_events();
    s += "<script>";
    s += kScript;
    s += "</script>\n</body>\n</html>\n";
  }

  void write_header(const RunSummary& r) {
    std::string& s = buf_.text;
    s += "<section id=\"asked\">\n<dl class=\"meta\">\n";
    for (const auto& [label, value] : asked_) {
      s += "<dt>";
      s += html(label);
      s += "</dt><dd class=\"mono\">";
      s += html(value);
      s += "</dd>\n";
    }
    if (!r.window.empty()) {
      s += "<dt>window</dt><dd>";
      s += html(r.window);
      s += "</dd>\n";
    }
    if (options_.intel != nullptr) {
      s += "<dt>lists</dt><dd>";
      std::string lists;
      for (const auto& l : options_.intel->lists()) {
        if (!lists.empty()) lists += ", ";
        lists += fmt::format("{} ({}, {} IPv4, {} IPv6)", l.name, to_string(l.role), l.ipv4, l.ipv6);
      }
      for (const auto& a : options_.intel->aws_files()) {
        if (!lists.empty()) lists += ", ";
        lists += fmt::format("AWS ip-ranges (created {})", a.create_date);
      }
      s += lists.empty() ? "none" : html(lists);
      s += "</dd>\n";
    }
    if (r.totals != nullptr) {
      const RunTotals& t = *r.totals;
      s += "<dt>files</dt><dd>";
      s += fmt::format("{} read, {} skipped, {} failed, {} pruned by name", t.files_read,
                       t.files_skipped, t.files_failed, t.files_pruned);
      s += "</dd>\n<dt>records</dt><dd>";
      s += fmt::format("{} read, {} used, {} rejected, {} duplicates dropped, {} matched",
                       t.records_read, t.records_used, t.records_rejected, t.records_duplicate,
                       r.matched);
      s += "</dd>\n";
    }
    if (r.findings != nullptr) {
      s += "<dt>findings</dt><dd>";
      s += fmt::format("{} (critical {}, high {}, medium {}, low {}, informational {})",
                       by_severity_[0] + by_severity_[1] + by_severity_[2] + by_severity_[3] +
                           by_severity_[4],
                       by_severity_[4], by_severity_[3], by_severity_[2], by_severity_[1],
                       by_severity_[0]);
      s += "</dd>\n";
      if (r.detect != nullptr) {
        const auto& sp = r.detect->suppressed;
        if (sp.trusted + sp.principal + sp.event > 0) {
          s += fmt::format("<dt>suppressed</dt><dd>{} on trusted lists, {} by principal, {} by "
                           "event name</dd>\n",
                           sp.trusted, sp.principal, sp.event);
        }
        for (const auto& n : r.detect->notes) {
          s += "<dt>note</dt><dd>";
          s += html(n);
          s += "</dd>\n";
        }
      }
    }
    s += "</dl>\n";
    if (problem_count_ > 0) {
      s += fmt::format("<details open><summary>{} file(s) failed or skipped</summary>\n", problem_count_);
      s += "<table class=\"sortable\"><thead><tr><th>what</th><th>file</th><th>reason</th></tr>"
           "</thead><tbody>\n";
      s += problems_;
      s += "</tbody></table></details>\n";
    }
    s += "</section>\n";
  }

  void write_findings() {
    std::string& s = buf_.text;
    const std::uint64_t total = by_severity_[0] + by_severity_[1] + by_severity_[2] +
                                by_severity_[3] + by_severity_[4];
    s += "<section id=\"findings\">\n<h2>Findings</h2>\n";
    if (total == 0) {
      s += "<p>No findings.</p>\n</section>\n";
      return;
    }
    if (findings_shown_ >= kMaxRows) {
      s += fmt::format("<p class=\"note\">The first {} {} are listed; --format jsonl lists them "
                       "all.</p>\n",
                       kMaxRows, grouped_ ? "groups" : "findings");
    }
    for (int sev = 4; sev >= 0; --sev) {
      const auto i = static_cast<std::size_t>(sev);
      if (by_severity_[i] == 0) continue;
      const std::string_view name = detect::to_string(static_cast<Severity>(sev));
      s += fmt::format("<details open><summary><strong>{} ({})</strong></summary>\n", name, by_severity_[i]);
      s += "<table class=\"sortable\"><thead><tr>";
      if (grouped_) {
        s += "<th>first / last</th><th>severity</th><th>rule</th><th>principal</th><th>source "
             "address</th><th>events</th><th>reasons</th><th>GuardDuty type</th><th "
             "class=\"n\">count</th>";
      } else {
        s += "<th>time</th><th>severity</th><th>rule</th><th>principal</th><th>source "
             "address</th><th>event</th><th>reasons</th><th>GuardDuty type</th><th>record, "
             "id</th>";
      }
      s += "</tr></thead><tbody>\n";
      s += finding_rows_[i];
      s += "</tbody></table></details>\n";
      buf_.maybe_flush();
    }
    s += "</section>\n";
  }

  void write_chart(const RunSummary& r) {
    std::string& s = buf_.text;
    const bool of_events = !points_.empty();
    s += "<section id=\"chart\">\n<h2>Timeline</h2>\n";
    if (points_.empty() && marks_.empty()) {
      s += "<p>Nothing to chart: no events and no findings.</p>\n</section>\n";
      return;
    }
    // Findings alone (scan): the chart counts findings per lane.
    if (!of_events) {
      for (const Mark& m : marks_) {
        ++lane_counts_[m.lane];
        points_.push_back({m.time, m.lane});
      }
    }
    TimeMs t0 = points_.front().time, t1 = t0;
    for (const Point& p : points_) {
      t0 = std::min(t0, p.time);
      t1 = std::max(t1, p.time);
    }
    for (const Mark& m : marks_) {
      t0 = std::min(t0, m.time);
      t1 = std::max(t1, m.time);
    }
    // The chart spans the activity; investigate's window is shaded where it falls in it.
    const BinUnit unit = choose_unit(t1 - t0);
    t0 -= ((t0 % unit.ms) + unit.ms) % unit.ms;  // start on a unit boundary (UTC)
    const TimeMs bins = (t1 - t0) / unit.ms + 1;

    // The busiest lanes get a row each; the others share the last.
    std::vector<std::uint32_t> order(lane_names_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return lane_counts_[a] > lane_counts_[b];
    });
    const std::size_t shown = std::min(order.size(), kMaxLanes);
    const bool other = order.size() > kMaxLanes;
    std::vector<std::uint32_t> row_of(lane_names_.size(), static_cast<std::uint32_t>(shown));
    for (std::size_t i = 0; i < shown; ++i) row_of[order[i]] = static_cast<std::uint32_t>(i);
    const std::size_t rows = shown + (other ? 1 : 0);

    std::vector<std::uint64_t> counts(rows * static_cast<std::size_t>(bins), 0);
    for (const Point& p : points_) {
      ++counts[row_of[p.lane] * static_cast<std::size_t>(bins) + static_cast<std::size_t>((p.time - t0) / unit.ms)];
    }
    const std::uint64_t peak = *std::max_element(counts.begin(), counts.end());

    constexpr int label_w = 220, plot_w = 960, lane_h = 30, top = 34, axis_h = 40;
    const int width = label_w + plot_w + 10;
    const int height = top + static_cast<int>(rows) * lane_h + axis_h;
    const double col_w = static_cast<double>(plot_w) / static_cast<double>(bins);
    auto x_of = [&](TimeMs t) {
      return label_w + static_cast<double>(t - t0) / static_cast<double>(unit.ms) * col_w;
    };
    const bool shade = r.window_span && x_of(r.window_span->second) > label_w &&
                       x_of(r.window_span->first) < label_w + plot_w;
    const std::string_view what = of_events ? "events" : "findings";
    s += fmt::format("<p class=\"note\">{} per {}, one lane per {}; the height of a bar is its "
                     "count against the busiest bar ({}). ",
                     what, unit.name,
                     command_ == Command::Investigate ? "source address" : "principal", peak);
    if (!marks_.empty()) s += "Triangles mark findings, coloured by severity. ";
    if (shade) s += "The shaded band is the window around the first finding. ";
    s += "All times UTC.</p>\n";
    s += fmt::format("<svg class=\"chart\" width=\"{}\" "
                     "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
                     width, height, width, height);
    s += fmt::format("<title>{} per {}</title>\n", what, unit.name);
    if (shade) {
      const double x0 = std::max<double>(label_w, x_of(r.window_span->first));
      const double x1 = std::min<double>(label_w + plot_w, x_of(r.window_span->second) + col_w);
      s += fmt::format("<rect class=\"window\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
                       "fill=\"#fff8c5\"><title>",
                       x0, top - 6, std::max(1.0, x1 - x0), static_cast<int>(rows) * lane_h + 6);
      s += html(section_.empty() ? std::string(r.window) : section_);
      s += "</title></rect>\n";
    }
    if (r.findings != nullptr && r.findings->begin() != r.findings->end()) {
      const double x = x_of(r.findings->begin()->time) + col_w / 2;
      s += fmt::format("<line class=\"first\" x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" "
                       "stroke=\"#cf222e\" stroke-dasharray=\"3 3\"/><text x=\"{:.1f}\" y=\"{}\" "
                       "text-anchor=\"{}\">first finding {}</text>\n",
                       x, top - 8, x, top + static_cast<int>(rows) * lane_h, x, top - 10,
                       x > label_w + plot_w / 2 ? "end" : "start",
                       chart_time(r.findings->begin()->time));
    }
    for (std::size_t row = 0; row < rows; ++row) {
      const int y = top + static_cast<int>(row) * lane_h;
      s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d0d7de\"/>\n",
                       label_w, y + lane_h - 2, label_w + plot_w, y + lane_h - 2);
      std::string label;
      if (row < shown) {
        const std::string& name = lane_names_[order[row]];
        label = name.empty() ? std::string("(none)") : cut(name, 34);
        label += fmt::format(" ({})", lane_counts_[order[row]]);
      } else {
        std::uint64_t rest = 0;
        for (std::size_t i = shown; i < order.size(); ++i) rest += lane_counts_[order[i]];
        label = fmt::format("{} others ({})", order.size() - shown, rest);
      }
      s += fmt::format("<text x=\"4\" y=\"{}\">", y + lane_h - 10);
      append_html(s, label);
      s += "</text>\n";
      for (TimeMs b = 0; b < bins; ++b) {
        const std::uint64_t c = counts[row * static_cast<std::size_t>(bins) + static_cast<std::size_t>(b)];
        if (c == 0) continue;
        const double h = std::max(2.0, (lane_h - 6) * static_cast<double>(c) / static_cast<double>(peak));
        s += fmt::format("<rect class=\"bin\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                         "height=\"{:.1f}\" fill=\"#0969da\"><title>{}: {} {}</title></rect>\n",
                         x_of(t0 + b * unit.ms), y + lane_h - 2 - h, std::max(1.0, col_w - 0.5), h,
                         chart_time(t0 + b * unit.ms), c, what);
      }
      buf_.maybe_flush();
    }
    // Finding marks: one per pixel column and lane, the worst severity there.
    std::map<std::pair<std::size_t, int>, std::pair<Severity, std::uint64_t>> cells;
    for (const Mark& m : marks_) {
      auto& cell = cells[{row_of[m.lane], static_cast<int>(x_of(m.time))}];
      if (cell.second == 0 || m.severity > cell.first) cell.first = m.severity;
      ++cell.second;
    }
    for (const auto& [key, cell] : cells) {
      const int y = top + static_cast<int>(key.first) * lane_h;
      const double x = key.second + col_w / 2;
      s += fmt::format("<path class=\"finding\" d=\"M{:.1f} {} l-5 -9 h10 z\" fill=\"{}\" "
                       "stroke=\"#fff\"><title>{} finding(s), worst {}</title></path>\n",
                       x, y + 10, severity_color(cell.first), cell.second,
                       detect::to_string(cell.first));
    }
    // The time axis: six labels.
    const int axis_y = top + static_cast<int>(rows) * lane_h;
    for (int i = 0; i <= 5; ++i) {
      const TimeMs t = t0 + (bins * unit.ms) * i / 5;
      const double x = x_of(t);
      s += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#8c959f\"/>"
                       "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"{}\">{}</text>\n",
                       x, axis_y, x, axis_y + 5, x, axis_y + 18,
                       i == 0 ? "start" : i == 5 ? "end" : "middle", chart_time(t));
    }
    s += "</svg>\n</section>\n";
  }

  /// A table of the most frequent values of `m`, with extra columns from `extra`.
  void write_counts(std::string_view id, std::string_view title, const CountMap& m,
                    std::uint64_t absent, std::string_view head,
                    const std::function<std::string(std::string_view)>& extra = {},
                    std::string_view extra_head = {}) {
    std::string& s = buf_.text;
    s += fmt::format("<h3>{} ({})</h3>\n", title, m.size());
    if (m.empty() && absent == 0) {
      s += "<p class=\"note\">none</p>\n";
      return;
    }
    s += fmt::format("<table class=\"sortable\" id=\"{}\"><thead><tr><th>{}</th><th "
                     "class=\"n\">events</th>{}</tr></thead><tbody>\n",
                     id, head, extra_head);
    for (const auto& [value, count] : top(m, kMaxSummaryRows)) {
      s += "<tr><td class=\"mono\">";
      s += html_or_dash(value);
      s += fmt::format("</td><td class=\"n\">{}</td>", count);
      if (extra) s += extra(value);
      s += "</tr>\n";
    }
    if (absent > 0) {
      s += fmt::format("<tr><td class=\"note\">(absent)</td><td class=\"n\">{}</td>", absent);
      if (extra) s += extra({});
      s += "</tr>\n";
    }
    s += "</tbody></table>\n";
    if (m.size() > kMaxSummaryRows) {
      s += fmt::format("<p class=\"note\">{} more not shown.</p>\n", m.size() - kMaxSummaryRows);
    }
    buf_.maybe_flush();
  }

  void write_activity(const ActivityStats& st) {
    std::string& s = buf_.text;
    s += "<section id=\"activity\">\n<h2>Activity</h2>\n<p>";
    s += fmt::format("{} events", st.events);
    if (st.events > 0) {
      s += fmt::format(", first {}, last {}", format_iso(st.first_seen), format_iso(st.last_seen));
    }
    if (command_ == Command::Investigate) s += " (in the window shown)";
    s += ".</p>\n";
    CountMap principals(principals_.begin(), principals_.end());
    write_counts("principals", "Principals", principals, 0, "principal");
    auto extra = [this](std::string_view address) {
      std::string cells = "<td>" + lists_of(address) + "</td>";
      if (options_.geo) {
        const intel::GeoInfo* g = address.empty() ? nullptr : options_.geo(address);
        cells += "<td>";
        if (g != nullptr && !g->country.empty()) {
          cells += html(g->country_name.empty() ? g->country
                                                : fmt::format("{} {}", g->country, g->country_name));
        }
        cells += "</td><td>";
        if (g != nullptr && g->asn != 0) {
          cells += html(g->as_org.empty() ? fmt::format("AS{}", g->asn)
                                          : fmt::format("AS{} {}", g->asn, g->as_org));
        }
        cells += "</td><td>";
        if (g != nullptr && g->anonymity_known) cells += html(g->anonymiser() ? g->anonymiser_kinds() : "no");
        cells += "</td>";
      }
      return cells;
    };
    write_counts("addresses", "Source addresses", st.source_ips, st.absent_source_ip, "address",
                 extra,
                 options_.geo ? "<th>lists</th><th>country</th><th>ASN</th><th>anonymiser</th>"
                              : "<th>lists</th>");
    write_counts("keys", "Access keys", st.access_keys, 0, "key");
    write_counts("agents", "User agents", st.user_agents, st.absent_user_agent, "user agent");
    write_counts("regions", "Regions", st.regions, st.absent_region, "region");
    write_counts("actions", "Actions", st.actions, 0, "action");
    s += fmt::format("<p>{} of the events failed.</p>\n", st.errors);
    write_counts("errors", "Errors", st.error_codes, 0, "error code");
    s += "</section>\n";
  }

  void write_events() {
    std::string& s = buf_.text;
    s += "<section id=\"events\">\n<h2>Events</h2>\n";
    if (!section_.empty()) {
      s += "<p>";
      s += html(section_);
      s += "</p>\n";
    }
    if (events_ > rows_) {
      s += fmt::format("<p class=\"note\">The first {} of {} events are listed; --format jsonl "
                       "prints every event.</p>\n",
                       rows_, events_);
    }
    if (rows_ == 0) {
      s += "<p>No events.</p>\n</section>\n";
      return;
    }
    s += "<input type=\"search\" placeholder=\"filter rows\" data-filter=\"event-table\" "
         "aria-label=\"filter the events\">\n";
    s += "<table class=\"sortable\" id=\"event-table\"><thead><tr><th>time</th><th>principal</th>"
         "<th>service</th><th>event</th><th>region</th><th>source address</th><th>error</th>"
         "<th>user agent</th><th>record</th></tr></thead><tbody>\n";
    buf_.flush();
    // The rows are written as they are: swapped into the emptied buffer, not copied.
    std::swap(buf_.text, event_rows_);
    buf_.flush();
    s += "</tbody></table>\n</section>\n";
  }

  PrintBuffer buf_;
  PrinterOptions options_;
  Command command_ = Command::Timeline;
  const FileTable* files_ = nullptr;
  bool grouped_ = false;
  std::vector<std::pair<std::string, std::string>> asked_;
  std::string section_;
  std::string problems_;
  std::size_t problem_count_ = 0;
  // Events: every one counted and charted; the first kMaxRows rendered.
  std::uint64_t events_ = 0;
  std::size_t rows_ = 0;
  std::string event_rows_;
  std::map<std::string, std::uint64_t, std::less<>> principals_;
  // Findings (or groups): per severity, the first kMaxRows rendered.
  std::array<std::uint64_t, 5> by_severity_{};
  std::array<std::string, 5> finding_rows_;
  std::size_t findings_shown_ = 0;
  // The chart's data: lanes by first appearance, a point per event, a mark per finding.
  std::map<std::string, std::uint32_t, std::less<>> lane_ids_;
  std::vector<std::string> lane_names_;
  std::vector<std::uint64_t> lane_counts_;
  std::vector<Point> points_;
  std::vector<Mark> marks_;
};

}  // namespace

std::unique_ptr<Printer> make_html_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<HtmlPrinter>(out, options);
}

}  // namespace trailhound
