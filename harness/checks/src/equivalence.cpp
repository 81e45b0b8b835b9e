#include "equivalence.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipwright::checks::detail {
namespace {

using sip::chars::iequals;

struct param {
  std::string_view name, value;
};

std::vector<param> params_of(std::string_view raw) {
  std::vector<param> out;
  for_each_param(raw, [&](std::string_view n, std::string_view v) { out.push_back({n, v}); });
  return out;
}

const param* find(const std::vector<param>& ps, std::string_view name) {
  for (const auto& p : ps)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

bool iequals_unescaped(std::string_view a, std::string_view b) {
  return iequals(sip::unescape(a), sip::unescape(b));
}

// RFC 3261 19.1.4: "URI header components are never ignored": the same headers on both sides.
bool same_uri_headers(std::string_view a, std::string_view b) {
  auto split = [](std::string_view h) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= h.size() && !h.empty()) {
      auto amp = h.find('&', start);
      auto part = h.substr(start, amp == std::string_view::npos ? h.npos : amp - start);
      std::string s = sip::unescape(part);
      for (auto& c : s) c = sip::chars::to_lower(c);
      out.push_back(std::move(s));
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  return split(a) == split(b);
}

} // namespace

bool uri_equivalent(const sip::uri& a, const sip::uri& b) {
  if (!a.is_sip || !b.is_sip) return iequals_unescaped(a.text, b.text);
  // RFC 3261 19.1.4: a SIP and a SIPS URI are never equivalent.
  if (a.is_sips != b.is_sips) return false;
  if (sip::unescape(a.user) != sip::unescape(b.user)) return false;
  if (sip::unescape(a.password) != sip::unescape(b.password)) return false;
  if (!iequals_unescaped(a.host.host, b.host.host)) return false;
  if (a.host.port != b.host.port) return false;
  const auto pa = params_of(a.params.raw());
  const auto pb = params_of(b.params.raw());
  for (std::string_view must : {"user", "ttl", "method", "maddr"})
    if ((find(pa, must) == nullptr) != (find(pb, must) == nullptr)) return false;
  for (const auto& p : pa)
    if (const auto* q = find(pb, p.name); q && !iequals_unescaped(p.value, q->value)) return false;
  return same_uri_headers(a.headers, b.headers);
}

bool address_equivalent(const sip::name_addr& a, const sip::name_addr& b) {
  if (!uri_equivalent(a.address, b.address)) return false;
  if (a.tag() != b.tag()) return false; // both absent, or the same bytes
  const auto pa = params_of(a.params.raw());
  const auto pb = params_of(b.params.raw());
  for (const auto& p : pa) {
    if (iequals(p.name, "tag")) continue;
    if (const auto* q = find(pb, p.name);
        q && !iequals(sip::unquote(p.value), sip::unquote(q->value)))
      return false;
  }
  return true;
}

bool via_equivalent(const sip::via& request, const sip::via& response, bool top) {
  if (!iequals(request.protocol_name, response.protocol_name) ||
      !iequals(request.version, response.version) ||
      !iequals(request.transport, response.transport) ||
      !iequals(request.sent_by.host, response.sent_by.host) ||
      request.sent_by.port != response.sent_by.port)
    return false;
  const auto pq = params_of(request.params.raw());
  const auto pr = params_of(response.params.raw());
  for (const auto& p : pq) {
    const auto* q = find(pr, p.name);
    if (!q) return false;
    if (top && iequals(p.name, "rport") && p.value.empty()) continue; // RFC 3581 4: filled in
    if (iequals(p.name, "branch") ? p.value != q->value : !iequals(p.value, q->value)) return false;
  }
  for (const auto& p : pr) {
    if (find(pq, p.name)) continue;
    // RFC 3261 18.2.1: the server transport adds received to the top Via.
    if (top && iequals(p.name, "received")) continue;
    return false;
  }
  return true;
}

} // namespace sipwright::checks::detail
