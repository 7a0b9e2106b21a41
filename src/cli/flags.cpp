// The flag table: each flag declared once, with the commands that take it and where it stores.
#include "trailhound/flags.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "trailhound/detect.hpp"
#include "trailhound/format.hpp"

namespace trailhound::cli {
namespace {

// Groups, as --help heads them.
constexpr std::string_view kFilters = "Window and filters";
constexpr std::string_view kOutput = "Output";
constexpr std::string_view kLimits = "Limits and performance";
constexpr std::string_view kIntelGroup = "IP intelligence";
constexpr std::string_view kDetections = "Detections";
constexpr std::string_view kTimelineGroup = "Timeline";
constexpr std::string_view kShards = "Sharded runs";

std::vector<std::string> rule_ids() {
  std::vector<std::string> out;
  for (const auto& r : detect::rule_catalog()) out.emplace_back(r.id);
  return out;
}

std::vector<std::string> network_kind_names() {
  std::vector<std::string> out;
  for (const auto& k : detect::network_kinds()) out.emplace_back(k.name);
  return out;
}

std::vector<std::string> color_names() { return {"auto", "always", "never"}; }

// The output flags live in whichever request the command has.
template <auto InputMember, auto IpMember, auto RulesMember>
Target output_field(const Requests& r) {
  if (r.input != nullptr) return &(r.input->*InputMember);
  if (r.ip != nullptr) return &(r.ip->*IpMember);
  return &(r.rules->*RulesMember);
}

using In = app::InputRequest;
using Ip = app::IpRequest;
using Ru = app::RulesRequest;

}  // namespace

const std::vector<CommandInfo>& command_table() {
  static const std::vector<CommandInfo> table = {
      {kTimeline, "timeline",
       "every matching event in time order, then a summary (events, first and last seen, "
       "distinct source IPs, regions, user agents, access keys, errors)"},
      {kSummary, "summary",
       "one row per principal: events, first and last seen, distinct IPs, access keys, user "
       "agents, regions, top actions, errors"},
      {kScan, "scan", "run every detection over the events and print the findings"},
      {kInvestigate, "investigate",
       "the findings for one principal (--access-key or --user) or address (--source-ip) and "
       "its whole activity around them, with a summary"},
      {kRules, "rules", "list every rule: id, severity logic, events, GuardDuty mapping"},
      {kIpLookup, "ip lookup",
       "print, per address, every list and prefix holding it, whether a trusted list overrides, "
       "and AWS's service and region (addresses from the arguments, or stdin with - or none)"},
      {kIpLists, "ip lists", "summarise the loaded lists and AWS ranges files"},
      {kCompletions, "completions", "print the completion script of a shell: bash, zsh or fish"},
      {kMerge, "merge",
       "merge the partial results of a sharded run (--shard, --partial-out) and print what "
       "one run over all the files prints"},
  };
  return table;
}

const CommandInfo* find_command(std::string_view name) {
  for (const auto& c : command_table()) {
    std::string dotted(c.name);
    std::replace(dotted.begin(), dotted.end(), ' ', '.');
    if (c.name == name || dotted == name) return &c;
  }
  return nullptr;
}

const std::vector<Flag>& flag_table() {
  // clang-format off
  static const std::vector<Flag> table = {
    // Window and filters
    {.name = "since", .value_name = "TIME",
     .help = "from this time on: 2024-05-01, 2024-05-01T10:00:00Z, or a span back from --until "
             "(or now): 90m, 24h, 7d",
     .kind = ValueKind::Text, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->since; }},
    {.name = "until", .value_name = "TIME", .help = "before this time (same forms as --since)",
     .kind = ValueKind::Text, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->until; }},
    {.name = "user", .value_name = "NAME",
     .help = "events of this principal: user name, ARN, principalId, role name or ARN, "
             "assumed-role session name, ROLE/SESSION (repeatable)",
     .kind = ValueKind::List, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->users; }},
    {.name = "access-key", .value_name = "KEY",
     .help = "events made with this access key id (repeatable)",
     .kind = ValueKind::List, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->access_keys; }},
    {.name = "region", .value_name = "REGION", .help = "events in this region (repeatable)",
     .kind = ValueKind::List, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->regions; }},
    {.name = "event", .value_name = "NAME",
     .help = "events with this name; * and ? glob (repeatable)",
     .kind = ValueKind::List, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->events; }},
    {.name = "source-ip", .value_name = "CIDR",
     .help = "events from this address or CIDR; other text without spaces matches the "
             "sourceIPAddress exactly (repeatable)",
     .kind = ValueKind::List, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->source_ips; }},
    {.name = "errors-only", .help = "only events with an errorCode",
     .kind = ValueKind::Switch, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->errors_only; }},
    {.name = "keep-duplicates",
     .help = "report every copy of an event two trails delivered (same eventID and record); "
             "by default the copy in the first file is kept and the others counted",
     .kind = ValueKind::Switch, .group = kFilters, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->keep_duplicates; }},

    // Output
    {.name = "format", .value_name = "FORMAT", .help = "output format",
     .kind = ValueKind::Choice, .group = kOutput, .commands = kPrinting,
     .target = output_field<&In::format, &Ip::format, &Ru::format>,
     .choices = format_values},
    {.name = "output", .short_name = 'o', .value_name = "FILE",
     .help = "write results to this file instead of stdout",
     .kind = ValueKind::Text, .group = kOutput, .commands = kPrinting,
     .target = output_field<&In::output, &Ip::output, &Ru::output>, .path = PathKind::File},
    {.name = "ocsf-raw", .help = "--format ocsf: include each event's CloudTrail record as raw_data",
     .kind = ValueKind::Switch, .group = kOutput,
     .commands = kTimeline | kScan | kInvestigate | kMerge,
     .target = [](const Requests& r) -> Target { return &r.input->ocsf_raw; }},
    {.name = "unsorted",
     .help = "timeline: print events as the files are read, in file order, without sorting "
             "(the first lines come at once; jsonl, csv, ocsf or text)",
     .kind = ValueKind::Switch, .group = kOutput, .commands = kTimeline,
     .target = [](const Requests& r) -> Target { return &r.input->unsorted; }},
    {.name = "wide", .help = "text tables: never cut a cell to fit the terminal",
     .kind = ValueKind::Switch, .group = kOutput, .commands = kPrinting,
     .target = output_field<&In::wide, &Ip::wide, &Ru::wide>},
    {.name = "color", .value_name = "WHEN",
     .help = "colour severities and headings (auto: on a terminal, unless NO_COLOR is set)",
     .kind = ValueKind::Choice, .group = kOutput, .commands = kPrinting,
     .target = output_field<&In::color, &Ip::color, &Ru::color>, .choices = color_names},
    {.name = "quiet", .short_name = 'q',
     .help = "no progress and no notes on stderr (errors still shown)",
     .kind = ValueKind::Switch, .group = kOutput, .commands = kReading | kMerge,
     .target = [](const Requests& r) -> Target { return &r.input->quiet; }},
    {.name = "verbose", .short_name = 'v',
     .help = "more notes on stderr (masked CIDRs, list details)",
     .kind = ValueKind::Switch, .group = kOutput,
     .commands = kReading | kIpLookup | kIpLists | kMerge,
     .target = [](const Requests& r) -> Target {
       return r.input != nullptr ? &r.input->verbose : &r.ip->verbose;
     }},
    {.name = "strict",
     .help = "fail the run (exit 3) when a rule cannot run, a file cannot be read or a record "
             "is rejected",
     .kind = ValueKind::Switch, .group = kOutput, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->strict; }},

    // Limits and performance
    {.name = "jobs", .short_name = 'j', .value_name = "N",
     .help = "worker threads (default: one per core; at most 1024)",
     .kind = ValueKind::Number, .group = kLimits, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->jobs; }, .max = 1024},
    {.name = "max-file-bytes", .value_name = "N",
     .help = "refuse a file that inflates to more than this many bytes (default 1 GiB)",
     .kind = ValueKind::Number, .group = kLimits, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->max_file_bytes; }},
    {.name = "max-depth", .value_name = "N",
     .help = "reject a record nested deeper than this (default 256)",
     .kind = ValueKind::Number, .group = kLimits, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->max_depth; },
     .min = 8, .max = 4096},
    {.name = "max-record-bytes", .value_name = "N",
     .help = "reject a record larger than this many bytes (default 64 MiB)",
     .kind = ValueKind::Number, .group = kLimits, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->max_record_bytes; }},
    {.name = "max-memory", .value_name = "SIZE", .help = "memory budget for the whole run: decode limits and sorting spill to $TMPDIR past it (default 1 GiB; K, M, G suffixes)", .kind = ValueKind::Size, .group = kLimits, .commands = kReading, .target = [](const Requests& r) -> Target { return &r.input->max_memory; }},
    {.name = "split-size", .value_name = "SIZE",
     .help = "read a plain NDJSON file larger than this in ranges, on several workers at once "
             "(default 64 MiB; 0: never; K, M, G suffixes)",
     .kind = ValueKind::Size, .group = kLimits, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->split_size; }},

    // IP intelligence
    {.name = "threat-list", .value_name = "NAME=PATH[:FORMAT]",
     .help = "threat list; FORMAT plain, txt, stix, otx, fireeye, proofpoint, alienvault "
             "(detected when left out); a NAME containing 'tor' marks Tor exits (repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->threat_lists; },
     .path = PathKind::ListSpec},
    {.name = "trusted-list", .value_name = "NAME=PATH[:FORMAT]",
     .help = "trusted list: its addresses are never reported as malicious (repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->trusted_lists; },
     .path = PathKind::ListSpec},
    {.name = "signin-allowlist", .value_name = "PATH[:FORMAT]",
     .help = "file of addresses and CIDRs sign-ins are expected from (repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->signin_allowlists; },
     .path = PathKind::ListSpec},
    {.name = "allow-signin", .value_name = "CIDR",
     .help = "an address or CIDR sign-ins are expected from (repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->allow_signin; }},
    {.name = "aws-ip-ranges", .value_name = "FILE",
     .help = "AWS ip-ranges.json, to tell AWS's addresses from the rest (repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->aws_ip_ranges; },
     .path = PathKind::File},
    {.name = "allow-wide-trusted",
     .help = "accept trusted-list entries wider than /8 (IPv4) or /16 (IPv6), which are "
             "refused otherwise",
     .kind = ValueKind::Switch, .group = kIntelGroup, .commands = kIntel,
     .target = [](const Requests& r) -> Target { return &r.intel->allow_wide_trusted; }},
    {.name = "geoip", .value_name = "FILE",
     .help = "MaxMind DB file (City, Country, ASN or Anonymous-IP): say where each address is "
             "(repeatable)",
     .kind = ValueKind::List, .group = kIntelGroup, .commands = kIntel | kTimeline | kSummary,
     .target = [](const Requests& r) -> Target { return &r.intel->geoip; },
     .path = PathKind::File},

    // Detections
    {.name = "min-severity", .value_name = "SEVERITY", .help = "print findings at or above",
     .kind = ValueKind::Choice, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->min_severity; },
     .choices = severity_names, .case_insensitive = true},
    {.name = "fail-on", .value_name = "SEVERITY",
     .help = "exit 1 when a finding at or above this severity exists",
     .kind = ValueKind::Choice, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->fail_on; },
     .choices = severity_names, .case_insensitive = true},
    {.name = "group", .help = "one row per rule, principal and source address",
     .kind = ValueKind::Switch, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->group; }},
    {.name = "rules", .value_name = "ID[,ID...]",
     .help = "run only these rule ids (repeatable; see 'rules')",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->rules; },
     .choices = rule_ids, .delimiter = ','},
    {.name = "network-kinds", .value_name = "KIND[,KIND...]",
     .help = "resource kinds network-config-change watches (default all; see 'rules')",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->network_kinds; },
     .choices = network_kind_names, .delimiter = ','},
    {.name = "network-admin", .value_name = "NAME",
     .help = "a principal expected to change networks (repeatable; same forms as --user)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->network_admins; }},
    {.name = "risky-ports", .value_name = "PORT[,PORT...]",
     .help = "ports that make a world-open rule high (default 22,3389,21,23,445,1433,3306,5432,"
             "5985,5986,6379,9200,27017)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->risky_ports; },
     .min = 0, .max = 65535, .delimiter = ','},
    {.name = "wide-prefix-v4", .value_name = "LEN",
     .help = "IPv4 ranges this wide or wider are reported as wide (default 16)",
     .kind = ValueKind::Number, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->wide_v4; },
     .min = 1, .max = 32},
    {.name = "wide-prefix-v6", .value_name = "LEN",
     .help = "IPv6 ranges this wide or wider are reported as wide (default 48)",
     .kind = ValueKind::Number, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->wide_v6; },
     .min = 1, .max = 128},
    {.name = "baseline-since", .value_name = "TIME",
     .help = "learn each principal's baseline only from this time on",
     .kind = ValueKind::Text, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->baseline_since; }},
    {.name = "baseline-until", .value_name = "TIME",
     .help = "learn the baseline only before this time",
     .kind = ValueKind::Text, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->baseline_until; }},
    {.name = "baseline-in", .value_name = "FILE", .help = "add a baseline saved by --baseline-out",
     .kind = ValueKind::Text, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->baseline_in; },
     .path = PathKind::File},
    {.name = "baseline-out", .value_name = "FILE", .help = "save the learned baseline to this file",
     .kind = ValueKind::Text, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->baseline_out; },
     .path = PathKind::File},
    {.name = "suppress-principal", .value_name = "NAME",
     .help = "no findings for this principal (repeatable; same forms as --user)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->suppress_principals; }},
    {.name = "suppress-event", .value_name = "NAME",
     .help = "no findings for events with this name; * and ? glob (repeatable)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->suppress_events; }},

    {.name = "sigma", .value_name = "PATH",
     .help = "load the Sigma rules of this .yml file or folder (walked); rules for AWS "
             "CloudTrail run, the rest are listed as skipped (repeatable)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect | kRules,
     .target = [](const Requests& r) -> Target {
       return r.detect != nullptr ? &r.detect->sigma : &r.rules->sigma;
     }, .path = PathKind::File},
    {.name = "sigma-placeholder", .value_name = "NAME=PATH",
     .help = "fill the Sigma placeholder %NAME% with the lines of this file: addresses and "
             "CIDRs, or text (repeatable)",
     .kind = ValueKind::List, .group = kDetections, .commands = kDetect | kRules,
     .target = [](const Requests& r) -> Target {
       return r.detect != nullptr ? &r.detect->sigma_placeholders : &r.rules->sigma_placeholders;
     }, .path = PathKind::ListSpec},
    {.name = "password-data-threshold", .value_name = "N",
     .help = "password-data-burst: more than N GetPasswordData calls by one principal in ten "
             "minutes (default 5)",
     .kind = ValueKind::Number, .group = kDetections, .commands = kDetect,
     .target = [](const Requests& r) -> Target { return &r.detect->password_data_threshold; },
     .min = 1, .max = 1000000},

    // Sharded runs
    {.name = "shard", .value_name = "K/N",
     .help = "read only shard K of N (0-based) of the input files, split by a hash of each "
             "file's path below its input folder; 'auto' reads K and N from the cluster engine "
             "(Slurm array, Kubernetes Indexed Job, AWS Batch array). Needs --partial-out",
     .kind = ValueKind::Text, .group = kShards, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->shard; }},
    {.name = "shard-count", .value_name = "N",
     .help = "--shard auto: the number of shards, where the engine does not say it "
             "(Kubernetes, AWS Batch; default $TRAILHOUND_SHARD_COUNT)",
     .kind = ValueKind::Number, .group = kShards, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->shard_count; },
     .min = 1, .max = 1000000},
    {.name = "partial-out", .value_name = "FILE",
     .help = "write this shard's partial result to FILE for 'trailhound merge' instead of "
             "printing results",
     .kind = ValueKind::Text, .group = kShards, .commands = kReading,
     .target = [](const Requests& r) -> Target { return &r.input->partial_out; },
     .path = PathKind::File},

    // Timeline of investigate
    {.name = "before", .value_name = "SPAN",
     .help = "timeline starts this long before the first finding (default 24h)",
     .kind = ValueKind::Text, .group = kTimelineGroup, .commands = kInvestigate,
     .target = [](const Requests& r) -> Target { return &r.scan->before; }},
    {.name = "after", .value_name = "SPAN",
     .help = "timeline ends this long after the first finding (default: the end of the data)",
     .kind = ValueKind::Text, .group = kTimelineGroup, .commands = kInvestigate,
     .target = [](const Requests& r) -> Target { return &r.scan->after; }},
  };
  // clang-format on
  return table;
}

