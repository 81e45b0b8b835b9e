#pragma once
// The HTML report (`--html FILE`): one self-contained page per run (inline CSS and a few lines of
// inline JS, no external asset, a Content-Security-Policy that forbids any network access) with
// the run's properties and totals, a summary table of the scenarios, and per scenario its
// failures, its verdict table, its warnings and logs, and a ladder (sequence) diagram of its
// messages: one arrow per trace entry, the messages a failing or warning verdict cites marked
// with the rule and its section, every message expandable to its full text (DESIGN.md 4).
// The page is valid UTF-8 whatever the device sent: text is HTML-escaped, and bytes a reader could
// not see (control bytes, C1 controls) or that are not UTF-8 are shown as "\xNN" (as in the JUnit
// report), highlighted. The DOM hooks (ids and classes) are listed in reports/README.md.
#include "sipwright/reports/run_result.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace sipwright::reports {

// The whole page, as write_html writes it.
std::string html_report(const run_result& run);

// Writes html_report(run) to `file` atomically: a temporary file in the same directory, fsync,
// then rename, so `file` is never half-written. Throws std::runtime_error ("cannot write HTML
// report FILE: REASON") when it cannot, leaving `file` as it was.
void write_html(const run_result& run, const std::filesystem::path& file);

// Text made safe as HTML element content, and always valid UTF-8: & < > " ' escaped as
// entities; each control byte (other than tab and line breaks), DEL, C1 control (its two bytes)
// and byte of invalid UTF-8 (also the non-characters U+FFFE/U+FFFF) replaced by "\xNN", a run of
// them wrapped in <span class="cc">. `wire` is for message bytes: CRLF becomes a line break, and
// a bare LF or CR is shown too ("\x0a" then a line break, "\x0d"); a tab stays. Otherwise (our own
// texts) LF and tab stay and CR is "\x0d".
std::string html_escape(std::string_view text, bool wire = false);

} // namespace sipwright::reports
