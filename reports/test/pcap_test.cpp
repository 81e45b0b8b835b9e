#include "sipwright/reports/pcap.hpp"

#include <catch2/catch.hpp>
#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace sipwright;
using reports::run_result;
using transport::direction;
using transport::protocol;

namespace {

// A temporary directory removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("sipwright-pcap-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

const auto base_time = std::chrono::system_clock::time_point{} + std::chrono::seconds{1700000000};

std::string request(const std::string& method, int cseq, const std::string& cseq_method,
                    const std::string& transport, const std::string& host,
                    const std::string& body = {}) {
  std::string m = method + " sip:bob@" + host + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + transport + " " + host + ";branch=z9hG4bK-" + std::to_string(cseq) +
       method + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <sip:alice@example.com>;tag=a1\r\n";
  m += "To: <sip:bob@example.com>\r\n";
  m += "Call-ID: pcap-test@example.com\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + cseq_method + "\r\n";
  if (!body.empty()) m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

std::string response(int code, const std::string& reason, int cseq, const std::string& method,
                     const std::string& transport, const std::string& host) {
  std::string m = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
  m += "Via: SIP/2.0/" + transport + " " + host + ";branch=z9hG4bK-" + std::to_string(cseq) +
       method + "\r\n";
  m += "From: <sip:alice@example.com>;tag=a1\r\n";
  m += "To: <sip:bob@example.com>;tag=b1\r\n";
  m += "Call-ID: pcap-test@example.com\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

struct expected_message {
  std::string method; // a request's method, else empty
  int status = 0;     // a response's status code, else 0
};

// INVITE / 100 / 180 / 200 / ACK / BYE / 200 between `local` (the harness) and `remote`, one
// millisecond apart from `start`. A large SDP body makes the INVITE span several TCP segments.
engine::scenario_result exchange(protocol proto, transport::endpoint local,
                                 transport::endpoint remote,
                                 std::chrono::system_clock::time_point start,
                                 std::size_t body_size = 200) {
  engine::scenario_result sc;
  sc.name = "basic call";
  sc.local = local;
  const std::string t = proto == protocol::udp ? "UDP" : "TCP";
  const std::string host = local.str();
  std::string body = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";
  while (body.size() < body_size) body += "a=x-filler:0123456789abcdef0123456789abcdef\r\n";
  const std::vector<std::pair<direction, std::string>> msgs{
      {direction::out, request("INVITE", 1, "INVITE", t, host, body)},
      {direction::in, response(100, "Trying", 1, "INVITE", t, host)},
      {direction::in, response(180, "Ringing", 1, "INVITE", t, host)},
      {direction::in, response(200, "OK", 1, "INVITE", t, host)},
      {direction::out, request("ACK", 1, "ACK", t, host)},
      {direction::out, request("BYE", 2, "BYE", t, host)},
      {direction::in, response(200, "OK", 2, "BYE", t, host)},
  };
  auto at = start;
  for (const auto& [dir, bytes] : msgs) {
    transport::trace_entry e;
    e.wall = at;
    e.dir = dir;
    e.proto = proto;
    e.local = local;
    e.remote = remote;
    e.bytes = bytes;
    sc.trace.add(std::move(e));
    at += std::chrono::microseconds{1001};
  }
  return sc;
}

const std::vector<expected_message> basic_call{{"INVITE", 0}, {"", 100},  {"", 180}, {"", 200},
                                               {"ACK", 0},    {"BYE", 0}, {"", 200}};

struct read_record {
  std::int64_t sec;
  std::int64_t usec;
  std::string data;
};

std::vector<read_record> read_pcap(const fs::path& file, int& linktype) {
  char err[PCAP_ERRBUF_SIZE];
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> p(pcap_open_offline(file.c_str(), err), pcap_close);
  REQUIRE(p);
  linktype = pcap_datalink(p.get());
  std::vector<read_record> out;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p.get(), &h, &data) == 1) {
    CHECK(h->caplen == h->len);
    out.push_back(
        {h->ts.tv_sec, h->ts.tv_usec, std::string(reinterpret_cast<const char*>(data), h->caplen)});
  }
  return out;
}

#ifdef SIPWRIGHT_TSHARK
// What tshark dissects as SIP: one {method, status} per SIP message.
std::vector<expected_message> tshark_sip(const fs::path& file, const std::vector<int>& ports) {
  std::string cmd = SIPWRIGHT_TSHARK;
  cmd += " -n -r '" + file.string() + "'";
  for (int port : ports)
    cmd += " -d udp.port==" + std::to_string(port) + ",sip -d tcp.port==" + std::to_string(port) +
           ",sip";
  cmd += " -Y sip -T fields -E occurrence=a -E aggregator=/s -e sip.Method -e sip.Status-Code "
         "2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string text;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe.get())) text.append(buf, n);
  std::vector<expected_message> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const auto line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    expected_message m;
    m.method = line.substr(0, tab);
    const auto status = line.substr(tab + 1);
    m.status = status.empty() ? 0 : std::stoi(status);
    out.push_back(m);
  }
  return out;
}

