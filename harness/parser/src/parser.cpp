#include "sipwright/parser/parser.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sipwright::parser {
namespace {

namespace chars = sip::chars;
using sip::text_span;

text_span span_of(std::size_t pos, std::size_t len) {
  return {static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(len)};
}

bool starts_with_sip_version(std::string_view line) {
  return line.size() >= 4 && chars::to_lower(line[0]) == 's' && chars::to_lower(line[1]) == 'i' &&
         chars::to_lower(line[2]) == 'p' && line[3] == '/';
}

// The first CR or LF in [p, end), or end; 16 bytes at a time where SSE2 is available.
const char* find_line_break(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int hits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    if (hits != 0) return p + __builtin_ctz(static_cast<unsigned>(hits));
  }
#endif
  while (p != end && *p != '\r' && *p != '\n') ++p;
  return p;
}

// Where the (first) Content-Length value starts, for errors about it.
std::size_t content_length_offset(const sip::message_index& idx) {
  for (const auto& f : idx.fields)
    if (f.id == sip::header_id::content_length) return f.value.pos;
  return idx.headers_end.pos;
}

} // namespace

void parser::reset() {
  buf_.clear();
  scan_pos_ = 0;
  header_end_.reset();
  total_ = 0;
  index_.clear();
  has_message_ = false;
  framing_warnings_.clear();
  error_ = {};
  failed_ = false;
}

sip::message parser::release() {
  sip::message m = has_message_ ? std::move(message_) : sip::message{};
  message_ = {};
  reset();
  return m;
}

result parser::fail(std::string_view code, std::string_view rule, std::string_view section,
                    std::string text, std::size_t offset, std::size_t consumed) {
  error_.code = code;
  error_.rule = rule;
  error_.section = section;
  error_.text = std::move(text);
  error_.offset = static_cast<std::uint32_t>(offset);
  auto lc = sip::position_of(buf_, offset);
  error_.line = lc.line;
  error_.column = lc.column;
  failed_ = true;
  return {status::error, consumed};
}

result parser::put(std::string_view data) {
  if (failed_) return {status::error, 0};
  if (has_message_) reset(); // the previous message was not released: start over
  return opts_.mode == mode::datagram ? put_datagram(data) : put_stream(data);
}

// Reports the first bare CR or LF in buf_[0, header_end): every line ends with CRLF (RFC 3261
// 7). Jumps from LF to LF with memchr: between two LFs only a CR right before the second is fine.
// Returns false after reporting one.
bool parser::check_line_breaks(std::size_t header_end) {
  const std::string_view b(buf_);
  for (std::size_t p = 0; p < header_end;) {
    const void* lf = std::memchr(b.data() + p, '\n', header_end - p);
    const std::size_t j =
        lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - b.data()) : header_end;
    const std::size_t cr_end = lf ? (j > p ? j - 1 : p) : header_end;
    if (const void* cr = cr_end > p ? std::memchr(b.data() + p, '\r', cr_end - p) : nullptr) {
      fail("framing.bare-cr", "CRLF", "RFC 3261 7", "CR not followed by LF",
           static_cast<std::size_t>(static_cast<const char*>(cr) - b.data()), 0);
      return false;
    }
    if (!lf) break;
    if (j == 0 || b[j - 1] != '\r') {
      fail("framing.bare-lf", "CRLF", "RFC 3261 7", "line ends with LF without CR", j, 0);
      return false;
    }
    p = j + 1;
  }
  return true;
}

// One walk over the lines of buf_[0, limit), recording where each ends (its CR) in line_ends_,
// up to and including the empty line that ends the headers. Returns the end of the empty line,
// or npos when a line break is not CRLF (RFC 3261 7) or no empty line comes first; the caller
// then reports what is wrong.
std::size_t parser::scan_lines(std::size_t limit) {
  line_ends_.clear();
  const char* const begin = buf_.data();
  const char* const end = begin + limit;
  for (const char* p = begin;;) {
    const char* q = find_line_break(p, end);
    if (end - q < 2 || q[0] != '\r' || q[1] != '\n') return std::string::npos;
    line_ends_.push_back(static_cast<std::uint32_t>(q - begin));
    if (q == p) return static_cast<std::size_t>(q + 2 - begin); // the empty line
    p = q + 2;
  }
}

