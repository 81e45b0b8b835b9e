#pragma once
// The pcap writer (`--pcap FILE`): every message of every scenario's trace, in time order, as raw
// IP packets (LINKTYPE_RAW: IPv4 or IPv6, then UDP or TCP) with the real addresses, ports and
// wall-clock timestamps (microseconds), so Wireshark and tshark show the SIP flow. TCP messages
// get a per-connection sequence numbering, a synthetic SYN / SYN-ACK / ACK before a connection's
// first message and segments of at most 1460 bytes, so tshark reassembles them. Trace entries
// whose note starts with "not sent" never left the harness and are left out.
#include "sipwright/reports/run_result.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace sipwright::reports {

// One packet of the capture.
struct pcap_record {
  std::chrono::microseconds time{}; // since the Unix epoch (the trace entry's wall clock)
  std::string packet;               // the raw IP packet: IP header, UDP/TCP header, payload
  // Index of the trace entry it carries: scenario and entry in that scenario's trace. A synthetic
  // handshake packet refers to the entry that opened the connection and has `handshake` set.
  std::size_t scenario = 0;
  std::size_t entry = 0;
  bool handshake = false;
  // A UDP payload too large for one IP packet was cut to fit (it cannot have crossed the wire
  // whole either; should not happen).
  bool truncated = false;
};

// The packets write_pcap writes, in order. Throws std::runtime_error for an entry whose
// addresses are not numeric IPv4/IPv6 addresses.
std::vector<pcap_record> pcap_records(const run_result& run);

// Writes the run's traffic to `file` (pcap, LINKTYPE_RAW, microsecond timestamps), atomically:
// a temporary file in the same directory, then renamed over `file`. Throws std::runtime_error
// saying what failed (and `file` is left as it was).
void write_pcap(const run_result& run, const std::filesystem::path& file);

} // namespace sipwright::reports
