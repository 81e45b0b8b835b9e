#include "device_launch.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace sipwright::cli {
namespace {

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t at = text.size();
  for (std::size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n)
    at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

} // namespace

launched_device::launched_device(const std::string& command, const std::filesystem::path& log_file,
                                 transport::protocol proto, std::chrono::milliseconds bound) {
  std::vector<std::string> log;
  if (!children_.spawn(command, log, {engine::child_processes::output::file, log_file.string()}))
    throw launch_error(fmt::format("cannot start the device: {}", log.empty() ? "" : log.back()));
  const std::string listening = fmt::format("listening on {} ", transport::to_string(proto));
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const std::string text = read_all(log_file);
    if (auto found = text.find(listening); found != std::string::npos) {
      const auto from = found + listening.size();
      const std::string where = text.substr(from, text.find_first_of(" \r\n", from) - from);
      auto at = transport::parse_endpoint(where, 0);
      if (!at || at->port == 0) {
        stop();
        throw launch_error(fmt::format(
            "the device's command says it listens on '{}', which is not IP:PORT", where));
      }
      address_ = *at;
      return;
    }
    const bool ended = !children_.running();
    if (ended || std::chrono::steady_clock::now() >= until) {
      stop();
      throw launch_error(
          fmt::format("the device's command {} 'listening on {} HOST:PORT'\n  command: {}\n"
                      "  its last output ({}):\n{}",
                      ended ? "ended without printing"
                            : fmt::format("did not print within {} s", bound.count() / 1000.0),
                      transport::to_string(proto), command, log_file.string(), tail(text, 10)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace sipwright::cli
