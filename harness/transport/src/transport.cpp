// UDP, TCP and TLS over Boost.Asio (RFC 3261 18, 26.2). Every operation's handler holds a
// shared_ptr to the state it uses, so destroying the transport while operations are pending is
// safe: close() marks the state closed and the aborted handlers return without touching the trace
// or the user's handlers.
#include "sipwright/transport/transport.hpp"

#include "sipwright/parser/parser.hpp"

#include "tls_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace sipwright::transport {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;
using wall_clock = std::chrono::system_clock;

endpoint to_endpoint(const asio::ip::address& a, std::uint16_t port) {
  return endpoint{a.to_string(), port};
}

template <class Endpoint>
endpoint to_endpoint(const Endpoint& e) {
  return to_endpoint(e.address(), e.port());
}

std::optional<asio::ip::address> address_of(const std::string& text) {
  error_code ec;
  auto a = asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return a;
}

// "LINE:COL: text (section) [code]", as the lint command prints parse errors.
std::string describe(const parser::parse_error& e) {
  std::string s = std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.text;
  if (!e.section.empty()) s += " (" + std::string(e.section) + ")";
  if (!e.code.empty()) s += " [" + std::string(e.code) + "]";
  return s;
}

void add_note(trace_entry& e, std::string_view note) {
  if (!e.note.empty()) e.note += "; ";
  e.note += note;
}

bool only_crlf(std::string_view s) {
  return !s.empty() && s.find_first_not_of("\r\n") == std::string_view::npos;
}

// An ICMP error for a datagram we sent: where it went and what the network said.
struct icmp_error {
  endpoint to;
  error_code ec;
};

