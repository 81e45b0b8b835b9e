// The engine: plays a scenario's calls as Asio coroutines on one io_context, over one transport.
#include "sipwright/engine/run.hpp"

#include "agents.hpp"
#include "auto_auth.hpp"
#include "call_context.hpp"
#include "exchanges.hpp"
#include "retransmission.hpp"
#include "sipwright/engine/process.hpp"

#include "sipwright/checks/call_checks.hpp"
#include "sipwright/parser/parser.hpp"
#include "sipwright/scenario/render.hpp"
#include "sipwright/transport/transport.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/regex.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <unistd.h>

// g++ 12 takes Asio's coroutine frames, allocated and freed by the frame's own operator new and
// delete, for a mismatch: a false positive of its -Wmismatched-new-delete with coroutines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

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

// A message of the call, as next_message hands it over.
struct incoming {
  transport::received r;
  bool unknown_transaction = false; // a response to no request of this call
};

struct call {
  call(asio::io_context& io, call_context c, const checks::timing& t)
      : ctx(std::move(c)), signal(io), checks(t), scenario_checks(t, checks::judged::scenario) {
    result.call_number = ctx.call_number();
  }
  call_context ctx;
  asio::steady_timer signal;
  checks::call_checks checks;          // the rules, observing every message of the call
  checks::call_checks scenario_checks; // the same, judging what the harness sends
  std::deque<transport::received> inbox;
  engine::exchanges exchanges;
  std::list<retransmission> retransmissions;
  call_result result;
  std::string transport_error;
  bool ended = false;
  bool invite_proceeding = false;          // a provisional response to the last INVITE arrived
  std::size_t last_send_pc = 0;            // for out-of-order optional responses
  std::map<std::string, std::string> txns; // start_txn name -> transaction id (its branch)
  // The requests this call sent (ACK and CANCEL aside), by transaction id: a challenge to one
  // is answered by sending it again with credentials (RFC 3261 22.2, 22.3).
  struct sent_request {
    std::string bytes;
    sip::message parsed;
    transport::endpoint to;
    const step* from_step = nullptr;
    int with_credentials = 0; // how many times the engine answered a challenge to reach this one
    std::vector<std::string> answered; // the protection domains answered on the way (22.3)
  };
  std::map<std::string, sent_request> requests;
  std::vector<std::string> sent_to_tags; // To tags of the responses this call sent
  clock::time_point started = clock::now();
};

class runner;

// The agents of one scenario, by name: <sendCmd> hands its lines to another agent's runner, on
// that runner's own thread.
struct agent_hub {
  std::map<std::string, runner*> runners;
};

// A command between agents (<sendCmd> -> <recvCmd>).
struct command {
  std::string from;
  std::string text; // header lines, CRLF-separated
};

class runner {
public:
  runner(const scenario::scenario& sc, const run_options& opts, scenario_result& res,
         std::string agent = {}, agent_hub* hub = nullptr)
      : sc_(sc), opts_(opts), res_(res), agent_(std::move(agent)), hub_(hub),
        tp_(io_, transport_options(sc, opts), res.trace), done_(io_),
        rng_(opts.seed ? opts.seed
                       : static_cast<unsigned>(clock::now().time_since_epoch().count())) {
    res_.local = tp_.local_endpoint();
    int index = 0;
    for (const auto& s : sc_.steps) {
      msg_index_.push_back(index);
      if (s.what != step::kind::label) ++index;
    }
    // Unique among the scenarios of this process, also when several play at once with one --seed.
    static std::atomic<unsigned> runs{0};
    token_ = fmt::format("{:04x}{:x}", static_cast<unsigned>(rng_() & 0xffff), runs++);
  }

  // Called from another agent's thread: queued on this runner's own.
  void take_command(command cmd) {
    asio::post(io_, [this, cmd = std::move(cmd)]() mutable {
      commands_.push_back(std::move(cmd));
      for (auto& [id, c] : calls_) c->signal.cancel();
    });
  }

  void run() {
    const auto start = clock::now();
    deadline_ = start + opts_.timeout;
    if (opts_.interrupted && opts_.interrupted->load()) {
      res_.interrupted = opts_.interrupted->load();
      return;
    }
    if (opts_.on_listening) opts_.on_listening(tp_.proto(), tp_.local_endpoint());
    tp_.start([this](transport::received&& r) { on_message(std::move(r)); },
              [this](const transport::endpoint& peer, const std::string& what) {
                on_transport_error(peer, what);
              });
    if (sc_.role == scenario::role::callee && !opts_.trigger.empty()) trigger();
    // SIGINT/SIGTERM end the run where it stands: what was played so far is the result, marked
    // interrupted, so that the reports still get written.
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      res_.interrupted = signal;
      for (auto& [id, c] : calls_)
        if (!c->ended && c->result.failure.empty())
          c->result.failure = sc_.file + ": interrupted by signal " + std::to_string(signal);
      tp_.close();
      io_.stop();
    });
    // An exception escaping the main coroutine still closes the transport, so run() returns.
    asio::co_spawn(io_, main(), [this](const std::exception_ptr& e) {
      if (e) internal_error(e);
      tp_.close();
      signals_.cancel(); // the last pending work: io_.run() returns
    });
    io_.run();
    // Calls cut short by a signal still report what they observed.
    if (res_.interrupted)
      for (auto& [id, c] : calls_)
        if (!c->ended) finish(*c);
    processes_.stop_all();
    res_.elapsed = clock::now() - start;
  }

