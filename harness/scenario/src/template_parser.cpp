// Message templates as SIPp reads them: lines trimmed, leading empty lines dropped, the first
// empty line ends the head, trailing empty lines of the body dropped; [keywords] parsed.
//
// When is "[...]" a keyword? (Literal brackets must pass: IPv6 references such as [2001:db8::1],
// SDP or XML text.) A '[' starts a keyword when what follows, up to the next ']' on the line, is
//   - "$name" (a variable; name = letters, digits, '_', '-', '.'),
//   - "last_" and a header name, optionally ending in ':', or
//   - a word: a letter or '_', then letters, digits, '_', '+', '-', optionally ending in ':'.
// Such a keyword must be one sipwright knows, or loading fails at its column. SIPp keywords
// that take arguments ("[field0 line=1]", "[authentication ...]") are reported as unsupported.
// Anything else (e.g. "[::1]", "[2001:db8::1]", "[a b]", "[x.y]") is literal text.
#include "template_parser.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace sipwright::scenario::detail {
namespace {

struct known_keyword {
  std::string_view name;
  keyword_id id;
};

constexpr std::array<known_keyword, 20> plain_keywords{{
    {"service", keyword_id::service},
    {"remote_ip", keyword_id::remote_ip},
    {"remote_port", keyword_id::remote_port},
    {"local_ip", keyword_id::local_ip},
    {"local_ip_type", keyword_id::local_ip_type},
    {"local_port", keyword_id::local_port},
    {"transport", keyword_id::transport},
    {"media_ip", keyword_id::media_ip},
    {"media_ip_type", keyword_id::media_ip_type},
    {"media_port", keyword_id::media_port},
    {"call_id", keyword_id::call_id},
    {"call_number", keyword_id::call_number},
    {"pid", keyword_id::pid},
    {"len", keyword_id::len},
    {"peer_tag_param", keyword_id::peer_tag_param},
    {"routes", keyword_id::routes},
    {"next_url", keyword_id::next_url},
    {"cseq", keyword_id::cseq},
    {"authentication", keyword_id::authentication},
    {"challenge", keyword_id::challenge},
}};

// SIPp keywords sipwright does not implement: named so the error says so.
constexpr std::array<std::string_view, 15> sipp_only{"last_Request_URI",
                                                     "last_cseq_number",
                                                     "last_message",
                                                     "clock_tick",
                                                     "users",
                                                     "userid",
                                                     "timestamp",
                                                     "sipp_version",
                                                     "server_ip",
                                                     "auto_media_port",
                                                     "rtpstream_audio_port",
                                                     "rtpstream_video_port",
                                                     "tdmmap",
                                                     "fill",
                                                     "file"};

constexpr std::string_view expected_keywords =
    "[service], [remote_ip], [remote_port], [local_ip], [local_ip_type], [local_port], "
    "[transport], [media_ip], [media_ip_type], [media_port], [call_id], [call_number], [cseq], "
    "[cseq+N], [cseq-N], [branch], [branch-N], [pid], [len], [peer_tag_param], "
    "[last_<Header>:], [routes], [next_url], [authentication], [challenge] or [$variable]";

bool is_sipp_only(std::string_view word) {
  if (std::find(sipp_only.begin(), sipp_only.end(), word) != sipp_only.end()) return true;
  // [field0], [field1 line=2] ...: injection-file fields.
  return word.size() > 5 && word.substr(0, 5) == "field" &&
         std::all_of(word.begin() + 5, word.end(), sip::chars::is_digit);
}

bool is_word_start(char c) {
  return sip::chars::is_alpha(c) || c == '_';
}
bool is_word_char(char c) {
  return sip::chars::is_alnum(c) || c == '_' || c == '+' || c == '-';
}
bool is_variable_char(char c) {
  return sip::chars::is_alnum(c) || c == '_' || c == '-' || c == '.';
}

// "N" of [cseq+N] / [branch-N]: 1 to 9 digits.
bool small_number(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), sip::chars::is_digit))
    return false;
  out = std::stoi(std::string(s));
  return true;
}

class line_parser {
public:
  line_parser(std::string_view text, const source_pos& start) : text_(text), start_(start) {}

  template_line run() {
    template_line out;
    out.line = start_.line;
    std::string literal;
    std::size_t i = 0;
    while (i < text_.size()) {
      const std::size_t close = text_[i] == '[' ? keyword_end(i) : std::string_view::npos;
      if (close == std::string_view::npos) {
        literal += text_[i++];
        continue;
      }
      if (!literal.empty()) out.pieces.push_back(piece{false, std::move(literal), {}});
      literal.clear();
      piece p;
      p.is_keyword = true;
      p.kw = make_keyword(i, text_.substr(i + 1, close - i - 1));
      out.pieces.push_back(std::move(p));
      i = close + 1;
    }
    if (!literal.empty()) out.pieces.push_back(piece{false, std::move(literal), {}});
    return out;
  }

private:
  source_pos pos_at(std::size_t i) const {
    source_pos p = start_;
    p.column += static_cast<int>(i);
    return p;
  }

  [[noreturn]] void fail(std::size_t i, const std::string& text) const {
    throw load_error(pos_at(i), text);
  }