// Splits the header block buf_[0, header_end) into the start line and header fields, using the
// line ends scan_lines() recorded.
bool parser::index_headers(std::size_t header_end, sip::message_index& idx) {
  const std::string_view b(buf_);
  const std::size_t lines = line_ends_.size(); // the start line to the empty line
  const std::size_t eol = line_ends_[0];
  idx.start_line = span_of(0, eol);
  std::string_view line = b.substr(0, eol);
  if (starts_with_sip_version(line)) {
    idx.request = false;
    std::size_t sp1 = line.find(' ');
    idx.version = span_of(0, sp1 == std::string_view::npos ? line.size() : sp1);
    if (sp1 != std::string_view::npos) {
      std::size_t code_end = line.find(' ', sp1 + 1);
      std::string_view code =
          line.substr(sp1 + 1, code_end == std::string_view::npos ? std::string_view::npos
                                                                  : code_end - sp1 - 1);
      if (code.size() == 3 && std::all_of(code.begin(), code.end(), chars::is_digit))
        idx.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
      if (code_end != std::string_view::npos)
        idx.reason = span_of(code_end + 1, line.size() - code_end - 1);
    }
  } else {
    idx.request = true;
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == 0 || sp2 == sp1) {
      fail("start-line.syntax", "start-line", "RFC 3261 7.1",
           "not a SIP Request-Line or Status-Line: " + sip::shown(line, 40), 0, 0);
      return false;
    }
    idx.method = span_of(0, sp1);
    idx.request_uri = span_of(sp1 + 1, sp2 - sp1 - 1);
    idx.version = span_of(sp2 + 1, line.size() - sp2 - 1);
  }

  // Header fields: name HCOLON value, continued on lines that start with SP or HTAB.
  std::size_t pos = eol + 2;
  const std::size_t block_end = header_end - 2; // the empty line's CRLF
  idx.headers_end = span_of(block_end, 2);
  idx.fields.clear();
  idx.elements.clear();
  idx.fields.reserve(lines);   // at most one field per line: no regrowth
  idx.elements.reserve(lines); // one element per field, more for comma lists
  std::uint32_t line_no = 2;
  for (std::size_t li = 1; li + 1 < lines; ++li) {
    if (chars::is_wsp(b[pos])) {
      fail("header.continuation", "message-header", "RFC 3261 7.3.1",
           "a line starting with whitespace continues a header, but no header precedes it", pos, 0);
      return false;
    }
    // The field ends at the first CRLF not followed by SP/HTAB (folding, RFC 3261 7.3.1).
    const std::uint32_t first_line = static_cast<std::uint32_t>(li);
    while (li + 2 < lines && chars::is_wsp(b[line_ends_[li] + 2])) ++li;
    const std::size_t end = line_ends_[li];
    const std::uint32_t field_lines = static_cast<std::uint32_t>(li) - first_line + 1;
    if (idx.fields.size() >= opts_.limits.max_headers) {
      fail("limit.headers", "message-header", "RFC 3261 7.3",
           "more than " + std::to_string(opts_.limits.max_headers) + " header fields", pos, 0);
      return false;
    }
    std::size_t name_end = pos;
    while (name_end < end && chars::is_token(b[name_end])) ++name_end;
    std::size_t colon = name_end;
    while (colon < end && chars::is_wsp(b[colon])) ++colon;
    if (name_end == pos || colon >= end || b[colon] != ':') {
      std::size_t at = name_end == pos ? pos : colon;
      fail("header.syntax", "message-header", "RFC 3261 7.3.1",
           name_end == pos
               ? "expected a header name (token), saw " + sip::shown(b.substr(pos, end - pos), 30)
               : "expected ':' after header name '" +
                     sip::shown(b.substr(pos, name_end - pos), 30) + "', saw " +
                     sip::shown(b.substr(colon, end - colon), 20),
           at, 0);
      return false;
    }
    std::size_t vstart = colon + 1, vend = end;
    auto is_lws = [&](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (vstart < vend && is_lws(b[vstart])) ++vstart;
    while (vend > vstart && is_lws(b[vend - 1])) --vend;

    sip::header_field f;
    f.id = sip::lookup_header(b.substr(pos, name_end - pos));
    f.name = span_of(pos, name_end - pos);
    f.value = span_of(vstart, vend - vstart);
    f.line = span_of(pos, end - pos);
    f.first_element = static_cast<std::uint32_t>(idx.elements.size());
    // Only a comma splits a list, so a value without one is a single element: the value itself,
    // already trimmed of LWS as for_each_element would trim it.
    if (sip::kind_of(f.id) == sip::header_kind::list && vend > vstart &&
        std::memchr(b.data() + vstart, ',', vend - vstart) != nullptr) {
      const char* base = buf_.data();
      sip::for_each_element(b.substr(vstart, vend - vstart), [&](std::string_view e) {
        idx.elements.push_back(span_of(static_cast<std::size_t>(e.data() - base), e.size()));
      });
    } else {
      idx.elements.push_back(f.value);
    }
    f.element_count = static_cast<std::uint32_t>(idx.elements.size()) - f.first_element;
    f.line_no = line_no;
    line_no += field_lines;
    idx.fields.push_back(f);
    pos = end + 2;
  }
  return true;
}

