// The Sigma engine: YAML rule files compiled once into matchers over CloudTrail records.
//
// A rule's detection becomes selections (a map is AND of field tests, a list of maps is OR)
// and a condition tree over them. Each rule is indexed by the event names (or, failing that,
// the event sources) its condition requires, so an event is only looked at by the rules that
// can match it, and its record is parsed only when one of them asks for a field the event
// view does not already hold.
#include "trailhound/sigma.hpp"

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace trailhound::detect::sigma {
namespace {

constexpr int kStar = -1;
constexpr int kOne = -2;
/// How much work one regular-expression search may do (PCRE2's match limit: calls of its
/// internal match function, or JIT backtracks) before it gives up as no match, so that a
/// pattern that backtracks catastrophically on a hostile value cannot hang a worker.
constexpr std::uint32_t kRegexMatchLimit = 1'000'000;
/// PCRE2's depth limit (nested backtracking frames) for the interpreter, for the same reason.
constexpr std::uint32_t kRegexDepthLimit = 10'000;
/// Matched values in a finding's reasons are cut to this length.
constexpr std::size_t kMaxReasonValue = 160;

// ASCII only, as std::tolower is in the C locale trailhound runs in, without its call per byte.
char lower_char(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

/// `s` equals `lowered` (already lower-case), ignoring the case of `s`.
bool iequal(std::string_view s, std::string_view lowered) {
  if (s.size() != lowered.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower_char(s[i]) != lowered[i]) return false;
  }
  return true;
}

/// Wildcard match of `p` (characters, kStar, kOne) over `s`, iterative with one backtrack
/// point: O(|p|·|s|) at worst, no recursion.
bool glob_match(const std::vector<int>& p, std::string_view s, bool cased) {
  std::size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    const char c = cased ? s[si] : lower_char(s[si]);
    if (pi < p.size() && (p[pi] == kOne || (p[pi] >= 0 && static_cast<char>(p[pi]) == c))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == kStar) {
      star = pi++;
      mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == kStar) ++pi;
  return pi == p.size();
}

/// A compiled PCRE2 pattern (the `re` modifier), shared read-only by every worker; JIT
/// compiled when the library can.
struct Pcre {
  pcre2_code* code = nullptr;
  bool jit = false;
  Pcre() = default;
  Pcre(const Pcre&) = delete;
  Pcre& operator=(const Pcre&) = delete;
  ~Pcre() { pcre2_code_free(code); }
};

/// Compiles `pattern` with `options`; null with `error` set when PCRE2 refuses it.
std::shared_ptr<const Pcre> compile_pcre(std::string_view pattern, std::uint32_t options,
                                        std::string& error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  auto re = std::make_shared<Pcre>();
  re->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                           &code, &offset, nullptr);
  if (re->code == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    error = fmt::format("{} at offset {}", reinterpret_cast<const char*>(buf), offset);
    return nullptr;
  }
  re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
  return re;
}

enum class Op {
  Equal, Contains, Prefix, Suffix, Glob, Regex, Cidr, Exists, Null, FieldRef, Placeholder,
  Gt, Gte, Lt, Lte,
};

struct ValueTest {
  Op op = Op::Equal;
  bool cased = false;
  std::string text;  ///< lower-cased unless cased
  std::vector<int> glob;
  std::shared_ptr<const Pcre> re;
  bool re_icase = false;  ///< re|i
  std::string must;  ///< re: text every match contains (lower-cased with re|i), checked first
  intel::Prefix prefix;
  bool exists = true;
  int ref = -1;         ///< fieldref: the other field
  Op ref_op = Op::Equal;
  int placeholder = -1;
  double number = 0;
};

struct FieldTest {
  int field = -1;
  std::vector<ValueTest> values;
  bool all = false;
};

/// One map of a selection: every field test holds.
using Conjunction = std::vector<FieldTest>;

struct Selection {
  std::string name;
  std::vector<Conjunction> alternatives;  ///< any holds
};

struct Node {
  enum Kind { Sel, And, Or, Not } kind = Sel;
  int sel = -1;
  std::vector<Node> kids;
};

struct Compiled {
  std::size_t meta = 0;
  std::vector<Selection> sels;
  Node cond;
};

/// A field of the record: a dotted path, or a name with its own source.
struct Field {
  std::string name;  ///< as CloudTrail names it
  std::vector<std::string> path;
  enum Special { None, SrcCountry } special = None;
  std::string_view (*fast)(const EventView&) = nullptr;
};

struct Placeholder {
  std::string name;
  bool filled = false;
  bool signin = false;  ///< filled from the sign-in allow list
  intel::PrefixTree tree;
  bool has_tree = false;
  std::unordered_set<std::string> strings;  ///< lower-cased
};

/// Fields the event view already holds (unescaped), so most rules never parse the record (nor
/// for an absent member: see EventView::members).
using FastGet = std::string_view (*)(const EventView&);
const std::unordered_map<std::string_view, FastGet>& fast_fields() {
  static const std::unordered_map<std::string_view, FastGet> m = {
      {"eventName", [](const EventView& e) { return e.event_name; }},
      {"eventSource", [](const EventView& e) { return e.event_source; }},
      {"awsRegion", [](const EventView& e) { return e.aws_region; }},
      {"sourceIPAddress", [](const EventView& e) { return e.source_ip; }},
      {"userAgent", [](const EventView& e) { return e.user_agent; }},
      {"errorCode", [](const EventView& e) { return e.error_code; }},
      {"errorMessage", [](const EventView& e) { return e.error_message; }},
      {"eventType", [](const EventView& e) { return e.event_type; }},
      {"eventID", [](const EventView& e) { return e.event_id; }},
      {"eventVersion", [](const EventView& e) { return e.event_version; }},
      {"recipientAccountId", [](const EventView& e) { return e.recipient_account_id; }},
      {"userIdentity.type", [](const EventView& e) { return e.identity.type_text; }},
      {"userIdentity.arn", [](const EventView& e) { return e.identity.arn; }},
      {"userIdentity.accountId", [](const EventView& e) { return e.identity.account_id; }},
      {"userIdentity.principalId", [](const EventView& e) { return e.identity.principal_id; }},
      {"userIdentity.userName", [](const EventView& e) { return e.identity.user_name; }},
      {"userIdentity.accessKeyId", [](const EventView& e) { return e.identity.access_key_id; }},
      {"userIdentity.invokedBy", [](const EventView& e) { return e.identity.invoked_by; }},
      {"userIdentity.sessionContext.sessionIssuer.userName",
       [](const EventView& e) { return e.identity.issuer_user_name; }},
      {"userIdentity.sessionContext.sessionIssuer.type",
       [](const EventView& e) { return e.identity.issuer_type; }},
      {"userIdentity.sessionContext.sessionIssuer.arn",
       [](const EventView& e) { return e.identity.issuer_arn; }},
      {"userIdentity.sessionContext.attributes.mfaAuthenticated",
       [](const EventView& e) { return e.identity.mfa_authenticated; }},
  };
  return m;
}

/// A rule the engine cannot run, with the reason.
struct Refusal {
  std::string reason;
};

[[noreturn]] void refuse(std::string reason) { throw Refusal{std::move(reason)}; }

/// The longest run of plain characters a match of `pattern` must contain (three or more), so
/// that most text is turned away before the regular expression runs; empty when unsure
/// (alternation, or nothing long enough outside groups).
std::string required_literal(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return {};
  // Inline options ((?i), (?x), ...), quoting (\Q...\E) and verbs ((*UCP)) change what the
  // text around them means: no literal is taken from such a pattern.
  if (pattern.find("(?") != std::string_view::npos || pattern.find("\\Q") != std::string_view::npos ||
      pattern.find("(*") != std::string_view::npos) {
    return {};
  }
  auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '/' || c == '-' ||
           c == '_' || c == '@' || c == ' ' || c == ',' || c == '=' || c == '"' || c == '\'' ||
           c == '<' || c == '>' || c == '%' || c == '#' || c == '!' || c == '~' || c == '&';
  };
  std::string best, run;
  int depth = 0;
  for (std::size_t i = 0; i <= pattern.size(); ++i) {
    const char c = i < pattern.size() ? pattern[i] : '\0';
    if (i < pattern.size() && depth == 0 && plain(c)) {
      run += c;
      continue;
    }
    // A quantifier after the run makes its last character optional.
    if (!run.empty() && (c == '?' || c == '*' || c == '{')) run.pop_back();
    if (run.size() > best.size()) best = run;
    run.clear();
    if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == '{' && depth == 0) {
      // A counted quantifier ({2}, {1,300}): its digits are not text of the match.
      const std::size_t close = pattern.find('}', i);
      if (close != std::string_view::npos) i = close;
    } else if (c == '\\' && i + 1 < pattern.size()) {
      // An escape: its character is not taken as plain, nor what a lettered escape takes
      // after it (\x{41}, \p{L}, \g1, \N{U+41}, \x41).
      const char e = pattern[++i];
      if (std::isalpha(static_cast<unsigned char>(e))) {
        if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
          const std::size_t close = pattern.find('}', i + 1);
          i = close == std::string_view::npos ? pattern.size() : close;
        } else if (e == 'x' || e == 'g' || e == 'k' || e == 'c' || e == 'o' || e == 'p' ||
                   e == 'P' || e == 'N' || e == 'u' || std::isdigit(static_cast<unsigned char>(e))) {
          while (i + 1 < pattern.size() && std::isalnum(static_cast<unsigned char>(pattern[i + 1]))) ++i;
        }
      } else if (std::isdigit(static_cast<unsigned char>(e))) {
        while (i + 1 < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[i + 1]))) ++i;
      }
    }
  }
  return best.size() >= 3 ? best : std::string();
}

