#include "sipwright/engine/process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace sipwright::engine {

bool child_processes::spawn(const std::string& command, std::vector<std::string>& log,
                            const output& out) {
  pid_t pid = 0;
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  // Its own process group, so that stop_all() reaches what the shell started too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  if (out.to == output::discard)
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (out.to == output::file) {
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out.path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  }
  const int rc =
      posix_spawn(&pid, "/bin/sh", &files, &attr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    log.push_back("exec: cannot start '" + command + "': " + std::strerror(rc));
    return false;
  }
  pids_.push_back(pid);
  log.push_back("exec: started '" + command + "' (pid " + std::to_string(pid) + ")");
  return true;
}

bool child_processes::running() {
  reap();
  return !pids_.empty();
}

void child_processes::reap() {
  std::erase_if(pids_, [](pid_t p) {
    int status = 0;
    const pid_t r = waitpid(p, &status, WNOHANG);
    return r == p || (r < 0 && errno == ECHILD);
  });
}

void child_processes::stop_all() {
  reap();
  if (pids_.empty()) return;
  for (pid_t p : pids_) kill(-p, SIGTERM);
  for (int i = 0; i < 100 && !pids_.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reap();
  }
  for (pid_t p : pids_) kill(-p, SIGKILL);
  for (pid_t p : pids_) waitpid(p, nullptr, 0);
  pids_.clear();
}

} // namespace sipwright::engine