  // The index of the ']' closing a keyword that starts at text_[open] == '[', or npos when
  // this bracket is literal text (see the rule at the top of this file).
  std::size_t keyword_end(std::size_t open) const {
    const std::string_view rest = text_.substr(open + 1);
    const std::size_t close = rest.find(']');
    if (rest.empty()) return std::string_view::npos;
    if (rest.front() == '$' || rest.substr(0, 5) == "last_") {
      if (close == std::string_view::npos)
        fail(open, "keyword " + std::string(text_.substr(open, 12)) + "... has no closing ']'");
      return open + 1 + close;
    }
    if (!is_word_start(rest.front())) return std::string_view::npos;
    std::size_t n = 1;
    while (n < rest.size() && is_word_char(rest[n])) ++n;
    if (n < rest.size() && rest[n] == ':') ++n;
    if (n < rest.size() && rest[n] == ']') return open + 1 + n;
    // [authentication username=... password=...]: credentials stay out of scenario files.
    if (n < rest.size() && rest[n] == ' ' && close != std::string_view::npos &&
        rest.substr(0, n) == "authentication")
      fail(open, "[authentication] takes no arguments in sipwright: the credentials come from "
                 "the device profile's [auth] or from SIPWRIGHT_AUTH_USER and "
                 "SIPWRIGHT_AUTH_PASSWORD, never from the scenario");
    // "[field0 file=...]" and the like: SIPp keywords with arguments.
    if (n < rest.size() && rest[n] == ' ' && close != std::string_view::npos &&
        is_sipp_only(rest.substr(0, n)))
      fail(open, "keyword [" + std::string(rest.substr(0, n)) +
                     " ...] is a SIPp feature not supported by sipwright");
    return std::string_view::npos;
  }

  keyword make_keyword(std::size_t open, std::string_view word) const {
    keyword kw;
    if (word.front() == '$') {
      const auto name = word.substr(1);
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_variable_char))
        fail(open, "bad variable name in [" + std::string(word) +
                       "] (expected letters, digits, '_', '-' or '.')");
      kw.id = keyword_id::variable;
      kw.arg = std::string(name);
      return kw;
    }
    if (is_sipp_only(word))
      fail(open,
           "keyword [" + std::string(word) + "] is a SIPp feature not supported by sipwright");
    if (word.substr(0, 5) == "last_") {
      auto name = word.substr(5);
      if (!name.empty() && name.back() == ':') name.remove_suffix(1);
      if (name.empty() || !std::all_of(name.begin(), name.end(), sip::chars::is_token))
        fail(open, "bad header name in [" + std::string(word) + "] (expected [last_<Header>:])");
      kw.id = keyword_id::last_header;
      kw.arg = std::string(name);
      return kw;
    }
    for (const auto& k : plain_keywords)
      if (word == k.name) {
        kw.id = k.id;
        return kw;
      }
    int n = 0;
    if (word.size() > 5 && word.substr(0, 4) == "cseq" && (word[4] == '+' || word[4] == '-') &&
        small_number(word.substr(5), n)) {
      kw.id = keyword_id::cseq;
      kw.offset = word[4] == '+' ? n : -n;
      return kw;
    }
    if (word == "branch" ||
        (word.size() > 7 && word.substr(0, 7) == "branch-" && small_number(word.substr(7), n))) {
      kw.id = keyword_id::branch;
      kw.offset = -n;
      return kw;
    }
    fail(open, "unknown keyword [" + std::string(word) + "] (expected " +
                   std::string(expected_keywords) + ")");
  }

  std::string_view text_;
  source_pos start_;
};

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

} // namespace

template_line parse_line(std::string_view text, const source_pos& start) {
  return line_parser(text, start).run();
}

message_template parse_template(std::string_view text, const source_pos& start, bool sip_message) {
  // Split into trimmed lines, each with the file position of its first kept byte.
  std::vector<raw_line> lines;
  std::size_t begin = 0;
  int line_no = start.line;
  while (begin <= text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(begin, end - begin);
    std::size_t lead = 0;
    while (lead < line.size() && blank(line[lead])) ++lead;
    line.remove_prefix(lead);
    while (!line.empty() && blank(line.back())) line.remove_suffix(1);
    const int column = (line_no == start.line ? start.column : 1) + static_cast<int>(lead);
    lines.push_back(raw_line{line, source_pos{start.file, line_no, column}});
    begin = end + 1;
    ++line_no;
  }
  auto first = std::find_if(lines.begin(), lines.end(), [](auto& l) { return !l.text.empty(); });
  if (first == lines.end()) throw load_error(start, "empty message template");
  auto separator = std::find_if(first, lines.end(), [](auto& l) { return l.text.empty(); });
  auto body_end = lines.end();
  while (body_end != separator && body_end[-1].text.empty()) --body_end;

  message_template msg;
  const std::vector<raw_line> head(first, separator);
  for (const auto& l : head) msg.head.push_back(parse_line(l.text, l.pos));
  msg.has_body_separator = separator != lines.end();
  if (msg.has_body_separator)
    for (auto it = separator + 1; it < body_end; ++it)
      msg.body.push_back(parse_line(it->text, it->pos));
  if (sip_message) check_sip_head(msg, head);
  return msg;
}

} // namespace sipwright::scenario::detail
