// What every command sets up: the filter, the run settings, the lists, the output; and the
// one place where errors become exit codes.
#include <unistd.h>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "output.hpp"
#include "trailhound/escape.hpp"
#include "trailhound/timeutil.hpp"

namespace trailhound::app {

int exit_code(const Error& error) {
  switch (error.kind) {
    case ErrorKind::Usage:
    case ErrorKind::Config:
      return kExitUsage;
    case ErrorKind::Input:
      return kExitIncomplete;
    case ErrorKind::Write:
      return kExitWrite;
    case ErrorKind::Internal:
      return kExitInternal;
  }
  return kExitInternal;
}

void print_error(std::string_view message) {
  std::fputs(fmt::format("trailhound: {}\n", message).c_str(), stderr);
}

int report_error(const Error& error) {
  print_error(terminal_safe(error.what()));
  return exit_code(error);
}

bool color_wanted(ColorMode mode, int fd) {
  if (mode == ColorMode::Never) return false;
  if (mode == ColorMode::Always) return true;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && force[0] != '\0' && std::string_view(force) != "0") return true;
  return ::isatty(fd) == 1;
}

namespace {

/// True for --source-ip text matched exactly when it is no address: printable ASCII, no
/// spaces (a typo'd list "1.2.3.4, 5.6.7.8" stays a usage error).
bool exact_source_text(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c > ' ' && c < 0x7F;
  });
}

/// An output (-o, --baseline-out) may never be an input: one named on the command line is a
/// usage error (the run would overwrite the evidence it reads); one found by walking a
/// folder is left out of the inputs, as it is the run's own output.
Status guard_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                     FileTable& files, bool quiet) {
  for (const auto& [flag, path] : outputs) {
    if (path.empty() || path == "-") continue;
    struct stat out {};
    // Only an existing regular file can be an input; a device (/dev/null) is not evidence.
    if (::stat(path.c_str(), &out) != 0 || !S_ISREG(out.st_mode)) continue;
    std::vector<std::size_t> walked;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const InputFile& f = files[i];
      struct stat in {};
      if (f.is_stdin || ::stat(f.path.c_str(), &in) != 0) continue;
      if (in.st_dev != out.st_dev || in.st_ino != out.st_ino) continue;
      if (f.explicit_arg) {
        return Error::usage(fmt::format("is the input {}: refusing to overwrite it",
                                        terminal_safe(f.path)),
                            flag + " " + terminal_safe(path));
      }
      walked.push_back(i);
    }
    for (auto it = walked.rbegin(); it != walked.rend(); ++it) {
      if (!quiet) {
        print_error(fmt::format("note: {} is the output of {}: not read as an input",
                                terminal_safe(files[*it].path), flag));
      }
      files.erase(files.begin() + static_cast<std::ptrdiff_t>(*it));
    }
  }
  return {};
}

}  // namespace

Result<EventFilter> build_filter(const InputRequest& o) {
  EventFilter f;
  const TimeMs now = o.now != 0 ? o.now : now_ms();
  TimeMs anchor = now;
  if (!o.until.empty()) {
    const auto until = parse_time_arg(o.until, now);
    if (!until) {
      return Error::usage(fmt::format("cannot read '{}' as a time (YYYY-MM-DD, "
                                      "YYYY-MM-DDTHH:MM:SSZ, or a span such as 24h)",
                                      terminal_safe(o.until)),
                          "--until");
    }
    f.window.until = *until;
    anchor = *until;
  }
  if (!o.since.empty()) {
    const auto since = parse_time_arg(o.since, anchor);
    if (!since) {
      return Error::usage(fmt::format("cannot read '{}' as a time (YYYY-MM-DD, "
                                      "YYYY-MM-DDTHH:MM:SSZ, or a span such as 24h)",
                                      terminal_safe(o.since)),
                          "--since");
    }
    f.window.since = *since;
  }
  if (f.window.since && f.window.until && *f.window.since >= *f.window.until) {
    return Error::usage(fmt::format("the window is empty: --since {} is not before --until {}",
                                    format_iso(*f.window.since), format_iso(*f.window.until)));
  }
  f.users = o.users;
  f.access_keys = o.access_keys;
  f.regions = o.regions;
  f.events = o.events;
  f.errors_only = o.errors_only;
  for (const auto& text : o.source_ips) {
    intel::Prefix p;
    std::string why;
    if (intel::parse_prefix(text, p, nullptr, &why)) {
      f.source_ips.push_back(p);
    } else if (exact_source_text(text)) {
      // Not an address, but text a record can hold (anonymised data writes 035.249.253.232,
      // which strict parsing refuses): matched as written.
      f.source_texts.push_back(text);
    } else {
      return Error::usage(why, fmt::format("--source-ip '{}'", terminal_safe(text)));
    }
  }
  return f;
}

