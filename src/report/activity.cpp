// Activity statistics, terminal width and colour, and the aligned text table.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "trailhound/escape.hpp"
#include "trailhound/report.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound {

namespace {
void bump(CountMap& m, std::string_view key) {
  const auto it = m.find(key);
  if (it == m.end()) m.emplace(std::string(key), 1);
  else ++it->second;
}
}  // namespace

namespace {
/// Counts one event into `s`, whichever form (view or owned) its fields come in.
void count_event(ActivityStats& s, TimeMs time, std::string_view error_code,
                 std::string_view source_ip, std::string_view region, std::string_view agent,
                 std::string_view access_key, std::string_view source, std::string_view name) {
  if (s.events == 0 || time < s.first_seen) s.first_seen = time;
  if (s.events == 0 || time > s.last_seen) s.last_seen = time;
  ++s.events;
  if (!error_code.empty()) {
    ++s.errors;
    bump(s.error_codes, error_code);
  }
  // Absent is not a value: counted apart, never as "".
  if (source_ip.empty()) ++s.absent_source_ip;
  else bump(s.source_ips, source_ip);
  if (region.empty()) ++s.absent_region;
  else bump(s.regions, region);
  if (agent.empty()) ++s.absent_user_agent;
  else bump(s.user_agents, agent);
  if (!access_key.empty()) bump(s.access_keys, access_key);
  thread_local std::string action;  // reused: no allocation once it has grown
  action.assign(source);
  action += ':';
  action += name;
  bump(s.actions, action);
}
}  // namespace

void ActivityStats::add(const EventView& e) {
  count_event(*this, e.time, e.error_code, e.source_ip, e.aws_region, e.user_agent,
              e.identity.access_key_id, e.event_source, e.event_name);
}

void ActivityStats::add(const OwnedEvent& e) {
  count_event(*this, e.time, e.error_code, e.source_ip, e.region, e.user_agent,
              e.principal.access_key, e.event_source, e.event_name);
}

void ActivityStats::merge(const ActivityStats& o) {
  if (o.events == 0) return;
  // The principal of the earliest event, the smallest on a tie (SummarySink's rule), so that
  // the order of merging does not change it.
  if (events == 0 || o.first_seen < first_seen ||
      (o.first_seen == first_seen && o.principal < principal)) {
    principal = o.principal;
  }
  if (events == 0 || o.first_seen < first_seen) first_seen = o.first_seen;
  if (events == 0 || o.last_seen > last_seen) last_seen = o.last_seen;
  events += o.events;
  errors += o.errors;
  absent_source_ip += o.absent_source_ip;
  absent_region += o.absent_region;
  absent_user_agent += o.absent_user_agent;
  auto add_all = [](auto& into, const auto& from) {
    for (const auto& [k, v] : from) into[k] += v;
  };
  add_all(source_ips, o.source_ips);
  add_all(regions, o.regions);
  add_all(user_agents, o.user_agents);
  add_all(access_keys, o.access_keys);
  add_all(actions, o.actions);
  add_all(error_codes, o.error_codes);
}

bool use_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(fd) == 1;
}

std::size_t terminal_width(int fd) {
  if (::isatty(fd) != 1) return 0;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0 && n < 100000) return n;
  }
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;  // display columns: count UTF-8 lead bytes only
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cut_cell(std::string_view cell, std::size_t width) {
  if (display_width(cell) <= width) return std::string(cell);
  if (width == 0) return {};
  // Keep width - 1 characters, then the ellipsis; never split a UTF-8 sequence.
  std::size_t kept = 0, i = 0;
  for (; i < cell.size(); ++i) {
    if ((static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80) {
      if (kept == width - 1) break;
      ++kept;
    }
  }
  std::string out(cell.substr(0, i));
  out += "\u2026";
  return out;
}

void TextTable::keep_whole(std::size_t column) {
  if (whole_.size() <= column) whole_.resize(column + 1, false);
  whole_[column] = true;
}

void TextTable::add_row(std::vector<std::string> cells) {
  for (auto& c : cells) c = terminal_safe(c);
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::string& out, bool color, std::size_t limit) const {
  const std::size_t n = header_.size();
  std::vector<std::size_t> width(n, 0);
  for (std::size_t i = 0; i < n; ++i) width[i] = display_width(header_[i]);
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size() && i < n; ++i) {
      width[i] = std::max(width[i], display_width(r[i]));
    }
  }
  if (limit > 0 && n > 0) {
    // Two spaces between columns; cut the widest cuttable column, one character at a time,
    // until the row fits or every cuttable column is down to its floor: its header, and at
    // least ten characters, so a cut name stays readable (a row that still does not fit
    // wraps rather than turning every cell into an ellipsis).
    constexpr std::size_t kNarrowest = 10;
    std::vector<std::size_t> floor(n);
    for (std::size_t i = 0; i < n; ++i) {
      floor[i] = std::max(display_width(header_[i]), kNarrowest);
    }
    std::size_t total = 2 * (n - 1);
    for (auto w : width) total += w;
    while (total > limit) {
      std::size_t widest = n;
      for (std::size_t i = 0; i < n; ++i) {
        const bool whole = i < whole_.size() && whole_[i];
        if (whole || width[i] <= floor[i]) continue;
        if (widest == n || width[i] > width[widest]) widest = i;
      }
      if (widest == n) break;
      --width[widest];
      --total;
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool bold) {
    if (bold && color) out += "\033[1m";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string cell = i < n ? cut_cell(cells[i], width[i]) : cells[i];
      out += cell;
      if (i + 1 < cells.size()) out.append(width[i] - display_width(cell) + 2, ' ');
    }
    if (bold && color) out += "\033[0m";
    out += '\n';
  };
  line(header_, true);
  for (const auto& r : rows_) line(r, false);
}

}  // namespace trailhound
