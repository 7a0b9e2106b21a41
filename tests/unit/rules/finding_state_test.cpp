// Tests for src/detect/finding_state.cpp and Detector::save_state/load_state: what a scan shard
// saves and its merge loads settles to the findings the workers would have given themselves.
#include <sstream>

#include "rule_test_support.hpp"

using namespace rule_test;

namespace {

/// Everything of a finding a printer can show, as one line.
std::string describe(const detect::Finding& f) {
  std::ostringstream s;
  s << f.id << ' ' << f.rule << ' ' << detect::to_string(f.severity) << ' ' << f.time << ' '
    << f.source.file << ':' << f.source.index << ' ' << f.principal.key() << ' '
    << f.principal.access_key << ' ' << f.source_ip << ' ' << f.event_source << ':'
    << f.event_name << ' ' << f.region << ' ' << f.user_agent << ' ' << f.error_code << ' '
    << f.event_id << ' ' << f.guardduty_type << ' ' << f.aws_known;
  for (const auto& l : f.lists) s << " list=" << l.name << '/' << l.prefix << '/' << l.role;
  if (f.aws) {
    s << " aws=" << f.aws->region << '/' << f.aws->prefix;
    for (const auto& svc : f.aws->services) s << ',' << svc;
  }
  for (auto why : f.reasons) s << " | " << why;
  return s.str();
}

std::vector<std::string> describe_all(const detect::DetectResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(describe(f));
  return out;
}

Record at(Record r, const std::string& time, const std::string& id) {
  r.time = time;
  r.event_id = id;
  return r;
}

/// Calls that give findings of every rule that settles: a temporary key from AWS then from
/// outside it, listed addresses against alice's baseline, a burst of GetPasswordData, and a
/// world-open security group (settled at once).
std::vector<Record> mixed() {
  std::vector<Record> out;
  for (int i = 0; i < 4; ++i) {
    Record usual;
    usual.ip = "198.51.100.1";
    out.push_back(at(usual, "2026-03-14T09:0" + std::to_string(i) + ":00Z", "u" + std::to_string(i)));
  }
  Record key;
  key.type = "AssumedRole";
  key.arn = "arn:aws:sts::111122223333:assumed-role/worker/i-0abc";
  key.principal_id = "AROAWORKER:i-0abc";
  key.user_name.clear();
  key.access_key = "ASIAEXAMPLEWORKER001";
  key.ip = "3.80.1.20";
  out.push_back(at(key, "2026-03-14T09:30:00Z", "k1"));
  key.ip = "198.51.100.23";
  out.push_back(at(key, "2026-03-14T09:40:00Z", "k2"));
  Record listed;
  listed.ip = "203.0.113.66";
  listed.event_name = "PutObject";
  listed.agent = "Boto3/1.34.0";
  out.push_back(at(listed, "2026-03-14T10:00:00Z", "m1"));
  listed.ip = "3.80.1.21";
  listed.event_name = "ListBuckets";
  listed.agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1";
  out.push_back(at(listed, "2026-03-14T10:01:00Z", "m2"));
  for (int i = 0; i < 7; ++i) {
    Record pw;
    pw.event_source = "ec2.amazonaws.com";
    pw.event_name = "GetPasswordData";
    pw.request = "{\"instanceId\":\"i-0abc\"}";
    out.push_back(at(pw, "2026-03-14T11:0" + std::to_string(i) + ":00Z", "p" + std::to_string(i)));
  }
  Record sg;
  sg.event_source = "ec2.amazonaws.com";
  sg.event_name = "AuthorizeSecurityGroupIngress";
  sg.request = "{\"groupId\":\"sg-0123\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\","
               "\"fromPort\":22,\"toPort\":22,\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]}}]}}";
  out.push_back(at(sg, "2026-03-14T12:00:00Z", "s1"));
  return out;
}

intel::IntelDb full_db() {
  intel::IntelDb db;
  add(db, intel::ListRole::Threat, "feed", "203.0.113.66");
  add(db, intel::ListRole::Threat, "feed", "3.80.1.21");
  load_aws(db);
  return db;
}

}  // namespace

