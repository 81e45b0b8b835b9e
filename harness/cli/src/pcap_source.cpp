#include "sipwright/cli/pcap_source.hpp"

#include "sipwright/cli/input_error.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

namespace sipwright::cli {
namespace {

constexpr int linktype_raw = 101; // LINKTYPE_RAW, should a capture report it unmapped
constexpr std::uint8_t ip_proto_udp = 17;

std::uint8_t u8(std::string_view s, std::size_t at) {
  return static_cast<std::uint8_t>(s[at]);
}
std::uint16_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(u8(s, at) << 8 | u8(s, at + 1));
}
std::uint32_t be32(std::string_view s, std::size_t at) {
  return std::uint32_t{be16(s, at)} << 16 | be16(s, at + 2);
}
std::uint32_t le32(std::string_view s, std::size_t at) {
  return std::uint32_t{u8(s, at)} | std::uint32_t{u8(s, at + 1)} << 8 |
         std::uint32_t{u8(s, at + 2)} << 16 | std::uint32_t{u8(s, at + 3)} << 24;
}

decoded_packet truncated(std::string_view why) {
  return {packet_kind::truncated, {}, why};
}
decoded_packet other(std::string_view why) {
  return {packet_kind::other, {}, why};
}

decoded_packet decode_udp(std::string_view s) {
  if (s.size() < 8) return truncated("UDP header cut short");
  std::uint16_t length = be16(s, 4);
  if (length < 8) return truncated("UDP length field below 8");
  if (length > s.size()) return truncated("UDP datagram cut short (capture snap length?)");
  return {packet_kind::udp, s.substr(8, length - 8u), {}};
}

decoded_packet decode_ipv4(std::string_view s) {
  if (s.size() < 20) return truncated("IPv4 header cut short");
  std::size_t header = std::size_t{u8(s, 0) & 0x0fu} * 4u;
  std::size_t total = be16(s, 2);
  if (total == 0) total = s.size(); // segmentation offload on the capturing host
  if (header < 20 || total < header) return truncated("IPv4 header lengths are inconsistent");
  if (total > s.size()) return truncated("IPv4 packet cut short (capture snap length?)");
  s = s.substr(0, total); // drops Ethernet padding
  std::uint16_t frag = be16(s, 6);
  if ((frag & 0x2000u) != 0 || (frag & 0x1fffu) != 0)
    return {packet_kind::fragment, {}, "IPv4 fragment skipped (no reassembly)"};
  if (u8(s, 9) != ip_proto_udp) return other("IPv4, not UDP");
  return decode_udp(s.substr(header));
}

decoded_packet decode_ipv6(std::string_view s) {
  if (s.size() < 40) return truncated("IPv6 header cut short");
  std::size_t total = 40u + be16(s, 4);
  if (total == 40) total = s.size(); // jumbogram or segmentation offload
  if (total > s.size()) return truncated("IPv6 packet cut short (capture snap length?)");
  s = s.substr(0, total);
  std::uint8_t next = u8(s, 6);
  std::size_t pos = 40;
  // Extension headers (RFC 8200 4): hop-by-hop 0, routing 43, fragment 44, destination
  // options 60, mobility 135 and AH 51 are skipped; anything else ends the chain.
  for (int hops = 0; hops < 32; ++hops) {
    if (next == ip_proto_udp) return decode_udp(s.substr(pos));
    if (next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135) {
      if (pos + 8 > s.size()) return truncated("IPv6 extension header cut short");
      std::size_t length = next == 44   ? 8u
                           : next == 51 ? (u8(s, pos + 1) + 2u) * 4u
                                        : (u8(s, pos + 1) + 1u) * 8u;
      if (next == 44) {
        std::uint16_t frag = be16(s, pos + 2);
        // An atomic fragment (offset 0, no more fragments; RFC 6946) is a whole packet.
        if ((frag & 0xfff8u) != 0 || (frag & 1u) != 0)
          return {packet_kind::fragment, {}, "IPv6 fragment skipped (no reassembly)"};
      }
      next = u8(s, pos);
      pos += length;
      if (pos > s.size()) return truncated("IPv6 extension header cut short");
      continue;
    }
    return other("IPv6, not UDP");
  }
  return other("IPv6 extension header chain too long");
}

decoded_packet decode_ip(std::string_view s) {
  if (s.empty()) return truncated("empty IP packet");
  switch (u8(s, 0) >> 4) {
  case 4:
    return decode_ipv4(s);
  case 6:
    return decode_ipv6(s);
  default:
    return other("not IPv4 or IPv6");
  }
}

decoded_packet decode_ethertype(std::uint16_t type, std::string_view s) {
  if (type == 0x0800) return decode_ipv4(s);
  if (type == 0x86dd) return decode_ipv6(s);
  return other("not IP");
}

decoded_packet decode_ethernet(std::string_view s) {
  if (s.size() < 14) return truncated("Ethernet header cut short");
  std::uint16_t type = be16(s, 12);
  std::size_t pos = 14;
  // 802.1Q and 802.1ad (QinQ) tags: TPID, then 2 bytes TCI, then the inner EtherType.
  while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
    if (pos + 4 > s.size()) return truncated("VLAN tag cut short");
    type = be16(s, pos + 2);
    pos += 4;
  }
  return decode_ethertype(type, s.substr(pos));
}