// The Content-Length that frames the body: nullopt when absent; sets failed_ when unusable.
std::optional<std::uint64_t> parser::framed_length(const sip::message_index& idx) {
  std::optional<std::uint64_t> length;
  const std::string_view b(buf_);
  for (const auto& f : idx.fields) {
    if (f.id != sip::header_id::content_length) continue;
    std::string_view v = b.substr(f.value.pos, f.value.len);
    std::uint64_t n = 0;
    bool ok = !v.empty() && v.size() <= 10;
    for (char c : v) {
      if (!chars::is_digit(c))
        ok = false;
      else
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok) {
      fail("framing.content-length", "Content-Length", "RFC 3261 20.14",
           "Content-Length must be a non-negative decimal number, saw '" + sip::shown(v, 30) + "'",
           f.value.pos, 0);
      return std::nullopt;
    }
    if (length && *length != n) {
      fail("framing.content-length-conflict", "Content-Length", "RFC 3261 20.14",
           "conflicting Content-Length values " + std::to_string(*length) + " and " +
               std::to_string(n),
           f.value.pos, 0);
      return std::nullopt;
    }
    length = n;
  }
  return length;
}

result parser::complete(std::size_t total, std::size_t consumed) {
  buf_.resize(total);
  index_.body = span_of(header_end_.value(), total - *header_end_);
  message_.replace(buf_, index_); // buf_ and index_ get the previous message's storage
  sip::message& m = message_;
  for (auto& w : framing_warnings_) m.diagnostics().push_back(std::move(w));
  framing_warnings_.clear();
  if (opts_.validate) sip::validate(m);
  scan_pos_ = 0;
  header_end_.reset();
  has_message_ = true;
  if (opts_.strict) {
    for (const auto& d : m.diagnostics()) {
      if (d.level != sip::severity::error) continue;
      error_.code = d.code;
      error_.rule = d.rule;
      error_.section = d.section;
      error_.text = d.text;
      error_.offset = d.offset;
      auto lc = m.position(d.offset);
      error_.line = lc.line;
      error_.column = lc.column;
      failed_ = true;
      return {status::error, consumed};
    }
  }
  return {status::done, consumed};
}

result parser::put_datagram(std::string_view data) {
  // CRLFs before the start line are ignored (RFC 3261 7.5).
  std::size_t skip = 0;
  while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n')) ++skip;
  if (skip == data.size())
    return fail("framing.empty", "SIP-message", "RFC 3261 7", "the datagram holds no message", 0,
                data.size());
  if (data.size() - skip > opts_.limits.max_message) {
    // Keep the bytes up to the limit so the error's line and column are those of the limit.
    buf_.assign(data.substr(skip, opts_.limits.max_message));
    return fail("limit.size", "SIP-message", "RFC 3261 18.1.1",
                "message larger than the limit of " + std::to_string(opts_.limits.max_message) +
                    " bytes",
                opts_.limits.max_message, data.size());
  }
  buf_.assign(data.substr(skip));
  header_end_ = scan_lines(buf_.size());
  if (*header_end_ == std::string::npos) {
    // Not a clean header block: say why, as the first empty line and the line breaks before it
    // show (RFC 3261 7).
    std::size_t he = buf_.find("\r\n\r\n");
    if (he == std::string::npos)
      return fail("framing.no-empty-line", "SIP-message", "RFC 3261 7",
                  "no empty line (CRLF CRLF) ends the headers", buf_.size(), data.size());
    header_end_ = he + 4;
    check_line_breaks(*header_end_); // reports the bare CR or LF that stopped scan_lines
    return {status::error, data.size()};
  }
  if (!index_headers(*header_end_, index_)) return {status::error, data.size()};
  auto length = framed_length(index_);
  if (failed_) return {status::error, data.size()};
  std::size_t available = buf_.size() - *header_end_;
  std::size_t body = available;
  if (length) {
    if (*length > available)
      return fail("framing.body-truncated", "Content-Length", "RFC 3261 18.3",
                  "Content-Length is " + std::to_string(*length) + " but only " +
                      std::to_string(available) + " bytes follow the headers",
                  content_length_offset(index_), data.size());
    body = static_cast<std::size_t>(*length);
    if (body < available)
      framing_warnings_.push_back({sip::severity::warning, "framing.extra-bytes", "Content-Length",
                                   "RFC 3261 18.3",
                                   std::to_string(available - body) +
                                       " bytes after the body (per Content-Length) are discarded",
                                   static_cast<std::uint32_t>(*header_end_ + body)});
  }
  return complete(*header_end_ + body, data.size());
}

