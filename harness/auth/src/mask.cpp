// Masking credentials in message text, and comparing the credentials of an ACK with its INVITE.
#include "sipwright/auth/mask.hpp"

#include "sipwright/auth/digest.hpp"
#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/message.hpp"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

namespace sipwright::auth {

namespace {

using sip::chars::iequals;

constexpr std::string_view mask = "***";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Digest parameters whose values are derived from the secret: the response (RFC 7616 3.4.1)
// and the AKA resynchronisation token (RFC 3310 3.4).
bool secret_param(std::string_view name) {
  return iequals(name, "response") || iequals(name, "auts");
}

// The spans of a header value (Authorization or Proxy-Authorization, folded lines included) to
// replace by the mask, in order.
std::vector<std::pair<std::size_t, std::size_t>> secret_spans(std::string_view v) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::size_t end = v.size();
  while (end > 0 && is_space(v[end - 1])) --end; // keep the CR and trailing blanks
  bool digest = false;
  std::size_t i = 0;
  while (i < end) {
    while (i < end && (is_space(v[i]) || v[i] == ',')) ++i;
    if (i >= end) break;
    if (v[i] == '"') { // stray quoted text: skip it whole
      ++i;
      while (i < end && v[i] != '"') i += v[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    }
    if (!sip::chars::is_token(v[i])) {
      ++i;
      continue;
    }
    const std::size_t name_start = i;
    while (i < end && sip::chars::is_token(v[i])) ++i;
    const std::string_view name = v.substr(name_start, i - name_start);
    std::size_t k = i;
    while (k < end && is_space(v[k])) ++k;
    if (k < end && v[k] == '=') { // a parameter
      k += 1;
      while (k < end && is_space(v[k])) ++k;
      std::size_t vs = k;
      std::size_t ve = k;
      if (k < end && v[k] == '"') {
        vs = k + 1;
        ve = vs;
        while (ve < end && v[ve] != '"') ve += v[ve] == '\\' ? 2 : 1;
        ve = std::min(ve, end);
        i = ve < end ? ve + 1 : end;
      } else {
        while (ve < end && v[ve] != ',' && !is_space(v[ve])) ++ve;
        i = ve;
      }
      if (digest && secret_param(name) && ve > vs) spans.emplace_back(vs, ve);
      continue;
    }
    // A scheme. Digest: parameters follow. Any other (Basic holds the password in base64,
    // Bearer a token): everything after its name is secret.
    digest = iequals(name, "Digest");
    if (!digest) {
      if (k < end) spans.emplace_back(k, end);
      break;
    }
  }
  return spans;
}

// "Authorization" or "Proxy-Authorization" at the start of a line, then *WSP ":" (RFC 3261
// 7.3.1 HCOLON). Returns the position just past the colon, or npos.
std::size_t auth_header_colon(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && sip::chars::is_token(line[i])) ++i;
  const std::string_view name = line.substr(0, i);
  if (!iequals(name, "Authorization") && !iequals(name, "Proxy-Authorization"))
    return std::string_view::npos;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i < line.size() && line[i] == ':') return i + 1;
  return std::string_view::npos;
}

} // namespace

std::string mask_credentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::size_t colon = auth_header_colon(text.substr(pos, line_end - pos));
    if (colon == std::string_view::npos) {
      out.append(text.substr(pos, line_end - pos));
    } else {
      // RFC 3261 7.3.1: a line starting with SP or HTAB continues the header (folding).
      std::size_t region_end = line_end;
      while (region_end + 1 < text.size() &&
             (text[region_end + 1] == ' ' || text[region_end + 1] == '\t')) {
        region_end = text.find('\n', region_end + 1);
        if (region_end == std::string_view::npos) region_end = text.size();
      }
      const std::size_t value_start = pos + colon;
      const std::string_view value = text.substr(value_start, region_end - value_start);
      out.append(text.substr(pos, colon));
      std::size_t copied = 0;
      for (const auto& [b, e] : secret_spans(value)) {
        out.append(value.substr(copied, b - copied)).append(mask);
        copied = e;
      }
      out.append(value.substr(copied));
      line_end = region_end;
    }
    pos = line_end;
    if (pos < text.size()) { // the '\n'
      out += '\n';
      ++pos;
    }
  }
  return out;
}