// BSD loopback: the address family as a 4-byte word (DLT_NULL: host order of the capturing
// machine, DLT_LOOP: network order). AF_INET is 2 everywhere; AF_INET6 differs by OS.
decoded_packet decode_loopback(std::string_view s, bool network_order) {
  if (s.size() < 4) return truncated("loopback header cut short");
  auto family_of = [](std::uint32_t f) {
    if (f == 2) return 4;
    if (f == 10 || f == 24 || f == 28 || f == 30) return 6; // Linux, BSDs, macOS
    return 0;
  };
  int v = family_of(be32(s, 0));
  if (v == 0 && !network_order) v = family_of(le32(s, 0));
  if (v == 4) return decode_ipv4(s.substr(4));
  if (v == 6) return decode_ipv6(s.substr(4));
  return other("not IP");
}

} // namespace

bool supported_link_type(int t) {
  return t == DLT_EN10MB || t == DLT_LINUX_SLL || t == DLT_LINUX_SLL2 || t == DLT_RAW ||
         t == linktype_raw || t == DLT_IPV4 || t == DLT_IPV6 || t == DLT_NULL || t == DLT_LOOP;
}

decoded_packet decode_frame(int t, std::string_view frame) {
  if (t == DLT_EN10MB) return decode_ethernet(frame);
  if (t == DLT_LINUX_SLL) {
    if (frame.size() < 16) return truncated("Linux cooked header cut short");
    return decode_ethertype(be16(frame, 14), frame.substr(16));
  }
  if (t == DLT_LINUX_SLL2) {
    if (frame.size() < 20) return truncated("Linux cooked v2 header cut short");
    return decode_ethertype(be16(frame, 0), frame.substr(20));
  }
  if (t == DLT_RAW || t == linktype_raw) return decode_ip(frame);
  if (t == DLT_IPV4) return decode_ipv4(frame);
  if (t == DLT_IPV6) return decode_ipv6(frame);
  if (t == DLT_NULL) return decode_loopback(frame, false);
  if (t == DLT_LOOP) return decode_loopback(frame, true);
  return other("unsupported link type");
}

pcap_source::pcap_source(const std::string& path) : path_(path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_open_offline(path.c_str(), errbuf);
  if (!handle_) throw input_error(fmt::format("cannot read capture '{}': {}", path, errbuf));
  link_type_ = pcap_datalink(handle_);
  if (!supported_link_type(link_type_)) {
    const char* name = pcap_datalink_val_to_name(link_type_);
    pcap_close(handle_);
    handle_ = nullptr;
    throw input_error(fmt::format(
        "'{}': unsupported link type {} ({}); sipwright reads Ethernet, Linux cooked (SLL, SLL2), "
        "raw IP and BSD loopback captures",
        path, name ? name : "unknown", link_type_));
  }
}

pcap_source::~pcap_source() {
  if (handle_) pcap_close(handle_);
}

std::optional<pcap_source::packet> pcap_source::next() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == 1)
    return packet{++count_, std::string_view(reinterpret_cast<const char*>(data), header->caplen)};
  if (rc == PCAP_ERROR_BREAK || rc == 0) return std::nullopt; // end of the file
  throw input_error(fmt::format("'{}': damaged capture after packet {}: {}", path_, count_,
                                pcap_geterr(handle_)));
}

} // namespace sipwright::cli
