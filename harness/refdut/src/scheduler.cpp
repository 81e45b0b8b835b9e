#include "scheduler.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unordered_map>

namespace sipwright::refdut::detail {

struct scheduler::impl {
  explicit impl(boost::asio::io_context& i) : io(i) {}
  boost::asio::io_context& io;
  timer_id next = 1;
  std::unordered_map<timer_id, std::shared_ptr<boost::asio::steady_timer>> timers;
};

scheduler::scheduler(boost::asio::io_context& io) : impl_(std::make_unique<impl>(io)) {}

scheduler::~scheduler() {
  cancel_all();
}

scheduler::timer_id scheduler::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  const auto id = impl_->next++;
  auto t = std::make_shared<boost::asio::steady_timer>(impl_->io, delay);
  impl_->timers.emplace(id, t);
  t->async_wait([this, id, t, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return; // cancelled: the owner may be gone, touch nothing
    // Cancelled after it expired but before this handler ran: the id is gone.
    if (impl_->timers.erase(id) == 0) return;
    fn();
  });
  return id;
}

void scheduler::cancel(timer_id id) {
  auto it = impl_->timers.find(id);
  if (it == impl_->timers.end()) return;
  it->second->cancel();
  impl_->timers.erase(it);
}

void scheduler::post(std::function<void()> fn) {
  boost::asio::post(impl_->io, std::move(fn));
}

void scheduler::cancel_all() {
  for (auto& [id, t] : impl_->timers) t->cancel();
  impl_->timers.clear();
}

} // namespace sipwright::refdut::detail
