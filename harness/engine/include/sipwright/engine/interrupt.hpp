#pragma once
// Holds SIGINT and SIGTERM for a whole run of several scenarios, also between them and while
// several play at once: the first signal is recorded instead of killing the process, every
// scenario playing at that moment ends as interrupted (each has its own watch), and the caller
// starts no further scenario, so the reports still get written. Asio-free header.
#include <atomic>
#include <memory>

namespace sipwright::engine {

class interrupt_watch {
public:
  interrupt_watch();
  ~interrupt_watch();
  interrupt_watch(const interrupt_watch&) = delete;
  interrupt_watch& operator=(const interrupt_watch&) = delete;

  // The first signal received (SIGINT, SIGTERM), or 0.
  int signal() const { return signal_.load(); }
  // For run_options::interrupted: a scenario that starts after the signal does not play.
  const std::atomic<int>* flag() const { return &signal_; }

private:
  struct impl;
  std::atomic<int> signal_{0};
  std::unique_ptr<impl> impl_;
};

} // namespace sipwright::engine
