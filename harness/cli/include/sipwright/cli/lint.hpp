#pragma once
// `sipwright lint`: checks files of SIP messages (one datagram, a TCP byte stream, or the UDP
// datagrams of a capture) against the grammar and message rules, and prints gcc-style lines.
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::cli {

// Exit codes shared by every subcommand (DESIGN.md 4).
enum exit_code : int {
  exit_ok = 0,      // every message valid
  exit_invalid = 1, // some message invalid
  exit_usage = 2,   // bad flags, unreadable file, undecodable capture
};

struct lint_options {
  std::vector<std::string> files; // "-" reads standard input
  bool stream = false;            // a file is a TCP byte stream of messages (RFC 3261 18.3)
  bool quiet = false;             // print problems only: no `ok` lines, notes or summary
  bool warnings = true;           // print warnings
  bool werror = false;            // a warning makes its message invalid (--werror / --strict)
  std::size_t max_file_bytes = std::size_t{64} << 20; // read at most this much of a file
};

// Lints every file in order. Verdict, diagnostic and note lines go to `out`; the summary and
// `sipwright: error:` lines go to `err`. Returns an exit_code.
int run_lint(const lint_options& opts, std::ostream& out, std::ostream& err);

// The output format, as printed by `sipwright lint --help`.
extern const char* const lint_format_help;

// Whether a UDP payload looks like a SIP message: its first line is a Status-Line start
// ("SIP/" and a digit) or a Request-Line shape (token SP something SP "SIP/" digit ...).
// Leading CRLFs are skipped (RFC 3261 7.5).
bool looks_like_sip(std::string_view payload);

} // namespace sipwright::cli
