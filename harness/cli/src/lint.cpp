#include "sipwright/cli/lint.hpp"

#include "sipwright/cli/input_error.hpp"
#include "sipwright/cli/pcap_source.hpp"
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/charclass.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>

namespace sipwright::cli {

const char* const lint_format_help = R"(Output (stdout), one line per finding, in the style of gcc:
  NAME: ok                                       the message is valid
  NAME:LINE:COL: error: TEXT (SECTION) [CODE]    a rule the message breaks
  NAME:LINE:COL: warning: TEXT (SECTION) [CODE]  a tolerated oddity (SHOULD level)
  NAME: note: TEXT                               input that was skipped or not read
NAME is FILE for a datagram file, FILE:LINE (the message's first line) for --stream files,
and FILE:packet N for captures. LINE and COL are 1-based and count from the start of the
file (datagram and --stream files) or of the UDP payload (captures). A valid message's `ok`
line comes before its warnings; with --werror a message with warnings is invalid and gets
no `ok` line. Findings follow the message's byte order; CODE is a stable id for scripts.
  invite.sip: ok
  bad.sip:2:29: error: empty parameter in Via (a ';' must be followed by a token), saw ;
    (RFC 3261 25.1) [param.empty]                              (one line in the output)
  trace.txt:14: ok
  capture.pcap:packet 7:8:1: warning: Max-Forwards is missing (...) (RFC 3261 8.1.1.6)
    [header.missing]                                           (one line in the output)
  capture.pcap:packet 9: note: IPv4 fragment skipped (no reassembly)
When more than one message was checked, or packets were skipped, a summary goes to stderr:
  4 messages: 3 valid, 1 invalid, 2 warnings; 5 packets skipped (5 not SIP over UDP)
Files ending in .pcap or .pcapng, or starting with a pcap/pcapng magic number, are read as
captures: every UDP datagram (IPv4, IPv6) whose first line looks like a SIP start line is
linted as one message; other packets are counted; IP fragments are skipped with a note.
At most 64 MiB of a file are read (a note says when a file is cut).
Exit status: 0 all messages valid, 1 some message invalid, 2 usage error or unreadable input.)";

namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

bool is_crlf(char c) {
  return c == '\r' || c == '\n';
}

std::size_t skip_crlf(std::string_view s, std::size_t at) {
  while (at < s.size() && is_crlf(s[at])) ++at;
  return at;
}

bool starts_with_version(std::string_view s) {
  return s.size() >= 5 && (s[0] | 0x20) == 's' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'p' &&
         s[3] == '/' && sip::chars::is_digit(s[4]);
}

// Diagnostic texts quote message bytes; keep every finding on one line of output.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Line and column (1-based, as in sip::message::position) of byte offsets in a text; cheap
// when offsets grow, as they do through a file and through a message's diagnostics.
class position_finder {
public:
  explicit position_finder(std::string_view text) : text_(text) {}

  sip::line_col at(std::size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < pos_) {
      pos_ = offset >= mark_pos_ ? mark_pos_ : 0;
      lc_ = offset >= mark_pos_ ? mark_lc_ : sip::line_col{};
    }
    for (; pos_ < offset; ++pos_) {
      if (text_[pos_] == '\n') {
        ++lc_.line;
        lc_.column = 1;
      } else {
        ++lc_.column;
      }
    }
    return lc_;
  }
  // Remembers an offset to come back to cheaply (the start of the current message).
  void mark(std::size_t offset) {
    at(offset);
    mark_pos_ = pos_;
    mark_lc_ = lc_;
  }

private:
  std::string_view text_;
  std::size_t pos_ = 0;
  sip::line_col lc_{};
  std::size_t mark_pos_ = 0;
  sip::line_col mark_lc_{};
};

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

// Reads until `into` holds `limit` bytes or the file ends.
void read_up_to(std::FILE* f, std::string& into, std::size_t limit, const std::string& name) {
  char buf[64 * 1024];
  while (into.size() < limit) {
    std::size_t want = std::min(sizeof buf, limit - into.size());
    std::size_t n = std::fread(buf, 1, want, f);
    into.append(buf, n);
    if (n < want) break;
  }
  if (std::ferror(f))
    throw input_error(fmt::format("cannot read '{}': {}", name, std::strerror(errno)));
}

bool capture_magic(std::string_view head) {
  if (head.size() < 4) return false;
  std::uint32_t m = static_cast<std::uint32_t>(static_cast<unsigned char>(head[0])) << 24 |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(head[1])) << 16 |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(head[2])) << 8 |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(head[3]));
  return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || // pcap, microseconds
         m == 0xa1b23c4d || m == 0x4d3cb2a1 || // pcap, nanoseconds
         m == 0x0a0d0d0a;                      // pcapng section header block
}

