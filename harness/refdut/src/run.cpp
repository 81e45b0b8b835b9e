// sipwright refdut: options checked, the transport bound, the user agent run on one io_context
// until a signal, the calls asked for, the caller's call or --timeout.
#include "fault_set.hpp"
#include "scheduler.hpp"
#include "user_agent.hpp"

#include "sipwright/refdut/refdut.hpp"
#include "sipwright/transport/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <ostream>

namespace sipwright::refdut {

namespace {

struct setup_error {
  std::string what;
};

detail::ua_config config_of(const refdut_options& o) {
  detail::ua_config c;
  const auto proto = transport::protocol_from(o.transport);
  if (!proto) throw setup_error{"--transport must be udp, tcp or tls, not '" + o.transport + "'"};
  c.proto = *proto;
  if (o.t1_ms <= 0 || o.t2_ms < o.t1_ms)
    throw setup_error{"--t1 must be positive and --t2 at least --t1"};
  c.timers.t1 = std::chrono::milliseconds(o.t1_ms);
  c.timers.t2 = std::chrono::milliseconds(o.t2_ms);
  c.timers.reliable = transport::stream_based(c.proto);
  // Timer D: 32 s at the default T1 (17.1.1.2), scaled with a scaled T1.
  c.timers.d_unreliable = 64 * c.timers.t1;
  for (const auto& name : o.faults) {
    const auto f = detail::fault_from(name);
    if (!f) throw setup_error{"unknown fault '" + name + "' (see --list-faults)"};
    c.faults.add(*f);
  }
  if (o.answer != 200 && o.answer != 380 && o.answer != 486 && o.answer != 503)
    throw setup_error{"--answer must be 200, 380, 486 or 503"};
  c.answer = o.answer;
  if (o.ring_ms < 0 || o.hangup_after_ms < 0 || o.calls < 0 || o.timeout_s < 0)
    throw setup_error{"--ring, --hangup-after, --calls and --timeout cannot be negative"};
  c.ring = std::chrono::milliseconds(o.ring_ms);
  c.max_calls = o.calls;
  c.user = o.user;
  c.hangup_after = std::chrono::milliseconds(o.hangup_after_ms);
  c.late_offer = o.late_offer;
  c.route = o.route;
  // 22.2, 22.3: credentials come from the environment only (no password in shell history).
  const char* auth_user = std::getenv("SIPWRIGHT_REFDUT_AUTH_USER");
  const char* auth_password = std::getenv("SIPWRIGHT_REFDUT_AUTH_PASSWORD");
  if (auth_user && *auth_user && auth_password)
    c.credentials = auth::credentials{auth_user, auth_password, ""};
  if (!o.call.empty()) {
    const auto target = transport::parse_endpoint(o.call, transport::default_port(c.proto));
    if (!target) throw setup_error{"--call must be HOST:PORT (numeric), not '" + o.call + "'"};
    c.target = *target;
  }
  return c;
}

} // namespace

int run_refdut(const refdut_options& opts, std::ostream& out, std::ostream& err) {
  if (opts.list_faults) {
    for (const auto& f : faults()) {
      std::string name(f.name);
      name.resize(std::max<std::size_t>(name.size(), 28), ' ');
      out << name << ' ' << f.description << " [" << f.rule << "]\n";
    }
    return exit_ok;
  }
  detail::ua_config cfg;
  transport::options topts;
  try {
    cfg = config_of(opts);
    topts.proto = cfg.proto;
    if (opts.tls_cert.empty() != opts.tls_key.empty())
      throw setup_error{"--tls-cert and --tls-key go together (a certificate and its key)"};
    topts.tls.certificate = opts.tls_cert;
    topts.tls.private_key = opts.tls_key;
    topts.tls.ca = opts.tls_ca;
    topts.tls.verify = !opts.tls_insecure;
    const std::string local = opts.local.empty()
                                  ? (cfg.target && cfg.target->v6() ? "[::1]:0" : "127.0.0.1:0")
                                  : opts.local;
    const auto ep = transport::parse_endpoint(local, 5060);
    if (!ep) throw setup_error{"--local must be IP:PORT, not '" + local + "'"};
    topts.local = *ep;
  } catch (const setup_error& e) {
    err << "sipwright refdut: error: " << e.what << '\n';
    return exit_usage;
  }

  boost::asio::io_context io;
  transport::trace trace;
  std::unique_ptr<transport::transport> tp;
  try {
    tp = std::make_unique<transport::transport>(io, topts, trace);
  } catch (const transport::setup_error& e) {
    err << "sipwright refdut: error: " << e.what() << '\n';
    return exit_usage;
  }
  detail::scheduler sched(io);
  int code = exit_ok;
  bool stopping = false;
  auto stop = [&](int c) {
    if (stopping) return;
    stopping = true;
    code = c;
    // A moment for the last messages to leave, then the loop ends.
    sched.post([&] {
      tp->close();
      sched.cancel_all();
      io.stop();
    });
  };
  const bool caller = cfg.target.has_value();
  detail::user_agent ua(cfg, sched, *tp, out, stop);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop(caller && !ua.call_completed() ? exit_failed : exit_ok);
  });
  const double timeout = opts.timeout_s > 0 ? opts.timeout_s : (caller ? 60.0 : 0.0);
  if (timeout > 0)
    sched.after(std::chrono::milliseconds(static_cast<long>(timeout * 1000)), [&] {
      out << "refdut: timeout after " << timeout << " s" << std::endl;
      const bool ok = caller ? ua.call_completed()
                             : (cfg.max_calls == 0 || ua.finished_calls() >= cfg.max_calls);
      stop(ok ? exit_ok : exit_failed);
    });
  tp->start([&](transport::received&& r) { ua.on_message(std::move(r)); },
            [&](const transport::endpoint& peer, const std::string& what) {
              ua.on_transport_error(peer, what);
            });
  if (caller)
    out << "calling " << cfg.target->str() << " from " << transport::to_string(cfg.proto) << ' '
        << tp->local_endpoint().str() << std::endl;
  else
    out << "listening on " << transport::to_string(cfg.proto) << ' ' << tp->local_endpoint().str()
        << std::endl;
  if (opts.on_listening) opts.on_listening(tp->local_endpoint().str());
  if (caller) ua.start_call();
  io.run();
  return code;
}

} // namespace sipwright::refdut