// Linux tells an unconnected UDP socket about ICMP errors only with IP_RECVERR / IPV6_RECVERR;
// they then queue on the socket's error queue with the refused datagram's destination.
void want_icmp_errors([[maybe_unused]] udp::socket& s, [[maybe_unused]] bool v6) {
#if defined(__linux__)
  const int on = 1;
  if (v6)
    ::setsockopt(s.native_handle(), IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
  else
    ::setsockopt(s.native_handle(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
#endif
}

// Empties the socket's error queue (it counts against the receive buffer).
std::vector<icmp_error> take_icmp_errors([[maybe_unused]] udp::socket& s) {
  std::vector<icmp_error> out;
#if defined(__linux__)
  for (int i = 0; i < 256; ++i) { // bounded: the queue is finite, but never spin
    sockaddr_storage name{};
    char data[1];
    iovec iov{data, sizeof data};
    alignas(cmsghdr) char control[512];
    msghdr m{};
    m.msg_name = &name;
    m.msg_namelen = sizeof name;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    if (::recvmsg(s.native_handle(), &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
    int err = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
          (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
        sock_extended_err ee;
        std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
        err = static_cast<int>(ee.ee_errno);
      }
    }
    udp::endpoint to;
    if (err == 0 || m.msg_namelen > to.capacity()) continue;
    std::memcpy(to.data(), &name, m.msg_namelen);
    to.resize(m.msg_namelen);
    out.push_back({to_endpoint(to), error_code(err, boost::system::system_category())});
  }
#endif
  return out;
}

template <class Socket>
void set_buffers(Socket& s, std::size_t size) {
  // The kernel may cap (or double) what is asked; a refusal is not a setup error.
  const int n = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  error_code ignored;
  s.set_option(asio::socket_base::receive_buffer_size(n), ignored);
  s.set_option(asio::socket_base::send_buffer_size(n), ignored);
}

// What the UDP and TCP transports share: options, the trace, the user's handlers.
class core : public std::enable_shared_from_this<core> {
public:
  core(asio::io_context& io, options opts, trace& tr)
      : io_(io), opts_(std::move(opts)), trace_(tr) {}
  virtual ~core() = default;

  virtual void start() = 0;
  virtual std::size_t send(const endpoint& to, std::string bytes, const std::string& note) = 0;
  virtual void close() = 0;
  virtual std::size_t accepted_connections() const { return 0; }

  void set_handlers(transport::message_handler on_message, transport::error_handler on_error) {
    on_message_ = std::move(on_message);
    on_error_ = std::move(on_error);
  }
  const endpoint& local() const { return local_; }
  protocol proto() const { return opts_.proto; }

protected:
  std::string setup_text(std::string_view what, const std::string& why) const {
    return "cannot " + std::string(what) + " " + std::string(to_string(opts_.proto)) + " " +
           opts_.local.str() + ": " + why;
  }

  // The address to bind: numeric IPv4 or IPv6 ("localhost" is taken as 127.0.0.1).
  asio::ip::address bind_address() const {
    std::string text = opts_.local.address == "localhost" ? "127.0.0.1" : opts_.local.address;
    auto a = address_of(text);
    if (!a) throw setup_error(setup_text("bind", "not a numeric IP address"));
    return *a;
  }

  std::size_t record(direction d, endpoint local, endpoint remote, std::string bytes,
                     std::string parse_error, std::string note, steady::time_point at,
                     wall_clock::time_point wall) {
    trace_entry e;
    e.at = at;
    e.wall = wall;
    e.dir = d;
    e.proto = opts_.proto;
    e.local = std::move(local);
    e.remote = std::move(remote);
    e.bytes = std::move(bytes);
    e.parse_error = std::move(parse_error);
    e.note = std::move(note);
    return trace_.add(std::move(e));
  }

  void deliver(sip::message&& msg, const endpoint& from, steady::time_point at, std::size_t index) {
    if (closed_ || !on_message_) return;
    on_message_(received{std::move(msg), from, at, index});
  }

  void report(const endpoint& peer, const std::string& what) {
    if (closed_ || !on_error_) return;
    on_error_(peer, what);
  }

  // Reports from the io_context rather than from inside send().
  void post_report(endpoint peer, std::string what) {
    asio::post(io_, [self = shared_from_this(), peer = std::move(peer), what = std::move(what)] {
      self->report(peer, what);
    });
  }

  parser::options parser_options(parser::mode m) const {
    parser::options o;
    o.mode = m;
    o.limits.max_message = opts_.max_message;
    o.validate = true;
    o.strict = false; // grammar findings travel with the message: the checks judge them
    return o;
  }

  asio::io_context& io_;
  options opts_;
  trace& trace_;
  endpoint local_;
  transport::message_handler on_message_;
  transport::error_handler on_error_;
  bool started_ = false;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// UDP (RFC 3261 18.1.1, 18.2.1): one datagram is one message.

class udp_core final : public core {
public:
  udp_core(asio::io_context& io, options opts, trace& tr)
      : core(io, std::move(opts), tr), socket_(io),
        parser_(parser_options(parser::mode::datagram)) {
    const auto address = bind_address();
    const udp::endpoint ep(address, opts_.local.port);
    error_code ec;
    socket_.open(ep.protocol(), ec);
    if (ec) throw setup_error(setup_text("bind", ec.message()));
    if (address.is_v6()) socket_.set_option(asio::ip::v6_only(true), ec);
    set_buffers(socket_, opts_.socket_buffer);
    want_icmp_errors(socket_, address.is_v6());
    socket_.bind(ep, ec);
    if (ec) throw setup_error(setup_text("bind", ec.message()));
    local_ = to_endpoint(socket_.local_endpoint(ec));
  }

  void start() override {
    if (started_ || closed_) return;
    started_ = true;
    receive();
  }

  std::size_t send(const endpoint& to, std::string bytes, const std::string& note) override {
    const auto index =
        record(direction::out, local_, to, bytes, {}, note, steady::now(), wall_clock::now());
    if (closed_) {
      add_note(trace_.at(index), "not sent: transport closed");
      return index;
    }
    const auto address = address_of(to.address);
    if (!address) {
      add_note(trace_.at(index), "not sent: not a numeric IP address");
      post_report(to, "cannot send UDP to " + to.str() + ": not a numeric IP address");
      return index;
    }
    last_to_ = to;
    auto data = std::make_shared<std::string>(std::move(bytes));
    socket_.async_send_to(asio::buffer(*data), udp::endpoint(*address, to.port),
                          [self = shared(), data, to, index](const error_code& ec, std::size_t) {
                            self->on_sent(ec, to, index);
                          });
    return index;
  }

  void close() override {
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
  }

private:
  std::shared_ptr<udp_core> shared() {
    return std::static_pointer_cast<udp_core>(shared_from_this());
  }

  void receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), from_,
        [self = shared()](const error_code& ec, std::size_t n) { self->on_receive(ec, n); });
  }

  void on_receive(const error_code& ec, std::size_t n) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      if (ec == asio::error::bad_descriptor || ec == asio::error::not_socket) {
        report(local_, "cannot receive UDP on " + local_.str() + ": " + ec.message());
        return;
      }
      // An ICMP error for an earlier datagram (port unreachable is connection_refused): tell
      // whom it concerns and keep receiving.
      if (icmp().empty() && last_to_)
        report(*last_to_, "cannot send UDP to " + last_to_->str() + ": " + ec.message());
      if (!closed_) receive();
      return;
    }
    const auto at = steady::now();
    const auto wall = wall_clock::now();
    std::string bytes(buffer_.data(), n);
    const endpoint from = to_endpoint(from_);
    receive(); // buffer_ and from_ are free again: the next datagram may come in
    datagram(std::move(bytes), from, at, wall);
  }

  void datagram(std::string bytes, const endpoint& from, steady::time_point at,
                wall_clock::time_point wall) {
    // Keep-alive CRLFs (RFC 5626 4.4.1): recorded, not a message.
    if (only_crlf(bytes)) {
      record(direction::in, local_, from, std::move(bytes), {}, "keep-alive", at, wall);
      return;
    }
    const auto r = parser_.put(bytes);
    if (r.status != parser::status::done) {
      std::string error = describe(parser_.error());
      parser_.reset();
      record(direction::in, local_, from, std::move(bytes), std::move(error), {}, at, wall);
      return;
    }
    sip::message msg = parser_.release();
    const auto index = record(direction::in, local_, from, std::move(bytes), {}, {}, at, wall);
    deliver(std::move(msg), from, at, index);
  }

  void on_sent(const error_code& ec, const endpoint& to, std::size_t index) {
    if (closed_ || ec == asio::error::operation_aborted || !ec) return;
    add_note(trace_.at(index), "not sent: " + ec.message());
    // A refusal here may be an ICMP error about an earlier datagram: report those first.
    std::vector<endpoint> told;
    if (ec == asio::error::connection_refused) told = icmp();
    if (std::find(told.begin(), told.end(), to) == told.end())
      report(to, "cannot send UDP to " + to.str() + ": " + ec.message());
  }

  // Reports the ICMP errors queued on the socket; returns whom they concerned.
  std::vector<endpoint> icmp() {
    std::vector<endpoint> told;
    for (const auto& e : take_icmp_errors(socket_)) {
      report(e.to, "cannot send UDP to " + e.to.str() + ": " + e.ec.message());
      told.push_back(e.to);
    }
    return told;
  }

  udp::socket socket_;
  parser::parser parser_;
  std::array<char, 65536> buffer_{}; // the largest UDP payload fits
  udp::endpoint from_;
  std::optional<endpoint> last_to_; // where the last datagram went, for ICMP errors
};

