// libFuzzer target for the sans-I/O parser (harness/parser) and the message model (harness/sip).
//
// Every input is parsed as one datagram and as a byte stream, in three configurations: default
// limits strict, default limits lenient, and (chosen by a hash of the input) either small limits
// strict or no limits without validation. The stream is fed whole, then cut into chunks at
// positions derived from the hash (fixed-size chunks, random-size chunks, and one byte at a time
// for inputs up to 2 KiB, Beast's "parsegrind"). A broken invariant prints what broke and aborts,
// which libFuzzer reports as a crash. See README.md.
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/grammar.hpp"
#include "sipwright/sip/message.hpp"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sp = sipwright::parser;
namespace sip = sipwright::sip;

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "parser_fuzz: invariant violated at parser_fuzz.cpp:%d: %s\n", line, what);
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond)                                                                           \
  do {                                                                                             \
    if (!(cond)) violated(#cond, __LINE__);                                                        \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Deterministic choices derived from the input.

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

class splitmix {
public:
  explicit splitmix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// Checks on one framed message.

bool inside(const sip::message& m, std::string_view v) {
  if (v.empty()) return true; // an absent part may be a default (null) view
  const char* b = m.bytes().data();
  return v.data() >= b && v.data() + v.size() <= b + m.bytes().size();
}

bool in_bounds(const sip::message& m, sip::text_span s) {
  return static_cast<std::size_t>(s.pos) + s.len <= m.bytes().size();
}

bool in_span(sip::text_span inner, sip::text_span outer) {
  return inner.pos >= outer.pos && static_cast<std::size_t>(inner.pos) + inner.len <=
                                       static_cast<std::size_t>(outer.pos) + outer.len;
}

bool is_crlf(char c) {
  return c == '\r' || c == '\n';
}

void check_uri(const sip::message& m, const sip::uri& u) {
  FUZZ_CHECK(inside(m, u.text));
  FUZZ_CHECK(inside(m, u.scheme));
  FUZZ_CHECK(inside(m, u.user));
  FUZZ_CHECK(inside(m, u.password));
  FUZZ_CHECK(inside(m, u.host.host));
  FUZZ_CHECK(inside(m, u.params.raw()));
  FUZZ_CHECK(inside(m, u.headers));
  FUZZ_CHECK(!(u.is_sip && u.is_sips));
  // Percent-decoding only shortens.
  FUZZ_CHECK(sip::unescape(u.user).size() <= u.user.size());
  FUZZ_CHECK(sip::unescape(u.password).size() <= u.password.size());
  if (auto t = u.params.find("transport")) FUZZ_CHECK(inside(m, *t));
  (void)u.params.has("lr");
}

void check_name_addr(const sip::message& m, const std::optional<sip::name_addr>& na) {
  if (!na) return;
  FUZZ_CHECK(inside(m, na->display_name));
  FUZZ_CHECK(inside(m, na->params.raw()));
  check_uri(m, na->address);
  // A quoted display name loses its quotes (and the backslashes of quoted-pairs).
  const std::string text = na->display_text();
  if (!na->display_name.empty() && na->display_name.front() == '"') {
    FUZZ_CHECK(na->display_name.size() >= 2 && na->display_name.back() == '"');
    FUZZ_CHECK(text.size() + 2 <= na->display_name.size());
  } else {
    FUZZ_CHECK(text == na->display_name);
  }
  if (auto tag = na->tag()) FUZZ_CHECK(inside(m, *tag));
  if (auto e = na->params.find("expires")) FUZZ_CHECK(inside(m, *e));
}

void check_typed_accessors(const sip::message& m) {
  if (auto c = m.cseq()) {
    FUZZ_CHECK(inside(m, c->method));
    FUZZ_CHECK(c->number <= 0x7fffffffu); // RFC 3261 8.1.1.5
  }
  if (auto v = m.top_via()) {
    FUZZ_CHECK(inside(m, v->protocol_name));
    FUZZ_CHECK(inside(m, v->version));
    FUZZ_CHECK(inside(m, v->transport));
    FUZZ_CHECK(inside(m, v->sent_by.host));
    FUZZ_CHECK(inside(m, v->params.raw()));
    if (auto b = v->branch()) FUZZ_CHECK(inside(m, *b));
    if (auto r = v->received()) FUZZ_CHECK(inside(m, *r));
    (void)v->has_rport();
  }
  check_name_addr(m, m.from());
  check_name_addr(m, m.to());
  check_name_addr(m, m.contact());
  if (auto id = m.call_id()) FUZZ_CHECK(inside(m, *id));
  if (auto n = m.content_length()) FUZZ_CHECK(*n <= 0xffffffffu);
  if (auto n = m.max_forwards()) FUZZ_CHECK(*n <= 255);
  if (auto u = m.parsed_request_uri()) {
    FUZZ_CHECK(m.is_request());
    check_uri(m, *u);
  }
  if (auto t = m.content_type()) {
    FUZZ_CHECK(inside(m, t->type));
    FUZZ_CHECK(inside(m, t->subtype));
    FUZZ_CHECK(inside(m, t->params.raw()));
    if (auto cs = t->params.find("charset")) FUZZ_CHECK(inside(m, *cs));
  }
}

void check_index(const sip::message& m) {
  const auto& idx = m.index();
  const std::size_t size = m.bytes().size();
  FUZZ_CHECK(idx.start_line.pos == 0);
  for (auto s : {idx.start_line, idx.method, idx.request_uri, idx.version, idx.reason,
                 idx.headers_end, idx.body})
    FUZZ_CHECK(in_bounds(m, s));
  if (m.is_request()) {
    FUZZ_CHECK(in_span(idx.method, idx.start_line));
    FUZZ_CHECK(in_span(idx.request_uri, idx.start_line));
  }
  FUZZ_CHECK(in_span(idx.version, idx.start_line));
  // The empty line, then the body to the very end: bytes() is the whole message.
  FUZZ_CHECK(m.text(idx.headers_end) == "\r\n");
  FUZZ_CHECK(idx.body.pos == idx.headers_end.pos + 2);
  FUZZ_CHECK(static_cast<std::size_t>(idx.body.pos) + idx.body.len == size);
  FUZZ_CHECK(m.body() == m.bytes().substr(idx.body.pos));
  FUZZ_CHECK(m.start_line().find("\r\n") == std::string_view::npos);
  FUZZ_CHECK(m.bytes().substr(idx.start_line.len, 2) == "\r\n");
  FUZZ_CHECK(m.serialize() == m.bytes());

  std::uint32_t prev_end = idx.start_line.len;
  std::size_t scanned = 0; // line numbers, counted once over the header block
  std::uint32_t line_no = 1;
  for (const auto& f : m.fields()) {
    FUZZ_CHECK(in_bounds(m, f.line));
    FUZZ_CHECK(in_span(f.name, f.line));
    FUZZ_CHECK(in_span(f.value, f.line));
    FUZZ_CHECK(f.line.pos == f.name.pos);
    FUZZ_CHECK(f.line.pos >= prev_end + 2); // fields in order, each after a CRLF
    FUZZ_CHECK(f.line.pos + f.line.len <= idx.headers_end.pos);
    prev_end = f.line.pos + f.line.len;
    FUZZ_CHECK(f.name.len > 0);
    FUZZ_CHECK(f.line_no >= 2);
    for (; scanned < f.name.pos; ++scanned) line_no += m.bytes()[scanned] == '\n';
    FUZZ_CHECK(f.line_no == line_no);
    FUZZ_CHECK(static_cast<std::size_t>(f.first_element) + f.element_count <= idx.elements.size());
    FUZZ_CHECK(sip::lookup_header(m.name(f)) == f.id);
    (void)sip::info(f.id);
    auto elements = m.elements(f);
    FUZZ_CHECK(elements.size() == f.element_count);
    for (std::uint32_t i = 0; i < f.element_count; ++i) {
      FUZZ_CHECK(in_bounds(m, idx.elements[f.first_element + i]));
      FUZZ_CHECK(in_span(idx.elements[f.first_element + i], f.value));
      FUZZ_CHECK(elements[i] == m.element(f, i));
    }
    const auto* found = m.find(m.name(f));
    FUZZ_CHECK(found != nullptr && found->id == f.id);
    FUZZ_CHECK(m.find(f.id) != nullptr);
    FUZZ_CHECK(m.count(f.id) >= 1);
    FUZZ_CHECK(m.all_elements(f.id).size() >= f.element_count);
    FUZZ_CHECK(inside(m, m.value(f.id)));
  }
}

struct diag_key {
  sip::severity level = sip::severity::error;
  std::string_view code;
  std::uint32_t offset = 0;
  bool operator==(const diag_key&) const = default;
};

std::vector<diag_key> keys_of(const std::vector<sip::diagnostic>& ds) {
  std::vector<diag_key> out;
  out.reserve(ds.size());
  for (const auto& d : ds) out.push_back({d.level, d.code, d.offset});
  return out;
}

void check_diagnostics(const sip::message& m) {
  const auto& ds = m.diagnostics();
  bool any_error = false;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const auto& d = ds[i];
    FUZZ_CHECK(!d.code.empty());
    FUZZ_CHECK(!d.section.empty());
    FUZZ_CHECK(d.offset <= m.bytes().size());            // within the message (its end included)
    if (i > 0) FUZZ_CHECK(ds[i - 1].offset <= d.offset); // in message order
    auto lc = m.position(d.offset);
    auto want = sip::position_of(m.bytes(), d.offset);
    FUZZ_CHECK(lc.line == want.line && lc.column == want.column);
    any_error = any_error || d.level == sip::severity::error;
  }
  FUZZ_CHECK(m.has_errors() == any_error);
  (void)m.position(static_cast<std::uint32_t>(m.bytes().size() + 1)); // clamps
}

// A copy keeps a valid index (offsets, not pointers), and validate() is deterministic: run on the
// copy it finds what the parser found (minus the parser's own framing findings).
void check_copy(const sip::message& m, bool parser_validated) {
  sip::message copy = m;
  copy.diagnostics().clear();
  sip::validate(copy);
  check_diagnostics(copy);
  if (parser_validated) {
    std::vector<diag_key> want;
    for (const auto& d : m.diagnostics())
      if (!d.code.starts_with("framing.")) want.push_back({d.level, d.code, d.offset});
    FUZZ_CHECK(keys_of(copy.diagnostics()) == want);
  }
  sip::message moved = std::move(copy);
  check_typed_accessors(moved);
}

// A copy of a text in an allocation of its own size, so that ASan reports a read past its end.
class exact_copy {
public:
  explicit exact_copy(std::string_view s) : data_(new char[s.size()]), size_(s.size()) {
    if (size_ != 0) std::memcpy(data_.get(), s.data(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

private:
  std::unique_ptr<char[]> data_;
  std::size_t size_;
};

bool within(std::string_view text, std::string_view part) {
  return part.empty() ||
         (part.data() >= text.data() && part.data() + part.size() <= text.data() + text.size());
}

// What a grammar function found points into the text it was given.
void check_report(const sip::report& r, std::string_view text) {
  if (r.error()) FUZZ_CHECK(!r.error()->code.empty() && r.error()->offset <= text.size());
  for (const auto& w : r.warnings()) FUZZ_CHECK(!w.code.empty() && w.offset <= text.size());
}

void check_uri_in(std::string_view t, const sip::uri& u) {
  FUZZ_CHECK(within(t, u.text) && within(t, u.scheme) && within(t, u.user));
  FUZZ_CHECK(within(t, u.password) && within(t, u.host.host) && within(t, u.params.raw()));
  FUZZ_CHECK(within(t, u.headers));
  if (auto v = u.params.find("transport")) FUZZ_CHECK(within(t, *v));
}

// The text through every grammar function, whatever header it came from.
void check_grammars(std::string_view t) {
  for (auto ctx : {sip::uri_context::request_uri, sip::uri_context::name_addr,
                   sip::uri_context::addr_spec, sip::uri_context::header}) {
    sip::report r(t.data());
    sip::uri u;
    if (sip::parse_uri(t, u, r, ctx)) check_uri_in(t, u);
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::name_addr na;
    if (sip::parse_name_addr(t, na, r)) {
      FUZZ_CHECK(within(t, na.display_name) && within(t, na.params.raw()));
      check_uri_in(t, na.address);
      if (auto tag = na.tag()) FUZZ_CHECK(within(t, *tag));
      FUZZ_CHECK(na.display_text().size() <= na.display_name.size());
    }
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::via v;
    if (sip::parse_via(t, v, r)) {
      FUZZ_CHECK(within(t, v.protocol_name) && within(t, v.version) && within(t, v.transport));
      FUZZ_CHECK(within(t, v.sent_by.host) && within(t, v.params.raw()));
      if (auto b = v.branch()) FUZZ_CHECK(within(t, *b));
      if (auto rec = v.received()) FUZZ_CHECK(within(t, *rec));
    }
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::cseq c;
    if (sip::parse_cseq(t, c, r)) FUZZ_CHECK(within(t, c.method) && c.number <= 0x7fffffffu);
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::media_type mt;
    if (sip::parse_media_type(t, mt, r))
      FUZZ_CHECK(within(t, mt.type) && within(t, mt.subtype) && within(t, mt.params.raw()));
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::host_port hp;
    if (sip::parse_host_port(t, hp, r)) FUZZ_CHECK(within(t, hp.host));
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    (void)sip::parse_call_id(t, r);
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    std::uint64_t n = 0;
    if (sip::parse_number(t, 0xffffffffu, n, r, "number", "number", "number"))
      FUZZ_CHECK(n <= 0xffffffffu);
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::request_line rl;
    if (sip::parse_request_line(t, rl, r))
      FUZZ_CHECK(within(t, rl.method) && within(t, rl.uri_text) && within(t, rl.version));
    check_report(r, t);
  }
  {
    sip::report r(t.data());
    sip::status_line sl;
    if (sip::parse_status_line(t, sl, r))
      FUZZ_CHECK(within(t, sl.version) && within(t, sl.reason) && sl.code >= 100 && sl.code <= 699);
    check_report(r, t);
  }
  FUZZ_CHECK(within(t, sip::trim_lws(t)));
  FUZZ_CHECK(sip::unquote(t).size() <= t.size() && sip::unescape(t).size() <= t.size());
  if (auto v = sip::param_list(t).find("tag")) FUZZ_CHECK(within(t, *v));
  sip::for_each_element(t, [&](std::string_view e) { FUZZ_CHECK(within(t, e)); });
}

// Every header value and list element again, each in an allocation of its own (the message's
// bytes around a value would hide a read past its end from ASan): through the grammar of its
// header, and its value, start line and Request-URI through every grammar function.
void check_values(const sip::message& m) {
  for (const auto& f : m.fields()) {
    const exact_copy value(m.value(f));
    sip::report r(value.view().data());
    (void)sip::check_header_value(f.id, value.view(), r);
    check_report(r, value.view());
    check_grammars(value.view());
    for (std::uint32_t i = 0; i < f.element_count; ++i) {
      const exact_copy element(m.element(f, i));
      sip::report re(element.view().data());
      (void)sip::check_header_value(f.id, element.view(), re);
      check_report(re, element.view());
    }
  }
  check_grammars(exact_copy(m.start_line()).view());
  if (m.is_request()) check_grammars(exact_copy(m.request_uri()).view());
}

void check_message(const sip::message& m, const sp::options& opts, bool values) {
  FUZZ_CHECK(!m.bytes().empty());
  FUZZ_CHECK(!is_crlf(m.bytes().front()));
  FUZZ_CHECK(m.bytes().size() <= opts.limits.max_message);
  FUZZ_CHECK(m.fields().size() <= opts.limits.max_headers);
  check_index(m);
  check_diagnostics(m);
  check_typed_accessors(m);
  check_copy(m, opts.validate);
  if (values) check_values(m);
}

// ---------------------------------------------------------------------------------------------
// Running the parser and recording what it answered.

struct framed {
  std::size_t begin = 0; // offset of the message's first byte in the input
  std::string bytes;
  std::vector<diag_key> diagnostics;
  bool operator==(const framed&) const = default;
};

struct error_key {
  std::string_view code;
  std::uint32_t offset = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::size_t begin = 0; // offset in the input of the first byte of the message in error
  bool at_finish = false;
  bool operator==(const error_key&) const = default;
};

struct outcome {
  std::vector<framed> messages; // answered done, in order
  std::optional<framed> failed; // strict mode: framed, then failed the grammar checks
  std::size_t end = 0;          // end offset of the last framed message (done or failed)
  std::optional<error_key> error;
  bool operator==(const outcome&) const = default;
};

void print(const char* title, const outcome& o) {
  std::fprintf(stderr, "%s: %zu message(s), end %zu\n", title, o.messages.size(), o.end);
  for (const auto& f : o.messages)
    std::fprintf(stderr, "  done   [%zu, +%zu) %zu diagnostic(s)\n", f.begin, f.bytes.size(),
                 f.diagnostics.size());
  if (o.failed)
    std::fprintf(stderr, "  failed [%zu, +%zu) %zu diagnostic(s)\n", o.failed->begin,
                 o.failed->bytes.size(), o.failed->diagnostics.size());
  if (o.error)
    std::fprintf(stderr, "  error %.*s offset %u line %u column %u begin %zu%s\n",
                 static_cast<int>(o.error->code.size()), o.error->code.data(), o.error->offset,
                 o.error->line, o.error->column, o.error->begin,
                 o.error->at_finish ? " (finish)" : "");
}

void expect_same(const outcome& want, const outcome& got, const char* what, int line) {
  if (want == got) return;
  print("expected", want);
  print(what, got);
  violated("the same outcome whatever the chunking", line);
}

std::size_t skip_crlf(std::string_view input, std::size_t from) {
  while (from < input.size() && is_crlf(input[from])) ++from;
  return from;
}

error_key error_of(const sp::parser& p, std::string_view input, std::size_t begin, bool at_finish) {
  const auto& e = p.error();
  error_key k{e.code, e.offset, e.line, e.column, begin, at_finish};
  FUZZ_CHECK(!k.code.empty());
  FUZZ_CHECK(!e.section.empty());
  FUZZ_CHECK(begin <= input.size());
  const std::string_view rest = input.substr(begin);
  // The offset lies within the bytes of the message received so far (regressions/k2-*).
  if (k.offset > rest.size()) {
    std::fprintf(stderr, "error %.*s at offset %u, beyond the %zu bytes of the message\n",
                 static_cast<int>(k.code.size()), k.code.data(), k.offset, rest.size());
    violated("the error's offset lies within the message", __LINE__);
  }
  // Line and column are those of the offset in the message's bytes (regressions/k1-*).
  auto lc = sip::position_of(rest, k.offset);
  if (k.line != lc.line || k.column != lc.column) {
    std::fprintf(stderr, "error %.*s at offset %u: line %u column %u, expected %u %u\n",
                 static_cast<int>(k.code.size()), k.code.data(), k.offset, k.line, k.column,
                 lc.line, lc.column);
    violated("the error's line and column are those of its offset", __LINE__);
  }
  return k;
}

// How a run feeds the parser and takes its messages.
struct feed {
  bool copy_chunks = false; // each chunk in its own allocation: ASan sees a read past its end
  bool borrow = false;      // take messages with get() where the parser has it (storage reuse)
  bool deep = false;        // check_message() on every framed message
  bool values = false;      // and check_values()
};

// Records one framed message; `end` is where it ends in the input.
framed frame(std::string_view input, const sip::message& m, const sp::options& opts,
             std::size_t from, std::size_t end, const feed& how) {
  if (how.deep) check_message(m, opts, how.values);
  const std::size_t size = m.bytes().size();
  FUZZ_CHECK(end <= input.size() && from <= end && size <= end - from);
  const std::size_t begin = end - size;
  FUZZ_CHECK(input.substr(begin, size) == m.bytes());                       // serializes byte-exact
  for (std::size_t i = from; i < begin; ++i) FUZZ_CHECK(is_crlf(input[i])); // only CRLFs skipped
  return {begin, std::string(m.bytes()), keys_of(m.diagnostics())};
}

template <class P>
concept lends_messages = requires(const P& p) {
  { p.get() } -> std::same_as<const sip::message&>;
};

// Hands the framed message to fn: lent by get() when the parser has it and `borrow` is set (the
// parser keeps the message and reuses its storage for the next one), else taken by release().
// (A template on the parser type, so that the get() branch compiles only where get() exists.)
template <class Parser, class Fn>
void with_message(Parser& p, bool borrow, Fn&& fn) {
  if constexpr (lends_messages<Parser>) {
    if (borrow) {
      fn(p.get());
      FUZZ_CHECK(p.has_message());
      return;
    }
  }
  const sip::message m = p.release();
  FUZZ_CHECK(!p.has_message());
  fn(m);
}

// Stream mode: feeds chunks of next_size() bytes; after done, feeds the unconsumed rest again.
template <class NextSize>
outcome run_stream(std::string_view input, const sp::options& opts, NextSize next_size, feed how) {
  sp::parser p(opts);
  outcome out;
  std::size_t pos = 0; // input offset of the chunk's first unconsumed byte
  while (pos < input.size()) {
    const std::size_t n = std::min(std::max<std::size_t>(next_size(), 1), input.size() - pos);
    std::unique_ptr<char[]> copy;
    std::string_view chunk = input.substr(pos, n);
    if (how.copy_chunks) {
      copy.reset(new char[n]);
      std::memcpy(copy.get(), chunk.data(), n);
      chunk = std::string_view(copy.get(), n);
    }
    while (!chunk.empty()) {
      const sp::result r = p.put(chunk);
      FUZZ_CHECK(r.consumed <= chunk.size());
      if (r.status == sp::status::error) {
        out.error = error_of(p, input, skip_crlf(input, out.end), false);
        if (p.has_message()) {
          FUZZ_CHECK(opts.strict);
          const std::size_t end = pos + r.consumed;
          with_message(p, how.borrow, [&](const sip::message& m) {
            FUZZ_CHECK(m.has_errors());
            out.failed = frame(input, m, opts, out.end, end, how);
          });
          FUZZ_CHECK(out.failed->begin == out.error->begin);
          out.end = end;
        } else {
          FUZZ_CHECK(p.put(chunk).status == sp::status::error); // stays in error
          FUZZ_CHECK(p.finish().status == sp::status::error);
        }
        return out;
      }
      if (r.status == sp::status::done) {
        FUZZ_CHECK(p.has_message());
        const std::size_t end = pos + r.consumed;
        with_message(p, how.borrow, [&](const sip::message& m) {
          if (opts.strict) FUZZ_CHECK(!m.has_errors());
          out.messages.push_back(frame(input, m, opts, out.end, end, how));
        });
        out.end = end;
      } else {
        FUZZ_CHECK(!p.has_message());
        FUZZ_CHECK(r.consumed > 0); // need_more makes progress
      }
      pos += r.consumed;
      chunk.remove_prefix(r.consumed);
    }
  }
  const sp::result r = p.finish();
  if (r.status == sp::status::error) {
    FUZZ_CHECK(!p.has_message());
    out.error = error_of(p, input, skip_crlf(input, out.end), true);
    FUZZ_CHECK(out.error->code == "framing.truncated");
  } else {
    FUZZ_CHECK(r.status == sp::status::need_more && r.consumed == 0);
    // Nothing but keep-alive CRLFs after the last message.
    FUZZ_CHECK(skip_crlf(input, out.end) == input.size());
  }
  return out;
}

// Datagram mode: the whole input is one datagram.
outcome run_datagram(sp::parser& p, std::string_view input, feed how) {
  outcome out;
  const sp::result r = p.put(input);
  FUZZ_CHECK(r.consumed == input.size()); // a datagram is used whole (RFC 3261 18.3)
  FUZZ_CHECK(r.status != sp::status::need_more);
  const std::size_t begin = skip_crlf(input, 0);
  if (r.status == sp::status::error) out.error = error_of(p, input, begin, false);
  if (p.has_message()) {
    with_message(p, how.borrow, [&](const sip::message& m) {
      if (r.status == sp::status::error)
        FUZZ_CHECK(p.opts().strict && m.has_errors());
      else if (p.opts().strict)
        FUZZ_CHECK(!m.has_errors());
      const std::size_t size = m.bytes().size();
      FUZZ_CHECK(size <= input.size() - begin);
      framed f = frame(input, m, p.opts(), begin, begin + size, how);
      FUZZ_CHECK(f.begin == begin);
      // Bytes after the body are discarded with a warning.
      const bool extra = begin + size < input.size();
      const bool warned =
          std::any_of(m.diagnostics().begin(), m.diagnostics().end(),
                      [](const auto& d) { return d.code == "framing.extra-bytes"; });
      FUZZ_CHECK(extra == warned);
      if (extra) FUZZ_CHECK(m.find(sip::header_id::content_length) != nullptr);
      out.end = begin + size;
      if (r.status == sp::status::error)
        out.failed = std::move(f);
      else
        out.messages.push_back(std::move(f));
    });
  } else {
    FUZZ_CHECK(r.status == sp::status::error);
  }
  p.reset();
  return out;
}

// A message framed in stream mode, parsed alone as a datagram, gives the same message, findings
// and verdict.
void check_as_datagram(sp::parser& dgram, const framed& f, const std::optional<error_key>& error) {
  std::unique_ptr<char[]> copy(new char[f.bytes.size()]);
  std::memcpy(copy.get(), f.bytes.data(), f.bytes.size());
  outcome d = run_datagram(dgram, std::string_view(copy.get(), f.bytes.size()), {.borrow = true});
  const framed* got = error ? (d.failed ? &*d.failed : nullptr)
                            : (d.messages.size() == 1 ? &d.messages[0] : nullptr);
  if (!got) {
    print("datagram", d);
    violated("a message framed in stream mode parses as a datagram", __LINE__);
  }
  FUZZ_CHECK(got->bytes == f.bytes);
  FUZZ_CHECK(got->diagnostics == f.diagnostics);
  FUZZ_CHECK(d.error.has_value() == error.has_value());
  if (error) {
    FUZZ_CHECK(d.error->code == error->code && d.error->offset == error->offset);
    FUZZ_CHECK(d.error->line == error->line && d.error->column == error->column);
  }
}

// `values`: check_values() on the messages of the first datagram run.
void run_config(std::string_view input, std::uint64_t h, sp::options opts, bool values) {
  // Datagram mode, twice through the same parser (reset() leaves nothing behind), the second time
  // borrowing the message.
  opts.mode = sp::mode::datagram;
  sp::parser dgram(opts);
  const outcome d1 = run_datagram(dgram, input, {.deep = true, .values = values});
  const outcome d2 = run_datagram(dgram, input, {.borrow = true});
  expect_same(d1, d2, "datagram again", __LINE__);

  // Stream mode: the whole input as one chunk, then split three ways.
  opts.mode = sp::mode::stream;
  auto all_of_it = [&] { return input.size(); };
  const outcome whole = run_stream(input, opts, all_of_it, {.deep = true});
  for (const auto& f : whole.messages) check_as_datagram(dgram, f, std::nullopt);
  if (whole.failed) check_as_datagram(dgram, *whole.failed, whole.error);

  const std::size_t fixed = 1 + (h >> 20) % 64;
  auto fixed_size = [&] { return fixed; };
  const feed copied_borrowed{.copy_chunks = true, .borrow = true};
  expect_same(whole, run_stream(input, opts, fixed_size, copied_borrowed), "fixed chunks",
              __LINE__);
  splitmix rng(h);
  auto random_size = [&] {
    const std::uint64_t r = rng.next();
    return static_cast<std::size_t>(1 + (r >> 8) % (1 + (r & 255)));
  };
  expect_same(whole, run_stream(input, opts, random_size, copied_borrowed), "random chunks",
              __LINE__);
  auto one_byte = [] { return std::size_t{1}; };
  if (input.size() <= 2048)
    expect_same(whole, run_stream(input, opts, one_byte, {}), "byte by byte", __LINE__);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::uint64_t h = fnv1a(input);

  // Default limits; strict (the parser's default) and lenient (messages with grammar errors are
  // still answered done, so the stream goes on past them).
  run_config(input, h, sp::options{.validate = true, .strict = true}, true);
  run_config(input, h, sp::options{.validate = true, .strict = false}, false);
  if (h & 1) {
    // Small limits, derived from the input: the size and header-count limits.
    sp::limits small;
    small.max_message = 16 + static_cast<std::size_t>(h % 1024);
    small.max_headers = 1 + static_cast<std::size_t>((h >> 32) % 12);
    run_config(input, h >> 7, sp::options{.limits = small, .validate = true, .strict = true},
               false);
  } else {
    // No limits (SIZE_MAX: regressions/k3-*), no validation by the parser (check_copy() still
    // validates a copy).
    constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();
    sp::limits none;
    none.max_message = no_limit;
    none.max_headers = no_limit;
    run_config(input, h >> 7, sp::options{.limits = none, .validate = false, .strict = false},
               false);
  }
  return 0;
}