namespace {

// One credentials value reduced to what it means: scheme and parameters, names in lower case,
// values unquoted, sorted; algorithm and qop values in lower case (tokens).
struct canonical {
  std::string scheme;
  std::vector<std::pair<std::string, std::string>> params;
  std::string raw; // unparsable values: the trimmed text
  std::string realm;
  bool operator==(const canonical&) const = default;
  bool operator<(const canonical& o) const {
    return std::tie(scheme, params, raw) < std::tie(o.scheme, o.params, o.raw);
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), sip::chars::to_lower);
  return out;
}

canonical canonicalize(std::string_view value) {
  canonical c;
  auto parsed = parse_authorizations(value);
  if (!parsed.ok() || parsed.values.size() != 1) {
    c.raw = std::string(sip::trim_lws(value));
    return c;
  }
  const auto& a = parsed.values.front();
  c.scheme = lower(a.scheme);
  c.realm = a.realm;
  for (const auto& p : a.params) {
    std::string name = lower(p.name);
    std::string v = name == "algorithm" || name == "qop" ? lower(p.value) : p.value;
    c.params.emplace_back(std::move(name), std::move(v));
  }
  if (!a.token68.empty()) c.params.emplace_back("", a.token68);
  std::sort(c.params.begin(), c.params.end());
  return c;
}

std::vector<canonical> values_of(const sip::message& m, sip::header_id id) {
  std::vector<canonical> out;
  for (const auto& f : m.fields())
    if (f.id == id) out.push_back(canonicalize(m.value(f)));
  std::sort(out.begin(), out.end());
  return out;
}

// The names of the parameters that differ between two values (never their values: the
// response is secret).
std::string differing(const canonical& want, const canonical& got) {
  if (!want.raw.empty() || !got.raw.empty()) return "its text";
  if (want.scheme != got.scheme) return "the scheme";
  std::vector<std::string> names;
  auto note = [&names](const std::string& n) {
    const std::string shown = n.empty() ? "the token68" : n;
    if (std::find(names.begin(), names.end(), shown) == names.end()) names.push_back(shown);
  };
  for (const auto& w : want.params) {
    auto it = std::find_if(got.params.begin(), got.params.end(),
                           [&w](const auto& p) { return p.first == w.first; });
    if (it == got.params.end() || it->second != w.second) note(w.first);
  }
  for (const auto& g : got.params)
    if (std::none_of(want.params.begin(), want.params.end(),
                     [&g](const auto& p) { return p.first == g.first; }))
      note(g.first);
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

} // namespace

credentials_comparison same_credentials(const sip::message& invite, const sip::message& ack,
                                        ack_kind kind) {
  const std::string section =
      kind == ack_kind::for_2xx
          ? "RFC 3261 13.2.2.4: the ACK MUST contain the same credentials as the INVITE"
          : "RFC 3261 22.1: the ACK duplicates the INVITE's Authorization and "
            "Proxy-Authorization values";
  for (auto id : {sip::header_id::authorization, sip::header_id::proxy_authorization}) {
    const std::string name(sip::info(id).name);
    const auto want = values_of(invite, id);
    const auto got = values_of(ack, id);
    if (want.size() != got.size())
      return {false, "the ACK carries " + std::to_string(got.size()) + " " + name + " value" +
                         (got.size() == 1 ? "" : "s") + ", the INVITE " +
                         std::to_string(want.size()) + " (" + section + ")"};
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (want[i] == got[i]) continue;
      // Describe against the INVITE value of the same realm when there is one.
      auto same_realm = std::find_if(want.begin(), want.end(), [&](const canonical& w) {
        return !got[i].realm.empty() && w.realm == got[i].realm;
      });
      const canonical& peer = same_realm == want.end() ? want[i] : *same_realm;
      return {false, "the ACK's " + name + " differs from the INVITE's in " +
                         differing(peer, got[i]) + " (" + section + ")"};
    }
  }
  return {true, {}};
}

} // namespace sipwright::auth
