#include "console.hpp"
#include "sipwright/auth/mask.hpp"

#include "sipwright/checks/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <filesystem>

namespace sipwright::cli {
namespace {

constexpr std::string_view red = "31", green = "32", yellow = "33", cyan = "36";

std::string indented(std::string_view bytes, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < bytes.size()) {
    auto end = bytes.find('\n', start);
    auto line = bytes.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += prefix;
    // Control bytes from a device would garble the terminal.
    for (char c : line) out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') ? '?' : c;
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string trace_text(const engine::scenario_result& r) {
  std::string out;
  if (r.trace.size() == 0) return out;
  const auto t0 = r.trace.entries().front().at;
  for (const auto& e : r.trace.entries()) {
    const double t = std::chrono::duration<double>(e.at - t0).count();
    out += fmt::format(
        "    {:8.3f} {} {} {} {}{}\n", t, e.dir == transport::direction::out ? "-->" : "<--",
        transport::to_string(e.proto), e.remote.str(), e.note.empty() ? "" : "(" + e.note + ") ",
        e.parse_error.empty() ? "" : "[does not parse: " + e.parse_error + "]");
    out += indented(auth::mask_credentials(e.bytes), "      | ");
  }
  return out;
}

} // namespace

std::string scenario_label(const engine::scenario_result& r) {
  if (!r.id.empty()) return r.id;
  return std::filesystem::path(r.file).filename().string();
}

std::string console::paint(std::string_view text, std::string_view colour) const {
  if (!o_.color) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", colour, text);
}

void console::clear_progress() {
  if (!progress_shown_) return;
  out_ << "\r\x1b[2K";
  progress_shown_ = false;
}

void console::line(std::string_view text) {
  std::lock_guard lock(mutex_);
  clear_progress();
  out_ << text << std::endl;
}

void console::progress(std::size_t done, std::size_t total, std::string_view running) {
  if (!o_.progress) return;
  std::lock_guard lock(mutex_);
  std::string text = fmt::format("[{}/{}] {}", done, total, running);
  if (text.size() > 100) text.replace(97, std::string::npos, "...");
  out_ << "\r\x1b[2K" << text << std::flush;
  progress_shown_ = true;
}

void console::scenario(const engine::scenario_result& r) {
  std::string block;
  const std::string label = scenario_label(r);
  // sipwright's role, or in a scenario with several agents their names: "agents bob, alice".
  std::string role = r.role == scenario::role::caller ? "caller" : "callee";
  if (!r.calls.empty() && !r.calls.front().agent.empty()) {
    role = "agents ";
    for (std::size_t i = 0; i < r.calls.size(); ++i) role += (i ? ", " : "") + r.calls[i].agent;
  }
  if (!r.skipped.empty()) {
    if (!o_.quiet)
      block += fmt::format("{}  {}  ({})  {}\n", paint("SKIP", cyan), label, role, r.skipped);
  } else {
    const bool ok = r.passed();
    int calls_ok = 0;
    for (const auto& c : r.calls) calls_ok += c.passed;
    if (!ok || !o_.quiet)
      block +=
          fmt::format("{}  {}  ({}{}{})  {}/{} call{} passed  {:.3f} s\n",
                      ok ? paint("PASS", green) : paint("FAIL", red), label,
                      r.name.empty() || r.name == label ? "" : r.name + ", ", role,
                      r.interrupted ? fmt::format(", interrupted by signal {}", r.interrupted) : "",
                      calls_ok, r.calls.size(), r.calls.size() == 1 ? "" : "s",
                      std::chrono::duration<double>(r.elapsed).count());
    for (const auto& c : r.calls) {
      if (ok && o_.quiet) break; // --quiet: nothing of a passing scenario
      // "call 2" or, in a scenario with several agents, "call 2 (alice)".
      const auto call = c.agent.empty() ? fmt::format("call {}", c.call_number)
                                        : fmt::format("call {} ({})", c.call_number, c.agent);
      if (!c.failure.empty()) {
        block += fmt::format("      {}: {}\n", call, c.failure);
        if (!c.failure_message.empty())
          block += indented(auth::mask_credentials(c.failure_message), "      | ");
      }
      if (o_.verbose || !c.failure.empty())
        for (const auto& l : c.log) block += fmt::format("      {}: {}\n", call, l);
      for (const auto& v : c.scenario_warnings)
        block += fmt::format("      {}: scenario warning: {}\n", call, checks::describe(v));
      // The rules: violations always, passes and N/A with --verbose.
      for (const auto& v : c.verdicts) {
        const bool fail = v.outcome == checks::outcome::fail;
        const bool warn = v.outcome == checks::outcome::warn;
        if (!fail && !warn && !o_.verbose) continue;
        std::string text = checks::describe(v);
        if (fail || warn) {
          // Colour only the outcome word, so the line's text stays as tools parse it.
          const std::string word(checks::to_string(v.outcome));
          if (auto at = text.find(" " + word + " "); at != std::string::npos)
            text.replace(at + 1, word.size(), paint(word, fail ? red : yellow));
        }
        block += fmt::format("      {}: {}\n", call, text);
      }
    }
    if (o_.verbose) {
      for (const auto& l : r.log) block += fmt::format("      {}\n", l);
      block += trace_text(r);
    }
  }
  std::lock_guard lock(mutex_);
  clear_progress();
  out_ << block << std::flush;
}

void console::summary(int passed, int failed, int skipped) {
  std::lock_guard lock(mutex_);
  clear_progress();
  fmt::print(out_, "{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  out_.flush();
}

} // namespace sipwright::cli
