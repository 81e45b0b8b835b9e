#pragma once
// What one call knows while it plays: the keyword values ([call_id], [branch], [last_Via:] ...),
// the last message received, the route set remembered by rrs="true", and the variables the actions
// set. Asio-free so the tests drive it directly.
#include "sipwright/auth/client.hpp"
#include "sipwright/auth/digest.hpp"
#include "sipwright/auth/server.hpp"
#include "sipwright/scenario/model.hpp"
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/endpoint.hpp"
#include "variables.hpp"

#include <boost/regex.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sipwright::engine {

struct environment {
  std::string service = "service";
  transport::endpoint local;
  transport::endpoint remote;
  transport::protocol proto = transport::protocol::udp;
  std::uint16_t media_port = 6000;
  long pid = 0;
  std::string run_token; // makes Call-IDs and branches unique across runs of one process
  // For [authentication]: from the device profile's [auth] or the environment, never printed.
  std::optional<auth::credentials> credentials;
};

class call_context final : public scenario::keyword_source {
public:
  call_context(environment env, int call_number, std::string call_id);

  void expand(const scenario::keyword& kw, std::string& out) const override;

  // Renders a <send> template for the step with message index `msg_index`. [branch] is new for
  // every send (a loop sends new transactions), or `branch` when given (ack_txn); [branch-N] is
  // the branch last sent by the message N before. Before a request other than ACK and CANCEL,
  // [cseq] moves on by one, as in SIPp.
  std::string render(const scenario::message_template& t, int msg_index,
                     const std::string& branch = {});
  // The branch the last render used.
  const std::string& current_branch() const { return current_branch_; }

  // A message the scenario accepted (a <recv> matched): becomes [last_*:], updates the peer tag,
  // and with rrs="true" the route set and [next_url] (RFC 3261 12.1.1, 12.1.2).
  // `auth`: the step has auth="true", so a 401/407's challenge is kept for [authentication].
  void on_received(const sip::message& msg, bool rrs, bool auth = false);
  // Why the last render() could not fill in [authentication], else empty (the call fails).
  const std::string& render_error() const { return render_error_; }
  const sip::message* last() const { return last_ ? &*last_ : nullptr; }

  // Runs a step's actions against `msg` (may be null for <nop>/<send>). Returns false and sets
  // `failure` when a check_it regexp fails; log/warning lines go to `log`; int_cmd to `command`.
  bool run_actions(const std::vector<scenario::action>& actions, const sip::message* msg,
                   std::string& failure, std::vector<std::string>& log, std::string& int_cmd,
                   std::vector<std::string>& exec_commands);

  bool test(const std::string& name) const;
  const engine::variables& vars() const { return vars_; }
  engine::variables& vars() { return vars_; }
  const std::string& call_id() const { return call_id_; }
  int call_number() const { return call_number_; }
  const environment& env() const { return env_; }
  void set_remote(const transport::endpoint& r) { env_.remote = r; }
  std::string branch(int msg_index, unsigned send) const;

  // Automatic answers to challenges (RFC 3261 22.2, 22.3), for the engine.
  // A new branch for a request the engine sends again on its own.
  std::string fresh_branch() { return branch(msg_index_, ++sends_); }
  // The credentials line ("Authorization: ..." or "Proxy-Authorization: ...") answering the
  // strongest challenge of `challenge_response` that sipwright can answer, for a request with
  // this method, Request-URI and body; empty with `error` set when there is none.
  // `realm`: the realm of the challenge answered (its protection domain, RFC 3261 22.3).
  std::string answer_challenge(const sip::message& challenge_response, std::string_view method,
                               std::string_view request_uri, std::string_view body,
                               std::string& error, std::string& realm);
  // The engine sent a request again with credentials and CSeq one higher: [cseq] moves on, and
  // so do CSeq numbers the scenario writes literally (SIPp's uac.xml writes "CSeq: 1 INVITE"),
  // so that its ACK and BYE follow the INVITE that was answered (13.2.2.4, 12.2.1.1). The
  // ACKs rendered afterwards carry the INVITE's credentials when they carry none (22.1).
  void retried_with_credentials(std::string_view method, const std::string& credentials_line);

  // The device's credentials in `request`, checked against the challenges [challenge] issued in
  // this call (RFC 3261 22.2, 22.3; RFC 7616 3.4) with the account of the profile's [auth]: set
  // when this call challenged and the request (not ACK or CANCEL) carries credentials.
  struct credentials_check {
    std::string problem; // empty: they answer the challenge
    std::string note;    // what could not be checked
  };
  std::optional<credentials_check> check_credentials(const sip::message& request);

private:
  std::string authorization_line(const std::string& request);
  std::string challenge_lines(const std::string& response);
  void add_literal_cseq_offset(const scenario::message_template& t, std::string& bytes) const;
  void add_ack_credentials(std::string& bytes) const;
  bool ereg(const scenario::action& a, const sip::message* msg, std::string& failure);
  const boost::regex& compiled(const scenario::action& a);

  environment env_;
  int call_number_;
  std::string call_id_;
  std::uint32_t cseq_ = 0;
  int msg_index_ = 0;
  unsigned sends_ = 0;
  std::string current_branch_;
  std::unordered_map<int, std::string> branches_; // message index -> branch it last sent
  std::optional<sip::message> last_;
  std::string peer_tag_;
  std::vector<std::string> route_set_;
  std::string next_url_;
  std::optional<auth::challenge> challenge_;  // kept by the last <recv auth="true">
  auth::digest_client digest_;                // counts each nonce's uses (RFC 7616 3.4)
  std::optional<auth::digest_server> server_; // issues [challenge]s, created at the first
  bool challenged_proxy_ = false;             // the last [challenge] was in a 407
  std::string render_error_;
  std::string last_authorization_;        // of the last INVITE: an ACK repeats it (13.2.2.4)
  bool ack_credentials_ = false;          // the engine added them to an INVITE: ACKs get them too
  std::uint32_t literal_cseq_offset_ = 0; // added to CSeq numbers written literally
  engine::variables vars_;
  std::unordered_map<const scenario::action*, boost::regex> regex_cache_;
};

// The fields of `msg` named `name` (full or compact form, any case; a trailing ':' and spaces
// ignored, as SIPp's "[last_Via:]" and header="From: " write them), in message order.
std::vector<const sip::header_field*> fields_named(const sip::message& msg, std::string_view name);

// IPv6 addresses in brackets, as they appear in a SIP URI or Via (RFC 5118 4.1).
std::string uri_host(const std::string& address);

} // namespace sipwright::engine
