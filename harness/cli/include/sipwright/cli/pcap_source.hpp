#pragma once
// Reading UDP datagrams out of capture files: link-layer, IPv4/IPv6 and UDP decoding (pure,
// testable without files) and a thin reader over libpcap (pcap, and pcapng where libpcap reads
// it). No reassembly: IP fragments are reported as such and skipped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct pcap; // libpcap's pcap_t

namespace sipwright::cli {

enum class packet_kind : std::uint8_t {
  udp,       // a whole UDP datagram; `payload` is its data
  fragment,  // an IPv4 fragment or an IPv6 packet with a Fragment header: not reassembled
  truncated, // shorter than its headers or lengths say (snap length, damaged capture)
  other,     // not IPv4/IPv6, or not UDP
};

struct decoded_packet {
  packet_kind kind = packet_kind::other;
  std::string_view payload; // udp: the UDP payload (a view into the frame)
  std::string_view detail;  // fragment/truncated/other: what was found, for a note
};

// Link types decode_frame understands (DLT_* values as pcap_datalink() reports them):
// Ethernet with 802.1Q/802.1ad tags, Linux cooked SLL and SLL2, raw IP (DLT_RAW, DLT_IPV4,
// DLT_IPV6), BSD loopback (DLT_NULL, DLT_LOOP).
bool supported_link_type(int link_type);

// Decodes one captured frame down to its UDP payload.
decoded_packet decode_frame(int link_type, std::string_view frame);

// A capture file opened with libpcap, read packet by packet.
class pcap_source {
public:
  struct packet {
    std::uint64_t number = 0; // 1-based, as Wireshark numbers them
    std::string_view frame;   // the captured bytes; valid until the next call of next()
  };

  // Throws input_error when the file cannot be read as a capture or its link type is not
  // one decode_frame understands.
  explicit pcap_source(const std::string& path);
  ~pcap_source();
  pcap_source(const pcap_source&) = delete;
  pcap_source& operator=(const pcap_source&) = delete;

  int link_type() const { return link_type_; }
  // The next packet, or nullopt at the end. Throws input_error when the file is damaged
  // (e.g. cut off inside a packet).
  std::optional<packet> next();

private:
  ::pcap* handle_ = nullptr;
  std::string path_;
  int link_type_ = 0;
  std::uint64_t count_ = 0;
};

} // namespace sipwright::cli
