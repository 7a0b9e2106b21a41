// The per-principal baseline of expected actions, user-agent families and regions.
#include <simdjson.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "trailhound/detect.hpp"
#include "trailhound/escape.hpp"

namespace trailhound::detect {

void Baseline::add(std::string_view key, std::string_view action, std::string_view family,
                   std::string_view region) {
  if (last_ == nullptr || key != last_key_) {
    last_ = &profile(key);  // element references survive rehashing
    last_key_.assign(key);
  }
  Profile& p = *last_;
  ++p.events;
  // Lookups first: the common case is a value already known, and no string is built then.
  if (p.actions.find(action) == p.actions.end()) p.actions.emplace(action);
  if (p.agent_families.find(family) == p.agent_families.end()) p.agent_families.emplace(family);
  if (p.regions.find(region) == p.regions.end()) p.regions.emplace(region);
}

Baseline::Profile& Baseline::profile(std::string_view key) {
  auto it = profiles_.find(key);
  if (it == profiles_.end()) it = profiles_.emplace(std::string(key), Profile{}).first;
  return it->second;
}

void Baseline::merge(const Baseline& other) {
  for (const auto& [key, o] : other.profiles_) {
    Profile& p = profiles_[key];
    p.events += o.events;
    p.actions.insert(o.actions.begin(), o.actions.end());
    p.agent_families.insert(o.agent_families.begin(), o.agent_families.end());
    p.regions.insert(o.regions.begin(), o.regions.end());
  }
}

const Baseline::Profile* Baseline::find(std::string_view key) const {
  const auto it = profiles_.find(key);
  return it == profiles_.end() ? nullptr : &it->second;
}

std::string Baseline::to_json() const {
  std::string out = "{\"type\":\"trailhound-baseline\",\"version\":1,\"principals\":{";
  bool first = true;
  auto array = [&out](const StringSet& s) {
    // Sorted, so that a saved baseline is the same file for the same data.
    std::vector<std::string_view> sorted(s.begin(), s.end());
    std::sort(sorted.begin(), sorted.end());
    out += '[';
    bool f = true;
    for (const auto& v : sorted) {
      if (!f) out += ',';
      f = false;
      append_json_string(out, v);
    }
    out += ']';
  };
  std::vector<const std::pair<const std::string, Profile>*> entries;
  for (const auto& entry : profiles_) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : entries) {
    const auto& [key, p] = *entry;
    if (!first) out += ',';
    first = false;
    out += '\n';
    append_json_string(out, key);
    out += fmt::format(":{{\"events\":{},\"actions\":", p.events);
    array(p.actions);
    out += ",\"user_agent_families\":";
    array(p.agent_families);
    out += ",\"regions\":";
    array(p.regions);
    out += '}';
  }
  out += "\n}}\n";
  return out;
}

bool Baseline::load_json(std::string_view text, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(text.data(), text.size()).get(root)) {
    error = fmt::format("not valid JSON: {}", simdjson::error_message(e));
    return false;
  }
  std::string_view type;
  if (root["type"].get(type) || type != "trailhound-baseline") {
    error = "not a trailhound baseline (type is not \"trailhound-baseline\")";
    return false;
  }
  simdjson::dom::object principals;
  if (root["principals"].get(principals)) {
    error = "no \"principals\" object";
    return false;
  }
  for (const simdjson::dom::key_value_pair entry : principals) {
    // Named, not structured, bindings: clang before 16 cannot capture those in a lambda.
    const std::string_view key = entry.key;
    const simdjson::dom::element value = entry.value;
    auto pit = profiles_.find(key);
    if (pit == profiles_.end()) pit = profiles_.emplace(std::string(key), Profile{}).first;
    Profile& p = pit->second;
    std::uint64_t events = 0;
    if (!value["events"].get(events)) p.events += events;
    auto read_set = [&](const char* field, StringSet& into) {
      simdjson::dom::array arr;
      if (value[field].get(arr)) return;
      for (auto item : arr) {
        std::string_view s;
        if (!item.get(s)) into.emplace(s);
      }
    };
    read_set("actions", p.actions);
    read_set("user_agent_families", p.agent_families);
    read_set("regions", p.regions);
  }
  return true;
}

void Baseline::save(ByteWriter& out) const {
  auto set = [&out](const StringSet& values) {
    out.varint(values.size());
    for (const auto& v : values) out.str(v);
  };
  out.varint(profiles_.size());
  for (const auto& [key, p] : profiles_) {
    out.str(key);
    out.varint(p.events);
    set(p.actions);
    set(p.agent_families);
    set(p.regions);
  }
}

bool Baseline::load(ByteReader& in) {
  auto set = [&in](StringSet& into) {
    std::uint64_t n = 0;
    if (!in.count(n)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string_view v;
      if (!in.str(v)) return false;
      if (into.find(v) == into.end()) into.emplace(v);
    }
    return true;
  };
  std::uint64_t n = 0;
  if (!in.count(n, 5)) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    std::uint64_t events = 0;
    if (!in.str(key) || !in.varint(events)) return false;
    Profile& p = profile(key);
    p.events += events;
    if (!set(p.actions) || !set(p.agent_families) || !set(p.regions)) return false;
  }
  return true;
}

}  // namespace trailhound::detect
