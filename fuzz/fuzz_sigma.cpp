// Fuzz target: the Sigma engine. The input is a rule's YAML text, then a NUL byte, then
// CloudTrail JSON (a file's text, {"Records":[...]} or one record); without a NUL the YAML is
// matched against a few fixed records. The rule is compiled (refused or not, its metadata is
// read); a rule that runs is matched by a Matcher over every record, and by the whole detector
// with --sigma set, whose findings are settled and walked.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "trailhound/decode.hpp"
#include "trailhound/detect.hpp"
#include "trailhound/filter.hpp"
#include "trailhound/intel.hpp"
#include "trailhound/parse.hpp"
#include "trailhound/sigma.hpp"

using namespace trailhound;
namespace sigma = trailhound::detect::sigma;

namespace {

constexpr std::string_view kRecords =
    R"({"Records":[)"
    R"({"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::111122223333:assumed-role/Admin/s","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","userName":"Admin"}}},"eventTime":"2026-03-14T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/x","durationSeconds":3600,"tags":[{"key":"a","value":"b"}]},"responseElements":null},)"
    R"({"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},"eventTime":"2026-03-14T10:00:01Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"eu-west-1","sourceIPAddress":"2001:db8::1","userAgent":"console.amazonaws.com","errorCode":"AccessDenied","requestParameters":{"name":"main"}},)"
    R"({"eventVersion":"1.09","userIdentity":{"type":"Root"},"eventTime":"2026-03-14T10:00:02Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"ec2.amazonaws.com","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}})"
    R"(]})";

std::size_t touch(std::string_view s) {
  std::size_t h = s.size();
  for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static EventReader reader(ParseLimits{});
  static const intel::IntelDb db;
  static const EventFilter filter;

  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = in.find('\0');
  const std::string_view yaml = in.substr(0, nul);
  const std::string_view json = nul == std::string_view::npos ? kRecords : in.substr(nul + 1);

  const std::vector<sigma::PlaceholderSpec> none;
  const std::shared_ptr<sigma::RuleSet> set = sigma::compile_text(yaml, none, &db);
  TH_FUZZ_CHECK(set != nullptr);
  volatile std::size_t sink = 0;
  std::size_t runs = 0;
  for (const sigma::RuleMeta& m : set->rules()) {
    sink = sink + touch(m.id) + touch(m.title) + touch(m.level) + touch(m.refused);
    for (const auto& t : m.tags) sink = sink + touch(t);
    if (m.refused.empty()) ++runs;
    TH_FUZZ_CHECK(!m.skipped || !m.refused.empty());
  }
  TH_FUZZ_CHECK(set->active() == runs);
  if (set->active() == 0) return 0;

  // The records, padded as the decode stage pads its buffers.
  std::string buffer(json);
  const std::size_t length = buffer.size();
  buffer.append(kBufferPadding, '\0');
  const std::string_view view(buffer.data(), length);

  // The matcher alone: every hit names a rule of the set, every matched field has a name.
  {
    sigma::Matcher matcher(*set, nullptr);
    (void)reader.read(view, 0, [&](const EventView& e) {
      matcher.match(e, [&](std::size_t rule, const std::vector<sigma::MatchedField>& fields) {
        TH_FUZZ_CHECK(rule < set->rules().size());
        sink = sink + touch(matcher.meta(rule).id);
        for (const auto& f : fields) {
          TH_FUZZ_CHECK(!f.field.empty());
          sink = sink + touch(f.field) + touch(f.value);
        }
      });
    });
  }

  // The whole detector with the rule loaded: findings are made, settled and given ids.
  detect::DetectConfig config;
  config.sigma = set;
  detect::Detector detector(db, config, filter);
  (void)reader.read(view, 0, [&](const EventView& e) { detector.on_event(e); });
  const detect::DetectResult result = detect::finish({&detector}, db, config, nullptr);
  for (const detect::Finding& f : result.findings) {
    TH_FUZZ_CHECK(!f.rule.empty() && !f.id.empty());
    sink = sink + touch(f.rule) + touch(f.title) + touch(f.id);
    for (std::string_view r : f.reasons) sink = sink + touch(r);
  }
  return 0;
}
