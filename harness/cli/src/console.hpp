#pragma once
// What `sipwright run` prints: a block per scenario (its line, and beneath a failing one the
// failures and verdicts with their sections), a progress line on a terminal while scenarios play,
// and the closing counts. Colours only when asked for (a terminal, see run_cli_options::color).
// Thread-safe: scenarios playing at once report through one console.
#include "sipwright/engine/run.hpp"

#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace sipwright::cli {

struct console_options {
  bool verbose = false; // every verdict and every message in full
  bool quiet = false;   // failing scenarios and the summary only
  bool color = false;
  bool progress = false; // a progress line (a terminal only: it is rewritten in place)
};

class console {
public:
  console(std::ostream& out, console_options o) : out_(out), o_(o) {}

  // A line of its own (e.g. "listening on UDP 127.0.0.1:5060"), flushed at once.
  void line(std::string_view text);
  // The block of one scenario that played, or was skipped.
  void scenario(const engine::scenario_result& r);
  // "[done/total] running: name, name"; nothing unless progress is on.
  void progress(std::size_t done, std::size_t total, std::string_view running);
  void summary(int passed, int failed, int skipped);

private:
  std::string paint(std::string_view text, std::string_view colour) const;
  void clear_progress(); // with the lock held
  std::ostream& out_;
  console_options o_;
  std::mutex mutex_;
  bool progress_shown_ = false;
};

// The name a scenario goes by on the console and in the reports: its library id, else its file.
std::string scenario_label(const engine::scenario_result& r);

} // namespace sipwright::cli