RunOptions build_run_options(const InputRequest& o) {
  RunOptions r;
  r.decode.max_inflated = o.max_file_bytes;
  r.max_memory = o.max_memory;
  r.split_bytes = o.split_size;
  r.verbose = o.verbose;
  r.parse.max_depth = o.max_depth;
  r.parse.max_record_bytes = o.max_record_bytes;
  const unsigned cores = std::thread::hardware_concurrency();
  r.jobs = o.jobs ? o.jobs : (cores ? cores : 1);
  r.quiet = o.quiet;
  r.progress = !o.quiet && ::isatty(STDERR_FILENO) == 1;
  return r;
}

Result<std::shared_ptr<detect::sigma::RuleSet>> load_sigma(
    const std::vector<std::string>& paths, const std::vector<std::string>& specs,
    const intel::IntelDb* signin, std::shared_ptr<detect::sigma::ParsedFiles> parsed) {
  if (paths.empty()) {
    if (!specs.empty()) return Error::usage("--sigma-placeholder needs --sigma", "--sigma-placeholder");
    return std::shared_ptr<detect::sigma::RuleSet>();
  }
  std::vector<detect::sigma::PlaceholderSpec> lists;
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Error::usage(fmt::format("'{}' is not NAME=PATH", terminal_safe(spec)),
                          "--sigma-placeholder");
    }
    std::string name = spec.substr(0, eq);
    // %NAME% and NAME both name the placeholder.
    if (name.size() > 2 && name.front() == '%' && name.back() == '%') name = name.substr(1, name.size() - 2);
    lists.push_back({std::move(name), spec.substr(eq + 1)});
  }
  auto loaded = parsed ? detect::sigma::load(std::move(parsed), lists, signin)
                       : detect::sigma::load(paths, lists, signin);
  if (!loaded.error.empty()) return Error::config(terminal_safe(loaded.error));
  return loaded.set;
}

Status load_intel(const IntelRequest& o, bool verbose, intel::IntelDb& db) {
  const intel::WarningSink warn = [](std::string_view m) {
    print_error(fmt::format("warning: {}", m));
  };
  intel::WarningSink note;
  if (verbose) note = [](std::string_view m) { print_error(fmt::format("note: {}", m)); };
  std::string error;
  auto fail = [&](std::string_view flag) { return Error::config(error, std::string(flag)); };
  db.allow_wide_trusted(o.allow_wide_trusted);
  for (const auto& spec : o.threat_lists) {
    if (!db.add_list(intel::ListRole::Threat, spec, warn, &error, note)) return fail("--threat-list");
  }
  for (const auto& spec : o.trusted_lists) {
    if (!db.add_list(intel::ListRole::Trusted, spec, warn, &error, note)) {
      return fail("--trusted-list");
    }
  }
  for (const auto& spec : o.signin_allowlists) {
    if (!db.add_list(intel::ListRole::SigninAllow, spec, warn, &error, note)) {
      return fail("--signin-allowlist");
    }
  }
  for (const auto& cidr : o.allow_signin) {
    if (!db.add_inline(intel::ListRole::SigninAllow, "allow-signin", cidr, &error)) {
      return fail("--allow-signin");
    }
  }
  for (const auto& path : o.aws_ip_ranges) {
    if (!db.load_aws_ranges(path, warn, &error)) return fail("--aws-ip-ranges");
  }
  return {};
}

intel::IntelKinds requested_kinds(const IntelRequest& o) {
  return intel::IntelKinds{!o.threat_lists.empty(), !o.trusted_lists.empty(),
                           !o.signin_allowlists.empty() || !o.allow_signin.empty(),
                           !o.aws_ip_ranges.empty()};
}

FdBuf::~FdBuf() { close(); }

