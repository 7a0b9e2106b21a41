// Fuzz target: the threat-list readers. The input is read in every ListFormat and by format
// detection; each prefix a reader hands out must be canonical (host bits clear) and survive a
// print and parse. The same bytes are then loaded into an IntelDb (through a memfd, since the
// loader reads a path) and as an ip-ranges.json file, and each listed address looked up.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "trailhound/intel.hpp"

using namespace trailhound::intel;

namespace {

/// A path that reads back `content` without touching the file system, or "" on failure.
class MemFile {
 public:
  explicit MemFile(std::string_view content) {
    fd_ = ::memfd_create("trailhound-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) return;
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd_, content.data() + done, content.size() - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

void check_prefix(const Prefix& p, bool /*masked*/, std::size_t line) {
  TH_FUZZ_CHECK(line >= 1);
  TH_FUZZ_CHECK(p.length <= p.addr.bits());
  TH_FUZZ_CHECK(make_prefix(p.addr, p.length) == p);
  Prefix again;
  bool masked = true;
  TH_FUZZ_CHECK(parse_prefix(to_string(p), again, &masked));
  TH_FUZZ_CHECK(again == p);
  TH_FUZZ_CHECK(!masked);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 20)) return 0;
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  std::vector<Prefix> seen;
  ListVisitor visitor;
  visitor.entry = [&](const Prefix& p, bool masked, std::size_t line) {
    check_prefix(p, masked, line);
    if (seen.size() < 64) seen.push_back(p);
  };
  visitor.bad = [](std::size_t line, std::string_view reason) {
    TH_FUZZ_CHECK(line >= 1);
    TH_FUZZ_CHECK(!reason.empty());
  };
  for (ListFormat f : {ListFormat::Plain, ListFormat::Stix, ListFormat::Otx, ListFormat::FireEye,
                       ListFormat::Proofpoint, ListFormat::AlienVault}) {
    read_list(content, f, visitor);
    ListFormat round;
    TH_FUZZ_CHECK(parse_list_format(to_string(f), round) && round == f);
  }
  const ListFormat detected = detect_list_format(content);
  seen.clear();
  read_list(content, detected, visitor);

  // The loaders that take a path: a threat list (detected format) and ip-ranges.json.
  MemFile file(content);
  if (file.path().empty()) return 0;
  IntelDb db;
  std::string error;
  const WarningSink quiet = [](std::string_view) {};
  if (db.add_list_file(ListRole::Threat, "fuzz", file.path(), "", quiet, &error, quiet)) {
    LookupResult result;
    for (const Prefix& p : seen) {
      db.lookup(p.addr, result);
      TH_FUZZ_CHECK(result.threat);
    }
  }
  AwsRangesInfo info;
  std::size_t rows = 0;
  (void)read_aws_ranges(
      file.path(),
      [&](const AwsRangeEntry& e) {
        ++rows;
        TH_FUZZ_CHECK(make_prefix(e.prefix.addr, e.prefix.length) == e.prefix);
      },
      info, quiet, &error);
  IntelDb aws;
  if (aws.load_aws_ranges(file.path(), quiet, &error)) {
    LookupResult result;
    aws.lookup(IpAddr::from_v4(0x01020304), result);
  }
  return 0;
}