TEST_CASE("workers saved and loaded settle to the findings of the workers themselves",
          "[detect][state]") {
  const auto db = full_db();
  const auto records = mixed();
  const auto direct = describe_all(run(records, db));
  // The rules that settle must all have fired, or the comparison proves little.
  const std::string all = [&] {
    std::string joined;
    for (const auto& line : direct) joined += line + '\n';
    return joined;
  }();
  CHECK(all.find(std::string(detect::kRuleExfiltration)) != std::string::npos);
  CHECK(all.find(std::string(detect::kRuleMaliciousIp)) != std::string::npos);
  CHECK(all.find(std::string(detect::kRulePasswordData)) != std::string::npos);
  CHECK(all.find(std::string(detect::kRuleSgIngress)) != std::string::npos);
  CHECK(all.find("unexpected action") != std::string::npos);  // the baseline travelled
  for (std::size_t workers : {1, 2, 3, 5}) {
    INFO(workers << " workers");
    // Alternate records between workers: the key's AWS use, the baseline and the burst are
    // each split, so every settle needs another worker's state.
    const auto loaded = run(records, db, {}, {}, nullptr, workers,
                            [workers](std::size_t i) { return i % workers; }, true);
    CHECK(describe_all(loaded) == direct);
    CHECK(loaded.events_matched == records.size());
  }
}

TEST_CASE("a damaged state is refused, not misread", "[detect][state]") {
  const auto db = full_db();
  const detect::DetectConfig config;
  const EventFilter filter;
  detect::Detector worker(db, config, filter);
  std::string saved;
  worker.save_state(saved, {});
  ByteReader in(saved);
  std::string_view body;
  REQUIRE(in.str(body));
  std::string error;
  {
    detect::Detector fresh(db, config, filter);
    CHECK(fresh.load_state(body, 1, error));
  }
  for (std::size_t cut = 0; cut < body.size(); ++cut) {
    detect::Detector fresh(db, config, filter);
    error.clear();
    CHECK_FALSE(fresh.load_state(body.substr(0, cut), 1, error));
    CHECK_FALSE(error.empty());
  }
  // Made with other rules: said so.
  const auto one_rule = only({"sg-ingress-open"});
  detect::Detector fewer(db, one_rule, filter);
  CHECK_FALSE(fewer.load_state(body, 1, error));
  CHECK(error.find("rules") != std::string::npos);
}

TEST_CASE("a finding of a file the run does not list is refused", "[detect][state]") {
  const intel::IntelDb db;
  const auto config = only({"sg-ingress-open"});
  const EventFilter filter;
  detect::Detector worker(db, config, filter);
  Record sg;
  sg.event_source = "ec2.amazonaws.com";
  sg.event_name = "AuthorizeSecurityGroupIngress";
  sg.request = "{\"groupId\":\"sg-0123\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\","
               "\"fromPort\":22,\"toPort\":22,\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]}}]}}";
  std::string buffer = "{\"Records\":[" + sg.json() + "]}";
  const std::size_t size = buffer.size();
  buffer.append(kBufferPadding, '\0');
  EventReader reader;
  (void)reader.read(std::string_view(buffer.data(), size), 0,
                    [&](const EventView& e) { worker.on_event(e); });
  std::string saved;
  const std::vector<std::uint32_t> files = {5};  // the shard's file 0 is the run's file 5
  worker.save_state(saved, files);
  ByteReader in(saved);
  std::string_view body;
  REQUIRE(in.str(body));
  std::string error;
  detect::Detector six(db, config, filter), five(db, config, filter);
  CHECK(six.load_state(body, 6, error));
  CHECK_FALSE(five.load_state(body, 5, error));
  CHECK_FALSE(error.empty());
}
