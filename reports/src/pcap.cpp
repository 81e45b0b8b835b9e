#include "sipwright/reports/pcap.hpp"

#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

namespace sipwright::reports {

namespace {

using transport::direction;
using transport::endpoint;
using transport::protocol;
using transport::trace_entry;

constexpr std::size_t tcp_segment_max = 1460;
constexpr std::size_t ipv4_header_size = 20;
constexpr std::size_t ipv6_header_size = 40;
constexpr std::size_t udp_header_size = 8;
constexpr std::size_t tcp_header_size = 20;
constexpr std::size_t ip_packet_max = 65535;
constexpr std::uint8_t ip_proto_tcp = 6;
constexpr std::uint8_t ip_proto_udp = 17;
constexpr std::uint8_t hop_limit = 64;
constexpr std::uint16_t tcp_window = 65535;

constexpr std::uint8_t tcp_fin [[maybe_unused]] = 0x01;
constexpr std::uint8_t tcp_syn = 0x02;
constexpr std::uint8_t tcp_psh = 0x08;
constexpr std::uint8_t tcp_ack = 0x10;

// A numeric address in network byte order: 4 bytes (IPv4) or 16 (IPv6).
struct ip_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  std::size_t size() const { return v6 ? 16 : 4; }
  // The same address as IPv6 (an IPv4 one becomes ::ffff:a.b.c.d).
  ip_address as_v6() const {
    if (v6) return *this;
    ip_address mapped;
    mapped.v6 = true;
    mapped.bytes[10] = 0xff;
    mapped.bytes[11] = 0xff;
    std::copy_n(bytes.begin(), 4, mapped.bytes.begin() + 12);
    return mapped;
  }
};

ip_address parse_address(const std::string& text, std::size_t scenario, std::size_t entry) {
  ip_address a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) return a;
  throw std::runtime_error("pcap: scenario " + std::to_string(scenario + 1) + ", trace entry " +
                           std::to_string(entry + 1) + ": '" + text +
                           "' is not a numeric IPv4 or IPv6 address");
}

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

void set16(std::string& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<char>(v >> 8);
  out[at + 1] = static_cast<char>(v & 0xff);
}

// The Internet checksum's running sum (RFC 1071) over `data`, continuing `sum`.
std::uint32_t checksum_add(std::uint32_t sum, std::string_view data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2)
    sum += (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[i])) << 8) |
           static_cast<std::uint8_t>(data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[i])) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string_view bytes_of(const ip_address& a) {
  return {reinterpret_cast<const char*>(a.bytes.data()), a.size()};
}

// Builds an IP packet around `transport_segment` (a UDP or TCP header with its payload, checksum
// field still zero at `checksum_at`), filling in the transport checksum over the pseudo-header.
std::string ip_packet(const ip_address& src, const ip_address& dst, std::uint8_t proto,
                      std::string transport_segment, std::size_t checksum_at, std::uint16_t id) {
  const auto length = transport_segment.size();
  // Pseudo-header (RFC 768 / RFC 793 for IPv4, RFC 8200 8.1 for IPv6) + the segment.
  std::uint32_t sum = checksum_add(0, bytes_of(src));
  sum = checksum_add(sum, bytes_of(dst));
  std::string pseudo;
  if (src.v6) {
    put32(pseudo, static_cast<std::uint32_t>(length));
    put32(pseudo, proto);
  } else {
    put16(pseudo, proto);
    put16(pseudo, static_cast<std::uint16_t>(length));
  }
  sum = checksum_add(sum, pseudo);
  sum = checksum_add(sum, transport_segment);
  std::uint16_t check = checksum_finish(sum);
  if (check == 0 && proto == ip_proto_udp)
    check = 0xffff; // a computed zero is sent as all ones (RFC 768)
  set16(transport_segment, checksum_at, check);

  std::string out;
  if (src.v6) {
    out.reserve(ipv6_header_size + length);
    put32(out, 0x60000000u); // version 6, traffic class 0, flow label 0
    put16(out, static_cast<std::uint16_t>(length));
    out.push_back(static_cast<char>(proto));
    out.push_back(static_cast<char>(hop_limit));
    out.append(bytes_of(src));
    out.append(bytes_of(dst));
  } else {
    out.reserve(ipv4_header_size + length);
    out.push_back(0x45); // version 4, header length 5 words
    out.push_back(0);    // DSCP/ECN
    put16(out, static_cast<std::uint16_t>(ipv4_header_size + length));
    put16(out, id);
    put16(out, proto == ip_proto_tcp ? 0x4000 : 0); // DF for TCP; UDP may be fragmented
    out.push_back(static_cast<char>(hop_limit));
    out.push_back(static_cast<char>(proto));
    put16(out, 0); // header checksum, below
    out.append(bytes_of(src));
    out.append(bytes_of(dst));
    set16(out, 10, checksum_finish(checksum_add(0, out)));
  }
  out.append(transport_segment);
  return out;
}