result parser::put_stream(std::string_view data) {
  std::size_t used = 0;
  if (buf_.empty()) {
    // Keep-alive CRLFs between messages (RFC 5626 3.5.1).
    while (used < data.size() && (data[used] == '\r' || data[used] == '\n')) ++used;
    if (used == data.size()) return {status::need_more, used};
  }
  if (!header_end_) {
    // Buffer at most one byte past the limit (saturating: max_message may be SIZE_MAX).
    std::size_t limit =
        opts_.limits.max_message == SIZE_MAX ? SIZE_MAX : opts_.limits.max_message + 1;
    std::size_t room = limit > buf_.size() ? limit - buf_.size() : 0;
    std::size_t take = std::min(room, data.size() - used);
    buf_.append(data.substr(used, take));
    std::size_t from = scan_pos_ >= 3 ? scan_pos_ - 3 : 0;
    std::size_t he = buf_.find("\r\n\r\n", from);
    if (he == std::string::npos) {
      scan_pos_ = buf_.size();
      if (buf_.size() > opts_.limits.max_message)
        return fail("limit.size", "SIP-message", "RFC 3261 18.3",
                    "no end of headers within the limit of " +
                        std::to_string(opts_.limits.max_message) + " bytes",
                    opts_.limits.max_message, used + take);
      return {status::need_more, used + take};
    }
    header_end_ = he + 4;
    if (scan_lines(*header_end_) != *header_end_) {
      check_line_breaks(*header_end_); // reports the bare CR or LF that stopped scan_lines
      return {status::error, used + take};
    }
    if (!index_headers(*header_end_, index_)) return {status::error, used + take};
    auto length = framed_length(index_);
    if (failed_) return {status::error, used + take};
    if (!length)
      return fail("framing.content-length-missing", "Content-Length", "RFC 3261 18.3",
                  "Content-Length is mandatory on a stream transport", he + 2, used + take);
    total_ = *header_end_ + static_cast<std::size_t>(*length);
    if (total_ > opts_.limits.max_message)
      return fail("limit.size", "SIP-message", "RFC 3261 18.3",
                  "Content-Length " + std::to_string(*length) +
                      " makes the message larger than the limit of " +
                      std::to_string(opts_.limits.max_message) + " bytes",
                  content_length_offset(index_), used + take);
    if (buf_.size() >= total_) {
      std::size_t extra = buf_.size() - total_;
      return complete(total_, used + take - extra);
    }
    // Part of the body may still be unread in data beyond `take`.
    used += take;
  }
  std::size_t want = total_ - buf_.size();
  std::size_t take = std::min(want, data.size() - used);
  buf_.append(data.substr(used, take));
  used += take;
  if (buf_.size() == total_) return complete(total_, used);
  return {status::need_more, used};
}

result parser::finish() {
  if (failed_) return {status::error, 0};
  if (opts_.mode == mode::stream && !buf_.empty())
    return fail("framing.truncated", "SIP-message", "RFC 3261 18.3",
                "the stream ended inside a message (" + std::to_string(buf_.size()) +
                    " bytes buffered)",
                buf_.size(), 0);
  return {status::need_more, 0};
}

} // namespace sipwright::parser
