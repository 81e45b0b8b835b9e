#include "auto_auth.hpp"

#include "sipwright/auth/digest.hpp"
#include "sipwright/sip/builder.hpp"
#include "sipwright/sip/header_table.hpp"

#include <algorithm>
#include <vector>

namespace sipwright::engine {
namespace {

using sip::header_id;

// The field values of `id`, one per header line, as written.
std::vector<std::string_view> rows(const sip::message& m, header_id id) {
  std::vector<std::string_view> out;
  for (const auto& f : m.fields())
    if (f.id == id) out.push_back(m.value(f));
  return out;
}

// Where `part` (a view into `whole`) starts in it.
std::size_t offset_in(std::string_view whole, std::string_view part) {
  return static_cast<std::size_t>(part.data() - whole.data());
}

} // namespace

std::string ack_of_non2xx(const sip::message& invite, const sip::message& response) {
  auto b = sip::message_builder::request("ACK", invite.request_uri());
  // The top Via only: the first element of the first Via row.
  for (const auto& f : invite.fields())
    if (f.id == header_id::via) {
      b.header("Via", invite.element(f, 0));
      break;
    }
  for (auto r : rows(invite, header_id::route)) b.header("Route", r);
  b.header("Max-Forwards", "70");
  b.header("From", invite.value(header_id::from));
  b.header("To", response.value(header_id::to));
  b.header("Call-ID", invite.call_id().value_or(""));
  b.header("CSeq", std::to_string(invite.cseq() ? invite.cseq()->number : 0) + " ACK");
  // 22.1: an ACK carries the credentials of the INVITE it acknowledges.
  for (auto id : {header_id::authorization, header_id::proxy_authorization})
    for (auto v : rows(invite, id))
      b.header(id == header_id::authorization ? "Authorization" : "Proxy-Authorization", v);
  return b.str();
}

std::string with_credentials(const sip::message& request, std::string_view branch,
                             std::uint32_t cseq, std::string_view credentials_line,
                             std::string_view realm) {
  const std::string_view bytes = request.bytes();
  const bool proxy = credentials_line.starts_with("Proxy-");
  const auto replaced = proxy ? header_id::proxy_authorization : header_id::authorization;
  // Edits as (offset, length, text), applied from the end so offsets stay valid.
  struct edit {
    std::size_t at, len;
    std::string text;
  };
  std::vector<edit> edits;
  if (auto via = request.top_via()) {
    if (auto old = via->branch())
      edits.push_back({offset_in(bytes, *old), old->size(), std::string(branch)});
    else
      for (const auto& f : request.fields())
        if (f.id == header_id::via) {
          const auto first = request.element(f, 0);
          edits.push_back(
              {offset_in(bytes, first) + first.size(), 0, ";branch=" + std::string(branch)});
          break;
        }
  }
  std::size_t insert_at = std::string_view::npos;
  for (const auto& f : request.fields()) {
    const auto line = request.text(f.line);
    const auto line_at = offset_in(bytes, line);
    // The whole line with its CRLF.
    if (f.id == replaced) {
      const auto old = auth::parse_authorizations(request.value(f), proxy);
      const bool same_realm =
          std::any_of(old.values.begin(), old.values.end(),
                      [&](const auth::authorization& a) { return a.realm == realm; });
      if (same_realm || old.values.empty()) edits.push_back({line_at, line.size() + 2, {}});
    }
    if (f.id == header_id::cseq) {
      const auto value = request.value(f);
      const auto digits = value.find_first_not_of("0123456789");
      edits.push_back({offset_in(bytes, value), digits == std::string_view::npos ? 0 : digits,
                       std::to_string(cseq)});
    }
    insert_at = line_at + line.size() + 2; // after the last header line
  }
  if (insert_at != std::string_view::npos)
    edits.push_back({insert_at, 0, std::string(credentials_line) + "\r\n"});
  std::sort(edits.begin(), edits.end(), [](const edit& a, const edit& b) {
    return a.at > b.at || (a.at == b.at && a.len > b.len);
  });
  std::string out(bytes);
  for (const auto& e : edits) out.replace(e.at, e.len, e.text);
  return out;
}

} // namespace sipwright::engine
