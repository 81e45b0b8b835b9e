// The engine: plays a scenario's calls as Asio coroutines on one io_context, over one transport.
#include "sipwright/engine/run.hpp"

#include "call_context.hpp"
#include "exchanges.hpp"
#include "process.hpp"

#include "sipwright/parser/parser.hpp"
#include "sipwright/transport/transport.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <unistd.h>

namespace sipwright::engine {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using clock = std::chrono::steady_clock;
using scenario::step;
using std::chrono::milliseconds;

std::optional<sip::message> parse_own(std::string_view bytes) {
  parser::parser p(parser::options{parser::mode::datagram, {}, false, false});
  if (p.put(bytes).status != parser::status::done) return std::nullopt;
  return p.release();
}

std::string seconds(clock::duration d) {
  return fmt::format("{:.3f} s", std::chrono::duration<double>(d).count());
}

// What a <recv> waits for, e.g. "response 200", "request INVITE".
std::string awaited(const step& s) {
  return s.response ? fmt::format("response {}", s.response) : "request " + s.request;
}

std::string first_line(std::string_view bytes) {
  auto end = bytes.find_first_of("\r\n");
  return std::string(bytes.substr(0, end));
}

// A retransmission schedule for a sent message, as retrans="N" asks (UDP only).
struct retransmission {
  bool active = false;
  std::string bytes;
  transport::endpoint to;
  milliseconds interval{0};
  milliseconds cap{0}; // 0: doubles without cap (Timer A, RFC 3261 17.1.1.2)
  clock::time_point next;
  clock::time_point give_up;
  bool request = false;
  std::string method;  // request: its method; response: its CSeq method
  std::string tx;      // transaction id
  int status = 0;      // response: its status
  std::string call_id; // response: for matching the ACK of a 2xx
  std::uint32_t cseq = 0;
};

struct call {
  call(asio::io_context& io, call_context c) : ctx(std::move(c)), signal(io) {
    result.call_number = ctx.call_number();
  }
  call_context ctx;
  asio::steady_timer signal;
  std::deque<transport::received> inbox;
  engine::exchanges exchanges;
  retransmission retrans;
  call_result result;
  std::string transport_error;
  bool ended = false;
  std::size_t last_send_pc = 0; // for out-of-order optional responses
  clock::time_point started = clock::now();
};

class runner {
public:
  runner(const scenario::scenario& sc, const run_options& opts, scenario_result& res)
      : sc_(sc), opts_(opts), res_(res), tp_(io_, transport_options(sc, opts), res.trace),
        done_(io_),
        rng_(opts.seed ? opts.seed
                       : static_cast<unsigned>(clock::now().time_since_epoch().count())) {
    res_.local = tp_.local_endpoint();
    int index = 0;
    for (const auto& s : sc_.steps) {
      msg_index_.push_back(index);
      if (s.what != step::kind::label) ++index;
    }
    token_ = fmt::format("{:04x}", static_cast<unsigned>(rng_() & 0xffff));
  }

  void run() {
    const auto start = clock::now();
    deadline_ = start + opts_.timeout;
    if (opts_.on_listening) opts_.on_listening(tp_.proto(), tp_.local_endpoint());
    tp_.start([this](transport::received&& r) { on_message(std::move(r)); },
              [this](const transport::endpoint& peer, const std::string& what) {
                on_transport_error(peer, what);
              });
    asio::co_spawn(io_, main(), asio::detached);
    io_.run();
    processes_.stop_all();
    res_.elapsed = clock::now() - start;
  }

private:
  static transport::options transport_options(const scenario::scenario& sc,
                                              const run_options& opts) {
    transport::options o;
    o.proto = opts.proto;
    if (opts.local)
      o.local = *opts.local;
    else if (sc.role == scenario::role::callee)
      o.local = {"127.0.0.1", 5060};
    else if (opts.dut && opts.dut->v6())
      o.local = {"::1", 0};
    else
      o.local = {"127.0.0.1", 0};
    return o;
  }

  environment env_for(const transport::endpoint& remote) const {
    environment e;
    e.service = opts_.service;
    e.local = tp_.local_endpoint();
    e.remote = remote;
    e.proto = opts_.proto;
    e.media_port = opts_.media_port;
    e.pid = static_cast<long>(::getpid());
    e.run_token = token_;
    return e;
  }