bool FdBuf::write_all(const char* p, std::size_t n) {
  if (error_ != 0) return false;
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

int FdBuf::sync() {
  const auto n = static_cast<std::size_t>(pptr() - pbase());
  setp(buffer_, buffer_ + sizeof buffer_);
  return n == 0 || write_all(buffer_, n) ? 0 : -1;
}

FdBuf::int_type FdBuf::overflow(int_type ch) {
  if (sync() != 0) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

std::streamsize FdBuf::xsputn(const char* s, std::streamsize n) {
  const auto room = static_cast<std::streamsize>(epptr() - pptr());
  if (n <= room) {
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  // Larger than the room left: flush what is buffered, then write straight through.
  if (sync() != 0) return 0;
  return write_all(s, static_cast<std::size_t>(n)) ? n : 0;
}

void FdBuf::close() {
  if (fd_ < 0) return;
  (void)sync();
  if (owned_ && ::close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
}

Status Output::open(const std::string& path, ColorMode color) {
  if (path.empty() || path == "-") {
    color_ = color_wanted(color, STDOUT_FILENO);
    width_ = terminal_width(STDOUT_FILENO);
    std::cout.flush();  // nothing else writes to stdout from here on
    buf_.attach(STDOUT_FILENO, false);
    return {};
  }
  if (auto s = file_.open(path, "-o " + terminal_safe(path)); !s) {
    return Error{ErrorKind::Usage, "cannot create the file", s.error().path, s.error().errno_value};
  }
  buf_.attach(file_.fd(), false);
  color_ = color == ColorMode::Always;
  path_ = path;
  return {};
}

std::ostream& Output::stream() { return stream_; }

Status Output::finish() {
  stream_.flush();
  buf_.close();
  const int err = buf_.error();
  if (err == 0 && stream_) {
    if (path_.empty()) return {};
    return file_.commit();
  }
  file_.discard();
  return Error::write("writing the results failed",
                      path_.empty() ? std::string("standard output") : terminal_safe(path_), err);
}

Status GeoSource::load(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    if (auto s = db_.add(path); !s) return s;
  }
  if (!db_.empty()) cache_ = std::make_unique<intel::GeoCache>(db_);
  return {};
}

std::function<const intel::GeoInfo*(std::string_view)> GeoSource::printer_lookup() {
  if (!cache_) return nullptr;
  return [this](std::string_view text) -> const intel::GeoInfo* {
    intel::IpAddr addr;
    if (intel::classify_source(text, &addr) != intel::SourceClass::Address) return nullptr;
    return &cache_->lookup(addr);
  };
}

Result<std::unique_ptr<Printer>> open_printer(Output& output, const std::string& path,
                                              ColorMode color, const std::string& format,
                                              Command command, bool wide, bool raw_data,
                                              GeoSource* geo, const intel::IntelDb* lists) {
  // The format first: a usage error creates no file.
  if (auto s = check_format(format, command); !s) return std::move(s).error();
  if (auto s = output.open(path, color); !s) return std::move(s).error();
  PrinterOptions options;
  options.color = output.color();
  options.width = wide ? 0 : output.width();
  options.raw_data = raw_data;
  if (geo != nullptr) options.geo = geo->printer_lookup();
  options.intel = lists;
  return make_printer(format, command, output.stream(), options);
}

void order_files(FileTable& files) {
  std::stable_sort(files.begin(), files.end(),
                   [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
}

Status prepare_run(const InputRequest& o, Command command, PreparedRun& p) {
  auto filter = build_filter(o);
  if (!filter) return std::move(filter).error();
  p.filter = std::move(filter.value());
  if (!o.quiet) {
    for (const auto& text : p.filter.source_texts) {
      print_error(fmt::format("note: --source-ip '{}' is no address or CIDR: events whose "
                              "sourceIPAddress is this text are matched",
                              terminal_safe(text)));
    }
  }
  if (auto s = check_format(o.format, command); !s) return s;
  p.run = build_run_options(o);
  p.duplicates = std::make_unique<DuplicateIndex>(!o.keep_duplicates);
  p.run.on_file_issue = [&p](const FileIssue& issue) {
    p.problems.push_back(FileProblem{std::string(issue.path), issue.failed, *issue.reasons});
  };
  if (o.replay != nullptr) {
    // merge: the shards walked the inputs; their file table is the run's.
    const PartialHeader& h = o.replay->header();
    p.replay = o.replay;
    p.files = h.files;
    p.pruned = h.pruned;
    p.skipped = h.skipped_digest;
    p.walk_errors = h.walk_errors;
  } else {
    Discovery d = discover_inputs(o.paths, p.filter.window);
    for (const auto& e : d.errors) print_error(terminal_safe(e));
    p.files = std::move(d.files);
    order_files(p.files);
    auto outputs = p.other_outputs;
    outputs.emplace_back("-o", o.output);
    if (auto s = guard_outputs(outputs, p.files, o.quiet); !s) return s;
    p.pruned = d.pruned;
    p.skipped = d.skipped_digest;
    p.walk_errors = d.errors.size();
  }
  auto printer =
      open_printer(p.output, o.output, o.color, o.format, command, o.wide, o.ocsf_raw, &p.geo,
                   p.intel);
  if (!printer) return std::move(printer).error();
  p.printer = std::move(printer.value());
  return {};
}

std::vector<std::pair<std::string, std::string>> describe_request(
    const InputRequest& o, const std::vector<std::string>& geoip, std::string pivot) {
  std::vector<std::pair<std::string, std::string>> asked;
  auto join = [](const std::vector<std::string>& items, std::string_view flag) {
    std::string out;
    for (const auto& v : items) {
      if (!out.empty()) out += ' ';
      out += flag.empty() ? v : fmt::format("--{} {}", flag, v);
    }
    return out;
  };
  if (!pivot.empty()) asked.emplace_back("pivot", std::move(pivot));
  std::string filters;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!filters.empty()) filters += ' ';
    filters += part;
  };
  if (!o.since.empty()) add("--since " + o.since);
  if (!o.until.empty()) add("--until " + o.until);
  if (asked.empty()) {  // investigate's pivot flags are said above
    add(join(o.users, "user"));
    add(join(o.access_keys, "access-key"));
    add(join(o.source_ips, "source-ip"));
  }
  add(join(o.regions, "region"));
  add(join(o.events, "event"));
  if (o.errors_only) add("--errors-only");
  if (o.keep_duplicates) add("--keep-duplicates");
  asked.emplace_back("filters", filters.empty() ? std::string("none") : filters);
  asked.emplace_back("inputs", o.paths.empty() ? std::string("standard input") : join(o.paths, ""));
  if (!geoip.empty()) asked.emplace_back("geoip", join(geoip, ""));
  return asked;
}

void note_spill(const InputRequest& request, std::size_t runs) {
  if (!request.verbose || request.quiet || runs == 0) return;
  print_error(fmt::format("note: the events past {} bytes in memory (a quarter of --max-memory) "
                          "were sorted in {} run(s) on disk and merged",
                          sort_budget(request), runs));
}

void begin_printing(PreparedRun& p, Command command, bool grouped,
                    std::vector<std::pair<std::string, std::string>> asked) {
  p.printer->begin(PrintBegin{command, &p.files, grouped, std::move(asked)});
  for (const auto& problem : p.problems) p.printer->file_problem(problem);
}

int finish_run(const InputRequest& o, Output& output, const RunTotals& totals) {
  if (auto written = output.finish(); !written) return report_error(written.error());
  // Nothing opened at all (an empty folder, a missing path, a folder of digests only): the
  // job looked at nothing, which must not pass as clean. A file that was opened and refused
  // (a bomb, not CloudTrail) is a failed or skipped file, reported as such; files passed over
  // because their S3 key time is outside the window were looked at, and hold nothing asked.
  if (totals.files_read == 0 && totals.records_read == 0 && totals.bytes_in == 0 &&
      totals.files_pruned == 0) {
    print_error(fmt::format("no files were read ({} skipped, {} failed, {} outside the window)",
                            totals.files_skipped, totals.files_failed, totals.files_pruned));
    return kExitUsage;
  }
  if (totals.incomplete()) return kExitIncomplete;
  // Digests are expected beside the logs; a file that is not CloudTrail at all is not.
  if (o.strict && totals.files_not_cloudtrail > 0) {
    print_error(fmt::format("--strict: {} files were skipped as not CloudTrail",
                            totals.files_not_cloudtrail));
    return kExitIncomplete;
  }
  return kExitOk;
}

}  // namespace trailhound::app