// ---------------------------------------------------------------------------------------------
// TCP (RFC 3261 18.1.1, 18.2.2, 18.3): Content-Length frames messages on a stream. TLS (RFC 3261
// 26.2) is the same over a TLS session on the TCP connection.

struct connection {
  connection(tcp::socket s, parser::options po, asio::steady_timer t)
      : socket(std::move(s)), setup_timer(std::move(t)), parser(po) {}

  tcp::socket socket;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls; // TLS: the session over `socket`
  asio::steady_timer setup_timer;                       // TLS: bounds the connect and the handshake
  endpoint remote;
  endpoint local;
  bool connected = false; // false while an outgoing connect (and TLS handshake) is under way
  bool accepted = false;  // the peer opened it
  // RFC 5923: where else this connection reaches the peer (its Via sent-by with `alias`).
  std::vector<endpoint> aliases;
  bool reading = false;
  bool closed = false;
  parser::parser parser;
  std::string partial; // bytes of the message being read, for the trace if it breaks
  std::array<char, 16384> buffer{};

  struct pending {
    std::string bytes;
    std::size_t trace_index = 0;
  };
  std::deque<pending> queue; // writes in order; the front one is under way when `writing`
  bool writing = false;
};

using connection_ptr = std::shared_ptr<connection>;

