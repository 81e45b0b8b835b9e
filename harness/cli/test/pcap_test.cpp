// `sipwright lint` on captures: frames built by hand, written with libpcap, read back.
#include "messages.hpp"
#include "support.hpp"

#include "sipwright/cli/pcap_source.hpp"

#include <catch2/catch.hpp>
#include <pcap/pcap.h>

#include <cstdint>

using namespace sipwright::cli;
using namespace sipwright::cli::test;

using lines = std::vector<std::string>;

namespace {

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xff);
}

std::string udp(std::string_view payload, std::uint16_t port = 5060) {
  std::string s(8, '\0');
  put16(s, 0, port);
  put16(s, 2, 5060);
  put16(s, 4, static_cast<std::uint16_t>(8 + payload.size()));
  return s.append(payload);
}

// flags_fragment: the 16-bit flags + fragment offset field (0x2000 = more fragments).
std::string ipv4(std::string_view l4, std::uint8_t proto = 17, std::uint16_t flags_fragment = 0) {
  std::string s(20, '\0');
  s[0] = 0x45;
  put16(s, 2, static_cast<std::uint16_t>(20 + l4.size()));
  put16(s, 6, flags_fragment);
  s[8] = 64;
  s[9] = static_cast<char>(proto);
  s.replace(12, 4, std::string("\xc0\x00\x02\x0f", 4)); // 192.0.2.15
  s.replace(16, 4, std::string("\xc0\x00\x02\x14", 4)); // 192.0.2.20
  return s.append(l4);
}

// `ext` are extension headers, each already formatted; `first` is the Next Header of the fixed
// header (17 when there are none).
std::string ipv6(std::string_view l4, std::uint8_t first = 17, std::string_view ext = {}) {
  std::string s(40, '\0');
  s[0] = 0x60;
  put16(s, 4, static_cast<std::uint16_t>(ext.size() + l4.size()));
  s[6] = static_cast<char>(first);
  s[7] = 64;
  s[8] = 0x20, s[9] = 0x01, s[10] = 0x0d, s[11] = static_cast<char>(0xb8); // 2001:db8::1
  s[23] = 1;
  s[24] = 0x20, s[25] = 0x01, s[26] = 0x0d, s[27] = static_cast<char>(0xb8); // 2001:db8::2
  s[39] = 2;
  return s.append(ext).append(l4);
}

std::string ethernet(std::uint16_t type, std::string_view l3, bool vlan = false) {
  std::string s("\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
  if (vlan) s.append("\x81\x00\x00\x64", 4); // 802.1Q, VLAN 100
  s.append(2, '\0');
  put16(s, s.size() - 2, type);
  s.append(l3);
  if (s.size() < 60) s.resize(60, '\0'); // Ethernet padding: the IP lengths must win
  return s;
}

std::string sll(std::uint16_t type, std::string_view l3) {
  std::string s(16, '\0');
  put16(s, 0, 0); // packet to us
  put16(s, 2, 1); // ARPHRD_ETHER
  put16(s, 4, 6); // address length
  put16(s, 14, type);
  return s.append(l3);
}

std::string sll2(std::uint16_t type, std::string_view l3) {
  std::string s(20, '\0');
  put16(s, 0, type);
  put16(s, 8, 1); // ARPHRD_ETHER
  return s.append(l3);
}

void write_pcap(const std::string& path, int link_type, const std::vector<std::string>& frames) {
  pcap_t* p = pcap_open_dead(link_type, 65535);
  REQUIRE(p != nullptr);
  pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
  REQUIRE(d != nullptr);
  std::uint32_t second = 1700000000;
  for (const auto& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = second++;
    h.caplen = static_cast<bpf_u_int32>(f.size());
    h.len = h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, reinterpret_cast<const u_char*>(f.data()));
  }
  pcap_dump_close(d);
  pcap_close(p);
}

const std::string dns_query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);

} // namespace

TEST_CASE("pcap: Ethernet/IPv4, two SIP datagrams and one other, named by packet",
          "[pcap][ethernet][ipv4]") {
  temp_dir dir;
  auto file = dir.file("capture.pcap");
  write_pcap(file, DLT_EN10MB,
             {ethernet(0x0800, ipv4(udp(valid_options))),
              ethernet(0x0800, ipv4(udp(dns_query, 53))), ethernet(0x0800, ipv4(udp(bad_via)))});
  auto r = lint({file});
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() == lines{file + ":packet 1: ok", file + ":packet 3:" + bad_via_finding});
  CHECK(r.err ==
        "2 messages: 1 valid, 1 invalid, 0 warnings; 1 packet skipped (1 not SIP over UDP)\n");
}

