#pragma once
// A device that `sipwright run` starts itself (a profile's [device] launch): the command runs in
// its own process group with its output in a log file, must print
// "listening on UDP|TCP HOST:PORT" within a bound, and is stopped by its PID when the run ends.
#include "sipwright/engine/process.hpp"
#include "sipwright/transport/endpoint.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace sipwright::cli {

class launch_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class launched_device {
public:
  // Starts `command` (its standard output and error go to `log_file`) and waits up to `bound`
  // for its "listening on PROTO HOST:PORT" line. Throws launch_error, with the end of the log,
  // when it cannot start, exits, or does not say where it listens in time.
  launched_device(const std::string& command, const std::filesystem::path& log_file,
                  transport::protocol proto, std::chrono::milliseconds bound);
  ~launched_device() { stop(); }
  launched_device(const launched_device&) = delete;
  launched_device& operator=(const launched_device&) = delete;

  const transport::endpoint& address() const { return address_; }
  void stop() { children_.stop_all(); }

private:
  engine::child_processes children_;
  transport::endpoint address_;
};

} // namespace sipwright::cli