bool parse_number(std::string_view s, double& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

struct RuleSet::Impl {
  std::vector<RuleMeta> metas;
  std::vector<std::string> notes;
  std::vector<Compiled> rules;
  std::vector<Field> fields;
  std::unordered_map<std::string, int> field_index;
  std::vector<Placeholder> placeholders;
  std::unordered_map<std::string, int> placeholder_index;
  const intel::IntelDb* signin = nullptr;
  /// Pre-filters: rule indexes by lower-cased event name, else event source, else always.
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_name, by_source;
  std::vector<std::uint32_t> always;
  double ms = 0;

  int field(std::string name);
  int placeholder(const std::string& name);
  void compile(const YAML::Node& doc, RuleMeta& meta);
  ValueTest value_test(const YAML::Node& v, const std::vector<std::string>& mods, int field,
                       const std::string& key);
  FieldTest field_test(const std::string& key, const YAML::Node& v);
  Conjunction conjunction(const YAML::Node& map, const std::string& sel);
  void index(std::uint32_t rule);
};

namespace {

/// The recursive-descent condition parser: or < and < not < ( ) / 1 of / all of / name.
class ConditionParser {
 public:
  ConditionParser(std::string_view text, const std::vector<Selection>& sels) : sels_(sels) {
    std::string cur;
    for (char c : text) {
      if (c == '(' || c == ')' || std::isspace(static_cast<unsigned char>(c))) {
        if (!cur.empty()) tokens_.push_back(std::move(cur));
        cur.clear();
        if (c == '(' || c == ')') tokens_.emplace_back(1, c);
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) tokens_.push_back(std::move(cur));
  }

  Node parse() {
    if (tokens_.empty()) refuse("the condition is empty");
    Node n = parse_or();
    if (pos_ != tokens_.size()) {
      if (tokens_[pos_].front() == '|') {
        refuse("aggregation in the condition ('| count() ...') is not supported");
      }
      refuse(fmt::format("unexpected '{}' in the condition", tokens_[pos_]));
    }
    return n;
  }

 private:
  [[nodiscard]] bool at(std::string_view t) const {
    return pos_ < tokens_.size() && tokens_[pos_] == t;
  }
  Node parse_or() {
    Node left = parse_and();
    if (!at("or")) return left;
    Node n{Node::Or, -1, {}};
    n.kids.push_back(std::move(left));
    while (at("or")) {
      ++pos_;
      n.kids.push_back(parse_and());
    }
    return n;
  }
  Node parse_and() {
    Node left = parse_not();
    if (!at("and")) return left;
    Node n{Node::And, -1, {}};
    n.kids.push_back(std::move(left));
    while (at("and")) {
      ++pos_;
      n.kids.push_back(parse_not());
    }
    return n;
  }
  Node parse_not() {
    // Nesting is bounded, so that no rule file can exhaust the stack.
    if (++depth_ > kMaxConditionDepth) refuse("the condition nests too deep");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (at("not")) {
      ++pos_;
      Node n{Node::Not, -1, {}};
      n.kids.push_back(parse_not());
      return n;
    }
    return parse_atom();
  }
  Node parse_atom() {
    if (pos_ >= tokens_.size()) refuse("the condition ends too early");
    const std::string t = tokens_[pos_++];
    if (t == "(") {
      Node n = parse_or();
      if (!at(")")) refuse("a '(' in the condition is not closed");
      ++pos_;
      return n;
    }
    if (t == ")" || t == "and" || t == "or") refuse(fmt::format("unexpected '{}' in the condition", t));
    if (t.front() == '|') refuse("aggregation in the condition ('| count() ...') is not supported");
    if (at("of")) {
      ++pos_;
      if (t != "1" && t != "any" && t != "all") {
        refuse(fmt::format("'{} of' is not supported (only '1 of', 'any of' and 'all of')", t));
      }
      if (pos_ >= tokens_.size()) refuse("'of' names nothing");
      const std::string target = tokens_[pos_++];
      Node n{t == "all" ? Node::And : Node::Or, -1, {}};
      std::vector<int> pattern;
      for (char c : target) pattern.push_back(c == '*' ? kStar : c == '?' ? kOne : c);
      for (std::size_t i = 0; i < sels_.size(); ++i) {
        const std::string& name = sels_[i].name;
        const bool hit = target == "them" ? (name.empty() || name.front() != '_')
                                          : glob_match(pattern, name, true);
        if (hit) n.kids.push_back(Node{Node::Sel, static_cast<int>(i), {}});
      }
      if (n.kids.empty()) refuse(fmt::format("'{} of {}' names no selection", t, target));
      return n;
    }
    for (std::size_t i = 0; i < sels_.size(); ++i) {
      if (sels_[i].name == t) return Node{Node::Sel, static_cast<int>(i), {}};
    }
    refuse(fmt::format("the condition names '{}', which is no selection", t));
  }

  static constexpr int kMaxConditionDepth = 64;
  const std::vector<Selection>& sels_;
  std::vector<std::string> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

/// The event names (or sources) an event must have for `n` to hold: nothing when any may.
std::optional<std::set<std::string>> required(const Node& n, const Compiled& r, int field) {
  switch (n.kind) {
    case Node::Sel: {
      std::set<std::string> out;
      for (const Conjunction& c : r.sels[static_cast<std::size_t>(n.sel)].alternatives) {
        bool found = false;
        for (const FieldTest& t : c) {
          if (t.field != field || t.values.empty() || (t.all && t.values.size() > 1)) continue;
          if (!std::all_of(t.values.begin(), t.values.end(),
                           [](const ValueTest& v) { return v.op == Op::Equal; })) {
            continue;
          }
          for (const ValueTest& v : t.values) out.insert(v.cased ? lower(v.text) : v.text);
          found = true;
          break;
        }
        if (!found) return std::nullopt;
      }
      return out;
    }
    case Node::And: {
      std::optional<std::set<std::string>> best;
      for (const Node& k : n.kids) {
        auto s = required(k, r, field);
        if (s && (!best || s->size() < best->size())) best = std::move(s);
      }
      return best;
    }
    case Node::Or: {
      std::set<std::string> out;
      for (const Node& k : n.kids) {
        auto s = required(k, r, field);
        if (!s) return std::nullopt;
        out.insert(s->begin(), s->end());
      }
      return out;
    }
    case Node::Not:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string scalar(const YAML::Node& n) {
  if (!n || !n.IsScalar()) return {};
  return n.Scalar();
}

std::vector<std::string> string_list(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) out.push_back(n.Scalar());
  if (n.IsSequence()) {
    for (const auto& item : n) {
      if (item.IsScalar()) out.push_back(item.Scalar());
    }
  }
  return out;
}

}  // namespace

int RuleSet::Impl::field(std::string name) {
  // Sigma's generic names that CloudTrail spells its own way.
  if (name == "src_ip") name = "sourceIPAddress";
  const auto it = field_index.find(name);
  if (it != field_index.end()) return it->second;
  Field f;
  f.name = name;
  if (name == "src_country") {
    f.special = Field::SrcCountry;
  } else {
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = name.find('.', start);
      f.path.push_back(name.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (std::any_of(f.path.begin(), f.path.end(), [](const auto& p) { return p.empty(); })) {
      refuse(fmt::format("field name '{}' has an empty part", name));
    }
    const auto fast = fast_fields().find(name);
    if (fast != fast_fields().end()) f.fast = fast->second;
  }
  fields.push_back(std::move(f));
  const int id = static_cast<int>(fields.size() - 1);
  field_index.emplace(name, id);
  return id;
}

int RuleSet::Impl::placeholder(const std::string& name) {
  const auto it = placeholder_index.find(name);
  if (it != placeholder_index.end()) return it->second;
  Placeholder p;
  p.name = name;
  if (name == "Legitimate_IP_Ranges" && signin != nullptr && signin->has_signin_allowlist()) {
    p.filled = p.signin = true;
  }
  placeholders.push_back(std::move(p));
  const int id = static_cast<int>(placeholders.size() - 1);
  placeholder_index.emplace(name, id);
  return id;
}

ValueTest RuleSet::Impl::value_test(const YAML::Node& v, const std::vector<std::string>& mods,
                                    int field_id, const std::string& key) {
  ValueTest t;
  bool contains = false, starts = false, ends = false, re = false, cidr = false,
       exists = false, fieldref = false, expand = false;
  bool re_i = false, re_m = false, re_s = false;
  std::optional<Op> compare;
  for (std::size_t i = 0; i < mods.size(); ++i) {
    const std::string& m = mods[i];
    if (m == "contains") contains = true;
    else if (m == "startswith") starts = true;
    else if (m == "endswith") ends = true;
    else if (m == "all") continue;
    else if (m == "re") re = true;
    else if (re && m == "i") re_i = true;
    else if (re && m == "m") re_m = true;
    else if (re && m == "s") re_s = true;
    else if (m == "cidr") cidr = true;
    else if (m == "exists") exists = true;
    else if (m == "fieldref") fieldref = true;
    else if (m == "expand") expand = true;
    else if (m == "cased") t.cased = true;
    else if (m == "gt") compare = Op::Gt;
    else if (m == "gte") compare = Op::Gte;
    else if (m == "lt") compare = Op::Lt;
    else if (m == "lte") compare = Op::Lte;
    else if (m == "base64" || m == "base64offset" || m == "wide" || m == "utf16" ||
             m == "utf16le" || m == "utf16be" || m == "windash") {
      refuse(fmt::format("modifier '{}' (on {}) encodes values for Windows logs; not supported "
                         "for CloudTrail", m, key));
    } else {
      refuse(fmt::format("modifier '{}' (on {}) is not supported", m, key));
    }
  }
  if (int(contains) + int(starts) + int(ends) > 1) {
    refuse(fmt::format("{}: contains, startswith and endswith exclude each other", key));
  }
  const bool position = contains || starts || ends;
  if (int(re) + int(cidr) + int(exists) + int(expand) + int(compare.has_value()) > 1 ||
      ((re || cidr || exists || expand || compare) && (position || fieldref))) {
    refuse(fmt::format("{}: this combination of modifiers is not supported", key));
  }
  if (!v || v.IsNull()) {
    if (position || re || cidr || fieldref || expand || compare) {
      refuse(fmt::format("{}: a null value with a value modifier", key));
    }
    if (exists) refuse(fmt::format("{}: exists needs true or false", key));
    t.op = Op::Null;
    return t;
  }
  if (!v.IsScalar()) refuse(fmt::format("{}: a value is a map or a nested list", key));
  const std::string s = v.Scalar();
  if (exists) {
    if (s != "true" && s != "false") refuse(fmt::format("{}: exists needs true or false", key));
    t.op = Op::Exists;
    t.exists = s == "true";
    return t;
  }
  if (re) {
    // Sigma's regular expressions are PCRE; values are UTF-8 (invalid sequences never match).
    std::uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (re_i) options |= PCRE2_CASELESS;
    if (re_m) options |= PCRE2_MULTILINE;
    if (re_s) options |= PCRE2_DOTALL;
    std::string error;
    t.re = compile_pcre(s, options, error);
    if (!t.re) refuse(fmt::format("{}: regular expression '{}' is not valid: {}", key, s, error));
    t.re_icase = re_i;
    t.must = required_literal(s);
    if (re_i) {
      t.must = lower(t.must);
      // Caseless UTF matching folds k and s with the Kelvin and long-s signs, which an ASCII
      // search for the literal would miss.
      if (t.must.find_first_of("ks") != std::string::npos) t.must.clear();
    }
    t.op = Op::Regex;
    return t;
  }
  if (cidr) {
    std::string error;
    if (!intel::parse_prefix(s, t.prefix, nullptr, &error)) {
      refuse(fmt::format("{}: '{}' is not a CIDR: {}", key, s, error));
    }
    t.op = Op::Cidr;
    return t;
  }
  if (compare) {
    if (!parse_number(s, t.number)) refuse(fmt::format("{}: '{}' is not a number", key, s));
    t.op = *compare;
    return t;
  }
  if (fieldref) {
    t.op = Op::FieldRef;
    t.ref = field(s);
    t.ref_op = contains ? Op::Contains : starts ? Op::Prefix : ends ? Op::Suffix : Op::Equal;
    return t;
  }
  if (expand) {
    if (s.size() < 3 || s.front() != '%' || s.back() != '%' ||
        s.find('%', 1) != s.size() - 1) {
      refuse(fmt::format("{}: expand needs a whole '%name%' placeholder, not '{}'", key, s));
    }
    t.op = Op::Placeholder;
    t.placeholder = placeholder(s.substr(1, s.size() - 2));
    return t;
  }
  (void)field_id;
  // Sigma's escaping: \* \? and \\ are the characters themselves; * and ? are wildcards.
  std::vector<int> p;
  if (contains || ends) p.push_back(kStar);
  bool wild = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      p.push_back(static_cast<unsigned char>(t.cased ? s[i + 1] : lower_char(s[i + 1])));
      ++i;
    } else if (c == '*') {
      p.push_back(kStar);
      wild = true;
    } else if (c == '?') {
      p.push_back(kOne);
      wild = true;
    } else {
      p.push_back(static_cast<unsigned char>(t.cased ? c : lower_char(c)));
    }
  }
  if (contains || starts) p.push_back(kStar);
  if (wild) {
    t.op = Op::Glob;
    t.glob = std::move(p);
    return t;
  }
  for (int c : p) {
    if (c >= 0) t.text += static_cast<char>(c);
  }
  t.op = contains ? Op::Contains : starts ? Op::Prefix : ends ? Op::Suffix : Op::Equal;
  return t;
}

FieldTest RuleSet::Impl::field_test(const std::string& key, const YAML::Node& v) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = key.find('|', start);
    parts.push_back(key.substr(start, bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  const std::string name = parts.front();
  if (name.empty()) {
    refuse(fmt::format("'{}' has no field name (keyword search is not supported for "
                       "CloudTrail, whose records are matched by field)", key));
  }
  const std::vector<std::string> mods(parts.begin() + 1, parts.end());
  FieldTest t;
  t.field = field(name);
  t.all = std::find(mods.begin(), mods.end(), "all") != mods.end();
  if (v && v.IsSequence()) {
    for (const auto& item : v) t.values.push_back(value_test(item, mods, t.field, key));
    if (t.values.empty()) refuse(fmt::format("{}: an empty list of values", key));
  } else if (v && v.IsMap()) {
    refuse(fmt::format("{}: a value is a map", key));
  } else {
    t.values.push_back(value_test(v, mods, t.field, key));
  }
  return t;
}

Conjunction RuleSet::Impl::conjunction(const YAML::Node& map, const std::string& sel) {
  Conjunction c;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) refuse(fmt::format("selection '{}' has a key that is not text", sel));
    c.push_back(field_test(kv.first.Scalar(), kv.second));
  }
  return c;
}

void RuleSet::Impl::compile(const YAML::Node& doc, RuleMeta& meta) {
  if (!doc.IsMap()) refuse("the file is not a YAML map");
  if (doc["correlation"]) refuse("correlation rules (counting events) are not supported");
  const YAML::Node logsource = doc["logsource"];
  const std::string product = lower(scalar(logsource["product"]));
  const std::string service = lower(scalar(logsource["service"]));
  if (product != "aws" || service != "cloudtrail") {
    meta.skipped = true;
    refuse(fmt::format("logsource is product '{}' service '{}', not aws / cloudtrail", product,
                       service));
  }
  const YAML::Node detection = doc["detection"];
  if (!detection || !detection.IsMap()) refuse("the rule has no detection map");
  if (detection["timeframe"]) refuse("timeframe (aggregation over time) is not supported");
  Compiled r;
  for (const auto& kv : detection) {
    const std::string name = scalar(kv.first);
    if (name == "condition") continue;
    Selection sel;
    sel.name = name;
    const YAML::Node& v = kv.second;
    if (v.IsMap()) {
      sel.alternatives.push_back(conjunction(v, name));
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (!item.IsMap()) {
          refuse(fmt::format("selection '{}' is a list of keywords (values without a field); "
                             "keyword search is not supported for CloudTrail", name));
        }
        sel.alternatives.push_back(conjunction(item, name));
      }
      if (sel.alternatives.empty()) refuse(fmt::format("selection '{}' is empty", name));
    } else {
      refuse(fmt::format("selection '{}' is neither a map nor a list", name));
    }
    r.sels.push_back(std::move(sel));
  }
  const YAML::Node cond = detection["condition"];
  if (!cond) refuse("the detection has no condition");
  if (cond.IsSequence()) {
    // Several conditions: any of them.
    Node any{Node::Or, -1, {}};
    for (const auto& c : cond) any.kids.push_back(ConditionParser(scalar(c), r.sels).parse());
    if (any.kids.empty()) refuse("the condition list is empty");
    r.cond = std::move(any);
  } else {
    r.cond = ConditionParser(scalar(cond), r.sels).parse();
  }
  r.meta = metas.size() - 1;
  rules.push_back(std::move(r));
}

void RuleSet::Impl::index(std::uint32_t rule) {
  const Compiled& r = rules[rule];
  const auto name_id = field_index.find("eventName");
  const auto source_id = field_index.find("eventSource");
  if (name_id != field_index.end()) {
    if (auto names = required(r.cond, r, name_id->second)) {
      for (const auto& n : *names) by_name[n].push_back(rule);
      return;
    }
  }
  if (source_id != field_index.end()) {
    if (auto sources = required(r.cond, r, source_id->second)) {
      for (const auto& s : *sources) by_source[s].push_back(rule);
      return;
    }
  }
  always.push_back(rule);
}

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;
const std::vector<RuleMeta>& RuleSet::rules() const { return impl_->metas; }
const std::vector<std::string>& RuleSet::notes() const { return impl_->notes; }
std::size_t RuleSet::active() const { return impl_->rules.size(); }
double RuleSet::load_ms() const { return impl_->ms; }

namespace {

void load_document(RuleSet::Impl& impl, const std::vector<YAML::Node>& docs, std::string file) {
  RuleMeta meta;
  meta.file = std::move(file);
  meta.id = std::filesystem::path(meta.file).stem().string();
  impl.metas.push_back(meta);
  RuleMeta& m = impl.metas.back();
  try {
    if (docs.size() != 1) {
      refuse(docs.empty() ? "the file holds no YAML document"
                          : "multi-document rule files (action: global) are not supported");
    }
    const YAML::Node& doc = docs.front();
    if (doc.IsMap()) {
      if (const std::string id = scalar(doc["id"]); !id.empty()) m.id = id;
      m.title = scalar(doc["title"]);
      m.status = scalar(doc["status"]);
      m.level = lower(scalar(doc["level"]));
      m.author = scalar(doc["author"]);
      m.tags = string_list(doc["tags"]);
      m.references = string_list(doc["references"]);
    }
    for (std::size_t i = 0; i + 1 < impl.metas.size(); ++i) {
      if (impl.metas[i].id == m.id && impl.metas[i].refused.empty()) {
        refuse(fmt::format("its id {} is also the id of {}", m.id, impl.metas[i].file));
      }
    }
    if (m.level.empty()) m.level = "medium";
    static const std::set<std::string> levels = {"informational", "low", "medium", "high",
                                                 "critical"};
    if (!levels.count(m.level)) refuse(fmt::format("level '{}' is not a Sigma level", m.level));
    impl.compile(doc, m);
    impl.index(static_cast<std::uint32_t>(impl.rules.size() - 1));
  } catch (const Refusal& r) {
    m.refused = r.reason;
  } catch (const YAML::Exception& e) {
    m.refused = fmt::format("YAML: {}", e.what());
  }
}

std::vector<YAML::Node> parse_yaml(std::string_view text) {
  // yaml-cpp 0.7 loops forever, allocating, on a stream whose first byte is ',' followed by
  // a plain character (found by fuzz_sigma); such a stream is not YAML (',' cannot begin a
  // plain scalar, and a flow entry needs a flow collection), so it is refused before.
  if (!text.empty() && text.front() == ',') {
    throw YAML::ParserException(YAML::Mark(), "a YAML stream cannot begin with ','");
  }
  std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
  // A trailing "---" gives an empty document.
  std::erase_if(docs, [](const YAML::Node& n) { return n.IsNull(); });
  return docs;
}

bool read_file(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

/// Reads a placeholder list: one value a line, # comments; addresses and CIDRs go to the
/// radix tree, anything else is matched as text.
std::string load_placeholder(Placeholder& p, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) return fmt::format("--sigma-placeholder {}: cannot read the file", path);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t b = 0;
    while (b < line.size() && std::isspace(static_cast<unsigned char>(line[b]))) ++b;
    line.erase(0, b);
    if (line.empty()) continue;
    intel::Prefix prefix;
    if (intel::parse_prefix(line, prefix)) {
      p.tree.insert(prefix) = 1;
      p.has_tree = true;
    } else {
      p.strings.insert(lower(line));
    }
  }
  p.tree.finalize();
  p.filled = true;
  return {};
}

void finish_load(RuleSet::Impl& impl, const std::vector<PlaceholderSpec>& specs,
                 std::string& error) {
  for (const PlaceholderSpec& spec : specs) {
    const auto it = impl.placeholder_index.find(spec.name);
    if (it == impl.placeholder_index.end()) {
      impl.notes.push_back(fmt::format("--sigma-placeholder {}: no loaded rule uses %{}%",
                                       spec.name, spec.name));
      continue;
    }
    Placeholder& p = impl.placeholders[static_cast<std::size_t>(it->second)];
    p.signin = false;
    if (std::string e = load_placeholder(p, spec.path); !e.empty()) {
      error = e;
      return;
    }
  }
  for (const Placeholder& p : impl.placeholders) {
    if (p.filled) continue;
    impl.notes.push_back(fmt::format(
        "sigma placeholder %{}% has no list (--sigma-placeholder {}=PATH{}): it matches no "
        "value, so a filter on it excludes nothing",
        p.name, p.name, p.name == "Legitimate_IP_Ranges" ? ", or a sign-in allow list" : ""));
  }
}

}  // namespace