void check_tshark(const fs::path& file, const std::vector<int>& ports,
                  const std::vector<expected_message>& expected) {
  const auto got = tshark_sip(file, ports);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("SIP message " << i + 1);
    CHECK(got[i].method == expected[i].method);
    CHECK(got[i].status == expected[i].status);
  }
}
#else
void check_tshark(const fs::path&, const std::vector<int>&, const std::vector<expected_message>&) {
  WARN("tshark not found at configure time: the tshark checks are skipped");
}
#endif

std::uint16_t be16(const std::string& d, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(d[at]) << 8) |
                                    static_cast<std::uint8_t>(d[at + 1]));
}

std::uint32_t be32(const std::string& d, std::size_t at) {
  return (std::uint32_t{be16(d, at)} << 16) | be16(d, at + 2);
}

// The Internet checksum over `d` (0 when a header's stored checksum is right).
std::uint16_t internet_checksum(const std::string& d) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < d.size(); i += 2) sum += be16(d, i);
  if (d.size() % 2) sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(d.back())) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

} // namespace

TEST_CASE("pcap: a UDP IPv4 call, each datagram with its addresses, ports and time") {
  temp_dir dir;
  run_result run;
  run.scenarios.push_back(
      exchange(protocol::udp, {"127.0.0.1", 15060}, {"127.0.0.2", 5062}, base_time));
  // Never left the harness: not in the capture.
  transport::trace_entry unsent;
  unsent.wall = base_time + std::chrono::milliseconds{50};
  unsent.dir = direction::out;
  unsent.local = {"127.0.0.1", 15060};
  unsent.remote = {"127.0.0.2", 5062};
  unsent.bytes = request("OPTIONS", 3, "OPTIONS", "UDP", "127.0.0.1:15060");
  unsent.note = "not sent: dropped on purpose (lost=100)";
  run.scenarios[0].trace.add(unsent);

  const auto file = dir.path / "run.pcap";
  reports::write_pcap(run, file);
  int linktype = 0;
  const auto recs = read_pcap(file, linktype);
  CHECK(linktype == DLT_RAW);
  const auto& entries = run.scenarios[0].trace.entries();
  REQUIRE(recs.size() == 7);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    INFO("record " << i);
    const auto& e = entries[i];
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(e.wall.time_since_epoch()).count();
    CHECK(recs[i].sec == us / 1000000);
    CHECK(recs[i].usec == us % 1000000);
    const auto& d = recs[i].data;
    REQUIRE(d.size() == 20 + 8 + e.bytes.size());
    CHECK(static_cast<std::uint8_t>(d[0]) == 0x45);
    CHECK(be16(d, 2) == d.size());
    CHECK(static_cast<std::uint8_t>(d[9]) == 17);
    CHECK(internet_checksum(d.substr(0, 20)) == 0);
    const bool out = e.dir == direction::out;
    const std::string local("\x7f\x00\x00\x01", 4), remote("\x7f\x00\x00\x02", 4);
    CHECK(d.substr(12, 4) == (out ? local : remote));
    CHECK(d.substr(16, 4) == (out ? remote : local));
    CHECK(be16(d, 20) == (out ? 15060 : 5062));
    CHECK(be16(d, 22) == (out ? 5062 : 15060));
    CHECK(be16(d, 24) == 8 + e.bytes.size());
    CHECK(d.substr(28) == e.bytes);
  }
  // Nothing but the file itself is left in the directory (the temporary was renamed).
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  check_tshark(file, {15060, 5062}, basic_call);
}

