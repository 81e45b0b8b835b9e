#include "exchanges.hpp"

#include "sipwright/sip/grammar.hpp"

#include <algorithm>
#include <charconv>

namespace sipwright::engine {
namespace {

std::string to_tag_of(const sip::message& msg) {
  auto to = msg.to();
  if (!to) return {};
  auto t = to->tag();
  return t ? std::string(*t) : std::string();
}

} // namespace

std::string transaction_id(const sip::message& msg) {
  auto via = msg.top_via();
  if (via) {
    if (auto b = via->branch(); b && b->starts_with("z9hG4bK")) return std::string(*b);
  }
  // RFC 2543 fallback (17.2.3): without the cookie, identify by Call-ID, CSeq number and From tag.
  std::string id = "2543|";
  if (auto c = msg.call_id()) id += *c;
  if (auto cs = msg.cseq()) id += "|" + std::to_string(cs->number);
  if (auto f = msg.from())
    if (auto t = f->tag()) id += "|" + std::string(*t);
  return id;
}

exchanges::server_tx* exchanges::find_server(std::string_view branch, std::string_view method) {
  for (auto& s : servers_)
    if (s.branch == branch && s.method == method) return &s;
  return nullptr;
}

const exchanges::server_tx* exchanges::find_server(std::string_view branch,
                                                   std::string_view method) const {
  for (const auto& s : servers_)
    if (s.branch == branch && s.method == method) return &s;
  return nullptr;
}

exchanges::client_tx* exchanges::find_client(std::string_view branch, std::string_view method) {
  for (auto& c : clients_)
    if (c.branch == branch && c.method == method) return &c;
  return nullptr;
}

void exchanges::on_sent(const sip::message& msg, const transport::endpoint& to,
                        const std::string& bytes) {
  const auto cseq = msg.cseq();
  if (!cseq) return;
  const std::string id = transaction_id(msg);
  if (msg.is_request()) {
    if (msg.method() == "ACK") {
      // 13.2.2.4 / 17.1.1.3: remember the ACK per INVITE (same Call-ID and CSeq number) and
      // per To tag, to send it again when that final response comes again.
      const auto call_id = msg.call_id().value_or("");
      for (auto& c : clients_)
        if (c.method == "INVITE" && c.call_id == call_id && c.cseq == cseq->number) {
          const std::string tag = to_tag_of(msg);
          auto it = std::find_if(c.acks.begin(), c.acks.end(),
                                 [&](const auto& a) { return a.first == tag; });
          if (it != c.acks.end())
            it->second = {to, bytes};
          else
            c.acks.emplace_back(tag, replay{to, bytes});
        }
      return;
    }
    if (!find_client(id, msg.method()))
      clients_.push_back({id,
                          std::string(msg.method()),
                          std::string(msg.call_id().value_or("")),
                          cseq->number,
                          {},
                          {}});
    return;
  }
  // A response: the last one sent in its server transaction is what a retransmitted request
  // gets (17.2.1, 17.2.2).
  if (auto* s = find_server(id, cseq->method)) s->last_response = replay{to, bytes};
}

classified exchanges::on_received(const sip::message& msg, const transport::endpoint& from) {
  classified out;
  const std::string id = transaction_id(msg);
  const auto cseq = msg.cseq();
  if (msg.is_request()) {
    const std::string method(msg.method());
    if (auto* s = find_server(id, method)) {
      out.retransmission = true;
      out.note = "retransmission of " + method;
      if (s->last_response && method != "ACK") {
        out.again = s->last_response;
        out.note += ": last response sent again (RFC 3261 17.2.1, 17.2.2)";
      }
      return out;
    }
    server_tx s;
    s.branch = id;
    s.method = method;
    s.source = from;
    if (auto via = msg.top_via()) {
      s.rport = via->params.has("rport");
      if (via->sent_by.port) s.sent_by_port = *via->sent_by.port;
    }
    servers_.push_back(std::move(s));
    return out;
  }
  if (!cseq) {
    out.unknown_transaction = true;
    return out;
  }
  auto* c = find_client(id, cseq->method);
  if (!c) {
    out.unknown_transaction = true;
    return out;
  }
  const int status = msg.status_code();
  const std::string tag = to_tag_of(msg);
  auto key = std::make_pair(status, tag);
  if (std::find(c->seen.begin(), c->seen.end(), key) != c->seen.end()) {
    out.retransmission = true;
    out.note = "retransmission of " + std::to_string(status);
    if (status >= 200 && c->method == "INVITE") {
      auto it = std::find_if(c->acks.begin(), c->acks.end(),
                             [&](const auto& a) { return a.first == tag; });
      if (it != c->acks.end()) {
        out.again = it->second;
        out.note += status < 300 ? ": ACK sent again (RFC 3261 13.2.2.4)"
                                 : ": ACK sent again (RFC 3261 17.1.1.2)";
      }
    }
    return out;
  }
  // A provisional response after a final one (reordered by the network or a proxy's workers)
  // finds the client transaction Completed, which has no use for it (RFC 3261 17.1.1.2,
  // 17.1.2.2): absorbed like a retransmission, not handed to the scenario.
  if (status < 200 &&
      std::any_of(c->seen.begin(), c->seen.end(), [](const auto& s) { return s.first >= 200; })) {
    out.retransmission = true;
    out.note = std::to_string(status) +
               " after the final response: discarded (RFC 3261 17.1.1.2, 17.1.2.2)";
    return out;
  }
  c->seen.push_back(key);
  return out;
}

std::optional<transport::endpoint> exchanges::response_destination(const sip::message& response,
                                                                   bool reliable) const {
  const auto cseq = response.cseq();
  if (!cseq) return std::nullopt;
  const auto* s = find_server(transaction_id(response), cseq->method);
  if (!s) return std::nullopt;
  if (reliable || s->rport) return s->source; // 18.2.2, RFC 3581 4
  return transport::endpoint{s->source.address, s->sent_by_port};
}

} // namespace sipwright::engine