// Runs `fn` with the connection's byte stream: the TLS session, else the socket.
template <class Fn>
void with_stream(connection& c, Fn&& fn) {
  if (c.tls)
    fn(*c.tls);
  else
    fn(c.socket);
}

// An end of stream: the peer closed (over TLS also without close_notify, which SIP does not
// need: Content-Length frames every message, RFC 3261 18.3).
bool end_of_stream(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

class tcp_core final : public core {
public:
  tcp_core(asio::io_context& io, options opts, trace& tr)
      : core(io, std::move(opts), tr), acceptor_(io), retry_(io) {
    address_ = bind_address();
    if (opts_.proto == protocol::tls)
      tls_context_ = detail::make_tls_context(opts_.tls, address_.to_string());
    const tcp::endpoint ep(address_, opts_.local.port);
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (ec) throw setup_error(setup_text("bind", ec.message()));
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (address_.is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
    set_buffers(acceptor_, opts_.socket_buffer); // inherited by accepted sockets
    acceptor_.bind(ep, ec);
    if (ec) throw setup_error(setup_text("bind", ec.message()));
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw setup_error(setup_text("listen on", ec.message()));
    local_ = to_endpoint(acceptor_.local_endpoint(ec));
  }

  void start() override {
    if (started_ || closed_) return;
    started_ = true;
    accept();
    for (const auto& c : connections_)
      if (c->connected) read(c);
  }

  std::size_t send(const endpoint& to, std::string bytes, const std::string& note) override {
    const auto at = steady::now();
    const auto wall = wall_clock::now();
    if (closed_) {
      const auto index = record(direction::out, local_, to, std::move(bytes), {}, note, at, wall);
      add_note(trace_.at(index), "not sent: transport closed");
      return index;
    }
    const auto address = address_of(to.address);
    if (!address) {
      const auto index = record(direction::out, local_, to, std::move(bytes), {}, note, at, wall);
      add_note(trace_.at(index), "not sent: not a numeric IP address");
      post_report(to, "cannot connect " + std::string(to_string(opts_.proto)) + " to " + to.str() +
                          ": not a numeric IP address");
      return index;
    }
    const endpoint peer = to_endpoint(*address, to.port); // canonical text, to compare
    // RFC 3261 18.2.2: a response goes back over the connection the request came on; any
    // message to a peer we are connected with reuses that connection.
    connection_ptr c = find(peer);
    const bool fresh = !c;
    if (fresh) c = open(peer, *address); // connects; the queue is written once connected
    // The local port of a new connection is known once connected; the entry is updated then.
    const endpoint local = c->connected ? c->local : endpoint{local_.address, 0};
    const auto index = record(direction::out, local, peer, bytes, {}, note, at, wall);
    c->queue.push_back({std::move(bytes), index});
    if (!fresh) write(c); // nothing yet while still connecting
    return index;
  }

  void close() override {
    closed_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    auto all = std::move(connections_);
    connections_.clear();
    for (auto& c : all) shut(*c);
  }

private:
  std::shared_ptr<tcp_core> shared() {
    return std::static_pointer_cast<tcp_core>(shared_from_this());
  }

  connection_ptr find(const endpoint& peer) const {
    for (const auto& c : connections_)
      if (!c->closed && c->remote == peer) return c;
    for (const auto& c : connections_)
      if (!c->closed && std::find(c->aliases.begin(), c->aliases.end(), peer) != c->aliases.end())
        return c;
    return nullptr;
  }

  // RFC 5923 (connection reuse): a request whose top Via carries `alias`, over a TLS connection
  // the peer opened, makes that connection carry our requests to its Via sent-by too; only when
  // the peer proved with a client certificate that it is that host (RFC 5923 takes reuse as
  // TLS-only for this reason; names are not resolved, so a numeric sent-by only).
  void note_alias(const connection_ptr& c, const sip::message& msg) {
    if (!tls() || !c->accepted || !c->tls || !msg.is_request()) return;
    const auto via = msg.top_via();
    if (!via || !via->params.has("alias")) return;
    std::string host(via->sent_by.host);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    const auto address = address_of(host);
    if (!address) return;
    const endpoint target = to_endpoint(*address, via->sent_by.port.value_or(5061));
    if (target == c->remote || find(target)) return;
    if (!opts_.tls.require_client_certificate ||
        !detail::peer_certificate_names(c->tls->native_handle(), target.address))
      return;
    c->aliases.push_back(target);
  }

  static void shut(connection& c) {
    c.closed = true;
    error_code ignored;
    c.setup_timer.cancel();
    c.socket.close(ignored);
  }

  std::string name() const { return std::string(to_string(opts_.proto)); }
  bool tls() const { return opts_.proto == protocol::tls; }

  connection_ptr make_connection(tcp::socket s) {
    return std::make_shared<connection>(std::move(s), parser_options(parser::mode::stream),
                                        asio::steady_timer(io_));
  }

  // Bounds a connection's setup (the connect, and over TLS the handshake; tls.handshake_timeout
  // for both transports): when the time is up, the connection is dropped and the failure
  // reported (the pending connect or handshake then ends as aborted).
  void arm_setup_timer(const connection_ptr& c, std::string_view doing) {
    c->setup_timer.expires_after(opts_.tls.handshake_timeout);
    c->setup_timer.async_wait([self = shared(), c, doing](const error_code& ec) {
      if (ec || self->closed_ || c->closed || c->connected) return;
      const std::string what = std::string(doing) + " " + c->remote.str() + " timed out after " +
                               std::to_string(self->opts_.tls.handshake_timeout.count()) + " ms";
      self->drop(c, what);
      self->report(c->remote, what);
    });
  }

  // TLS: starts the handshake on a connected socket; the connection is ready for SIP once done.
  void handshake(const connection_ptr& c) {
    c->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c->socket, *tls_context_);
    SSL* ssl = c->tls->native_handle();
    if (c->accepted) {
      detail::prepare_server(ssl, opts_.tls);
    } else if (auto why = detail::prepare_client(ssl, opts_.tls, c->remote); !why.empty()) {
      // RFC 5922 7.3: no identity to check, no connection (fail closed).
      const std::string what = "TLS handshake with " + c->remote.str() + " failed: " + why;
      drop(c, what);
      report(c->remote, what);
      return;
    }
    c->tls->async_handshake(
        c->accepted ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
        [self = shared(), c](const error_code& ec) { self->on_handshake(c, ec); });
  }

  void on_handshake(const connection_ptr& c, const error_code& ec) {
    if (closed_ || c->closed || ec == asio::error::operation_aborted) return;
    if (ec) {
      // The certificate check's own reason when it was the check that failed.
      const bool checked = c->accepted ? opts_.tls.require_client_certificate : opts_.tls.verify;
      std::string why = checked ? detail::verify_failure(c->tls->native_handle()) : "";
      if (why.empty()) why = ec.message();
      const std::string what = "TLS handshake " + std::string(c->accepted ? "from " : "with ") +
                               c->remote.str() + " failed: " + why;
      drop(c, what);
      report(c->remote, what);
      return;
    }
    c->setup_timer.cancel();
    ready(c);
  }

  // The connection carries SIP from now on: queued messages go out, reading starts.
  void ready(const connection_ptr& c) {
    c->connected = true;
    for (const auto& p : c->queue) trace_.at(p.trace_index).local = c->local;
    write(c);
    read(c);
  }

  // Closes and forgets a connection; messages still queued on it are noted as not sent.
  void drop(const connection_ptr& c, std::string_view why) {
    for (const auto& p : c->queue)
      add_note(trace_.at(p.trace_index), "not sent: " + std::string(why));
    c->queue.clear();
    shut(*c);
    std::erase(connections_, c);
  }

  void accept() {
    acceptor_.async_accept([self = shared()](const error_code& ec, tcp::socket s) {
      self->on_accept(ec, std::move(s));
    });
  }

  void on_accept(const error_code& ec, tcp::socket s) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors and the like: say so and try again a little later.
      report(local_, "cannot accept " + name() + " on " + local_.str() + ": " + ec.message());
      if (closed_) return;
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared()](const error_code& e) {
        if (!e && !self->closed_) self->accept();
      });
      return;
    }
    auto c = make_connection(std::move(s));
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    c->remote = to_endpoint(c->socket.remote_endpoint(ignored));
    c->local = to_endpoint(c->socket.local_endpoint(ignored));
    c->accepted = true;
    connections_.push_back(c);
    if (tls()) {
      arm_setup_timer(c, "TLS handshake from");
      handshake(c);
    } else {
      c->connected = true;
      read(c);
    }
    accept();
  }

  // A new connection to `peer`, connecting; writes queue until it is up.
  connection_ptr open(const endpoint& peer, const asio::ip::address& address) {
    auto c = make_connection(tcp::socket(io_));
    c->remote = peer;
    connections_.push_back(c);
    arm_setup_timer(c, tls() ? "TLS connection to" : "TCP connection to");
    error_code ec;
    c->socket.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) {
      set_buffers(c->socket, opts_.socket_buffer);
      // From our address and an ephemeral port (RFC 3261 18.1.1: the client's source port is
      // its own choice); left unbound when the families differ, so that the connect says so.
      if (address.is_v6() == address_.is_v6() && !address_.is_unspecified())
        c->socket.bind(tcp::endpoint(address_, 0), ec);
    }
    if (ec) {
      // Fails like a connect would: from the io_context, with the queued entries noted.
      asio::post(io_, [self = shared(), c, ec] { self->on_connect(c, ec); });
      return c;
    }
    c->socket.async_connect(tcp::endpoint(address, peer.port),
                            [self = shared(), c](const error_code& e) { self->on_connect(c, e); });
    return c;
  }

  void on_connect(const connection_ptr& c, const error_code& ec) {
    if (closed_ || c->closed || ec == asio::error::operation_aborted) return;
    if (ec) {
      const std::string what =
          "cannot connect " + name() + " to " + c->remote.str() + ": " + ec.message();
      drop(c, what);
      report(c->remote, what);
      return;
    }
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    c->local = to_endpoint(c->socket.local_endpoint(ignored));
    if (tls())
      handshake(c);
    else
      ready(c);
  }

  void write(const connection_ptr& c) {
    if (c->writing || c->closed || !c->connected || c->queue.empty()) return;
    c->writing = true;
    with_stream(*c, [&](auto& stream) {
      asio::async_write(
          stream, asio::buffer(c->queue.front().bytes),
          [self = shared(), c](const error_code& ec, std::size_t) { self->on_written(c, ec); });
    });
  }

  void on_written(const connection_ptr& c, const error_code& ec) {
    if (closed_ || c->closed || ec == asio::error::operation_aborted) return;
    c->writing = false;
    if (ec) {
      const std::string what =
          "cannot send " + name() + " to " + c->remote.str() + ": " + ec.message();
      drop(c, ec.message());
      report(c->remote, what);
      return;
    }
    c->queue.pop_front();
    write(c);
  }

  void read(const connection_ptr& c) {
    if (c->reading || c->closed || !c->connected || !started_) return;
    c->reading = true;
    with_stream(*c, [&](auto& stream) {
      stream.async_read_some(
          asio::buffer(c->buffer),
          [self = shared(), c](const error_code& ec, std::size_t n) { self->on_read(c, ec, n); });
    });
  }

  void on_read(const connection_ptr& c, const error_code& ec, std::size_t n) {
    if (closed_ || c->closed || ec == asio::error::operation_aborted) return;
    c->reading = false;
    const auto at = steady::now();
    const auto wall = wall_clock::now();
    if (end_of_stream(ec)) {
      // The peer closed: normal, unless it stopped inside a message (RFC 3261 18.3).
      if (c->parser.finish().status == parser::status::error) {
        std::string error = describe(c->parser.error());
        record(direction::in, c->local, c->remote, std::move(c->partial), error, {}, at, wall);
        drop(c, "the peer closed the connection");
        report(c->remote, name() + " connection from " + c->remote.str() +
                              " closed inside a message: " + error);
        return;
      }
      // Messages still queued did not make it: that the engine must hear of.
      const std::size_t unsent = c->queue.size();
      drop(c, "the peer closed the connection");
      if (unsent)
        report(c->remote, name() + " connection with " + c->remote.str() +
                              " closed by the peer: " + std::to_string(unsent) +
                              (unsent == 1 ? " message" : " messages") + " not sent");
      return;
    }
    if (ec) {
      drop(c, ec.message());
      report(c->remote, name() + " connection with " + c->remote.str() + ": " + ec.message());
      return;
    }
    if (!stream(c, std::string_view(c->buffer.data(), n), at, wall)) return;
    read(c);
  }

  // Feeds bytes read to the connection's parser: each framed message is recorded and delivered.
  // Returns false when the connection is gone (framing lost, or closed by a handler).
  bool stream(const connection_ptr& c, std::string_view data, steady::time_point at,
              wall_clock::time_point wall) {
    while (!data.empty()) {
      if (c->partial.empty()) {
        // Keep-alive CRLFs between messages (RFC 5626 3.5.1) are skipped.
        const auto skip = data.find_first_not_of("\r\n");
        if (skip == std::string_view::npos) break;
        data.remove_prefix(skip);
      }
      const auto r = c->parser.put(data);
      c->partial.append(data.substr(0, r.consumed));
      data.remove_prefix(r.consumed);
      if (r.status == parser::status::error) {
        // The framing is lost: record what we have of the message, then give up the stream.
        std::string error = describe(c->parser.error());
        std::string bytes = std::move(c->partial);
        bytes.append(data);
        record(direction::in, c->local, c->remote, std::move(bytes), error, {}, at, wall);
        drop(c, "connection closed, its framing lost");
        report(c->remote,
               name() + " stream from " + c->remote.str() + " lost its framing: " + error);
        return false;
      }
      if (r.status == parser::status::need_more) {
        if (r.consumed == 0) break; // cannot happen; never spin
        continue;
      }
      sip::message msg = c->parser.release();
      std::string bytes = std::move(c->partial);
      c->partial.clear();
      const auto index =
          record(direction::in, c->local, c->remote, std::move(bytes), {}, {}, at, wall);
      note_alias(c, msg);
      deliver(std::move(msg), c->remote, at, index);
      if (closed_ || c->closed) return false;
    }
    return true;
  }

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  asio::ip::address address_;
  std::shared_ptr<asio::ssl::context> tls_context_; // TLS only
  std::vector<connection_ptr> connections_;