TEST_CASE("pcap: a TCP call gets a handshake, consistent sequence numbers and segments") {
  temp_dir dir;
  run_result run;
  // A 5000-byte SDP: the INVITE spans four segments tshark must reassemble.
  run.scenarios.push_back(
      exchange(protocol::tcp, {"10.0.0.1", 40001}, {"10.0.0.2", 5060}, base_time, 5000));
  const auto& entries = run.scenarios[0].trace.entries();
  const auto invite_size = entries[0].bytes.size();
  REQUIRE(invite_size > 3 * 1460);
  REQUIRE(invite_size <= 4 * 1460);

  const auto records = reports::pcap_records(run);
  REQUIRE(records.size() == 3 + 4 + 6);
  for (std::size_t i = 0; i < 3; ++i) CHECK(records[i].handshake);
  // SYN from the harness (it sent first), SYN-ACK, ACK.
  CHECK(static_cast<std::uint8_t>(records[0].packet[33]) == 0x02);
  CHECK(static_cast<std::uint8_t>(records[1].packet[33]) == 0x12);
  CHECK(static_cast<std::uint8_t>(records[2].packet[33]) == 0x10);
  CHECK(be16(records[0].packet, 20) == 40001);
  const auto isn_local = be32(records[0].packet, 24);
  const auto isn_remote = be32(records[1].packet, 24);
  CHECK(be32(records[1].packet, 28) == isn_local + 1);

  // Each direction's sequence numbers follow its bytes; each segment acknowledges the other's.
  std::uint32_t next_local = isn_local + 1, next_remote = isn_remote + 1;
  std::string sent, received;
  for (std::size_t i = 3; i < records.size(); ++i) {
    INFO("record " << i);
    const auto& d = records[i].packet;
    CHECK(!records[i].handshake);
    CHECK(static_cast<std::uint8_t>(d[9]) == 6);
    CHECK(internet_checksum(d.substr(0, 20)) == 0);
    CHECK(d.size() - 40 <= 1460);
    const bool out = be16(d, 20) == 40001;
    CHECK(be32(d, 24) == (out ? next_local : next_remote));
    CHECK(be32(d, 28) == (out ? next_remote : next_local));
    CHECK(be16(d, 34) > 0); // a window
    const auto payload = d.substr(40);
    (out ? next_local : next_remote) += static_cast<std::uint32_t>(payload.size());
    (out ? sent : received) += payload;
  }
  std::string want_sent, want_received;
  for (const auto& e : entries) (e.dir == direction::out ? want_sent : want_received) += e.bytes;
  CHECK(sent == want_sent);
  CHECK(received == want_received);
  // The last segment of a message pushes it; the others do not.
  CHECK(static_cast<std::uint8_t>(records[3].packet[33]) == 0x10);
  CHECK(static_cast<std::uint8_t>(records[6].packet[33]) == 0x18);

  const auto file = dir.path / "tcp.pcap";
  reports::write_pcap(run, file);
  int linktype = 0;
  const auto recs = read_pcap(file, linktype);
  REQUIRE(recs.size() == records.size());
  for (std::size_t i = 0; i < recs.size(); ++i) CHECK(recs[i].data == records[i].packet);
  // Timestamps: the handshake and the INVITE's segments at the INVITE's time.
  CHECK(recs[0].sec == 1700000000);
  CHECK(recs[6].usec == 0);
  CHECK(recs[7].usec == 1001);
  check_tshark(file, {40001, 5060}, basic_call);
}

TEST_CASE("pcap: a connection the device opened starts with the device's SYN") {
  run_result run;
  auto sc = exchange(protocol::tcp, {"10.0.0.1", 5060}, {"10.0.0.2", 40002}, base_time);
  // Drop the first (outgoing) INVITE so the device speaks first.
  engine::scenario_result from_device;
  for (std::size_t i = 1; i < sc.trace.size(); ++i) from_device.trace.add(sc.trace.entries()[i]);
  run.scenarios.push_back(std::move(from_device));
  const auto records = reports::pcap_records(run);
  REQUIRE(records.size() == 3 + 6);
  CHECK(be16(records[0].packet, 20) == 40002);
  CHECK(static_cast<std::uint8_t>(records[0].packet[33]) == 0x02);
}

