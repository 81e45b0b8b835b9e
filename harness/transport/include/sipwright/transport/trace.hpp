#pragma once
// The run's trace: every message the harness sent or received, in order, with a monotonic
// timestamp (and the wall-clock time for pcap), the direction, the transport and both addresses.
// A datagram that did not parse is kept with its parse error. The reports turn this into pcap and
// HTML, so nothing that crossed the wire is left out.
#include "sipwright/transport/endpoint.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace sipwright::transport {

enum class direction : std::uint8_t { in, out };

struct trace_entry {
  std::chrono::steady_clock::time_point at;   // monotonic
  std::chrono::system_clock::time_point wall; // wall clock, for pcap
  transport::direction dir = direction::in;
  transport::protocol proto = protocol::udp;
  endpoint local;
  endpoint remote;
  std::string bytes; // exactly what crossed the wire (a whole datagram, or one framed message)
  std::string parse_error; // received bytes that did not parse: the parser's error, else empty
  std::string note;        // e.g. "retransmission", "dropped on purpose (lost=10)"
};

class trace {
public:
  // Appends and returns the entry's index.
  std::size_t add(trace_entry e);
  const std::vector<trace_entry>& entries() const { return entries_; }
  trace_entry& at(std::size_t i) { return entries_.at(i); }
  std::size_t size() const { return entries_.size(); }

private:
  std::vector<trace_entry> entries_;
};

} // namespace sipwright::transport