/// One rule file as parse_files left it: its YAML documents, or why they could not be read.
struct ParsedFile {
  std::string path, stem;
  std::vector<YAML::Node> docs;
  std::string yaml_error;  ///< set: the file is kept as a refused rule with this reason
};

struct ParsedFiles {
  std::vector<ParsedFile> files;
  std::vector<std::string> notes;  ///< folders without rule files
  std::string error;               ///< the path that stopped the walk (after `files`)
  double ms = 0;
};

std::shared_ptr<ParsedFiles> parse_files(const std::vector<std::string>& paths) {
  const auto t0 = std::chrono::steady_clock::now();
  auto out = std::make_shared<ParsedFiles>();
  const auto done = [&] {
    out->ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return out;
  };
  namespace fs = std::filesystem;
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(path, ec)) {
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension();
        if ((ext == ".yml" || ext == ".yaml") && it->is_regular_file(ec)) files.push_back(it->path());
      }
      if (ec) {
        out->error = fmt::format("--sigma {}: cannot walk the folder: {}", path, ec.message());
        return done();
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) out->notes.push_back(fmt::format("--sigma {}: no .yml rule files", path));
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      out->error = fmt::format("--sigma {}: no such file or folder", path);
      return done();
    }
    for (const fs::path& f : files) {
      std::string text;
      if (!read_file(f, text)) {
        out->error = fmt::format("--sigma {}: cannot read the file", f.string());
        return done();
      }
      ParsedFile parsed;
      parsed.path = f.string();
      parsed.stem = f.stem().string();
      try {
        parsed.docs = parse_yaml(text);
      } catch (const YAML::Exception& e) {
        parsed.yaml_error = fmt::format("YAML: {}", e.what());
      }
      out->files.push_back(std::move(parsed));
    }
  }
  return done();
}