std::size_t ip_header_size(const ip_address& a) {
  return a.v6 ? ipv6_header_size : ipv4_header_size;
}

// TCP state of one connection, keyed by the harness's (local) and the device's (remote) endpoint.
struct tcp_connection {
  std::uint32_t local_seq = 0;  // next sequence number the harness side sends
  std::uint32_t remote_seq = 0; // next sequence number the device side sends
};

using connection_key = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

// One trace entry ready to be turned into packets, with its place in the run.
struct pending {
  const trace_entry* e;
  std::size_t scenario;
  std::size_t entry;
};

bool not_sent(const trace_entry& e) {
  return e.note.starts_with("not sent");
}

std::chrono::microseconds micros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
}

class builder {
public:
  std::vector<pcap_record> records;

  void add(const pending& p) {
    const auto& e = *p.e;
    auto local = parse_address(e.local.address, p.scenario, p.entry);
    auto remote = parse_address(e.remote.address, p.scenario, p.entry);
    if (local.v6 != remote.v6) {
      local = local.as_v6();
      remote = remote.as_v6();
    }
    const bool out = e.dir == direction::out;
    record_base_ = pcap_record{micros(e.wall), {}, p.scenario, p.entry, false, false};
    if (e.proto == protocol::udp)
      add_udp(e, out ? local : remote, out ? remote : local, out ? e.local.port : e.remote.port,
              out ? e.remote.port : e.local.port);
    else
      add_tcp(e, local, remote, out);
  }

private:
  pcap_record record_base_;
  std::uint16_t ip_id_ = 0;
  std::map<connection_key, tcp_connection> connections_;
  std::uint32_t next_isn_ = 0x10000000u;

  void emit(const ip_address& src, const ip_address& dst, std::uint8_t proto, std::string segment,
            std::size_t checksum_at, bool handshake = false, bool truncated = false) {
    auto r = record_base_;
    r.packet = ip_packet(src, dst, proto, std::move(segment), checksum_at, ++ip_id_);
    r.handshake = handshake;
    r.truncated = truncated;
    records.push_back(std::move(r));
  }

  void add_udp(const trace_entry& e, const ip_address& src, const ip_address& dst,
               std::uint16_t sport, std::uint16_t dport) {
    // The UDP length field and the IP packet both top out at 65535 bytes.
    const std::size_t max_payload = ip_packet_max - udp_header_size - ip_header_size(src);
    const bool truncated = e.bytes.size() > max_payload;
    const std::string_view payload =
        std::string_view(e.bytes).substr(0, std::min(e.bytes.size(), max_payload));
    std::string seg;
    seg.reserve(udp_header_size + payload.size());
    put16(seg, sport);
    put16(seg, dport);
    put16(seg, static_cast<std::uint16_t>(udp_header_size + payload.size()));
    put16(seg, 0); // checksum, filled in by ip_packet
    seg.append(payload);
    emit(src, dst, ip_proto_udp, std::move(seg), 6, false, truncated);
  }

  void tcp_segment(const ip_address& src, const ip_address& dst, std::uint16_t sport,
                   std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                   std::string_view payload, bool handshake) {
    std::string seg;
    seg.reserve(tcp_header_size + payload.size());
    put16(seg, sport);
    put16(seg, dport);
    put32(seg, seq);
    put32(seg, ack);
    seg.push_back(static_cast<char>((tcp_header_size / 4) << 4)); // data offset, no options
    seg.push_back(static_cast<char>(flags));
    put16(seg, tcp_window);
    put16(seg, 0); // checksum, filled in by ip_packet
    put16(seg, 0); // urgent pointer
    seg.append(payload);
    emit(src, dst, ip_proto_tcp, std::move(seg), 16, handshake);
  }

