// Real public IP lists under ../shared/realdata/iplists: exact counts and known cross-matches.
// Expected numbers were computed independently with Python's ipaddress module.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

const std::string kLists = TH_REALDATA "/iplists/";

// main() (tests/realdata/main.cpp) skips the whole executable when the data is absent.
#define TH_REQUIRE_REALDATA() static_cast<void>(0)

struct PlainCount {
  const char* path;
  std::size_t ipv4;
  std::size_t ipv6;
};

// Distinct prefixes per file (python3: set(ip_network(line, strict=False)) after stripping
// '#' and ';' comments and whitespace).
const PlainCount kPlain[] = {
    {"firehol/2016-12-12/blocklist_de.ipset", 29118, 0},
    {"firehol/2016-12-12/dshield.netset", 19, 0},
    {"firehol/2016-12-12/feodo.ipset", 714, 0},
    {"firehol/2016-12-12/firehol_level1.netset", 17257, 0},
    {"firehol/2016-12-12/firehol_level2.netset", 20521, 0},
    {"firehol/2016-12-12/spamhaus_drop.netset", 788, 0},
    {"firehol/2016-12-12/spamhaus_edrop.netset", 61, 0},
    {"firehol/2016-12-12/tor_exits.ipset", 1053, 0},
    {"firehol/2016-12-12/tor_exits_30d.ipset", 2517, 0},
    {"firehol/2021-06-28/firehol_level1.netset", 2892, 0},
    {"lord-alfred-ipranges/amazon/ipv4.txt", 7904, 0},
    {"lord-alfred-ipranges/amazon/ipv4_merged.txt", 1752, 0},
    {"lord-alfred-ipranges/amazon/ipv6.txt", 0, 3108},
    {"lord-alfred-ipranges/amazon/ipv6_merged.txt", 0, 2107},
    {"lord-alfred-ipranges/google/ipv4.txt", 1109, 0},
    {"lord-alfred-ipranges/google/ipv6.txt", 0, 257},
    {"lord-alfred-ipranges/microsoft/ipv4.txt", 49110, 0},
    {"lord-alfred-ipranges/microsoft/ipv6.txt", 0, 18510},
    {"spamhaus-drop/2018-11-29_drop.txt", 797, 0},
    {"spamhaus-drop/2020-09-15_drop.txt", 940, 0},
    {"spamhaus-drop/2020-09-15_drop_ipv6.txt", 0, 35},
    {"spamhaus-drop/2020-09-15_edrop.txt", 78, 0},
    {"spamhaus-drop/latest_drop.txt", 989, 0},
    {"spamhaus-drop/latest_drop_ipv6.txt", 0, 51},
    {"spamhaus-drop/latest_edrop.txt", 322, 0},
    {"tor/tor-exit-nodes_2018-11-29.lst", 887, 168},
    {"tor/tor-exit-nodes_2020-09-15.lst", 1241, 477},
    {"tor/tor-exit-nodes_latest.lst", 1127, 619},
    {"tor/tor-nodes_latest.lst", 5631, 2423},
};

struct AwsCount {
  const char* path;
  std::size_t ipv4;
  std::size_t ipv6;
  const char* create_date;
  const char* sync_token;
};

// Distinct prefixes per file: python3 set(ip_network(p["ip_prefix"])) and likewise for IPv6.
const AwsCount kAws[] = {
    {"aws-ip-ranges/ip-ranges_2017-07-22.json", 566, 201, "2017-07-20-22-42-233", "1500590532"},
    {"aws-ip-ranges/ip-ranges_2018-11-29.json", 855, 298, "2018-11-27-02-33-25", "1543286005"},
    {"aws-ip-ranges/ip-ranges_2020-09-15.json", 2321, 458, "2020-09-15-03-41-15", "1600141275"},
    {"aws-ip-ranges/ip-ranges_2024-08-02.json", 5821, 1487, "2024-08-01-19-53-09", "1722541989"},
    {"aws-ip-ranges/ip-ranges_latest.json", 7904, 3108, "2026-08-22-21-17-05", "1787433425"},
};

