#include "fields.hpp"

#include "equivalence.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sipwright::checks::detail {
namespace {

std::string tag_of(const std::optional<sip::name_addr>& na) {
  if (!na) return {};
  auto t = na->tag();
  return t ? std::string(*t) : std::string();
}

} // namespace

std::string to_tag(const sip::message& m) {
  return tag_of(m.to());
}
std::string from_tag(const sip::message& m) {
  return tag_of(m.from());
}

std::string top_branch(const sip::message& m) {
  auto v = m.top_via();
  if (!v) return {};
  auto b = v->branch();
  return b ? std::string(*b) : std::string();
}

std::string bottom_branch(const sip::message& m) {
  const auto vias = m.all_elements(sip::header_id::via);
  if (vias.empty()) return {};
  sip::via v;
  sip::report r(vias.back().data());
  if (!sip::parse_via(vias.back(), v, r)) return {};
  auto b = v.branch();
  return b ? std::string(*b) : std::string();
}

std::string call_id(const sip::message& m) {
  return std::string(m.call_id().value_or(""));
}

std::string cseq_text(const sip::message& m) {
  auto c = m.cseq();
  return c ? fmt::format("{} {}", c->number, c->method) : std::string("(none)");
}

std::uint32_t cseq_number(const sip::message& m) {
  auto c = m.cseq();
  return c ? c->number : 0;
}

std::string cseq_method(const sip::message& m) {
  auto c = m.cseq();
  return c ? std::string(c->method) : std::string();
}

std::vector<std::string> values(const sip::message& m, sip::header_id id) {
  std::vector<std::string> out;
  for (auto v : m.all_elements(id)) out.emplace_back(sip::trim_lws(v));
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  if (v.empty()) return "(none)";
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

bool same_uri(std::string_view a, std::string_view b) {
  if (a == b) return true;
  sip::uri ua, ub;
  sip::report ra, rb;
  return sip::parse_uri(a, ua, ra, sip::uri_context::request_uri) &&
         sip::parse_uri(b, ub, rb, sip::uri_context::request_uri) && uri_equivalent(ua, ub);
}

bool same_address(const sip::message& a, const sip::message& b, sip::header_id id) {
  auto na = id == sip::header_id::from ? a.from() : a.to();
  auto nb = id == sip::header_id::from ? b.from() : b.to();
  if (na && nb) return address_equivalent(*na, *nb);
  return a.value(id) == b.value(id);
}

std::string seconds(std::chrono::steady_clock::duration d) {
  return fmt::format("{:.3f} s", std::chrono::duration<double>(d).count());
}

std::string millis(std::chrono::steady_clock::duration d) {
  return fmt::format("{} ms", std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

} // namespace sipwright::checks::detail