  void add_tcp(const trace_entry& e, const ip_address& local, const ip_address& remote, bool out) {
    const connection_key key{e.local.address, e.local.port, e.remote.address, e.remote.port};
    auto it = connections_.find(key);
    if (it == connections_.end()) {
      // First message of the connection: whoever sends it opened the connection.
      tcp_connection c;
      c.local_seq = next_isn_;
      c.remote_seq = next_isn_ + 0x00800000u;
      next_isn_ += 0x01000000u;
      const auto& [isn_open, isn_accept] =
          out ? std::pair{c.local_seq, c.remote_seq} : std::pair{c.remote_seq, c.local_seq};
      const auto& opener = out ? local : remote;
      const auto& acceptor = out ? remote : local;
      const auto open_port = out ? e.local.port : e.remote.port;
      const auto accept_port = out ? e.remote.port : e.local.port;
      tcp_segment(opener, acceptor, open_port, accept_port, isn_open, 0, tcp_syn, {}, true);
      tcp_segment(acceptor, opener, accept_port, open_port, isn_accept, isn_open + 1,
                  tcp_syn | tcp_ack, {}, true);
      tcp_segment(opener, acceptor, open_port, accept_port, isn_open + 1, isn_accept + 1, tcp_ack,
                  {}, true);
      ++c.local_seq;
      ++c.remote_seq;
      it = connections_.emplace(key, c).first;
    }
    auto& c = it->second;
    auto& seq = out ? c.local_seq : c.remote_seq;
    const auto ack = out ? c.remote_seq : c.local_seq;
    const auto& src = out ? local : remote;
    const auto& dst = out ? remote : local;
    const auto sport = out ? e.local.port : e.remote.port;
    const auto dport = out ? e.remote.port : e.local.port;
    const std::string_view bytes = e.bytes;
    for (std::size_t at = 0; at < bytes.size(); at += tcp_segment_max) {
      const auto part = bytes.substr(at, tcp_segment_max);
      const bool last = at + part.size() == bytes.size();
      tcp_segment(src, dst, sport, dport, seq, ack, last ? tcp_psh | tcp_ack : tcp_ack, part,
                  false);
      seq += static_cast<std::uint32_t>(part.size());
    }
  }
};

struct pcap_closer {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

std::filesystem::path temporary_beside(const std::filesystem::path& file) {
  std::random_device rd;
  auto name = file.filename().string();
  name = "." + name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd() & 0xffffff);
  return file.parent_path() / name;
}

} // namespace

std::vector<pcap_record> pcap_records(const run_result& run) {
  std::vector<pending> all;
  for (std::size_t s = 0; s < run.scenarios.size(); ++s) {
    const auto& entries = run.scenarios[s].trace.entries();
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (!not_sent(entries[i])) all.push_back({&entries[i], s, i});
  }
  // Time order; entries at the same instant keep the order they were traced in.
  std::stable_sort(all.begin(), all.end(),
                   [](const pending& a, const pending& b) { return a.e->wall < b.e->wall; });
  builder b;
  for (const auto& p : all) b.add(p);
  return std::move(b.records);
}

void write_pcap(const run_result& run, const std::filesystem::path& file) {
  const auto records = pcap_records(run);
  const auto what = [&](const std::string& msg) {
    return std::runtime_error("cannot write pcap " + file.string() + ": " + msg);
  };
  if (file.filename().empty()) throw what("not a file name");

  std::unique_ptr<pcap_t, pcap_closer> pd(
      pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_MICRO));
  if (!pd) throw what("pcap_open_dead failed");

  const auto tmp = temporary_beside(file);
  pcap_dumper_t* dumper = pcap_dump_open(pd.get(), tmp.c_str());
  if (!dumper) throw what(pcap_geterr(pd.get()));
  bool ok = true;
  for (const auto& r : records) {
    pcap_pkthdr h{};
    const auto us = r.time.count();
    h.ts.tv_sec = static_cast<decltype(h.ts.tv_sec)>(us / 1000000);
    h.ts.tv_usec = static_cast<decltype(h.ts.tv_usec)>(us % 1000000);
    if (h.ts.tv_usec < 0) { // before 1970: keep tv_usec in [0, 1e6)
      h.ts.tv_usec += 1000000;
      --h.ts.tv_sec;
    }
    h.caplen = static_cast<bpf_u_int32>(r.packet.size());
    h.len = h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h,
              reinterpret_cast<const u_char*>(r.packet.data()));
  }
  if (pcap_dump_flush(dumper) != 0) ok = false;
  const bool stream_error = std::ferror(pcap_dump_file(dumper)) != 0;
  pcap_dump_close(dumper);
  std::error_code ec;
  if (!ok || stream_error) {
    std::filesystem::remove(tmp, ec);
    throw what("writing " + tmp.string() + " failed");
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw what("renaming " + tmp.string() + ": " + ec.message());
  }
}

} // namespace sipwright::reports
