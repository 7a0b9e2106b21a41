// Tests for `ip lookup` and `ip lists` output in every format, and their exit codes.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trailhound/intel.hpp"
#include "trailhound/format.hpp"
#include "trailhound/report.hpp"

using namespace trailhound;
using namespace trailhound::intel;

namespace {

IntelDb make_db() {
  IntelDb db;
  std::string error;
  std::string tor = "/tmp/trailhound_ip_command_tor.txt";
  std::ofstream(tor) << "185.220.101.0/24\n185.220.101.7\n";
  std::string office = "/tmp/trailhound_ip_command_office.txt";
  std::ofstream(office) << "185.220.101.7\n";
  REQUIRE(db.add_list(ListRole::Threat, "tor=" + tor, {}, &error));
  REQUIRE(db.add_list(ListRole::Trusted, "office=" + office, {}, &error));
  REQUIRE(db.add_inline(ListRole::SigninAllow, "allow-signin", "34.224.0.0/12", &error));
  REQUIRE(db.load_aws_ranges(TH_TEST_DATA "/lists/aws-ip-ranges-mini.json", {}, &error));
  return db;
}

std::string lookup(const IntelDb& db, std::vector<std::string> args, std::string_view fmt,
                   int* code, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  auto printer = make_printer(fmt, Command::IpLookup, out, {});
  REQUIRE(printer);
  (*printer)->begin(PrintBegin{Command::IpLookup, nullptr, false, {}});
  *code = run_ip_lookup(db, args, in, **printer, err);
  (*printer)->end();
  return out.str();
}

std::string lists(const IntelDb& db, std::string_view fmt) {
  std::ostringstream out;
  auto printer = make_printer(fmt, Command::IpLists, out, {});
  REQUIRE(printer);
  (*printer)->begin(PrintBegin{Command::IpLists, nullptr, false, {}});
  run_ip_lists(db, **printer);
  (*printer)->end();
  return out.str();
}

}  // namespace

TEST_CASE("ip lookup writes the JSON Lines contract", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"185.220.101.9"}, "jsonl", &code);
  CHECK(code == 0);
  CHECK(out ==
        "{\"type\":\"ip\",\"address\":\"185.220.101.9\",\"valid\":true,\"family\":4,\"service_source\":false,\"error\":null,\"lists\":"
        "[{\"name\":\"tor\",\"prefix\":\"185.220.101.0/24\",\"role\":\"threat\"}],"
        "\"trusted\":false,\"private_network\":false,\"aws\":null}\n");
}

TEST_CASE("a trusted address still shows the threat lists it is on", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"185.220.101.7"}, "jsonl", &code);
  CHECK(out ==
        "{\"type\":\"ip\",\"address\":\"185.220.101.7\",\"valid\":true,\"family\":4,\"service_source\":false,\"error\":null,\"lists\":"
        "[{\"name\":\"tor\",\"prefix\":\"185.220.101.7/32\",\"role\":\"threat\"},"
        "{\"name\":\"office\",\"prefix\":\"185.220.101.7/32\",\"role\":\"trusted\"}],"
        "\"trusted\":true,\"private_network\":false,\"aws\":null}\n");
}

TEST_CASE("an AWS address carries its services and region", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"34.234.236.212"}, "jsonl", &code);
  CHECK(out ==
        "{\"type\":\"ip\",\"address\":\"34.234.236.212\",\"valid\":true,\"family\":4,\"service_source\":false,\"error\":null,\"lists\":"
        "[{\"name\":\"allow-signin\",\"prefix\":\"34.224.0.0/12\",\"role\":\"signin-allow\"}],"
        "\"trusted\":false,\"private_network\":false,\"aws\":{\"service\":[\"AMAZON\",\"EC2\"],\"region\":\"us-east-1\","
        "\"prefix\":\"34.224.0.0/12\"}}\n");
}

