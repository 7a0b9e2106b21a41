// The JSON printer: one document holding the JSON Lines objects. Reading commands print
// {"files":[...],"events"/"findings"/"principals":[...],"summary":{...}}; the others an array.
#include <algorithm>

#include "print_buffer.hpp"
#include "trailhound/printer.hpp"
#include "trailhound/report.hpp"

namespace trailhound {
namespace {

class JsonPrinter final : public Printer {
 public:
  JsonPrinter(std::ostream& out, const PrinterOptions& o) : buf_(out), geo_(o.geo) {}
  void begin(const PrintBegin& b) override {
    command_ = b.command;
    files_ = b.files;
    switch (b.command) {
      case Command::Timeline: keys_ = {"files", "events"}; break;
      case Command::Summary: keys_ = {"files", "principals"}; break;
      case Command::Scan: keys_ = {"files", "findings"}; break;
      case Command::Investigate: keys_ = {"files", "findings", "events"}; break;
      default: keys_.clear(); break;
    }
    array_only_ = !reads_files(b.command);
    buf_.text += array_only_ ? '[' : '{';
  }
  void section(std::string_view /*title*/) override {}
  void file_problem(const FileProblem& p) override {
    enter("files");
    append_file_problem_json(buf_.text, p);
  }
  void event(const OwnedEvent& e) override {
    enter("events");
    append_event_json(buf_.text, e, *files_, &geo_);
  }
  void finding(const detect::Finding& f) override {
    enter("findings");
    append_finding_json(buf_.text, f, *files_, &geo_, &memo_);
  }
  void findings(const detect::FindingList& list, unsigned threads) override {
    // --geoip answers come from one cache, not made for several threads.
    if (threads <= 1 || geo_ || list.empty()) {
      Printer::findings(list, threads);
      return;
    }
    finding(list[0]);  // opens the array; each later finding follows a separator
    const std::string_view separator = array_only_ ? "," : ",\n";
    render_findings(
        list, 1, threads, memo_,
        [this, separator](std::string& out, const detect::Finding& f, JsonTextMemo& memo) {
          out += separator;
          append_finding_json(out, f, *files_, &geo_, &memo);
        },
        [this](std::string_view text) { buf_.write_through(text); });
    items_ += list.size() - 1;
  }
  void group(const FindingGroup& g) override {
    enter("findings");
    append_group_json(buf_.text, g, &geo_);
  }
  void principal(std::string_view key, const ActivityStats& s) override {
    enter("principals");
    append_principal_row_json(buf_.text, key, s, &geo_);
  }
  void ip(const IpRow& row) override {
    enter("");
    append_ip_json(buf_.text, row, &geo_);
  }
  void ip_list(const intel::ListInfo& l) override {
    enter("");
    append_ip_list_json(buf_.text, l);
  }
  void aws_ranges(const intel::AwsRangesInfo& a) override {
    enter("");
    append_aws_ranges_json(buf_.text, a);
  }
  void rule(const detect::RuleInfo& r) override {
    enter("");
    append_rule_json(buf_.text, r);
  }
  void network_kind(const detect::NetworkKind& k) override {
    enter("");
    append_network_kind_json(buf_.text, k);
  }
  void summary(const RunSummary& s) override {
    close_array();
    while (next_ < keys_.size()) empty_array(keys_[next_++]);
    member("summary");
    append_summary_json(buf_.text, command_, s);
  }
  void end() override {
    if (array_only_) {
      buf_.text += "]\n";
    } else {
      close_array();
      buf_.text += "}\n";
    }
    buf_.flush();
  }

 private:
  /// Starts the next item of array `key` (the top-level array when the document is one).
  void enter(std::string_view key) {
    if (array_only_) {
      if (items_++) buf_.text += ',';
      buf_.maybe_flush();
      return;
    }
    if (open_ && key == open_key_) {
      buf_.text += ",\n";
      buf_.maybe_flush();
      return;
    }
    close_array();
    // The arrays this command always has come in their order, empty when they had no item.
    const auto it = std::find(keys_.begin() + static_cast<std::ptrdiff_t>(next_), keys_.end(), key);
    if (it != keys_.end()) {
      const auto at = static_cast<std::size_t>(it - keys_.begin());
      while (next_ < at) empty_array(keys_[next_++]);
      next_ = at + 1;
    }
    member(key);
    buf_.text += "[\n";
    open_ = true;
    open_key_ = key;
  }
  void close_array() {
    if (!open_) return;
    buf_.text += "\n]";
    open_ = false;
  }
  void empty_array(std::string_view key) {
    member(key);
    buf_.text += "[]";
  }
  void member(std::string_view key) {
    if (members_++) buf_.text += ',';
    buf_.text += '"';
    buf_.text += key;
    buf_.text += "\":";
  }
  PrintBuffer buf_;
  GeoLookup geo_;  ///< --geoip: adds ip_info (and a summary row's countries, asns)
  JsonTextMemo memo_;  ///< the findings' pooled text, escaped once
  Command command_ = Command::Timeline;
  const FileTable* files_ = nullptr;
  std::vector<std::string_view> keys_;
  std::size_t next_ = 0;
  bool array_only_ = false;
  bool open_ = false;
  std::string_view open_key_;
  std::size_t members_ = 0, items_ = 0;
};

}  // namespace

std::unique_ptr<Printer> make_json_printer(std::ostream& out, const PrinterOptions& options) {
  return std::make_unique<JsonPrinter>(out, options);
}

}  // namespace trailhound
