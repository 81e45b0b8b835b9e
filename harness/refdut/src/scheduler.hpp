#pragma once
// Timers and deferred calls on the run's io_context, behind an Asio-free interface: the
// transaction runner and the user agent cores schedule through it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace sipwright::refdut::detail {

class scheduler {
public:
  using timer_id = std::uint64_t;
  explicit scheduler(boost::asio::io_context& io);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  // Calls fn once after `delay` (on the io_context's thread) unless cancelled first.
  timer_id after(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(timer_id id);
  // Calls fn soon, outside the current handler (e.g. to destroy the caller's object).
  void post(std::function<void()> fn);
  // Cancels every timer (the run is ending).
  void cancel_all();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sipwright::refdut::detail
