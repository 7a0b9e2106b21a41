// The JSON Lines printer: one object per line, each with a "type" (see the man page, OUTPUT).
#include "print_buffer.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/report.hpp"

namespace trailhound {
namespace {

class JsonlPrinter final : public Printer {
 public:
  JsonlPrinter(std::ostream& out, const PrinterOptions& o) : buf_(out), geo_(o.geo) {}
  void begin(const PrintBegin& b) override {
    command_ = b.command;
    files_ = b.files;
  }
  void section(std::string_view /*title*/) override {}
  void file_problem(const FileProblem& p) override {
    append_file_problem_json(buf_.text, p);
    line();
  }
  void event(const OwnedEvent& e) override {
    append_event_json(buf_.text, e, *files_, &geo_);
    line();
  }
  void finding(const detect::Finding& f) override {
    append_finding_json(buf_.text, f, *files_, &geo_, &memo_);
    line();
  }
  void findings(const detect::FindingList& list, unsigned threads) override {
    // --geoip answers come from one cache, not made for several threads.
    if (threads <= 1 || geo_) {
      Printer::findings(list, threads);
      return;
    }
    render_findings(
        list, 0, threads, memo_,
        [this](std::string& out, const detect::Finding& f, JsonTextMemo& memo) {
          append_finding_json(out, f, *files_, &geo_, &memo);
          out += '\n';
        },
        [this](std::string_view text) { buf_.write_through(text); });
  }
  void group(const FindingGroup& g) override {
    append_group_json(buf_.text, g, &geo_);
    line();
  }
  void principal(std::string_view key, const ActivityStats& s) override {
    append_principal_row_json(buf_.text, key, s, &geo_);
    line();
  }
  void ip(const IpRow& row) override {
    append_ip_json(buf_.text, row, &geo_);
    buf_.text += '\n';
    buf_.flush();  // one answer per input as it is read: ip lookup may be fed interactively
  }
  void ip_list(const intel::ListInfo& l) override {
    append_ip_list_json(buf_.text, l);
    line();
  }
  void aws_ranges(const intel::AwsRangesInfo& a) override {
    append_aws_ranges_json(buf_.text, a);
    line();
  }
  void rule(const detect::RuleInfo& r) override {
    append_rule_json(buf_.text, r);
    line();
  }
  void network_kind(const detect::NetworkKind& k) override {
    append_network_kind_json(buf_.text, k);
    line();
  }
  void summary(const RunSummary& s) override {
    append_summary_json(buf_.text, command_, s);
    line();
  }
  void flush() override { buf_.flush(); }
  void end() override { buf_.flush(); }

 private:
  void line() {
    buf_.text += '\n';
    buf_.maybe_flush();
  }
  PrintBuffer buf_;
  GeoLookup geo_;  ///< --geoip: adds ip_info (and a summary row's countries, asns)
  JsonTextMemo memo_;  ///< the findings' pooled text, escaped once
  Command command_ = Command::Timeline;
  const FileTable* files_ = nullptr;
};

}  // namespace

std::unique_ptr<Printer> make_jsonl_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<JsonlPrinter>(out, options);
}

}  // namespace trailhound