const Flag* find_flag(std::string_view name) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '_', '-');
  for (const auto& f : flag_table()) {
    if (f.name == key) return &f;
  }
  return nullptr;
}

std::vector<std::string> severity_names() {
  std::vector<std::string> out;
  for (auto s : {detect::Severity::Informational, detect::Severity::Low, detect::Severity::Medium,
                 detect::Severity::High, detect::Severity::Critical}) {
    out.emplace_back(detect::to_string(s));
  }
  return out;
}

std::vector<std::string> format_values() {
  std::vector<std::string> out;
  for (const auto& f : format_names()) out.emplace_back(f.name);
  return out;
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<std::string> check_value(const Flag& flag, std::string_view text) {
  const std::string where = fmt::format("--{}", flag.name);
  switch (flag.kind) {
    case ValueKind::Switch:
      if (text == "true" || text == "false") return std::string(text);
      return Error::usage(fmt::format("'{}' is not true or false", text), where);
    case ValueKind::Choice: {
      if (flag.choices == &severity_names) {
        // The detect stage's parser decides what a severity is; the CLI only folds the case.
        if (const auto s = detect::parse_severity(lower(text))) {
          return std::string(detect::to_string(*s));
        }
        return Error::usage(fmt::format("unknown severity '{}'{}", text,
                                        did_you_mean(lower(text), severity_names())),
                            where);
      }
      const auto values = flag.choices();
      const std::string wanted = flag.case_insensitive ? lower(text) : std::string(text);
      if (std::find(values.begin(), values.end(), wanted) != values.end()) return wanted;
      return Error::usage(fmt::format("'{}' is not one of {}{}", text, fmt::join(values, ", "),
                                      did_you_mean(wanted, values)),
                          where);
    }
    case ValueKind::Number: {
      std::int64_t n = 0;
      const auto* end = text.data() + text.size();
      const auto [p, ec] = std::from_chars(text.data(), end, n);
      if (text.empty() || ec != std::errc() || p != end || n < 0) {
        return Error::usage(fmt::format("'{}' is not a number", text), where);
      }
      if (flag.max > flag.min && (n < flag.min || n > flag.max)) {
        return Error::usage(fmt::format("{} is not in {}..{}", n, flag.min, flag.max), where);
      }
      return std::string(text);
    }
    case ValueKind::Size: {
      const auto bytes = parse_size(text);
      if (!bytes) {
        return Error::usage(
            fmt::format("'{}' is not a size such as 4096, 256M or 1G (K, M, G, T: base 1024)",
                        text),
            where);
      }
      return std::to_string(*bytes);
    }
    case ValueKind::Text:
    case ValueKind::List:
      break;
  }
  return std::string(text);
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t n = 0;
  const auto* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || p == text.data()) return std::nullopt;
  std::string_view rest(p, static_cast<std::size_t>(end - p));
  unsigned shift = 0;
  if (!rest.empty()) {
    switch (rest.front()) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: return std::nullopt;
    }
    rest.remove_prefix(1);
    // 256M, 256MB, 256MiB: the unit may be spelled out.
    if (rest == "iB" || rest == "ib" || rest == "B" || rest == "b") rest = {};
    if (!rest.empty()) return std::nullopt;
  }
  if (shift != 0 && n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows: the previous two and the current one.
  std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  // A typo is a small share of the word: one edit in a short word, up to three in a long one.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A word that starts a candidate ("--form") is near it too.
  if (best.empty() && word.size() >= 3) {
    for (const auto& c : candidates) {
      if (c.rfind(word, 0) == 0) return c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         std::string_view open, std::string_view close) {
  const std::string near = nearest(word, candidates);
  return near.empty() ? std::string() : fmt::format("; did you mean {}{}{}?", open, near, close);
}

}  // namespace trailhound::cli
