#include "sipwright/engine/interrupt.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <thread>

namespace sipwright::engine {

// Its own io_context on its own thread: while the signal_set is registered, Asio's handler stays
// installed (SIG_DFL would terminate the process between two scenarios).
struct interrupt_watch::impl {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::thread thread;
};

interrupt_watch::interrupt_watch() : impl_(std::make_unique<impl>()) {
  impl_->signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (!ec) signal_.store(signal);
  });
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

interrupt_watch::~interrupt_watch() {
  boost::asio::post(impl_->io, [this] { impl_->signals.cancel(); });
  impl_->thread.join();
}

} // namespace sipwright::engine