bool capture_name(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) { return c | 0x20; });
  return ext == ".pcap" || ext == ".pcapng";
}

class linter {
public:
  linter(const lint_options& opts, std::ostream& out, std::ostream& err)
      : opts_(opts), out_(out), err_(err) {}

  void lint(const std::string& path) {
    try {
      lint_path(path);
    } catch (const input_error& e) {
      err_ << "sipwright: error: " << e.what() << '\n';
      failed_ = true;
    } catch (const std::exception& e) { // e.g. out of memory: report it, go on with the next file
      err_ << "sipwright: error: '" << path << "': " << e.what() << '\n';
      failed_ = true;
    }
  }

  int finish() {
    std::size_t skipped = not_sip_ + fragments_ + truncated_;
    if (!opts_.quiet && (messages_ > 1 || skipped > 0)) {
      std::string line = fmt::format("{}: {} valid, {} invalid, {}", plural(messages_, "message"),
                                     valid_, invalid_, plural(warnings_, "warning"));
      if (skipped > 0) {
        std::string parts;
        auto part = [&parts](std::size_t n, std::string_view what) {
          if (n == 0) return;
          parts += parts.empty() ? "" : ", ";
          parts += fmt::format("{} {}", n, what);
        };
        part(not_sip_, "not SIP over UDP");
        part(fragments_, fragments_ == 1 ? "fragment" : "fragments");
        part(truncated_, "truncated");
        line += fmt::format("; {} skipped ({})", plural(skipped, "packet"), parts);
      }
      err_ << line << '\n';
    }
    if (failed_) return exit_usage;
    return invalid_ > 0 ? exit_invalid : exit_ok;
  }

private:
  void lint_path(const std::string& path) {
    const bool from_stdin = path == "-";
    const std::string name = from_stdin ? "<stdin>" : path;
    file_ptr owned;
    std::FILE* f = stdin;
    if (!from_stdin) {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec))
        throw input_error(fmt::format("cannot read '{}': is a directory", path));
      owned.reset(std::fopen(path.c_str(), "rb"));
      if (!owned)
        throw input_error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
      f = owned.get();
    }
    std::string text;
    read_up_to(f, text, 4, name);
    if (!from_stdin && (capture_name(path) || capture_magic(text))) {
      owned.reset();
      lint_capture(path);
      return;
    }
    if (from_stdin && capture_magic(text))
      throw input_error("captures cannot be read from standard input; name the file");
    read_up_to(f, text, opts_.max_file_bytes + 1, name);
    const bool capped = text.size() > opts_.max_file_bytes;
    if (capped) {
      text.resize(opts_.max_file_bytes);
      note(name, fmt::format("the file is larger than the read limit of {0}; only its first {0} "
                             "are checked",
                             size_text(opts_.max_file_bytes)));
    }
    if (opts_.stream)
      lint_stream(name, text, capped);
    else
      lint_datagram(name, text);
  }

  static std::string size_text(std::size_t n) {
    return n % mib == 0 ? fmt::format("{} MiB", n / mib) : fmt::format("{} bytes", n);
  }

  static parser::options parser_options(parser::mode m) {
    parser::options o;
    o.mode = m;
    o.strict = false; // list every error of a message, not only the first
    return o;
  }

  // One datagram: a whole file, or a UDP payload. CRLFs before the start line are skipped
  // (RFC 3261 7.5) here, so that positions count from the start of `text`.
  void lint_datagram(std::string_view name, std::string_view text) {
    std::size_t base = skip_crlf(text, 0);
    parser::parser p(parser_options(parser::mode::datagram));
    auto r = p.put(text.substr(base));
    position_finder pos(text);
    pos.mark(base);
    if (p.has_message())
      report_message(p.release(), name, name, pos, base);
    else if (r.status == parser::status::error)
      report_framing(p.error(), name, pos, base);
  }

  // A TCP byte stream: Content-Length frames each message (RFC 3261 18.3); CRLFs between
  // messages are keep-alives (RFC 5626 3.5.1). After a framing error the stream cannot be
  // resynchronised, so the rest is not checked.
  void lint_stream(std::string_view name, std::string_view text, bool capped) {
    parser::parser p(parser_options(parser::mode::stream));
    position_finder pos(text);
    std::size_t messages = 0;
    std::size_t at = 0;
    for (;;) {
      at = skip_crlf(text, at);
      if (at == text.size()) break;
      pos.mark(at);
      auto r = p.put(text.substr(at));
      if (r.status == parser::status::done && p.has_message()) {
        ++messages;
        std::string where = fmt::format("{}:{}", name, pos.at(at).line);
        report_message(p.release(), name, where, pos, at);
        if (r.consumed == 0) break; // cannot happen; never loop without progress
        at += r.consumed;
        continue;
      }
      const bool at_end = r.status == parser::status::need_more;
      if (at_end) {
        if (capped) {
          note(fmt::format("{}:{}", name, pos.at(at).line),
               "the message continues past the read limit; not checked");
          break;
        }
        r = p.finish(); // the stream ends inside a message
      }
      ++messages;
      if (p.has_message())
        report_message(p.release(), name, fmt::format("{}:{}", name, pos.at(at).line), pos, at);
      else
        report_framing(p.error(), name, pos, at);
      if (!at_end)
        note(fmt::format("{}:{}", name, pos.at(at).line),
             "framing is lost; the rest of the stream is not checked");
      break;
    }
    if (messages == 0) note(name, "the stream holds no message");
  }

  void lint_capture(const std::string& path) {
    pcap_source source(path);
    std::size_t sip = 0, read = 0, packets = 0;
    while (auto packet = source.next()) {
      ++packets;
      read += packet->frame.size();
      std::string where = fmt::format("{}:packet {}", path, packet->number);
      if (read > opts_.max_file_bytes) {
        note(where, fmt::format("the read limit of {} is reached; the rest is not checked",
                                size_text(opts_.max_file_bytes)));
        break;
      }
      auto d = decode_frame(source.link_type(), packet->frame);
      switch (d.kind) {
      case packet_kind::udp:
        if (looks_like_sip(d.payload)) {
          ++sip;
          lint_datagram(where, d.payload);
        } else {
          ++not_sip_;
        }
        break;
      case packet_kind::fragment:
        ++fragments_;
        note(where, d.detail);
        break;
      case packet_kind::truncated:
        ++truncated_;
        note(where, fmt::format("{}; skipped", d.detail));
        break;
      case packet_kind::other:
        ++not_sip_;
        break;
      }
    }
    if (sip == 0) note(path, fmt::format("no SIP datagram among {}", plural(packets, "packet")));
  }

  // `name` prefixes diagnostics (NAME:LINE:COL:), `ok_name` the verdict line; the message's
  // bytes start at `base` in the text `pos` walks.
  void report_message(const sip::message& m, std::string_view name, std::string_view ok_name,
                      position_finder& pos, std::size_t base) {
    std::size_t errors = 0, warnings = 0;
    for (const auto& d : m.diagnostics()) (d.level == sip::severity::error ? errors : warnings)++;
    const bool valid = errors == 0 && !(opts_.werror && warnings > 0);
    ++messages_;
    ++(valid ? valid_ : invalid_);
    if (opts_.warnings) warnings_ += warnings;
    if (valid && !opts_.quiet) out_ << ok_name << ": ok\n";
    for (const auto& d : m.diagnostics()) {
      const bool error = d.level == sip::severity::error;
      if (!error && !opts_.warnings) continue;
      print(name, pos.at(base + d.offset), error ? "error" : "warning", d.text, d.section, d.code);
    }
  }

  void report_framing(const parser::parse_error& e, std::string_view name, position_finder& pos,
                      std::size_t base) {
    ++messages_;
    ++invalid_;
    print(name, pos.at(base + e.offset), "error", e.text, e.section, e.code);
  }

  void print(std::string_view name, sip::line_col lc, std::string_view level, std::string_view text,
             std::string_view section, std::string_view code) {
    std::string line =
        fmt::format("{}:{}:{}: {}: {}", name, lc.line, lc.column, level, one_line(text));
    if (!section.empty()) line += fmt::format(" ({})", section);
    if (!code.empty()) line += fmt::format(" [{}]", code);
    out_ << line << '\n';
  }

  void note(std::string_view name, std::string_view text) {
    if (!opts_.quiet) out_ << name << ": note: " << text << '\n';
  }

  const lint_options& opts_;
  std::ostream& out_;
  std::ostream& err_;
  std::size_t messages_ = 0, valid_ = 0, invalid_ = 0, warnings_ = 0;
  std::size_t not_sip_ = 0, fragments_ = 0, truncated_ = 0;
  bool failed_ = false;
};

} // namespace

bool looks_like_sip(std::string_view p) {
  p.remove_prefix(skip_crlf(p, 0));
  std::string_view line = p.substr(0, p.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (starts_with_version(line)) return true; // Status-Line (RFC 3261 7.2)
  // Request-Line: Method SP Request-URI SP SIP-Version (RFC 3261 7.1)
  std::size_t i = 0;
  while (i < line.size() && sip::chars::is_token(line[i])) ++i;
  if (i == 0 || i >= line.size() || line[i] != ' ') return false;
  std::size_t sp2 = line.rfind(' ');
  return sp2 > i + 1 && starts_with_version(line.substr(sp2 + 1));
}

int run_lint(const lint_options& opts, std::ostream& out, std::ostream& err) {
  linter l(opts, out, err);
  for (const auto& file : opts.files) l.lint(file);
  out.flush();
  return l.finish();
}

} // namespace sipwright::cli