// Every plain list in one database (list i = kPlain[i]). The only warning expected is FireHOL
// level1's 224.0.0.0/3 (multicast and reserved space, wider than /8); any other fails.
IntelDb load_all_plain() {
  IntelDb db;
  for (const auto& f : kPlain) {
    std::string error;
    std::vector<std::string> warnings;
    bool ok = db.add_list(
        ListRole::Threat, std::string(f.path) + "=" + kLists + f.path,
        [&](std::string_view w) { warnings.emplace_back(w); }, &error);
    INFO(f.path << ": " << error);
    REQUIRE(ok);
    const bool level1 = std::string_view(f.path).find("firehol_level1") != std::string_view::npos;
    if (level1) {
      REQUIRE(warnings.size() == 1);
      CHECK(warnings[0].find(": 224.0.0.0/3 is wider than /8") != std::string::npos);
    } else {
      CHECK(warnings.empty());
    }
  }
  return db;
}

std::set<std::string> lists_matching(const IntelDb& db, std::string_view addr) {
  IpAddr a;
  REQUIRE(parse_address(addr, a));
  LookupResult r;
  db.lookup(a, r);
  std::set<std::string> names;
  for (std::size_t i = 0; i < r.count; ++i) names.insert(db.lists()[r.hits[i].list].name);
  return names;
}

bool in_aws(const IntelDb& db, std::string_view addr) {
  IpAddr a;
  REQUIRE(parse_address(addr, a));
  LookupResult r;
  db.lookup(a, r);
  return r.aws != nullptr;
}

// One field of an RFC 4180 line (the honeybucket CSV quotes fields that hold commas).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("real plain lists load with their exact entry counts", "[intel][realdata]") {
  TH_REQUIRE_REALDATA();
  IntelDb db = load_all_plain();
  REQUIRE(db.lists().size() == std::size(kPlain));
  for (std::size_t i = 0; i < std::size(kPlain); ++i) {
    const ListInfo& l = db.lists()[i];
    INFO(l.path);
    CHECK(l.format == "plain");
    CHECK(l.ipv4 == kPlain[i].ipv4);
    CHECK(l.ipv6 == kPlain[i].ipv6);
    CHECK(l.skipped == 0);
    CHECK(l.masked == 0);
  }
}

TEST_CASE("real ip-ranges files load with their distinct prefix counts", "[intel][realdata]") {
  TH_REQUIRE_REALDATA();
  for (const auto& f : kAws) {
    IntelDb db;
    std::string error;
    std::vector<std::string> warnings;
    INFO(f.path);
    REQUIRE(db.load_aws_ranges(
        kLists + f.path, [&](std::string_view w) { warnings.emplace_back(w); }, &error));
    CHECK(warnings.empty());
    const AwsRangesInfo& info = db.aws_files().front();
    CHECK(info.ipv4 == f.ipv4);
    CHECK(info.ipv6 == f.ipv6);
    CHECK(info.create_date == f.create_date);
    CHECK(info.sync_token == f.sync_token);
    // flaws2 (2018-11-28) and the awsdocs samples: AWS addresses in every snapshot.
    for (const char* addr :
         {"34.234.236.212", "205.251.233.176", "205.251.233.182", "72.21.198.64", "72.21.198.70"}) {
      INFO(addr);
      CHECK(in_aws(db, addr));
    }
    CHECK_FALSE(in_aws(db, "104.102.221.250"));
  }
}

TEST_CASE("real AWS ranges name the service and region of 34.234.236.212", "[intel][realdata]") {
  TH_REQUIRE_REALDATA();
  IntelDb db;
  std::string error;
  REQUIRE(db.load_aws_ranges(kLists + "aws-ip-ranges/ip-ranges_2018-11-29.json", {}, &error));
  IpAddr a;
  REQUIRE(parse_address("34.234.236.212", a));
  LookupResult r;
  db.lookup(a, r);
  REQUIRE(r.aws != nullptr);
  CHECK(r.aws->services == std::vector<std::string>{"AMAZON", "EC2"});
  CHECK(r.aws->regions == std::vector<std::string>{"us-east-1"});
}