TEST_CASE("pcap: 802.1Q tags and IPv6 with a hop-by-hop options header", "[pcap][vlan][ipv6]") {
  temp_dir dir;
  auto file = dir.file("v6.pcap");
  // Hop-by-hop: Next Header 17 (UDP), length 0 (8 bytes), PadN filling the rest.
  const std::string hop_by_hop("\x11\x00\x01\x04\x00\x00\x00\x00", 8);
  write_pcap(file, DLT_EN10MB,
             {ethernet(0x86dd, ipv6(udp(no_max_forwards), 0, hop_by_hop), true),
              ethernet(0x0800, ipv4(udp(valid_options)), true)});
  auto r = lint({file});
  CHECK(r.code == exit_ok);
  CHECK(r.lines() == lines{file + ":packet 1: ok", file + ":packet 1:" + no_max_forwards_finding,
                           file + ":packet 2: ok"});
}

TEST_CASE("pcap: raw IP and Linux cooked captures", "[pcap][raw][sll]") {
  temp_dir dir;
  SECTION("DLT_RAW, IPv4 and IPv6") {
    auto file = dir.file("raw.pcap");
    write_pcap(file, DLT_RAW, {ipv4(udp(bad_via)), ipv6(udp(valid_options))});
    auto r = lint({file});
    CHECK(r.code == exit_invalid);
    CHECK(r.lines() == lines{file + ":packet 1:" + bad_via_finding, file + ":packet 2: ok"});
  }
  SECTION("DLT_LINUX_SLL") {
    auto file = dir.file("sll.pcap");
    write_pcap(file, DLT_LINUX_SLL, {sll(0x0800, ipv4(udp(valid_options)))});
    CHECK(lint({file}).lines() == lines{file + ":packet 1: ok"});
  }
  SECTION("DLT_LINUX_SLL2") {
    auto file = dir.file("sll2.pcap");
    write_pcap(file, DLT_LINUX_SLL2, {sll2(0x86dd, ipv6(udp(valid_options)))});
    CHECK(lint({file}).lines() == lines{file + ":packet 1: ok"});
  }
}

TEST_CASE("pcap: fragments and cut-short packets are skipped with a note", "[pcap][fragment]") {
  temp_dir dir;
  auto file = dir.file("frag.pcap");
  // An IPv6 Fragment header: Next Header 17, offset 0, more fragments.
  const std::string fragment_header("\x11\x00\x00\x01\x00\x00\x00\x2a", 8);
  std::string cut = ethernet(0x0800, ipv4(udp(valid_options)));
  cut.resize(cut.size() - 10);
  write_pcap(file, DLT_EN10MB,
             {ethernet(0x0800, ipv4(udp(valid_options), 17, 0x2000)),
              ethernet(0x86dd, ipv6(udp(valid_options), 44, fragment_header)), cut,
              ethernet(0x0800, ipv4(udp(valid_options)))});
  auto r = lint({file});
  CHECK(r.code == exit_ok);
  CHECK(r.lines() ==
        lines{file + ":packet 1: note: IPv4 fragment skipped (no reassembly)",
              file + ":packet 2: note: IPv6 fragment skipped (no reassembly)",
              file + ":packet 3: note: IPv4 packet cut short (capture snap length?); skipped",
              file + ":packet 4: ok"});
  CHECK(r.err == "1 message: 1 valid, 0 invalid, 0 warnings; 3 packets skipped (2 fragments, 1 "
                 "truncated)\n");
}

