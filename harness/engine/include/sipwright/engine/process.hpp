#pragma once
// Commands an <exec command="..."> starts (and the trigger, and a profile's device launch): run by
// /bin/sh in the background, as SIPp does, and stopped by their PID when the run ends so that
// nothing outlives it.
#include <string>
#include <sys/types.h>
#include <vector>

namespace sipwright::engine {

// Where a command's standard output goes: inherited, discarded (its errors still show), or a
// file (created or truncated) that receives its standard error too.
struct child_output {
  enum kind { inherit, discard, file } to = inherit;
  std::string path;
};

class child_processes {
public:
  child_processes() = default;
  child_processes(const child_processes&) = delete;
  child_processes& operator=(const child_processes&) = delete;
  ~child_processes() { stop_all(); }

  using output = child_output;
  // Starts `command`; a line goes to `log` (the PID, or why it could not start). False when it
  // could not start.
  bool spawn(const std::string& command, std::vector<std::string>& log, const output& out = {});
  // Whether a child started here still runs (reaps those that ended).
  bool running();
  // Reaps finished children, terminates the others (SIGTERM, then SIGKILL after 1 s).
  void stop_all();

private:
  void reap();
  std::vector<pid_t> pids_;
};

} // namespace sipwright::engine