private:
  static transport::options transport_options(const scenario::scenario& sc,
                                              const run_options& opts) {
    transport::options o;
    o.proto = opts.proto;
    o.tls = opts.tls;
    if (opts.local)
      o.local = *opts.local;
    else if (sc.role == scenario::role::callee)
      o.local = {"127.0.0.1", transport::default_port(opts.proto)};
    else if (opts.dut && opts.dut->v6())
      o.local = {"::1", 0};
    else
      o.local = {"127.0.0.1", 0};
    return o;
  }

  bool reliable() const { return transport::stream_based(opts_.proto); }

  // Starts the command that makes the device call (its output goes to the run's log file
  // descriptors as they are; it is stopped by PID at the end of the run).
  void trigger() {
    std::string cmd = opts_.trigger;
    const auto local = tp_.local_endpoint();
    const std::pair<std::string_view, std::string> fields[] = {
        {"{host}", uri_host(local.address)},
        {"{port}", std::to_string(local.port)},
        {"{transport}", std::string(transport::lower_name(opts_.proto))},
        {"{user}", opts_.service}};
    // "${host}" is the shell's, not a placeholder.
    for (const auto& [key, value] : fields)
      for (auto at = cmd.find(key); at != std::string::npos;) {
        if (at > 0 && cmd[at - 1] == '$') {
          at = cmd.find(key, at + key.size());
          continue;
        }
        cmd.replace(at, key.size(), value);
        at = cmd.find(key, at + value.size());
      }
    processes_.spawn(cmd, res_.log, {child_processes::output::discard, {}});
  }

  void internal_error(const std::exception_ptr& e) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
    call_result r;
    r.failure = sc_.file + ": internal error: " + what;
    res_.calls.push_back(std::move(r));
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
    if (opts_.credentials)
      e.credentials = auth::credentials{opts_.credentials->user, opts_.credentials->password,
                                        opts_.credentials->realm};
    return e;
  }

  awaitable<void> main() {
    if (sc_.role == scenario::role::caller) {
      for (int n = 1; n <= opts_.calls && !stop_new_calls_ && clock::now() < deadline_; ++n) {
        // [call_id] as SIPp writes it, plus a token unique to this run.
        std::string id = fmt::format("{}-{}-{}@{}", n, ::getpid(), token_,
                                     uri_host(tp_.local_endpoint().address));
        ++started_;
        auto c = std::make_shared<call>(io_, call_context(env_for(*opts_.dut), n, id), timing());
        calls_[id] = c;
        co_await play(*c);
        finish(*c);
      }
      co_return;
    }
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
      // E.g. the device refused sipwright's TLS certificate: the reason no call came.
      if (!unclaimed_error_.empty()) r.failure += "; the last transport error: " + unclaimed_error_;
      res_.calls.push_back(std::move(r));
    }
    // Calls still playing at the deadline fail there (their waits are bounded by it too).
    while (finished_ < started_) co_await sleep(milliseconds(10));
    // The device opened the TCP connections: let it close them first, for up to T4 (RFC 3261
    // 17.1.2.2; a client still in its last pause could count our close as a failure). T4 scales
    // with T1 as the RFC's defaults relate: 5 s for T1 = 500 ms.
    const auto linger = std::min(deadline_, clock::now() + 10 * opts_.t1);
    while (tp_.accepted_connections() > 0 && clock::now() < linger)
      co_await sleep(milliseconds(10));
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

  checks::timing timing() const {
    checks::timing t;
    t.t1 = opts_.t1;
    t.t2 = opts_.t2;
    t.tolerance = opts_.timing_tolerance;
    t.reliable = reliable();
    return t;
  }

  // Sends and shows the rules what was sent (they judge the device's answers to it).
  // `again`: a retransmission (the rules time those apart from new messages).
  void send_observed(call& c, const transport::endpoint& to, const std::string& bytes,
                     const std::string& note, const sip::message* parsed = nullptr,
                     bool again = true) {
    const auto index = tp_.send(to, bytes, note);
    std::optional<sip::message> own;
    if (!parsed) {
      own = parse_own(bytes);
      parsed = own ? &*own : nullptr;
    }
    if (parsed) {
      const auto now = clock::now();
      again = again && !note.empty();
      c.checks.on_message({*parsed, checks::direction::sent, now, index, again});
      c.scenario_checks.on_message({*parsed, checks::direction::received, now, index, again});
    }
  }

  void finish(call& c) {
    c.ended = true;
    c.retransmissions.clear();
    c.checks.on_end(clock::now());
    c.result.verdicts = c.checks.result().summary();
    c.scenario_checks.on_end(clock::now());
    for (auto& v : c.scenario_checks.result().summary())
      if (v.outcome == checks::outcome::fail || v.outcome == checks::outcome::warn)
        c.result.scenario_warnings.push_back(std::move(v));
    const bool violated =
        c.checks.result().any_failure() || (opts_.strict && c.checks.result().any_warning());
    if (c.result.failure.empty() && !violated) c.result.passed = true;
    res_.calls.push_back(c.result);
    ++finished_;
    done_.cancel();
  }

  // --- incoming ---------------------------------------------------------------------------

  void on_message(transport::received&& r) {
    const std::string call_id(r.msg.call_id().value_or(""));
    auto it = calls_.find(call_id);
    if (it == calls_.end() && r.msg.is_request() && r.msg.method() == "ACK")
      it = call_of_ack(r.msg);
    // An agent plays one flow that may hold several dialogs (a REGISTER, then the INVITE the
    // device sends it): what it receives belongs to that flow.
    if (it == calls_.end() && hub_ && calls_.size() == 1) it = calls_.begin();
    if (it == calls_.end()) {
      const step* first = first_message_step();
      const bool starts_call = sc_.role == scenario::role::callee && r.msg.is_request() && first &&
                               method_matches(*first, r.msg) && !stop_new_calls_ &&
                               started_ < opts_.calls && clock::now() < deadline_;
      if (!starts_call) {
        res_.trace.at(r.trace_index).note = "no call of this run has this Call-ID: ignored";
        return;
      }
      ++started_;
      auto c =
          std::make_shared<call>(io_, call_context(env_for(r.from), started_, call_id), timing());
      calls_[call_id] = c;
      c->inbox.push_back(std::move(r));
      asio::co_spawn(
          io_, [this, c]() -> awaitable<void> { co_await play(*c); },
          [this, c](const std::exception_ptr& e) {
            if (e && c->result.failure.empty()) {
              internal_error(e);
              c->result.failure = res_.calls.back().failure;
              res_.calls.pop_back();
            }
            finish(*c);
          });
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

  // An ACK with a Call-ID no call has still belongs to the dialog whose To tag it carries (the
  // tag the harness's response gave it): the rules judge its Call-ID (RFC 3261 13.2.2.4).
  std::map<std::string, std::shared_ptr<call>>::iterator call_of_ack(const sip::message& ack) {
    auto to = ack.to();
    auto tag = to ? to->tag() : std::nullopt;
    if (!tag || tag->empty()) return calls_.end();
    for (auto it = calls_.begin(); it != calls_.end(); ++it) {
      const auto& tags = it->second->sent_to_tags;
      if (!it->second->ended && std::find(tags.begin(), tags.end(), *tag) != tags.end()) return it;
    }
    return calls_.end();
  }

  void on_transport_error(const transport::endpoint& peer, const std::string& what) {
    bool claimed = false;
    for (auto& [id, c] : calls_)
      if (!c->ended && c->ctx.env().remote == peer) {
        c->transport_error = what;
        c->signal.cancel();
        claimed = true;
      }
    if (!claimed) unclaimed_error_ = what;
  }

  // --- playing ------------------------------------------------------------------------------

  bool method_matches(const step& s, const sip::message& m) const {
    if (s.what != step::kind::recv || s.response || !m.is_request()) return false;
    if (!s.regexp_match) return m.method() == s.request;
    try {
      return boost::regex_match(std::string(m.method()), method_regex(s));
    } catch (const std::exception&) {
      return false;
    }
  }

  // request="..." with regexp_match, compiled once per step (the loader checked it compiles).
  const boost::regex& method_regex(const step& s) const {
    auto it = method_regexes_.find(&s);
    if (it == method_regexes_.end())
      it = method_regexes_.emplace(&s, boost::regex(s.request, boost::regex::extended)).first;
    return it->second;
  }

  // Whether `in` is what recv step `s` waits for. A response must answer a request of this call
  // (its transaction: branch and CSeq method, RFC 3261 17.1.3), and with response_txn the
  // request that started that transaction.
  bool matches(const call& c, const step& s, const incoming& in) const {
    if (s.what != step::kind::recv) return false;
    const auto& m = in.r.msg;
    if (!s.response) return method_matches(s, m);
    if (!m.is_response() || m.status_code() != s.response || in.unknown_transaction) return false;
    if (s.response_txn.empty()) return true;
    auto it = c.txns.find(s.response_txn);
    return it != c.txns.end() && it->second == transaction_id(m);
  }

  void fail(call& c, const step& s, std::string text, const sip::message* msg = nullptr) {
    if (!c.result.failure.empty()) return;
    c.result.failure = fmt::format("{}:{}: {}", s.pos.file, s.pos.line, text);
    if (msg) c.result.failure_message = std::string(msg->bytes());
  }

  // Waits for the next new message of the call until `until`, meanwhile retransmitting what is
  // due and answering the device's retransmissions. Nothing on timeout or a transport error.
  // `command_from`: also return (with nothing) once a command from that agent ("": any) waits.
  awaitable<std::optional<incoming>> next_message(call& c, clock::time_point until,
                                                  const std::string* command_from = nullptr) {
    for (;;) {
      if (command_from && has_command(*command_from)) co_return std::nullopt;
      while (!c.inbox.empty()) {
        auto r = std::move(c.inbox.front());
        c.inbox.pop_front();
        c.retransmissions.remove_if(
            [&](retransmission& x) { return x.stopped_by(r.msg, opts_.t2); });
        auto k = c.exchanges.on_received(r.msg, r.from);
        c.checks.on_message(
            {r.msg, checks::direction::received, r.at, r.trace_index, k.retransmission});
        c.scenario_checks.on_message(
            {r.msg, checks::direction::sent, r.at, r.trace_index, k.retransmission});
        if (k.retransmission) {
          res_.trace.at(r.trace_index).note = k.note;
          if (k.again) send_observed(c, k.again->to, k.again->bytes, "retransmission");
          continue;
        }
        if (k.unknown_transaction)
          res_.trace.at(r.trace_index).note = "answers no request of this call";
        else if (r.msg.is_response() && r.msg.status_code() < 200 &&
                 r.msg.cseq().value_or(sip::cseq{}).method == "INVITE")
          c.invite_proceeding = true;
        co_return incoming{std::move(r), k.unknown_transaction};
      }
      if (!c.transport_error.empty()) co_return std::nullopt;
      const auto now = clock::now();
      if (now >= until) co_return std::nullopt;
      auto wake = until;
      for (auto it = c.retransmissions.begin(); it != c.retransmissions.end();) {
        if (now >= it->give_up) {
          c.result.log.push_back(
              fmt::format("retransmissions of {} stopped after 64*T1", first_line(it->bytes)));
          it = c.retransmissions.erase(it);
          continue;
        }
        if (now >= it->next) {
          send_observed(c, it->to, it->bytes, "retransmission", &it->parsed);
          it->sent_at(now);
        }
        wake = std::min(wake, it->next);
        ++it;
      }
      c.signal.expires_at(wake);
      boost::system::error_code ec;
      co_await c.signal.async_wait(asio::redirect_error(use_awaitable, ec));
    }
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

  bool lost(const step& s) {
    return s.lost > 0 && std::uniform_real_distribution<double>(0, 100)(rng_) < s.lost;
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
      case step::kind::pause:
        if (!co_await pause(c, s)) co_return;
        if (!jump(c, s, pc)) ++pc;
        break;
      case step::kind::send:
        if (!send(c, s, pc)) co_return;
        if (!actions(c, s, nullptr)) co_return;
        c.last_send_pc = pc;
        if (!jump(c, s, pc)) ++pc;
        break;
      case step::kind::recv:
        if (!co_await receive(c, pc)) co_return;
        break;
      case step::kind::send_cmd:
        send_command(c, s);
        if (!actions(c, s, nullptr)) co_return;
        if (!jump(c, s, pc)) ++pc;
        break;
      case step::kind::recv_cmd:
        if (!co_await receive_command(c, s)) co_return;
        if (!jump(c, s, pc)) ++pc;
        break;
      }
    }
  }

  // The first queued command from that agent ("": any), else end().
  std::deque<command>::iterator find_command(const std::string& from) {
    return std::find_if(commands_.begin(), commands_.end(),
                        [&](const command& cmd) { return from.empty() || cmd.from == from; });
  }
  bool has_command(const std::string& from) { return find_command(from) != commands_.end(); }

  // <sendCmd dest>: the lines, rendered here, go to the other agent.
  void send_command(call& c, const step& s) {
    auto text = scenario::render(s.msg, c.ctx);
    while (text.ends_with("\r\n")) text.resize(text.size() - 2);
    c.result.log.push_back(
        fmt::format("{}:{}: command to {}: {}", s.pos.file, s.pos.line, s.peer, first_line(text)));
    if (hub_)
      if (auto it = hub_->runners.find(s.peer); it != hub_->runners.end())
        it->second->take_command({agent_, std::move(text)});
  }

  // <recvCmd src>: waits for a command from that agent (any, without src), bounded by timeout=
  // and the run's bound; the SIP messages meanwhile are handled as during a pause. The command
  // becomes the last message: [last_Name:] and the step's actions see its lines.
  awaitable<bool> receive_command(call& c, const step& s) {
    const auto started = clock::now();
    const auto until = s.timeout ? std::min(deadline_, started + *s.timeout) : deadline_;
    const auto from = s.peer.empty() ? std::string("another agent") : s.peer;
    for (;;) {
      auto it = find_command(s.peer);
      if (it != commands_.end()) {
        const auto bytes =
            "COMMAND sip:" + it->from + "@sipwright.invalid SIP/2.0\r\n" + it->text + "\r\n\r\n";
        commands_.erase(it);
        auto msg = parse_own(bytes);
        if (!msg) {
          fail(c, s, "the command from " + from + " is not header lines");
          co_return false;
        }
        c.ctx.on_received(*msg, false);
        co_return actions(c, s, &*msg);
      }
      auto in = co_await next_message(c, until, &s.peer);
      if (in) {
        if (global_optional(c, *in)) {
          if (!c.result.failure.empty()) co_return false;
          continue;
        }
        fail(c, s,
             fmt::format("unexpected {} while waiting for a command from {}",
                         first_line(in->r.msg.bytes()), from),
             &in->r.msg);
        co_return false;
      }
      if (has_command(s.peer)) continue;
      if (!c.transport_error.empty()) {
        fail(c, s,
             "transport error while waiting for a command from " + from + ": " + c.transport_error);
        co_return false;
      }
      if (clock::now() >= until) {
        fail(c, s,
             fmt::format("timeout: no command from {} within {}{}", from,
                         seconds(clock::now() - started),
                         clock::now() >= deadline_ ? " (the run's --timeout)" : ""));
        co_return false;
      }
    }
  }

  awaitable<bool> pause(call& c, const step& s) {
    milliseconds ms = s.milliseconds.value_or(milliseconds(0));
    if (s.t1_multiple)
      ms = milliseconds(
          static_cast<long long>(*s.t1_multiple * static_cast<double>(opts_.t1.count())));
    if (!s.pause_variable.empty())
      if (auto it = c.ctx.vars().find(s.pause_variable); it != c.ctx.vars().end()) {
        // A value from the device: clamped to the run's bound.
        const double v =
            std::clamp(it->second.num(), 0.0, static_cast<double>(opts_.timeout.count()));
        ms = milliseconds(static_cast<long long>(v));
      }
    const auto until = std::min(clock::now() + ms, deadline_);
    for (;;) {
      auto in = co_await next_message(c, until);
      if (!in) {
        if (c.transport_error.empty()) co_return true;
        // Nothing is awaited during a pause: a failed retransmission (the device went away,
        // RFC 3261 17.2.4) ends the retransmissions, not the call.
        c.result.log.push_back(fmt::format("{}:{}: transport error during <{}>: {}", s.pos.file,
                                           s.pos.line, s.timewait ? "timewait" : "pause",
                                           c.transport_error));
        c.transport_error.clear();
        c.retransmissions.clear();
        continue;
      }
      // A message the pause cannot take: an optional="global" recv still may.
      if (global_optional(c, *in)) {
        if (!c.result.failure.empty()) co_return false;
        continue;
      }
      fail(c, s,
           fmt::format("unexpected {} during <{}> (received {} into the call)",
                       first_line(in->r.msg.bytes()), s.timewait ? "timewait" : "pause",
                       seconds(in->r.at - c.started)),
           &in->r.msg);
      co_return false;
    }
  }

  // optional="global": the recv takes its message wherever the scenario stands, as in SIPp.
  bool global_optional(call& c, const incoming& in) {
    for (const auto& s : sc_.steps)
      if (s.optional_global && matches(c, s, in)) {
        c.ctx.on_received(in.r.msg, s.rrs, s.auth);
        actions(c, s, &in.r.msg); // a failure is in the call's result
        return true;
      }
    return false;
  }

  // Arms the harness's own retransmission of a message it sent, as the transaction layer and
  // the UAS core do (RFC 3261 17.1.1.2 Timer A and 17.1.2.2 Timer E over UDP; 13.3.1.4 the 2xx
  // to INVITE over any transport; 17.2.1 Timer G over UDP). retrans="N" sets the first interval
  // (scaled by --t1); retrans="0" turns it off, to provoke the device.
  void arm_retransmission(call& c, const step& s, const sip::message& own, const std::string& bytes,
                          const transport::endpoint& to) {
    if (s.retrans && s.retrans->count() == 0) return;
    const bool request = own.is_request();
    const std::string method =
        request ? std::string(own.method()) : std::string(own.cseq().value_or(sip::cseq{}).method);
    bool wanted = false;
    if (request)
      wanted = !reliable() && method != "ACK";
    else if (method == "INVITE" && own.status_code() >= 200)
      wanted = own.status_code() < 300 || !reliable();
    if (!wanted) return;
    retransmission r;
    r.bytes = bytes;
    r.parsed = own;
    r.to = to;
    r.interval = std::max(milliseconds(1), s.retrans ? scaled(*s.retrans) : opts_.t1);
    r.request = request;
    r.method = method;
    // Timer A doubles without cap (17.1.1.2); E, G and the 2xx cap at T2 (17.1.2.2, 17.2.1,
    // 13.3.1.4).
    r.cap = request && method == "INVITE" ? milliseconds(0) : opts_.t2;
    r.tx = transaction_id(own);
    r.status = request ? 0 : own.status_code();
    r.call_id = std::string(own.call_id().value_or(""));
    r.cseq = own.cseq() ? own.cseq()->number : 0;
    const auto now = clock::now();
    r.give_up = now + 64 * opts_.t1; // Timers B, F, H
    r.sent_at(now);
    // A new copy of the same message (a scenario re-sending it) replaces the old schedule.
    c.retransmissions.remove_if([&](const retransmission& x) {
      return x.tx == r.tx && x.request == r.request && x.status == r.status;
    });
    c.retransmissions.push_back(std::move(r));
  }

  bool send(call& c, const step& s, std::size_t pc) {
    std::string branch;
    if (!s.ack_txn.empty())
      if (auto it = c.txns.find(s.ack_txn); it != c.txns.end()) branch = it->second;
    std::string bytes = c.ctx.render(s.msg, msg_index_[pc], branch);
    if (!c.ctx.render_error().empty()) {
      fail(c, s, c.ctx.render_error());
      return false;
    }
    auto own = parse_own(bytes);
    transport::endpoint to = c.ctx.env().remote;
    if (own && own->is_response())
      if (auto d = c.exchanges.response_destination(*own, reliable())) to = *d;
    if (own) {
      c.exchanges.on_sent(*own, to, bytes);
      if (own->is_response())
        if (auto t = own->to(); t && t->tag()) c.sent_to_tags.emplace_back(*t->tag());
      if (own->is_request()) {
        c.invite_proceeding = false;
        if (!s.start_txn.empty()) c.txns[s.start_txn] = transaction_id(*own);
        if (own->method() != "ACK" && own->method() != "CANCEL")
          c.requests.insert_or_assign(transaction_id(*own),
                                      call::sent_request{bytes, *own, to, &s, 0, {}});
      }
    }
    if (lost(s))
      c.result.log.push_back(fmt::format("{}:{}: not sent (lost={}): {}", s.pos.file, s.pos.line,
                                         s.lost, first_line(bytes)));
    else
      send_observed(c, to, bytes, "", own ? &*own : nullptr);
    // A message that does not parse is sent verbatim, once: the scenario provokes the device.
    if (own) arm_retransmission(c, s, *own, bytes, to);
    return c.transport_error.empty();
  }

  // RFC 3261 22.2, 22.3: a 401 or 407 the scenario does not wait for, to a request of this call,
  // is answered by the engine: the ACK of the challenge to an INVITE (17.1.1.3), then the request
  // again with credentials, CSeq one higher and a new branch (8.1.3.5). A challenge to that answer
  // means the credentials were refused, unless it says the nonce was stale (RFC 7616 3.3).
  // Returns false, with why in `why` when it is worth saying, to leave the message to the caller.
  bool authenticate(call& c, const incoming& in, std::string& why) {
    const auto& m = in.r.msg;
    if (!m.is_response() || (m.status_code() != 401 && m.status_code() != 407) ||
        in.unknown_transaction)
      return false;
    const auto it = c.requests.find(transaction_id(m));
    if (it == c.requests.end()) return false;
    const auto& req = it->second;
    const std::string method(req.parsed.method());
    if (method == "INVITE") {
      const auto ack = ack_of_non2xx(req.parsed, m);
      const auto own = parse_own(ack);
      if (own) c.exchanges.on_sent(*own, req.to, ack);
      send_observed(c, req.to, ack, "ACK of the challenge, sent by sipwright (RFC 3261 17.1.1.3)",
                    own ? &*own : nullptr, false);
    }
    const auto parsed = auth::parse_challenges(m);
    const bool stale = std::any_of(parsed.challenges.begin(), parsed.challenges.end(),
                                   [](const auth::challenge& ch) { return ch.stale; });
    if (req.with_credentials >= 4) {
      why = "the device challenged again the credentials sipwright answered with";
      return false;
    }
    std::string realm;
    const auto line =
        c.ctx.answer_challenge(m, method, req.parsed.request_uri(), req.parsed.body(), why, realm);
    if (line.empty()) return false;
    // A challenge for a protection domain already answered means the credentials were refused,
    // unless the nonce was stale; one for another (a 401 behind a proxy's 407) is answered too.
    const auto domain = line.substr(0, line.find(':')) + " realm \"" + realm + "\"";
    const bool again =
        std::find(req.answered.begin(), req.answered.end(), domain) != req.answered.end();
    if (again && !stale) {
      why = "the device challenged again the credentials sipwright answered with (" + domain + ")";
      return false;
    }
    const auto cseq = (req.parsed.cseq() ? req.parsed.cseq()->number : 0) + 1;
    auto bytes = with_credentials(req.parsed, c.ctx.fresh_branch(), cseq, line, realm);
    auto own = parse_own(bytes);
    if (!own) {
      why = "internal error: the request with credentials does not parse";
      return false;
    }
    const auto old_tx = it->first;
    const auto new_tx = transaction_id(*own);
    call::sent_request next{bytes,       *own, req.to, req.from_step, req.with_credentials + 1,
                            req.answered};
    if (!again) next.answered.push_back(domain);
    c.requests.erase(it);
    c.ctx.retried_with_credentials(method, line);
    for (auto& [name, tx] : c.txns)
      if (tx == old_tx) tx = new_tx;
    c.exchanges.on_sent(*own, next.to, bytes);
    c.invite_proceeding = false;
    c.result.log.push_back(fmt::format("answered the {} to {} with {} (RFC 3261 22.{}){}",
                                       m.status_code(), method, line.substr(0, line.find(':')),
                                       m.status_code() == 401 ? 2 : 3,
                                       stale ? ", stale nonce" : ""));
    send_observed(c, next.to, bytes, "sent again with credentials by sipwright (RFC 3261 22.2)",
                  &*own, false);
    arm_retransmission(c, *next.from_step, *own, bytes, next.to);
    c.requests.insert_or_assign(new_tx, std::move(next));
    return true;
  }

  // The recvs that may match at `pc`: this one and, while they are optional, the ones after it
  // (labels in between do not count, as in SIPp).
  std::vector<std::size_t> recv_block(std::size_t pc) const {
    const auto& steps = sc_.steps;
    std::vector<std::size_t> block{pc};
    for (std::size_t j = pc + 1; steps[block.back()].optional && j < steps.size(); ++j) {
      if (steps[j].what == step::kind::label) continue;
      if (steps[j].what != step::kind::recv) break;
      block.push_back(j);
    }
    return block;
  }

  awaitable<bool> receive(call& c, std::size_t& pc) {
    const auto& steps = sc_.steps;
    const step& s = steps[pc];
    const auto block = recv_block(pc);
    bool awaits_response = false, awaits_ack = false;
    for (auto j : block) {
      awaits_response = awaits_response || steps[j].response;
      awaits_ack = awaits_ack || (!steps[j].response && steps[j].request == "ACK");
    }
    // Bounded: the step's timeout; else 64*T1 for a response (Timers B and F, 17.1.1.2,
    // 17.1.2.2), unless a provisional response put the INVITE in Proceeding, which has no timer;
    // 64*T1 for an ACK (Timer H, 17.2.1; 13.3.1.4); else the run's timeout. A request the engine
    // sent again with credentials starts the wait anew.
    auto now = clock::now();
    auto until = deadline_;
    const auto bound = [&] {
      now = clock::now();
      until = deadline_;
      if (s.timeout)
        until = std::min(until, now + *s.timeout);
      else if (s.timeout_t1)
        until = std::min(until, now + milliseconds(static_cast<long long>(
                                          *s.timeout_t1 * static_cast<double>(opts_.t1.count()))));
      else if ((awaits_response && !c.invite_proceeding) || awaits_ack)
        until = std::min(until, now + 64 * opts_.t1);
    };
    bound();
    // A failure names the step that had to come: the last of the block, the others optional.
    const step& named = steps[block.back()];
    std::string what = awaited(s);
    for (std::size_t k = 1; k < block.size(); ++k) what += " or " + awaited(steps[block[k]]);
    for (;;) {
      auto in = co_await next_message(c, until);
      if (!in) {
        if (!c.transport_error.empty()) {
          fail(c, named,
               fmt::format("transport error while waiting for {}: {}", what, c.transport_error));
          co_return false;
        }
        if (s.ontimeout_index >= 0 && clock::now() < deadline_) {
          pc = static_cast<std::size_t>(s.ontimeout_index);
          co_return true;
        }
        fail(c, named,
             fmt::format("timeout: no {} within {}{}", what, seconds(clock::now() - now),
                         clock::now() >= deadline_ ? " (the run's --timeout)" : ""));
        co_return false;
      }
      const auto& m = in->r.msg;
      auto hit = std::find_if(block.begin(), block.end(),
                              [&](std::size_t j) { return matches(c, steps[j], *in); });
      if (hit == block.end()) {
        // An optional response out of order (e.g. 180 after 183) is taken by the optional recv
        // it matches, where the scenario stands, as SIPp does; so is an optional="global" one.
        const step* earlier = nullptr;
        for (std::size_t j = c.last_send_pc + 1; j < pc && !earlier; ++j)
          if (steps[j].optional && matches(c, steps[j], *in)) earlier = &steps[j];
        if (earlier) {
          c.ctx.on_received(m, earlier->rrs, earlier->auth);
          if (!actions(c, *earlier, &m)) co_return false;
          continue;
        }
        if (global_optional(c, *in)) {
          if (!c.result.failure.empty()) co_return false;
          continue;
        }
        std::string unanswered;
        if (awaits_response && authenticate(c, *in, unanswered)) {
          bound();
          continue;
        }
        fail(c, named,
             fmt::format("unexpected {} while waiting for {}{}", first_line(m.bytes()), what,
                         in->unknown_transaction ? " (it answers no request of this call)"
                         : unanswered.empty()
                             ? ""
                             : " (a challenge sipwright could not answer: " + unanswered + ")"),
             &m);
        co_return false;
      }
      const step& got = steps[*hit];
      if (lost(got)) {
        c.result.log.push_back(fmt::format("{}:{}: dropped on receipt (lost={}): {}", got.pos.file,
                                           got.pos.line, got.lost, first_line(m.bytes())));
        continue;
      }
      c.ctx.on_received(m, got.rrs, got.auth);
      // RFC 3261 22.2, 22.3: after a [challenge], the device's credentials are judged.
      if (auto check = c.ctx.check_credentials(m))
        c.checks.on_credentials(in->r.trace_index, check->problem, check->note);
      if (!actions(c, got, &m)) co_return false;
      pc = *hit;
      if (!jump(c, got, pc)) ++pc;
      co_return true;
    }
  }

  const scenario::scenario& sc_;
  const run_options& opts_;
  scenario_result& res_;
  std::string agent_;        // in a scenario with several agents: this one's name
  agent_hub* hub_ = nullptr; // and the others
  std::deque<command> commands_;
  asio::io_context io_;
  transport::transport tp_;
  std::string unclaimed_error_; // the last transport error no call was waiting for
  asio::steady_timer done_;
  asio::signal_set signals_{io_, SIGINT, SIGTERM};
  std::mt19937 rng_;
  std::string token_;
  std::vector<int> msg_index_;
  std::map<std::string, std::shared_ptr<call>> calls_;
  mutable std::map<const step*, boost::regex> method_regexes_;
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

// The agents play at once, each as its own scenario on its own thread and transport.
scenario_result run_agents(const scenario::scenario& sc, const run_options& opts,
                           scenario_result base) {
  const auto n = sc.agents.size();
  std::vector<scenario::scenario> flows;
  std::vector<run_options> options(n, opts);
  std::vector<agent_result> results(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = sc.agents[i];
    flows.push_back(agent_scenario(sc, a));
    auto& o = options[i];
    o.calls = 1;
    o.trigger.clear();
    o.on_listening = nullptr;
    o.local = transport::endpoint{opts.local                   ? opts.local->address
                                  : opts.dut && opts.dut->v6() ? "::1"
                                                               : "127.0.0.1",
                                  0};
    if (auto it = opts.agents.find(a.name); it != opts.agents.end()) {
      if (it->second.local) o.local = it->second.local;
      if (it->second.credentials) o.credentials = it->second.credentials;
    }
    results[i].name = a.name;
  }
  agent_hub hub;
  std::vector<std::unique_ptr<runner>> runners;
  try {
    for (std::size_t i = 0; i < n; ++i) {
      runners.push_back(std::make_unique<runner>(flows[i], options[i], results[i].result,
                                                 sc.agents[i].name, &hub));
      hub.runners[sc.agents[i].name] = runners.back().get();
    }
  } catch (const transport::setup_error& e) {
    throw setup_error(e.what());
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back([&runners, i] { runners[i]->run(); });
  runners[0]->run();
  for (auto& t : threads) t.join();
  return merge_agents(std::move(base), std::move(results));
}

scenario_result run_scenario(const scenario::scenario& sc, const run_options& opts) {
  if (!sc.agents.empty()) {
    if (!opts.dut)
      throw setup_error(fmt::format("{}: the agents of the scenario play through the device: "
                                    "give its address with --dut HOST:PORT",
                                    sc.file));
    if (opts.calls != 1)
      throw setup_error(fmt::format("{}: -m does not apply to a scenario with agents: each agent "
                                    "plays its flow once",
                                    sc.file));
    scenario_result base;
    base.id = sc.meta ? sc.meta->id : std::string();
    base.file = sc.file;
    base.name = sc.name;
    base.role = sc.role;
    return run_agents(sc, opts, std::move(base));
  }
  if (sc.role == scenario::role::caller && !opts.dut)
    throw setup_error(fmt::format("{}: the scenario starts by sending (sipwright is the caller): "
                                  "give the device's address with --dut HOST:PORT",
                                  sc.file));
  if (opts.calls < 1) throw setup_error("-m must be at least 1");
  scenario_result res;
  res.id = sc.meta ? sc.meta->id : std::string();
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