TEST_CASE("pcap: an IPv6 call, UDP and TCP, with checksums over the pseudo-header") {
  temp_dir dir;
  run_result run;
  run.scenarios.push_back(
      exchange(protocol::udp, {"2001:db8::1", 15060}, {"2001:db8::2", 5062}, base_time));
  run.scenarios.push_back(exchange(protocol::tcp, {"2001:db8::1", 40003}, {"2001:db8::2", 5062},
                                   base_time + std::chrono::seconds{1}, 3000));
  const auto records = reports::pcap_records(run);
  REQUIRE(records.size() == 7 + 3 + 3 + 6);
  for (const auto& r : records) {
    const auto& d = r.packet;
    CHECK(static_cast<std::uint8_t>(d[0]) >> 4 == 6);
    CHECK(be16(d, 4) == d.size() - 40);
    // The transport checksum over pseudo-header + segment comes out zero when right.
    std::string pseudo = d.substr(8, 32);
    const auto len = static_cast<std::uint32_t>(d.size() - 40);
    for (int shift : {24, 16, 8, 0}) pseudo.push_back(static_cast<char>((len >> shift) & 0xff));
    pseudo += std::string(3, '\0') + d[6];
    CHECK(internet_checksum(pseudo + d.substr(40)) == 0);
    if (d[6] == 17) CHECK(be16(d, 46) != 0); // mandatory over IPv6
  }
  const auto file = dir.path / "v6.pcap";
  reports::write_pcap(run, file);
  int linktype = 0;
  CHECK(read_pcap(file, linktype).size() == records.size());
  auto both = basic_call;
  both.insert(both.end(), basic_call.begin(), basic_call.end());
  check_tshark(file, {15060, 5062, 40003}, both);
}

TEST_CASE("pcap: scenarios are merged in time order") {
  run_result run;
  run.scenarios.push_back(exchange(protocol::udp, {"127.0.0.1", 15060}, {"127.0.0.2", 5062},
                                   base_time + std::chrono::microseconds{500}));
  run.scenarios.push_back(
      exchange(protocol::udp, {"127.0.0.1", 15061}, {"127.0.0.2", 5062}, base_time));
  const auto records = reports::pcap_records(run);
  REQUIRE(records.size() == 14);
  for (std::size_t i = 1; i < records.size(); ++i) CHECK(records[i - 1].time <= records[i].time);
  CHECK(records[0].scenario == 1);
  CHECK(records[1].scenario == 0);
}

TEST_CASE("pcap: an oversized UDP datagram is truncated and marked") {
  run_result run;
  run.scenarios.push_back(
      exchange(protocol::udp, {"127.0.0.1", 15060}, {"127.0.0.2", 5062}, base_time));
  run.scenarios[0].trace.at(0).bytes.resize(70000, 'x');
  const auto records = reports::pcap_records(run);
  REQUIRE(records.size() == 7);
  CHECK(records[0].truncated);
  CHECK(records[0].packet.size() == 65535);
  CHECK(!records[1].truncated);
}

TEST_CASE("pcap: failures throw with a clear message and leave no file") {
  temp_dir dir;
  run_result run;
  run.scenarios.push_back(
      exchange(protocol::udp, {"127.0.0.1", 15060}, {"127.0.0.2", 5062}, base_time));
  CHECK_THROWS_WITH(reports::write_pcap(run, dir.path / "missing" / "run.pcap"),
                    Catch::Contains("cannot write pcap"));
  run.scenarios[0].trace.at(2).remote.address = "device.example.com";
  CHECK_THROWS_WITH(reports::write_pcap(run, dir.path / "run.pcap"),
                    Catch::Contains("device.example.com") &&
                        Catch::Contains("not a numeric IPv4 or IPv6 address"));
  CHECK(fs::is_empty(dir.path));
}