public:
  std::size_t accepted_connections() const override {
    return static_cast<std::size_t>(
        std::count_if(connections_.begin(), connections_.end(),
                      [](const auto& c) { return c->accepted && !c->closed; }));
  }
};

} // namespace

struct transport::impl {
  std::shared_ptr<core> core_;
};

transport::transport(boost::asio::io_context& io, options opts, trace& tr)
    : impl_(std::make_unique<impl>()) {
  if (opts.proto == protocol::udp)
    impl_->core_ = std::make_shared<udp_core>(io, std::move(opts), tr);
  else
    impl_->core_ = std::make_shared<tcp_core>(io, std::move(opts), tr);
}

transport::~transport() {
  close();
}

endpoint transport::local_endpoint() const {
  return impl_->core_->local();
}

protocol transport::proto() const {
  return impl_->core_->proto();
}

void transport::start(message_handler on_message, error_handler on_error) {
  impl_->core_->set_handlers(std::move(on_message), std::move(on_error));
  impl_->core_->start();
}

std::size_t transport::send(const endpoint& to, std::string bytes, const std::string& note) {
  return impl_->core_->send(to, std::move(bytes), note);
}

std::size_t transport::accepted_connections() const {
  return impl_->core_->accepted_connections();
}

void transport::close() {
  impl_->core_->close();
}

} // namespace sipwright::transport
