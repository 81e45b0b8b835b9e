#pragma once
// Test helpers: the reference device run on its own thread, and a hand-driven SIP peer built on
// the transport module (its own io_context, driven from the test's thread).
#include "sipwright/refdut/refdut.hpp"
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/transport.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sipwright::refdut::test {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// The device on its own thread; the destructor waits for it (give it --calls or --timeout).
class device {
public:
  explicit device(refdut_options o) {
    o.on_listening = [this](const std::string& at) { local_.set_value(at); };
    thread_ = std::thread([this, o] { code_ = run_refdut(o, out_, err_); });
    auto f = local_.get_future();
    if (f.wait_for(5s) == std::future_status::ready)
      where_ = *transport::parse_endpoint(f.get(), 0);
  }
  ~device() { join(); }
  const transport::endpoint& where() const { return where_; }
  // Waits for the device to stop; then its output and exit code can be read.
  int join() {
    if (thread_.joinable()) thread_.join();
    return code_;
  }
  std::string out() {
    join();
    return out_.str();
  }
  std::string err() {
    join();
    return err_.str();
  }

private:
  std::promise<std::string> local_;
  transport::endpoint where_;
  std::ostringstream out_, err_;
  int code_ = -1;
  std::thread thread_;
};

struct arrival {
  sip::message msg;
  transport::endpoint from;
  clock::time_point at;
};

// A SIP peer the test drives by hand: over UDP on 127.0.0.1 unless `o` says otherwise.
class peer {
public:
  explicit peer(transport::options o = {}) : tp_(io_, std::move(o), trace_) {
    tp_.start(
        [this](transport::received&& r) {
          got.push_back({std::move(r.msg), r.from, r.at});
          if (on_message) on_message(got.back());
        },
        [](const transport::endpoint&, const std::string&) {});
  }
  transport::endpoint local() const { return tp_.local_endpoint(); }
  void send(const transport::endpoint& to, const std::string& bytes) { tp_.send(to, bytes); }
  // Runs the peer's loop until pred() holds or `limit` passed; returns pred().
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
    const auto end = clock::now() + limit;
    while (!pred() && clock::now() < end) io_.run_for(5ms);
    return pred();
  }
  void run_for(std::chrono::milliseconds d) {
    run_until([] { return false; }, d);
  }
  // What arrived that matches: requests by method, responses by status (and CSeq method).
  std::vector<const arrival*> requests(std::string_view method) const {
    std::vector<const arrival*> out;
    for (const auto& a : got)
      if (a.msg.is_request() && a.msg.method() == method) out.push_back(&a);
    return out;
  }
  std::vector<const arrival*> responses(int status, std::string_view cseq_method = "INVITE") const {
    std::vector<const arrival*> out;
    for (const auto& a : got)
      if (a.msg.is_response() && a.msg.status_code() == status && a.msg.cseq() &&
          a.msg.cseq()->method == cseq_method)
        out.push_back(&a);
    return out;
  }

  // The first arrival whose bytes start with `start`, else null.
  const arrival* first(std::string_view start) const {
    for (const auto& a : got)
      if (a.msg.bytes().starts_with(start)) return &a;
    return nullptr;
  }

  std::deque<arrival> got; // stable references
  std::function<void(const arrival&)> on_message;

private:
  boost::asio::io_context io_;
  transport::trace trace_;
  transport::transport tp_;
};

inline long ms_between(clock::time_point a, clock::time_point b) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
}

} // namespace sipwright::refdut::test

#include "sipwright/sip/builder.hpp"

namespace sipwright::refdut::test {

inline std::string uri_of(std::string_view user, const transport::endpoint& at) {
  return "sip:" + std::string(user) + "@" + at.str();
}

// A request from the peer to the device, as a harness would write it.
struct request_spec {
  std::string method = "INVITE";
  std::string user = "service";
  std::string branch = "z9hG4bK-test-1";
  std::string call_id = "call-1@127.0.0.1";
  std::string from_tag = "peer-tag";
  std::string to_tag;
  std::uint32_t cseq = 1;
  std::string cseq_method; // default: the method
  bool sdp = true;
  std::vector<std::string> record_route;
};

inline std::string request(const peer& p, const transport::endpoint& dut, const request_spec& r) {
  auto b = sip::message_builder::request(r.method, uri_of(r.user, dut));
  b.header("Via", "SIP/2.0/UDP " + p.local().str() + ";branch=" + r.branch);
  for (const auto& rr : r.record_route) b.header("Record-Route", rr);
  b.header("Max-Forwards", "70");
  b.header("From", "<sip:peer@" + p.local().str() + ">;tag=" + r.from_tag);
  b.header("To", "<" + uri_of(r.user, dut) + ">" + (r.to_tag.empty() ? "" : ";tag=" + r.to_tag));
  b.header("Call-ID", r.call_id);
  b.header("CSeq",
           std::to_string(r.cseq) + " " + (r.cseq_method.empty() ? r.method : r.cseq_method));
  b.header("Contact", "<sip:peer@" + p.local().str() + ">");
  if (r.method == "INVITE" && r.sdp)
    b.body("application/sdp", "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 "
                              "127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
  return b.str();
}

inline std::string to_tag_of(const sip::message& m) {
  const auto to = m.to();
  return to && to->tag() ? std::string(*to->tag()) : std::string();
}

// The UAS's response to a request it received (a test device answering refdut's call).
inline std::string answer(const sip::message& req, int status, std::string_view reason,
                          const std::vector<std::pair<std::string, std::string>>& extra = {},
                          std::string_view sdp = {}) {
  auto b = sip::message_builder::response(status, reason);
  for (const auto& via : req.all_elements(sip::header_id::via)) b.header("Via", via);
  b.header("From", req.value(sip::header_id::from));
  std::string to(req.value(sip::header_id::to));
  if (to.find("tag=") == std::string::npos) to += ";tag=uas-tag";
  b.header("To", to);
  b.header("Call-ID", req.value(sip::header_id::call_id));
  b.header("CSeq", req.value(sip::header_id::cseq));
  for (const auto& [name, value] : extra) b.header(name, value);
  if (!sdp.empty()) b.body("application/sdp", sdp);
  return b.str();
}

inline std::string top_branch(const sip::message& m) {
  const auto via = m.top_via();
  return via && via->branch() ? std::string(*via->branch()) : std::string();
}

} // namespace sipwright::refdut::test
