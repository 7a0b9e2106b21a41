// Grouping findings by rule, principal and source address (scan --group).
#include <map>
#include <tuple>

#include "trailhound/printer.hpp"

namespace trailhound {

std::vector<FindingGroup> group_findings(const detect::FindingList& findings) {
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  std::vector<FindingGroup> groups;
  for (const auto& f : findings) {
    const auto key = std::make_tuple(std::string(f.rule), f.principal.key(), std::string(f.source_ip));
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, groups.size()).first;
      groups.push_back(FindingGroup{&f, f.severity, 0, f.time, f.time, {}});
    }
    FindingGroup& g = groups[it->second];
    ++g.count;
    g.severity = std::max(g.severity, f.severity);
    g.first_seen = std::min(g.first_seen, f.time);
    g.last_seen = std::max(g.last_seen, f.time);
    ++g.events[std::string(f.event_name)];
  }
  return groups;
}

}  // namespace trailhound