TEST_CASE("pcap: recognised by its magic number whatever the name, pcapng read too",
          "[pcap][pcapng]") {
  temp_dir dir;
  SECTION("pcap named .dat") {
    auto file = dir.file("capture.dat");
    write_pcap(file, DLT_RAW, {ipv4(udp(valid_options))});
    CHECK(lint({file}).lines() == lines{file + ":packet 1: ok"});
  }
  SECTION("pcapng: section header, interface description, enhanced packet blocks") {
    auto le32 = [](std::uint32_t v) {
      std::string s(4, '\0');
      for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
      return s;
    };
    std::string data = ipv4(udp(bad_via));
    std::string padded = data + std::string((4 - data.size() % 4) % 4, '\0');
    std::string ng;
    ng += le32(0x0a0d0d0a) + le32(28) + le32(0x1a2b3c4d) + std::string("\x01\x00\x00\x00", 4) +
          std::string(8, '\xff') + le32(28);
    ng += le32(1) + le32(20) + le32(DLT_RAW) + le32(65535) + le32(20);
    auto total = static_cast<std::uint32_t>(32 + padded.size());
    ng += le32(6) + le32(total) + le32(0) + le32(0) + le32(0) +
          le32(static_cast<std::uint32_t>(data.size())) +
          le32(static_cast<std::uint32_t>(data.size())) + padded + le32(total);
    auto file = dir.write("capture.pcapng", ng);
    auto r = lint({file});
    CHECK(r.code == exit_invalid);
    CHECK(r.lines() == lines{file + ":packet 1:" + bad_via_finding});
  }
}

TEST_CASE("pcap: unreadable captures are usage errors (exit 2)", "[pcap][exit]") {
  temp_dir dir;
  SECTION("not a capture at all") {
    auto file = dir.write("text.pcap", "hello, world\n");
    auto r = lint({file});
    CHECK(r.code == exit_usage);
    CHECK(r.err.rfind("sipwright: error: cannot read capture '" + file + "': ", 0) == 0);
  }
  SECTION("a link type sipwright does not decode") {
    auto file = dir.file("wifi.pcap");
    write_pcap(file, DLT_IEEE802_11, {std::string(30, '\0')});
    auto r = lint({file});
    CHECK(r.code == exit_usage);
    CHECK(r.err == "sipwright: error: '" + file +
                       "': unsupported link type IEEE802_11 (105); sipwright reads Ethernet, Linux "
                       "cooked (SLL, SLL2), raw IP and BSD loopback captures\n");
  }
  SECTION("cut off inside a packet: the packets before it are still linted") {
    auto whole = dir.file("whole.pcap");
    write_pcap(whole, DLT_RAW, {ipv4(udp(valid_options)), ipv4(udp(valid_options))});
    std::ifstream in(whole, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto file = dir.write("cut.pcap", bytes.substr(0, bytes.size() - 20));
    auto r = lint({file});
    CHECK(r.code == exit_usage);
    CHECK(r.lines() == lines{file + ":packet 1: ok"});
    CHECK(r.err.find("sipwright: error: '" + file + "': damaged capture after packet 1: ") == 0);
  }
}

TEST_CASE("pcap: a capture without SIP says so and passes", "[pcap]") {
  temp_dir dir;
  auto file = dir.file("dns.pcap");
  write_pcap(file, DLT_RAW, {ipv4(udp(dns_query, 53)), ipv4("tcp?", 6)});
  auto r = lint({file});
  CHECK(r.code == exit_ok);
  CHECK(r.lines() == lines{file + ": note: no SIP datagram among 2 packets"});
  CHECK(r.err == "0 messages: 0 valid, 0 invalid, 0 warnings; 2 packets skipped (2 not SIP over "
                 "UDP)\n");
}

TEST_CASE("decode_frame: every supported link type reaches the UDP payload", "[pcap][decode]") {
  const std::string payload = "SIP/2.0 200 OK\r\n\r\n";
  const std::string v4 = ipv4(udp(payload));
  const std::string v6 = ipv6(udp(payload));
  auto le = [](std::uint32_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 24)};
  };
  auto be = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  struct row {
    const char* what;
    int link_type;
    std::string frame;
  };
  const row rows[] = {
      {"Ethernet IPv4", DLT_EN10MB, ethernet(0x0800, v4)},
      {"Ethernet QinQ IPv6", DLT_EN10MB,
       ethernet(0x88a8, std::string("\x00\x64\x81\x00\x00\x65\x86\xdd", 8) + v6)},
      {"SLL IPv4", DLT_LINUX_SLL, sll(0x0800, v4)},
      {"SLL2 IPv6", DLT_LINUX_SLL2, sll2(0x86dd, v6)},
      {"raw IPv4", DLT_RAW, v4},
      {"raw IPv6", DLT_RAW, v6},
      {"LINKTYPE_RAW 101", 101, v6},
      {"DLT_IPV4", DLT_IPV4, v4},
      {"DLT_IPV6", DLT_IPV6, v6},
      {"null, little-endian AF_INET", DLT_NULL, le(2) + v4},
      {"null, big-endian AF_INET6 (macOS)", DLT_NULL, be(30) + v6},
      {"null, little-endian AF_INET6 (Linux)", DLT_NULL, le(10) + v6},
      {"loop AF_INET", DLT_LOOP, be(2) + v4},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    CHECK(supported_link_type(r.link_type));
    auto d = decode_frame(r.link_type, r.frame);
    CHECK(d.kind == packet_kind::udp);
    CHECK(d.payload == payload);
  }
  CHECK_FALSE(supported_link_type(DLT_IEEE802_11));
}