TEST_CASE("real log addresses match the lists computed independently", "[intel][realdata]") {
  TH_REQUIRE_REALDATA();
  IntelDb db = load_all_plain();
  const std::string amazon4 = "lord-alfred-ipranges/amazon/ipv4.txt";
  const std::string amazon4m = "lord-alfred-ipranges/amazon/ipv4_merged.txt";
  const std::string level1_2016 = "firehol/2016-12-12/firehol_level1.netset";
  const std::string level1_2021 = "firehol/2021-06-28/firehol_level1.netset";
  for (const char* addr :
       {"34.234.236.212", "205.251.233.176", "205.251.233.182", "72.21.198.64", "72.21.198.70"}) {
    INFO(addr);
    CHECK(lists_matching(db, addr) == std::set<std::string>{amazon4, amazon4m});
  }
  for (const char* addr : {"0.0.0.0", "192.0.2.0", "127.0.0.1", "192.0.2.1", "192.0.2.100",
                           "192.0.2.101", "203.0.113.64", "203.0.113.67"}) {
    INFO(addr);
    CHECK(lists_matching(db, addr) == std::set<std::string>{level1_2016, level1_2021});
  }
  CHECK(lists_matching(db, "104.102.221.250").empty());
}

TEST_CASE("the 224 honeybucket scanner addresses match each list as computed",
          "[intel][realdata]") {
  TH_REQUIRE_REALDATA();
  std::ifstream csv(
      TH_REALDATA
      "/otrf-security-datasets/datasets/atomic/aws/discovery/AWS_S3_HoneyBucketLogs.csv");
  REQUIRE(csv);
  std::string line;
  REQUIRE(std::getline(csv, line));
  auto header = csv_fields(line);
  auto column = std::find(header.begin(), header.end(), "Source IP") - header.begin();
  REQUIRE(static_cast<std::size_t>(column) < header.size());
  std::set<std::string> ips;
  while (std::getline(csv, line)) {
    auto fields = csv_fields(line);
    if (static_cast<std::size_t>(column) >= fields.size()) continue;
    IpAddr a;
    if (parse_address(fields[static_cast<std::size_t>(column)], a))
      ips.insert(fields[static_cast<std::size_t>(column)]);
  }
  REQUIRE(ips.size() == 224);

  IntelDb db = load_all_plain();
  std::map<std::string, std::size_t> counts;
  for (const auto& ip : ips) {
    for (const auto& name : lists_matching(db, ip)) ++counts[name];
  }
  const std::map<std::string, std::size_t> expected = {
      {"firehol/2016-12-12/firehol_level1.netset", 36},
      {"firehol/2016-12-12/spamhaus_drop.netset", 7},
      {"firehol/2016-12-12/spamhaus_edrop.netset", 1},
      {"firehol/2021-06-28/firehol_level1.netset", 1},
      {"lord-alfred-ipranges/amazon/ipv4.txt", 6},
      {"lord-alfred-ipranges/amazon/ipv4_merged.txt", 6},
      {"lord-alfred-ipranges/google/ipv4.txt", 20},
      {"spamhaus-drop/latest_drop.txt", 2},
  };
  CHECK(counts == expected);
  CHECK(lists_matching(db, "161.123.153.55").count("firehol/2016-12-12/spamhaus_edrop.netset") ==
        1);
  CHECK(lists_matching(db, "194.126.177.33").count("firehol/2021-06-28/firehol_level1.netset") ==
        1);

  const std::size_t aws_expected[] = {2, 4, 6, 6, 6};
  for (std::size_t i = 0; i < std::size(kAws); ++i) {
    IntelDb aws;
    std::string error;
    REQUIRE(aws.load_aws_ranges(kLists + kAws[i].path, {}, &error));
    std::size_t n = 0;
    for (const auto& ip : ips) n += in_aws(aws, ip) ? 1 : 0;
    INFO(kAws[i].path);
    CHECK(n == aws_expected[i]);
  }
}
