// IAM policy documents: statements that grant everything.
#include "policy.hpp"

#include <fmt/format.h>

namespace trailhound::detect {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// True when `v` is "*" (or "*:*"), or a list holding one.
bool is_star(simdjson::dom::element v) {
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return s == "*" || s == "*:*";
  simdjson::dom::array list;
  if (v.get(list) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element item : list) {
    if (item.get(s) == simdjson::SUCCESS && (s == "*" || s == "*:*")) return true;
  }
  return false;
}

std::string judge_statement(simdjson::dom::element st, std::size_t n) {
  simdjson::dom::object obj;
  if (st.get(obj) != simdjson::SUCCESS) return {};
  std::string_view effect;
  if (obj["Effect"].get(effect) != simdjson::SUCCESS || effect != "Allow") return {};
  simdjson::dom::element action, resource;
  if (obj["Action"].get(action) != simdjson::SUCCESS || !is_star(action)) return {};
  if (obj["Resource"].get(resource) != simdjson::SUCCESS || !is_star(resource)) return {};
  std::string_view sid;
  if (obj["Sid"].get(sid) == simdjson::SUCCESS && !sid.empty() && sid.size() <= 64) {
    return fmt::format("Sid {}", sid);
  }
  return fmt::format("statement {}", n + 1);
}

}  // namespace

std::string url_decode(std::string_view text) {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (c == '+') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string grants_everything(simdjson::dom::parser& parser, std::string_view document) {
  std::size_t b = 0;
  while (b < document.size() && (document[b] == ' ' || document[b] == '\n' || document[b] == '\t' ||
                                 document[b] == '\r')) {
    ++b;
  }
  // A document that does not open with '{' is URL-encoded ("%7B%22Version...").
  const std::string text = document.substr(b, 1) == "{" ? std::string(document)
                                                         : url_decode(document);
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) return {};
  simdjson::dom::element statements;
  if (root["Statement"].get(statements) != simdjson::SUCCESS) return {};
  simdjson::dom::array list;
  if (statements.get(list) == simdjson::SUCCESS) {
    std::size_t n = 0;
    for (simdjson::dom::element st : list) {
      if (std::string why = judge_statement(st, n++); !why.empty()) return why;
    }
    return {};
  }
  return judge_statement(statements, 0);
}

bool is_admin_policy_arn(std::string_view arn) {
  constexpr std::string_view suffix = ":iam::aws:policy/AdministratorAccess";
  return arn.size() >= suffix.size() && arn.substr(arn.size() - suffix.size()) == suffix &&
         arn.substr(0, 4) == "arn:";
}

}  // namespace trailhound::detect