LoadResult load(std::shared_ptr<ParsedFiles> parsed,
                const std::vector<PlaceholderSpec>& placeholders, const intel::IntelDb* signin) {
  const auto t0 = std::chrono::steady_clock::now();
  LoadResult out;
  out.set = std::make_shared<RuleSet>();
  RuleSet::Impl& impl = out.set->impl();
  impl.signin = signin;
  for (ParsedFile& f : parsed->files) {
    if (!f.yaml_error.empty()) {
      RuleMeta m;
      m.file = f.path;
      m.id = f.stem;
      m.refused = f.yaml_error;
      impl.metas.push_back(std::move(m));
      continue;
    }
    load_document(impl, f.docs, f.path);
  }
  impl.notes.insert(impl.notes.begin(), parsed->notes.begin(), parsed->notes.end());
  if (!parsed->error.empty()) {
    out.error = parsed->error;
    return out;
  }
  finish_load(impl, placeholders, out.error);
  impl.ms = parsed->ms +
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

LoadResult load(const std::vector<std::string>& paths,
                const std::vector<PlaceholderSpec>& placeholders, const intel::IntelDb* signin) {
  return load(parse_files(paths), placeholders, signin);
}

std::shared_ptr<RuleSet> compile_text(std::string_view yaml,
                                      const std::vector<PlaceholderSpec>& placeholders,
                                      const intel::IntelDb* signin) {
  auto set = std::make_shared<RuleSet>();
  RuleSet::Impl& impl = set->impl();
  impl.signin = signin;
  try {
    load_document(impl, parse_yaml(yaml), "<text>");
  } catch (const YAML::Exception& e) {
    RuleMeta m;
    m.file = "<text>";
    m.refused = fmt::format("YAML: {}", e.what());
    impl.metas.push_back(std::move(m));
  }
  std::string error;
  finish_load(impl, placeholders, error);
  if (!error.empty()) impl.notes.push_back(error);
  return set;
}

// ---------------------------------------------------------------------------------------
// Matching

namespace {

/// A field's values in one event: absent, null, or texts (an array gives one per element).
struct Resolved {
  bool done = false;
  bool present = false;
  bool null = false;
  std::vector<std::string_view> texts;
};

}  // namespace

struct Matcher::State {
  const RuleSet::Impl& set;
  const intel::GeoDb* geo_db;
  std::optional<intel::GeoCache> geo;
  const EventView* event = nullptr;
  std::vector<Resolved> cache;
  std::vector<int> touched;
  std::deque<std::string> arena;
  std::size_t arena_used = 0;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  int parse_state = 0;  ///< 0 not yet, 1 parsed, -1 failed
  std::vector<std::uint32_t> candidates;
  std::size_t next = 0;
  std::string name_key, scratch;
  std::uint64_t* parsed_count = nullptr;

  /// PCRE2's per-thread state: one match block (only whether there is a match is asked),
  /// the limits, and a JIT stack.
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  std::uint64_t* regex_limited = nullptr;

  State(const RuleSet::Impl& s, const intel::GeoDb* g) : set(s), geo_db(g) {
    if (g != nullptr && !g->empty()) geo.emplace(*g);
    cache.resize(s.fields.size());
    match_data = pcre2_match_data_create(1, nullptr);
    match_context = pcre2_match_context_create(nullptr);
    if (match_data == nullptr || match_context == nullptr) throw std::bad_alloc();
    pcre2_set_match_limit(match_context, kRegexMatchLimit);
    pcre2_set_depth_limit(match_context, kRegexDepthLimit);
    jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    if (jit_stack != nullptr) pcre2_jit_stack_assign(match_context, nullptr, jit_stack);
  }
  ~State() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(match_context);
    pcre2_match_data_free(match_data);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  /// Whether `re` matches somewhere in `s`. A search that reaches the match or depth limit
  /// (or fails otherwise) is no match, and counted.
  bool regex_search(const Pcre& re, std::string_view s) {
    const int rc = pcre2_match(re.code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0,
                               match_data, match_context);
    if (rc >= 0) return true;  // 0: a match, with more groups than the block holds
    if (rc != PCRE2_ERROR_NOMATCH && regex_limited != nullptr) ++*regex_limited;
    return false;
  }

  std::string_view keep(std::string text) {
    if (arena_used < arena.size()) arena[arena_used] = std::move(text);
    else arena.push_back(std::move(text));
    return arena[arena_used++];
  }

  void add_value(simdjson::dom::element el, Resolved& out, int depth) {
    out.present = true;
    switch (el.type()) {
      case simdjson::dom::element_type::NULL_VALUE:
        out.null = true;
        return;
      case simdjson::dom::element_type::STRING:
        {
          std::string_view text;
          if (el.get(text) == simdjson::SUCCESS) out.texts.push_back(text);
        }
        return;
      case simdjson::dom::element_type::BOOL:
        out.texts.push_back(el.get_bool().value_unsafe() ? "true" : "false");
        return;
      case simdjson::dom::element_type::INT64:
        out.texts.push_back(keep(std::to_string(el.get_int64().value_unsafe())));
        return;
      case simdjson::dom::element_type::UINT64:
        out.texts.push_back(keep(std::to_string(el.get_uint64().value_unsafe())));
        return;
      case simdjson::dom::element_type::DOUBLE:
        out.texts.push_back(keep(fmt::format("{}", el.get_double().value_unsafe())));
        return;
      case simdjson::dom::element_type::ARRAY:
        if (depth == 0) {
          simdjson::dom::array list;
          if (el.get(list) == simdjson::SUCCESS) {
            for (simdjson::dom::element item : list) add_value(item, out, depth + 1);
          }
          return;
        }
        [[fallthrough]];
      case simdjson::dom::element_type::OBJECT:
        out.texts.push_back(keep(simdjson::minify(el)));
        return;
    }
  }

  void walk(simdjson::dom::element el, const std::vector<std::string>& path, std::size_t i,
            Resolved& out) {
    if (i == path.size()) {
      add_value(el, out, 0);
      return;
    }
    if (el.type() == simdjson::dom::element_type::ARRAY) {
      // A path through a list looks into each of its elements.
      simdjson::dom::array list;
      if (el.get(list) != simdjson::SUCCESS) return;
      for (simdjson::dom::element item : list) {
        if (item.type() == simdjson::dom::element_type::OBJECT) walk(item, path, i, out);
      }
      return;
    }
    if (el.type() != simdjson::dom::element_type::OBJECT) return;
    simdjson::dom::object obj;
    simdjson::dom::element child;
    if (el.get(obj) != simdjson::SUCCESS || obj[path[i]].get(child) != simdjson::SUCCESS) return;
    walk(child, path, i + 1, out);
  }

  bool parse() {
    if (parse_state == 0) {
      const std::string_view text = event->record.text();
      parse_state = !text.empty() && parser.parse(text.data(), text.size(), true).get(root) ==
                                        simdjson::SUCCESS
                        ? 1
                        : -1;
      ++*parsed_count;
    }
    return parse_state == 1;
  }

  const Resolved& resolve(int id) {
    Resolved& r = cache[static_cast<std::size_t>(id)];
    if (r.done) return r;
    r.done = true;
    touched.push_back(id);
    const Field& f = set.fields[static_cast<std::size_t>(id)];
    if (f.special == Field::SrcCountry) {
      intel::IpAddr addr;
      if (geo && intel::classify_source(event->source_ip, &addr) == intel::SourceClass::Address) {
        const intel::GeoInfo& g = geo->lookup(addr);
        if (!g.country.empty()) {
          r.present = true;
          r.texts.push_back(g.country);
          if (!g.country_name.empty()) r.texts.push_back(g.country_name);
        }
      }
      return r;
    }
    if (f.fast != nullptr) {
      const std::string_view v = f.fast(*event);
      if (!v.empty()) {
        r.present = true;
        r.texts.push_back(v);
        return r;
      }
      // The reader saw every member on the way: a null view is a member it did not see.
      if ((event->members & Member::kKnown) != 0 && v.data() == nullptr) return r;
    }
    if (parse()) walk(root, f.path, 0, r);
    return r;
  }

  void reset(const EventView& e) {
    event = &e;
    for (int id : touched) {
      Resolved& r = cache[static_cast<std::size_t>(id)];
      r.done = r.present = r.null = false;
      r.texts.clear();
    }
    touched.clear();
    arena_used = 0;
    parse_state = 0;
  }

  bool text_test(const ValueTest& t, std::string_view s) {
    switch (t.op) {
      case Op::Equal:
        return t.cased ? s == t.text : iequal(s, t.text);
      case Op::Contains:
      case Op::Prefix:
      case Op::Suffix: {
        if (s.size() < t.text.size()) return false;
        std::string_view subject = s;
        if (!t.cased) {
          scratch.assign(s);
          for (char& c : scratch) c = lower_char(c);
          subject = scratch;
        }
        if (t.op == Op::Contains) return subject.find(t.text) != std::string_view::npos;
        if (t.op == Op::Prefix) return subject.substr(0, t.text.size()) == t.text;
        return subject.substr(subject.size() - t.text.size()) == t.text;
      }
      case Op::Glob:
        return glob_match(t.glob, s, t.cased);
      case Op::Regex:
        if (!t.must.empty()) {
          if (t.re_icase) {
            scratch.assign(s);
            for (char& c : scratch) c = lower_char(c);
            if (scratch.find(t.must) == std::string::npos) return false;
          } else if (s.find(t.must) == std::string_view::npos) {
            return false;
          }
        }
        return regex_search(*t.re, s);
      case Op::Cidr: {
        intel::IpAddr a;
        if (!intel::parse_address(s, a) || a.v4 != t.prefix.addr.v4) return false;
        return intel::make_prefix(a, t.prefix.length) == t.prefix;
      }
      case Op::Placeholder: {
        const Placeholder& p = set.placeholders[static_cast<std::size_t>(t.placeholder)];
        if (!p.filled) return false;
        intel::IpAddr a;
        const bool is_addr = intel::parse_address(s, a);
        if (p.signin) {
          if (!is_addr) return false;
          intel::LookupResult lookup;
          set.signin->lookup(a, lookup);
          return lookup.signin_allowed;
        }
        intel::PrefixTree::Match m;
        if (is_addr && p.has_tree && p.tree.match_longest(a, m)) return true;
        return p.strings.count(lower(s)) > 0;
      }
      case Op::Gt:
      case Op::Gte:
      case Op::Lt:
      case Op::Lte: {
        double n = 0;
        if (!parse_number(s, n)) return false;
        if (t.op == Op::Gt) return n > t.number;
        if (t.op == Op::Gte) return n >= t.number;
        if (t.op == Op::Lt) return n < t.number;
        return n <= t.number;
      }
      default:
        return false;
    }
  }

  bool value_test(const ValueTest& t, const Resolved& r) {
    if (t.op == Op::Null) return !r.present || (r.null && r.texts.empty());
    if (t.op == Op::Exists) return r.present == t.exists;
    if (t.op == Op::FieldRef) {
      // Copy: resolving the other field may grow the cache's texts.
      const std::vector<std::string_view> mine = r.texts;
      const Resolved& other = resolve(t.ref);
      ValueTest cmp;
      cmp.op = t.ref_op;
      cmp.cased = t.cased;
      for (std::string_view o : other.texts) {
        cmp.text = t.cased ? std::string(o) : lower(o);
        for (std::string_view m : mine) {
          if (text_test(cmp, m)) return true;
        }
      }
      return false;
    }
    for (std::string_view s : r.texts) {
      if (text_test(t, s)) return true;
    }
    return false;
  }

  bool field_test(const FieldTest& t) {
    const Resolved& r = resolve(t.field);
    if (t.all) {
      return std::all_of(t.values.begin(), t.values.end(),
                         [&](const ValueTest& v) { return value_test(v, resolve(t.field)); });
    }
    return std::any_of(t.values.begin(), t.values.end(),
                       [&](const ValueTest& v) { return value_test(v, r); });
  }

  /// The conjunction of a selection that holds, or null.
  const Conjunction* selection(const Selection& s) {
    // Tests of fields the parse stage keeps go first: when one fails, the record is not
    // parsed for the others. The order changes no match (a test's only effects are the field
    // cache and the count of regular expressions cut short by their limit, which counts the
    // searches made); the matched fields are reported in the rule's order.
    const auto kept = [&](const FieldTest& t) {
      return set.fields[static_cast<std::size_t>(t.field)].fast != nullptr;
    };
    for (const Conjunction& c : s.alternatives) {
      bool holds = true;
      for (int pass = 0; pass < 2 && holds; ++pass) {
        for (const FieldTest& t : c) {
          if (kept(t) != (pass == 0)) continue;
          if (!field_test(t)) {
            holds = false;
            break;
          }
        }
      }
      if (holds) return &c;
    }
    return nullptr;
  }

  bool eval(const Compiled& r, const Node& n, bool positive, std::vector<MatchedField>& out) {
    switch (n.kind) {
      case Node::Sel: {
        const Conjunction* c = selection(r.sels[static_cast<std::size_t>(n.sel)]);
        if (c != nullptr && positive) {
          for (const FieldTest& t : *c) {
            const Field& f = set.fields[static_cast<std::size_t>(t.field)];
            const Resolved& v = resolve(t.field);
            std::string value = !v.present ? "absent"
                                : v.texts.empty() ? "null"
                                                  : std::string(v.texts.front());
            if (value.size() > kMaxReasonValue) {
              value.resize(kMaxReasonValue);
              value += "...";
            }
            out.push_back(MatchedField{f.name, std::move(value)});
          }
        }
        return c != nullptr;
      }
      case Node::And:
        for (const Node& k : n.kids) {
          if (!eval(r, k, positive, out)) return false;
        }
        return true;
      case Node::Or:
        for (const Node& k : n.kids) {
          if (eval(r, k, positive, out)) return true;
        }
        return false;
      case Node::Not:
        return !eval(r, n.kids.front(), !positive, out);
    }
    return false;
  }
};

Matcher::Matcher(const RuleSet& set, const intel::GeoDb* geo)
    : state_(std::make_unique<State>(set.impl(), geo)) {
  state_->parsed_count = &parsed_;
  state_->regex_limited = &regex_limited_;
}

Matcher::~Matcher() = default;

const RuleMeta& Matcher::meta(std::size_t rule) const {
  return state_->set.metas[state_->set.rules[rule].meta];
}

void Matcher::begin(const EventView& e) {
  State& s = *state_;
  s.reset(e);
  s.candidates.clear();
  s.next = 0;
  auto add = [&](const auto& map, std::string_view key) {
    if (map.empty() || key.size() > 256) return;
    s.name_key.assign(key);
    for (char& c : s.name_key) c = lower_char(c);
    const auto it = map.find(s.name_key);
    if (it != map.end()) s.candidates.insert(s.candidates.end(), it->second.begin(), it->second.end());
  };
  add(s.set.by_name, e.event_name);
  add(s.set.by_source, e.event_source);
  s.candidates.insert(s.candidates.end(), s.set.always.begin(), s.set.always.end());
}

bool Matcher::next(std::size_t& rule) {
  State& s = *state_;
  while (s.next < s.candidates.size()) {
    const std::uint32_t i = s.candidates[s.next++];
    matched_.clear();
    if (s.eval(s.set.rules[i], s.set.rules[i].cond, true, matched_)) {
      rule = i;
      return true;
    }
  }
  matched_.clear();
  return false;
}

}  // namespace trailhound::detect::sigma
