#include "sipwright/transaction/key.hpp"

#include <algorithm>
#include <cctype>

namespace sipwright::transaction {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string sent_by_text(const sip::host_port& hp) {
  std::string out = lower(hp.host);
  if (hp.port) out += ":" + std::to_string(*hp.port);
  return out;
}

// 17.2.3: the ACK of an INVITE transaction matches the INVITE.
std::string_view server_method(std::string_view method) {
  return method == "ACK" ? std::string_view("INVITE") : method;
}

} // namespace

std::optional<client_key> client_key_of(const sip::message& msg) {
  auto via = msg.top_via();
  auto cseq = msg.cseq();
  if (!via || !cseq) return std::nullopt;
  auto branch = via->branch();
  if (!branch || branch->empty()) return std::nullopt;
  // 17.1.3: branch and CSeq method (a CANCEL has its own transaction).
  return client_key{std::string(*branch), std::string(cseq->method)};
}

std::optional<server_key> server_key_of(const sip::message& request) {
  auto via = request.top_via();
  auto cseq = request.cseq();
  if (!via || !cseq) return std::nullopt;
  server_key key;
  auto branch = via->branch();
  if (branch && branch->starts_with(magic_cookie)) {
    // 17.2.3: branch, sent-by, and method (ACK as INVITE).
    key.branch = std::string(*branch);
    key.sent_by = sent_by_text(via->sent_by);
    key.method = std::string(server_method(request.method()));
    return key;
  }
  // 17.2.3: RFC 2543 fallback.
  key.rfc2543 = true;
  key.request_uri = std::string(request.request_uri());
  auto to = request.to();
  auto from = request.from();
  if (to && to->tag()) key.to_tag = std::string(*to->tag());
  if (from && from->tag()) key.from_tag = std::string(*from->tag());
  key.call_id = std::string(request.call_id().value_or(""));
  key.cseq = std::to_string(cseq->number) + " " + std::string(server_method(cseq->method));
  auto vias = request.all_elements(sip::header_id::via);
  if (!vias.empty()) key.top_via = std::string(vias.front());
  return key;
}

server_key ack_key_for(const server_key& invite, std::string_view response_to_tag) {
  server_key key = invite;
  if (key.rfc2543) key.to_tag = std::string(response_to_tag);
  return key;
}

} // namespace sipwright::transaction