TEST_CASE("invalid input gives an error field and exit code 3", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"035.249.253.232"}, "jsonl", &code);
  CHECK(code == 3);
  CHECK(out ==
        "{\"type\":\"ip\",\"address\":\"035.249.253.232\",\"valid\":false,\"family\":null,\"service_source\":false,\"error\":\"leading "
        "zero in IPv4 octet (octal-ambiguous)\",\"lists\":[],\"trusted\":false,\"private_network\":false,\"aws\":null}\n");
}

TEST_CASE("a service source is flagged and is not an error", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"ec2.amazonaws.com"}, "jsonl", &code);
  CHECK(code == 0);
  CHECK(out ==
        "{\"type\":\"ip\",\"address\":\"ec2.amazonaws.com\",\"valid\":false,\"family\":null,"
        "\"service_source\":true,\"error\":null,\"lists\":[],\"trusted\":false,\"private_network\":false,\"aws\":null}\n");
}

TEST_CASE("addresses are read from standard input in order, blanks skipped", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"-"}, "jsonl", &code,
                           "  2001:db8::1 \r\n\n\x1b[31mx\n::ffff:185.220.101.1\n");
  CHECK(code == 3);
  std::istringstream lines(out);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].find("\"address\":\"2001:db8::1\",\"valid\":true,\"family\":6,") !=
        std::string::npos);
  CHECK(rows[1].find("\"address\":\"\\u001b[31mx\"") != std::string::npos);
  CHECK(rows[2].find("\"error\":null,\"lists\":[{\"name\":\"tor\"") != std::string::npos);
}

TEST_CASE("ip lookup JSON is one array of the same objects", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"8.8.8.8", "8.8.4.4"}, "json", &code);
  CHECK(out.front() == '[');
  CHECK(out.find("},{\"type\":\"ip\",\"address\":\"8.8.4.4\"") != std::string::npos);
  CHECK(out.substr(out.size() - 2) == "]\n");
}

TEST_CASE("ip lookup CSV ends every row in CRLF (it ended them in LF), header and formulas kept", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db, {"34.234.236.212", "=1+1"}, "csv", &code);
  CHECK(out ==
        "address,valid,lists,trusted,aws_service,aws_region\r\n"
        "34.234.236.212,true,allow-signin=34.224.0.0/12,false,AMAZON;EC2,us-east-1\r\n"
        "\"'=1+1\",false,,false,,\r\n");
}

TEST_CASE("ip lookup text output is aligned and escapes control characters", "[intel][command]") {
  IntelDb db = make_db();
  int code = -1;
  std::string out = lookup(db,
                           {"185.220.101.7",
                            "a\x1b"
                            "b"},
                           "text", &code);
  CHECK(out.find("ADDRESS        FAMILY") == 0);
  CHECK(out.find("tor 185.220.101.7/32, office(trusted) 185.220.101.7/32") != std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
}

TEST_CASE("ip lists prints each list and the AWS file", "[intel][command]") {
  IntelDb db = make_db();
  const std::string s = lists(db, "jsonl");
  CHECK(s.find("{\"type\":\"list\",\"name\":\"tor\",\"role\":\"threat\",\"format\":\"plain\","
               "\"path\":\"/tmp/trailhound_ip_command_tor.txt\",\"ipv4\":2,\"ipv6\":0,"
               "\"skipped\":0,\"masked\":0,\"tor\":true}\n") == 0);
  CHECK(s.find("\"name\":\"allow-signin\",\"role\":\"signin-allow\",\"format\":\"inline\"") !=
        std::string::npos);
  CHECK(s.find("{\"type\":\"aws-ranges\",\"path\":\"" TH_TEST_DATA
               "/lists/aws-ip-ranges-mini.json\",\"create_date\":\"2018-11-27-02-33-25\","
               "\"sync_token\":\"1543286005\",\"ipv4\":4,\"ipv6\":2,\"skipped\":1}\n") !=
        std::string::npos);
  CHECK(lists(db, "text").find("NAME") == 0);
  CHECK(lists(db, "csv").find("type,name,role,format,path,ipv4,ipv6,skipped,masked,tor,create_date,"
                       "sync_token\r\nlist,tor,threat,plain,") == 0);
}