  awaitable<void> main() {
    if (sc_.role == scenario::role::caller) {
      for (int n = 1; n <= opts_.calls && !stop_new_calls_; ++n) {
        // [call_id] as SIPp writes it, plus a token unique to this run.
        std::string id = fmt::format("{}-{}-{}@{}", n, ::getpid(), token_,
                                     uri_host(tp_.local_endpoint().address));
        ++started_;
        auto c = std::make_shared<call>(io_, call_context(env_for(*opts_.dut), n, id));
        calls_[id] = c;
        co_await play(*c);
        finish(*c);
      }
    } else {
      // Wait for the device's calls; each plays in its own coroutine (see on_message).
      while (finished_ < opts_.calls && !stop_new_calls_ && clock::now() < deadline_) {
        done_.expires_at(deadline_);
        boost::system::error_code ec;
        co_await done_.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      if (started_ == 0) {
        call_result r;
        const step* first = first_message_step();
        r.failure = fmt::format("{}:{}: no call arrived at {} {} within {} (waiting for {})",
                                sc_.file, first ? first->pos.line : 0,
                                transport::to_string(tp_.proto()), tp_.local_endpoint().str(),
                                seconds(opts_.timeout), first ? awaited(*first) : "");
        res_.calls.push_back(std::move(r));
      }
      // Calls still playing at the deadline fail there (their waits are bounded by it too).
      while (finished_ < started_) co_await sleep(milliseconds(10));
      // The device opened the TCP connections: let it close them first, for up to T4 (a
      // client that is still in its last pause would count our close as a failure).
      const auto linger = std::min(deadline_, clock::now() + milliseconds(5000));
      while (tp_.accepted_connections() > 0 && clock::now() < linger)
        co_await sleep(milliseconds(10));
    }
    tp_.close();
  }

  awaitable<void> sleep(milliseconds ms) {
    done_.expires_after(ms);
    boost::system::error_code ec;
    co_await done_.async_wait(asio::redirect_error(use_awaitable, ec));
  }

  const step* first_message_step() const {
    for (const auto& s : sc_.steps)
      if (s.what == step::kind::recv || s.what == step::kind::send) return &s;
    return nullptr;
  }

  void finish(call& c) {
    c.ended = true;
    c.retrans.active = false;
    if (c.result.failure.empty()) c.result.passed = true;
    res_.calls.push_back(c.result);
    ++finished_;
    done_.cancel();
  }

  // --- incoming ---------------------------------------------------------------------------

  void on_message(transport::received&& r) {
    const std::string call_id(r.msg.call_id().value_or(""));
    auto it = calls_.find(call_id);
    if (it == calls_.end()) {
      const step* first = first_message_step();
      const bool starts_call = sc_.role == scenario::role::callee && r.msg.is_request() && first &&
                               matches(*first, r.msg) && !stop_new_calls_ &&
                               started_ < opts_.calls && clock::now() < deadline_;
      if (!starts_call) {
        res_.trace.at(r.trace_index).note = "no call of this run has this Call-ID: ignored";
        return;
      }
      ++started_;
      auto c = std::make_shared<call>(io_, call_context(env_for(r.from), started_, call_id));
      calls_[call_id] = c;
      c->inbox.push_back(std::move(r));
      asio::co_spawn(
          io_,
          [this, c]() -> awaitable<void> {
            co_await play(*c);
            finish(*c);
          },
          asio::detached);
      return;
    }
    auto& c = *it->second;
    if (c.ended) {
      // After the end of the call, retransmissions still get their answer (13.2.2.4, 17.2.1).
      auto k = c.exchanges.on_received(r.msg, r.from);
      if (k.again) tp_.send(k.again->to, k.again->bytes, "retransmission");
      res_.trace.at(r.trace_index).note =
          k.retransmission ? k.note + " (after the call ended)" : "after the call ended: ignored";
      return;
    }
    c.inbox.push_back(std::move(r));
    c.signal.cancel();
  }

  void on_transport_error(const transport::endpoint& peer, const std::string& what) {
    for (auto& [id, c] : calls_)
      if (!c->ended && c->ctx.env().remote == peer) {
        c->transport_error = what;
        c->signal.cancel();
      }
  }

  // --- playing ------------------------------------------------------------------------------

  static bool matches(const step& s, const sip::message& m) {
    if (s.what != step::kind::recv) return false;
    if (s.response) return m.is_response() && m.status_code() == s.response;
    if (!m.is_request()) return false;
    if (s.regexp_match) {
      try {
        return std::regex_match(std::string(m.method()),
                                std::regex(s.request, std::regex::extended));
      } catch (const std::regex_error&) {
        return false;
      }
    }
    return m.method() == s.request;
  }

  void fail(call& c, const step& s, std::string text, const sip::message* msg = nullptr) {
    if (!c.result.failure.empty()) return;
    c.result.failure = fmt::format("{}:{}: {}", s.pos.file, s.pos.line, text);
    if (msg) c.result.failure_message = std::string(msg->bytes());
  }

  // Waits for the next new message of the call until `until`, meanwhile retransmitting what
  // retrans= asks and answering the device's retransmissions. Nothing on timeout.
  awaitable<std::optional<transport::received>> next_message(call& c, clock::time_point until) {
    for (;;) {
      while (!c.inbox.empty()) {
        auto r = std::move(c.inbox.front());
        c.inbox.pop_front();
        stop_retransmitting(c, r.msg);
        auto k = c.exchanges.on_received(r.msg, r.from);
        if (k.retransmission) {
          res_.trace.at(r.trace_index).note = k.note;
          if (k.again) tp_.send(k.again->to, k.again->bytes, "retransmission");
          continue;
        }
        if (k.unknown_transaction) {
          res_.trace.at(r.trace_index).note = "answers no request of this call";
        }
        co_return std::move(r);
      }
      if (!c.transport_error.empty()) co_return std::nullopt;
      const auto now = clock::now();
      if (now >= until) co_return std::nullopt;
      auto wake = until;
      if (c.retrans.active) {
        if (now >= c.retrans.give_up) {
          c.retrans.active = false;
          c.result.log.push_back(fmt::format("retransmissions of {} stopped after 64*T1",
                                             first_line(c.retrans.bytes)));
          continue;
        }
        if (now >= c.retrans.next) {
          tp_.send(c.retrans.to, c.retrans.bytes, "retransmission");
          c.retrans.next = now + c.retrans.interval;
          c.retrans.interval *= 2;
          if (c.retrans.cap.count() && c.retrans.interval > c.retrans.cap)
            c.retrans.interval = c.retrans.cap;
          continue;
        }
        wake = std::min(wake, c.retrans.next);
      }
      c.signal.expires_at(wake);
      boost::system::error_code ec;
      co_await c.signal.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  // A retransmitted message stops once its answer arrives: any response for an INVITE (Timer A,
  // 17.1.1.2), a final response for other requests (a provisional one moves the interval to T2,
  // 17.1.2.2), the ACK for an INVITE's final response (13.3.1.4, 17.2.1), any new message for
  // other responses (as SIPp does).
  void stop_retransmitting(call& c, const sip::message& m) {
    auto& r = c.retrans;
    if (!r.active) return;
    if (r.request) {
      if (!m.is_response() || transaction_id(m) != r.tx) return;
      auto cs = m.cseq();
      if (!cs || cs->method != r.method) return;
      if (r.method == "INVITE" || m.status_code() >= 200)
        r.active = false;
      else
        r.cap = r.interval = opts_.t2;
      return;
    }
    if (r.method == "INVITE") {
      if (!m.is_request() || m.method() != "ACK") return;
      auto cs = m.cseq();
      if (!cs || cs->number != r.cseq || m.call_id().value_or("") != r.call_id) return;
      if (r.status >= 300 && transaction_id(m) != r.tx) return;
      r.active = false;
      return;
    }
    r.active = false;
  }

  milliseconds scaled(milliseconds ms) const {
    // Retransmission intervals in scenario files are written for T1 = 500 ms.
    return milliseconds(ms.count() * opts_.t1.count() / 500);
  }

  bool jump(call& c, const step& s, std::size_t& pc) {
    if (s.next_index < 0) return false;
    if (!s.test.empty() && !c.ctx.test(s.test)) return false;
    if (s.chance && std::uniform_real_distribution<double>(0, 1)(rng_) >= *s.chance) return false;
    pc = static_cast<std::size_t>(s.next_index);
    return true;
  }

  bool actions(call& c, const step& s, const sip::message* msg) {
    std::string failure, int_cmd;
    std::vector<std::string> commands;
    const bool ok = c.ctx.run_actions(s.actions, msg, failure, c.result.log, int_cmd, commands);
    for (const auto& cmd : commands) processes_.spawn(cmd, c.result.log);
    if (!ok) {
      if (c.result.failure.empty()) {
        c.result.failure = failure;
        if (msg) c.result.failure_message = std::string(msg->bytes());
      }
      return false;
    }
    if (!int_cmd.empty()) {
      c.result.stopped = true;
      c.result.log.push_back("exec int_cmd=" + int_cmd);
      if (int_cmd == "stop_now" || int_cmd == "stop_gracefully") stop_new_calls_ = true;
      if (int_cmd != "stop_gracefully") return false; // ends this call, as passed
    }
    return true;
  }

  awaitable<void> play(call& c) {
    const auto& steps = sc_.steps;
    std::size_t pc = 0;
    while (pc < steps.size() && c.result.failure.empty()) {
      const step& s = steps[pc];
      switch (s.what) {
      case step::kind::label:
        ++pc;
        break;
      case step::kind::nop:
        if (!actions(c, s, nullptr)) co_return;
        if (!jump(c, s, pc)) ++pc;
        break;
      case step::kind::pause: {
        milliseconds ms = s.milliseconds.value_or(milliseconds(0));
        if (!s.pause_variable.empty())
          if (auto it = c.ctx.vars().find(s.pause_variable); it != c.ctx.vars().end())
            ms = milliseconds(static_cast<long long>(it->second.num()));
        const auto until = std::min(clock::now() + ms, deadline_);
        while (auto r = co_await next_message(c, until)) {
          fail(c, s,
               fmt::format("unexpected {} during <{}> (received {})", first_line(r->msg.bytes()),
                           s.timewait ? "timewait" : "pause", seconds(r->at - c.started)),
               &r->msg);
          co_return;
        }
        if (!c.transport_error.empty()) {
          fail(c, s, "transport error: " + c.transport_error);
          co_return;
        }
        if (!jump(c, s, pc)) ++pc;
        break;
      }
      case step::kind::send:
        if (!co_await send(c, s, pc)) co_return;
        if (!actions(c, s, nullptr)) co_return;
        c.last_send_pc = pc;
        if (!jump(c, s, pc)) ++pc;
        break;
      case step::kind::recv:
        if (!co_await receive(c, pc)) co_return;
        break;
      }
    }
  }

  awaitable<bool> send(call& c, const step& s, std::size_t pc) {
    std::string bytes = c.ctx.render(s.msg, msg_index_[pc]);
    auto own = parse_own(bytes);
    transport::endpoint to = c.ctx.env().remote;
    if (own && own->is_response())
      if (auto d = c.exchanges.response_destination(*own, opts_.proto != transport::protocol::udp))
        to = *d;
    if (own && own->is_request()) c.ctx.after_request_sent(own->method());
    if (own) c.exchanges.on_sent(*own, to, bytes);
    c.retrans.active = false;
    if (s.lost > 0 && std::uniform_real_distribution<double>(0, 100)(rng_) < s.lost) {
      c.result.log.push_back(fmt::format("{}:{}: not sent (lost={}): {}", s.pos.file, s.pos.line,
                                         s.lost, first_line(bytes)));
    } else {
      tp_.send(to, bytes);
    }
    if (s.retrans && opts_.proto == transport::protocol::udp && own) {
      auto& r = c.retrans;
      r = retransmission{};
      r.active = true;
      r.bytes = bytes;
      r.to = to;
      r.interval = std::max(milliseconds(1), scaled(*s.retrans));
      r.request = own->is_request();
      r.method = r.request ? std::string(own->method())
                           : std::string(own->cseq() ? own->cseq()->method : "");
      // Timer A doubles without cap (17.1.1.2); E and G cap at T2 (17.1.2.2, 17.2.1).
      r.cap = r.request && r.method == "INVITE" ? milliseconds(0) : opts_.t2;
      r.tx = transaction_id(*own);
      r.status = own->is_response() ? own->status_code() : 0;
      r.call_id = std::string(own->call_id().value_or(""));
      r.cseq = own->cseq() ? own->cseq()->number : 0;
      const auto now = clock::now();
      r.next = now + r.interval;
      r.interval *= 2;
      if (r.cap.count() && r.interval > r.cap) r.interval = r.cap;
      r.give_up = now + 64 * opts_.t1; // Timers B, F, H
    }
    co_return c.transport_error.empty();
  }

  awaitable<bool> receive(call& c, std::size_t& pc) {
    const auto& steps = sc_.steps;
    const step& s = steps[pc];
    // The recvs that may match now: this one and, while they are optional, the ones after it.
    std::vector<std::size_t> block{pc};
    for (std::size_t j = pc; j < steps.size() && steps[j].what == step::kind::recv &&
                             steps[j].optional && j + 1 < steps.size();) {
      ++j;
      if (steps[j].what == step::kind::label) continue;
      if (steps[j].what != step::kind::recv) break;
      block.push_back(j);
    }
    bool awaits_response = false;
    for (auto j : block) awaits_response = awaits_response || steps[j].response;
    // Bounded: the step's timeout, else 64*T1 for responses (Timers B and F, 17.1.1.2,
    // 17.1.2.2), else the run's timeout.
    auto until = deadline_;
    if (s.timeout)
      until = std::min(until, clock::now() + *s.timeout);
    else if (awaits_response)
      until = std::min(until, clock::now() + 64 * opts_.t1);
    const auto waited_from = clock::now();
    // A failure names the step that had to come: the last of the block, the others optional.
    const step& named = steps[block.back()];
    for (;;) {
      auto r = co_await next_message(c, until);
      if (!r) {
        if (!c.transport_error.empty()) {
          fail(c, s,
               fmt::format("transport error while waiting for {}: {}", awaited(s),
                           c.transport_error));
          co_return false;
        }
        if (s.ontimeout_index >= 0 && clock::now() < deadline_) {
          pc = static_cast<std::size_t>(s.ontimeout_index);
          co_return true;
        }
        std::string what = awaited(s);
        for (std::size_t k = 1; k < block.size(); ++k) what += " or " + awaited(steps[block[k]]);
        fail(c, named,
             fmt::format("timeout: no {} within {}{}", what, seconds(clock::now() - waited_from),
                         clock::now() >= deadline_ ? " (the run's --timeout)" : ""));
        co_return false;
      }
      const auto& m = r->msg;
      auto hit = std::find_if(block.begin(), block.end(),
                              [&](std::size_t j) { return matches(steps[j], m); });
      if (hit == block.end()) {
        // A provisional response out of order matching an optional recv passed already (e.g.
        // 180 after 183) is accepted where it stands, as SIPp does.
        bool earlier = false;
        for (std::size_t j = c.last_send_pc + 1; j < pc; ++j)
          earlier = earlier || (steps[j].optional && matches(steps[j], m));
        if (earlier) continue;
        std::string what = awaited(s);
        for (std::size_t k = 1; k < block.size(); ++k) what += " or " + awaited(steps[block[k]]);
        fail(c, named,
             fmt::format("unexpected {} while waiting for {}", first_line(m.bytes()), what), &m);
        co_return false;
      }
      const step& got = steps[*hit];
      c.ctx.on_received(m, got.rrs);
      if (!actions(c, got, &m)) co_return false;
      pc = *hit;
      if (!jump(c, got, pc)) ++pc;
      co_return true;
    }
  }

  const scenario::scenario& sc_;
  const run_options& opts_;
  scenario_result& res_;
  asio::io_context io_;
  transport::transport tp_;
  asio::steady_timer done_;
  std::mt19937 rng_;
  std::string token_;
  std::vector<int> msg_index_;
  std::map<std::string, std::shared_ptr<call>> calls_;
  clock::time_point deadline_;
  int started_ = 0;
  int finished_ = 0;
  bool stop_new_calls_ = false;
  child_processes processes_;
};

} // namespace

bool scenario_result::passed() const {
  return !calls.empty() &&
         std::all_of(calls.begin(), calls.end(), [](const call_result& c) { return c.passed; });
}

scenario_result run_scenario(const scenario::scenario& sc, const run_options& opts) {
  if (sc.role == scenario::role::caller && !opts.dut)
    throw setup_error(fmt::format("{}: the scenario starts by sending (sipwright is the caller): "
                                  "give the device's address with --dut HOST:PORT",
                                  sc.file));
  if (opts.calls < 1) throw setup_error("-m must be at least 1");
  scenario_result res;
  res.file = sc.file;
  res.name = sc.name;
  res.role = sc.role;
  try {
    runner r(sc, opts, res);
    r.run();
  } catch (const transport::setup_error& e) {
    throw setup_error(e.what());
  }
  return res;
}

} // namespace sipwright::engine