TEST_CASE("decode_frame: short, damaged or foreign frames never read out of bounds",
          "[pcap][decode][robustness]") {
  CHECK(decode_frame(DLT_EN10MB, "").kind == packet_kind::truncated);
  CHECK(decode_frame(DLT_EN10MB, ethernet(0x0806, std::string(28, '\0'))).kind ==
        packet_kind::other);                                             // ARP
  CHECK(decode_frame(DLT_RAW, ipv4("x", 6)).kind == packet_kind::other); // not UDP
  CHECK(decode_frame(DLT_RAW, std::string("\x45", 1)).kind == packet_kind::truncated);
  std::string bad_udp = ipv4(udp("abc"));
  put16(bad_udp, 24, 200); // UDP length beyond the packet
  CHECK(decode_frame(DLT_RAW, bad_udp).kind == packet_kind::truncated);
  // An atomic IPv6 fragment (offset 0, no more fragments) is a whole datagram (RFC 6946).
  auto atomic = ipv6(udp("hi"), 44, std::string("\x11\x00\x00\x00\x00\x00\x00\x01", 8));
  CHECK(decode_frame(DLT_RAW, atomic).kind == packet_kind::udp);
  // Every prefix of every frame, for every link type: no crash, no overread (ASan checks).
  const std::string frames[] = {
      ethernet(0x0800, ipv4(udp("SIP/2.0 200 OK\r\n\r\n")), true),
      ipv6(udp("x"), 0,
           std::string("\x2c\x00\x00\x00\x00\x00\x00\x00\x11\x00\x00\x01\x00\x00\x00\x01", 16)),
      sll(0x86dd, ipv6(udp("y")))};
  for (const auto& f : frames)
    for (int t : {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP})
      for (std::size_t n = 0; n <= f.size(); ++n) {
        // A copy of exactly n bytes, so ASan sees any read past the end.
        std::unique_ptr<char[]> copy(new char[n == 0 ? 1 : n]);
        std::copy_n(f.data(), n, copy.get());
        auto d = decode_frame(t, std::string_view(copy.get(), n));
        if (d.kind == packet_kind::udp)
          CHECK(d.payload.data() + d.payload.size() <= copy.get() + n);
      }
}

TEST_CASE("looks_like_sip: SIP start lines, not other UDP payloads", "[pcap][heuristic]") {
  CHECK(looks_like_sip("INVITE sip:bob@example.com SIP/2.0\r\n"));
  CHECK(looks_like_sip("NEWMETHOD sip:x SIP/2.0\r\n"));
  CHECK(looks_like_sip("SIP/2.0 200 OK\r\n"));
  CHECK(looks_like_sip("\r\nOPTIONS sip:x SIP/2.0\r\n")); // CRLFs first (RFC 3261 7.5)
  CHECK(looks_like_sip("INVITE sip:x SIP/7.0\r\n"));      // linted, then reported
  CHECK(looks_like_sip("sip/2.0 200 OK"));
  CHECK_FALSE(looks_like_sip(""));
  CHECK_FALSE(looks_like_sip("\r\n\r\n")); // keep-alive (RFC 5626 4.4.1)
  CHECK_FALSE(looks_like_sip("GET / HTTP/1.1\r\n"));
  CHECK_FALSE(looks_like_sip("INVITE SIP/2.0\r\n"));
  CHECK_FALSE(looks_like_sip(dns_query));
  CHECK_FALSE(looks_like_sip("SIP/x"));
}
