// Tolerant parsing of challenges and credentials (RFC 3261 25.1 challenge / credentials;
// RFC 7235 2.1, 4.1; RFC 7616 3.3, 3.4).
#include "sipwright/auth/digest.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/diagnostic.hpp"
#include "sipwright/sip/grammar.hpp"
#include "sipwright/sip/message.hpp"

#include <algorithm>
#include <iterator>

namespace sipwright::auth {

namespace {

using sip::chars::iequals;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n'; // LWS, folding included
}

// Device bytes in a message: quoted, control bytes escaped, cut (sip::shown).
std::string quoted(std::string_view s, std::size_t max = 40) {
  return "\"" + sip::shown(s, max) + "\"";
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

std::string_view trim(std::string_view s) {
  std::size_t b = skip_space(s, 0);
  std::size_t e = s.size();
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::size_t token_end(std::string_view s, std::size_t i) {
  while (i < s.size() && sip::chars::is_token(s[i])) ++i;
  return i;
}

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" (RFC 7235 2.1)
bool is_token68(std::string_view s) {
  std::size_t i = 0;
  auto t68 = [](char c) {
    return sip::chars::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
           c == '/';
  };
  while (i < s.size() && t68(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

// One challenge or credentials value while it is being read.
struct item {
  std::string scheme;
  std::string token68;
  std::vector<auth_param> params;
  std::vector<std::string> notes;
  bool bad = false;
};

// Bounds that keep a hostile value cheap: RFC 7616 defines 13 parameters; forking proxies
// aggregate a few challenges per response (RFC 3261 22.3).
constexpr std::size_t max_items = 64;
constexpr std::size_t max_params = 64;
constexpr std::size_t max_errors = 8;

class reader {
public:
  reader(std::string_view value, std::string_view header, std::vector<error>& errors)
      : value_(value), header_(header), errors_(errors) {}

  std::vector<item> run() {
    // RFC 7235 4.1: several challenges (or credentials) may share one value, comma-separated;
    // an element that starts with a scheme (a token followed by whitespace, not by "=")
    // starts the next one. Commas inside quoted strings do not split (RFC 3261 7.3.1).
    sip::for_each_element(value_, [this](std::string_view el) { element(el); });
    std::vector<item> good;
    for (auto& i : items_)
      if (!i.bad) good.push_back(std::move(i));
    return good;
  }

private:
  std::size_t offset_of(std::string_view part) const {
    return static_cast<std::size_t>(part.data() - value_.data());
  }

  void fail(std::string_view where, std::string text) {
    if (++failures_ > max_errors) {
      stopped_ = true; // garbage from here on: stop reading, say it once
      text = "too many errors; the rest of the value is ignored";
    }
    errors_.push_back(
        error{error_code::syntax, std::string(header_) + ": " + std::move(text), offset_of(where)});
    if (!items_.empty()) items_.back().bad = true;
  }

  void element(std::string_view el) {
    if (el.empty() || stopped_) return; // RFC 7230 7: empty list elements are ignored
    const std::size_t name_end = token_end(el, 0);
    if (name_end == 0) {
      fail(el, "expected an auth-scheme or a parameter name, saw " + quoted(el, 30) +
                   " (RFC 3261 25.1, RFC 7235 2.1)");
      return;
    }
    const std::size_t after = skip_space(el, name_end);
    if (after < el.size() && el[after] == '=') {
      if (items_.empty()) {
        fail(el, "parameter " + quoted(el.substr(0, name_end)) +
                     " comes before any auth-scheme (RFC 3261 25.1, RFC 7235 2.1)");
        return;
      }
      param(el, items_.back());
      return;
    }
    // A new scheme: alone, or followed by whitespace and its first parameter or a token68.
    if (items_.size() == max_items) {
      errors_.push_back(error{error_code::syntax,
                              std::string(header_) + ": more than " + std::to_string(max_items) +
                                  " challenges or credentials in one value; the rest is ignored",
                              offset_of(el)});
      stopped_ = true;
      return;
    }
    items_.push_back(item{std::string(el.substr(0, name_end)), {}, {}, {}, false});
    if (after == el.size()) return;
    if (after == name_end) {
      fail(el.substr(name_end), "unexpected " + quoted(el.substr(name_end), 20) +
                                    " after the auth-scheme " + quoted(el.substr(0, name_end)) +
                                    " (RFC 3261 25.1)");
      return;
    }
    const std::string_view rest = el.substr(after);
    const std::size_t pname_end = token_end(rest, 0);
    const std::size_t eq = skip_space(rest, pname_end);
    if (is_token68(rest)) // "Basic QWxh==": no "name=value" reading of it is meant
      items_.back().token68 = std::string(rest);
    else if (pname_end > 0 && eq < rest.size() && rest[eq] == '=')
      param(rest, items_.back());
    else
      fail(rest, "expected an auth-param (name=value) or a token68 after the auth-scheme, saw " +
                     quoted(rest, 30) + " (RFC 3261 25.1, RFC 7235 2.1)");
  }

  // auth-param = auth-param-name EQUAL ( token / quoted-string ) (RFC 3261 25.1)
  void param(std::string_view el, item& it) {
    if (it.bad) return; // already reported
    const std::size_t name_end = token_end(el, 0);
    const std::string_view name = el.substr(0, name_end);
    std::size_t i = skip_space(el, name_end) + 1; // past "="
    i = skip_space(el, i);
    auth_param p{std::string(name), {}, false};
    if (i < el.size() && el[i] == '"') {
      std::size_t j = i + 1;
      while (j < el.size() && el[j] != '"') j += el[j] == '\\' ? 2 : 1;
      if (j >= el.size()) {
        fail(el.substr(i),
             "unterminated quoted-string in the value of " + quoted(name) + " (RFC 3261 25.1)");
        return;
      }
      const std::size_t k = skip_space(el, j + 1);
      if (k != el.size()) {
        fail(el.substr(k), "unexpected " + quoted(el.substr(k), 20) +
                               " after the quoted value of " + quoted(name) + " (RFC 3261 25.1)");
        return;
      }
      p.value = sip::unquote(el.substr(i, j + 1 - i));
      p.quoted = true;
    } else {
      const std::string_view v = trim(el.substr(i));
      p.value = std::string(v);
      if (!std::all_of(v.begin(), v.end(), sip::chars::is_token))
        it.notes.push_back("the value of " + std::string(name) +
                           " is not a token and is not quoted (RFC 3261 25.1 auth-param)");
    }
    if (it.params.size() == max_params) {
      fail(el, "more than " + std::to_string(max_params) + " parameters in one " +
                   (it.scheme.empty() ? std::string("value") : it.scheme) + " value");
      return;
    }
    for (const auto& q : it.params)
      if (iequals(q.name, p.name)) {
        it.notes.push_back("parameter " + std::string(name) +
                           " appears more than once; the first is used (RFC 7235 2.1)");
        return;
      }
    it.params.push_back(std::move(p));
  }

  std::string_view value_;
  std::string_view header_;
  std::vector<error>& errors_;
  std::vector<item> items_;
  std::size_t failures_ = 0;
  bool stopped_ = false;
};

void note_quoting(std::vector<std::string>& notes, const auth_param& p, bool want_quoted,
                  std::string_view section) {
  if (p.quoted == want_quoted) return;
  notes.push_back(p.name + (want_quoted ? " is not a quoted-string (" : " is a quoted-string (") +
                  std::string(section) +
                  (want_quoted ? ": senders quote it)" : ": senders do not quote it)"));
}

bool is_true(std::string_view v) {
  return iequals(v, "true");
}

std::vector<std::string> split_words(std::string_view v, bool commas) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (is_space(v[i]) || (commas && v[i] == ','))) ++i;
    std::size_t j = i;
    while (j < v.size() && !is_space(v[j]) && !(commas && v[j] == ',')) ++j;
    if (j > i) out.emplace_back(v.substr(i, j - i));
    i = j;
  }
  return out;
}

challenge to_challenge(item&& it, bool proxy) {
  challenge c;
  c.scheme = std::move(it.scheme);
  c.proxy = proxy;
  c.token68 = std::move(it.token68);
  c.notes = std::move(it.notes);
  if (c.is_digest()) {
    // RFC 7616 3.3: realm, domain, nonce, opaque, qop quoted; stale, algorithm not.
    constexpr std::string_view s33 = "RFC 7616 3.3";
    for (const auto& p : it.params) {
      if (iequals(p.name, "realm")) {
        c.realm = p.value;
        note_quoting(c.notes, p, true, s33);
      } else if (iequals(p.name, "nonce")) {
        c.nonce = p.value;
        note_quoting(c.notes, p, true, s33);
      } else if (iequals(p.name, "opaque")) {
        c.opaque = p.value;
        note_quoting(c.notes, p, true, s33);
      } else if (iequals(p.name, "domain")) {
        c.domain = split_words(p.value, false);
        note_quoting(c.notes, p, true, s33);
      } else if (iequals(p.name, "qop")) {
        c.qop_options = split_words(p.value, true);
        note_quoting(c.notes, p, true, s33);
      } else if (iequals(p.name, "algorithm")) {
        c.algorithm_text = p.value;
        c.algorithm = parse_algorithm(p.value);
        note_quoting(c.notes, p, false, s33);
      } else if (iequals(p.name, "stale")) {
        c.stale = is_true(p.value);
        note_quoting(c.notes, p, false, s33);
      } else if (iequals(p.name, "userhash")) {
        c.userhash = is_true(p.value);
      } else if (iequals(p.name, "charset")) {
        c.charset = p.value;
      }
    }
  }
  c.params = std::move(it.params);
  return c;
}

authorization to_authorization(item&& it, bool proxy) {
  authorization a;
  a.scheme = std::move(it.scheme);
  a.proxy = proxy;
  a.token68 = std::move(it.token68);
  a.notes = std::move(it.notes);
  if (a.is_digest()) {
    // RFC 7616 3.4 (quoting in 3.4.5 terms): username, realm, nonce, uri, response, cnonce,
    // opaque quoted; algorithm, qop, nc not. RFC 3261 22.4 item 2: uri MUST be quoted.
    constexpr std::string_view s34 = "RFC 7616 3.4";
    for (const auto& p : it.params) {
      auto text = [&](std::string& field, bool quoted, std::string_view section) {
        field = p.value;
        note_quoting(a.notes, p, quoted, section);
      };
      if (iequals(p.name, "username"))
        text(a.username, true, s34);
      else if (iequals(p.name, "username*")) {
        a.username = p.value; // RFC 7616 3.4.4 extended notation, kept undecoded
        a.notes.push_back("username* (RFC 5987 extended notation) is kept undecoded");
      } else if (iequals(p.name, "realm"))
        text(a.realm, true, s34);
      else if (iequals(p.name, "nonce"))
        text(a.nonce, true, s34);
      else if (iequals(p.name, "uri"))
        text(a.uri, true, "RFC 3261 22.4 item 2");
      else if (iequals(p.name, "response"))
        text(a.response, true, s34);
      else if (iequals(p.name, "cnonce"))
        text(a.cnonce, true, s34);
      else if (iequals(p.name, "nc"))
        text(a.nc, false, s34);
      else if (iequals(p.name, "qop"))
        text(a.qop_text, false, s34);
      else if (iequals(p.name, "algorithm")) {
        text(a.algorithm_text, false, s34);
        a.algorithm = parse_algorithm(p.value);
      } else if (iequals(p.name, "opaque")) {
        a.opaque = p.value;
        note_quoting(a.notes, p, true, s34);
      } else if (iequals(p.name, "userhash"))
        a.userhash = is_true(p.value);
    }
  }
  a.params = std::move(it.params);
  return a;
}

template <class Out, class Convert>
void read_value(std::string_view value, bool proxy, std::string_view header, Out& out,
                std::vector<error>& errors, Convert convert) {
  std::size_t before = errors.size();
  auto items = reader(value, header, errors).run();
  if (items.empty() && errors.size() == before)
    errors.push_back(
        error{error_code::syntax, std::string(header) + ": empty value (RFC 3261 25.1)", 0});
  std::transform(std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()),
                 std::back_inserter(out), [&](item&& i) { return convert(std::move(i), proxy); });
}

template <class Out, class Convert>
void read_message(const sip::message& m, sip::header_id plain, sip::header_id proxied, Out& out,
                  std::vector<error>& errors, Convert convert) {
  for (const auto& f : m.fields()) {
    if (f.id != plain && f.id != proxied) continue;
    const std::size_t before = errors.size();
    read_value(m.value(f), f.id == proxied, sip::info(f.id).name, out, errors, convert);
    for (std::size_t i = before; i < errors.size(); ++i) errors[i].offset += f.value.pos;
  }
}

} // namespace

parsed_challenges parse_challenges(std::string_view header_value, bool proxy) {
  parsed_challenges r;
  read_value(header_value, proxy, proxy ? "Proxy-Authenticate" : "WWW-Authenticate", r.challenges,
             r.errors, to_challenge);
  return r;
}

parsed_challenges parse_challenges(const sip::message& response) {
  parsed_challenges r;
  read_message(response, sip::header_id::www_authenticate, sip::header_id::proxy_authenticate,
               r.challenges, r.errors, to_challenge);
  return r;
}

parsed_authorizations parse_authorizations(std::string_view header_value, bool proxy) {
  parsed_authorizations r;
  read_value(header_value, proxy, proxy ? "Proxy-Authorization" : "Authorization", r.values,
             r.errors, to_authorization);
  return r;
}

parsed_authorizations parse_authorizations(const sip::message& request) {
  parsed_authorizations r;
  read_message(request, sip::header_id::authorization, sip::header_id::proxy_authorization,
               r.values, r.errors, to_authorization);
  return r;
}

} // namespace sipwright::auth
