#pragma once
// Commands an <exec command="..."> starts: run by /bin/sh in the background, as SIPp does, and
// stopped by their PID when the run ends so that nothing outlives it.
#include <string>
#include <sys/types.h>
#include <vector>

namespace sipwright::engine {

class child_processes {
public:
  child_processes() = default;
  child_processes(const child_processes&) = delete;
  child_processes& operator=(const child_processes&) = delete;
  ~child_processes() { stop_all(); }

  // Starts `command`; a line goes to `log` (the PID, or why it could not start). With
  // quiet_stdout its standard output goes to /dev/null (its errors still show).
  void spawn(const std::string& command, std::vector<std::string>& log, bool quiet_stdout = false);
  // Reaps finished children, terminates the others (SIGTERM, then SIGKILL after 1 s).
  void stop_all();

private:
  std::vector<pid_t> pids_;
};

} // namespace sipwright::engine
