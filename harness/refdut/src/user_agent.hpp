#pragma once
// The reference device's user agent: the UAS core (callee.cpp), the UAC core (caller.cpp) and
// what both share (user_agent.cpp): request dispatch, non-INVITE server transactions, in-dialog
// requests (RFC 3261 12.2.2), client transactions for the requests it starts. Every transaction
// runs on the project's section 17 machines (transaction_runner). Asio-free.
#include "fault_set.hpp"
#include "scheduler.hpp"
#include "transaction_runner.hpp"

#include "sipwright/auth/digest.hpp"
#include "sipwright/dialog/dialog.hpp"
#include "sipwright/sip/builder.hpp"
#include "sipwright/transaction/key.hpp"
#include "sipwright/transport/transport.hpp"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::refdut::detail {

struct ua_config {
  transport::protocol proto = transport::protocol::udp;
  transaction::timer_config timers;
  fault_set faults;
  // callee
  int answer = 200;
  std::chrono::milliseconds ring{0};
  int max_calls = 0;
  // caller
  std::optional<transport::endpoint> target;
  std::string user = "service";
  std::chrono::milliseconds hangup_after{1000};
  bool late_offer = false;
  std::string route;
  // Caller: the account that answers 401/407 challenges (RFC 3261 22.2, 22.3); from the
  // environment (SIPWRIGHT_REFDUT_AUTH_USER, SIPWRIGHT_REFDUT_AUTH_PASSWORD), never an option.
  std::optional<auth::credentials> credentials;
};

class user_agent {
public:
  // `done(code)` is called once when the device's work is over (caller: the call ended; callee:
  // --calls calls were served).
  user_agent(ua_config config, scheduler& sched, transport::transport& tp, std::ostream& out,
             std::function<void(int)> done);
  ~user_agent();
  user_agent(const user_agent&) = delete;
  user_agent& operator=(const user_agent&) = delete;

  void on_message(transport::received&& r);
  void on_transport_error(const transport::endpoint& peer, const std::string& what);
  // Caller mode: places the call to config.target.
  void start_call();
  // Callee: the calls served so far. Caller: 0 or 1.
  int finished_calls() const { return finished_; }
  // Caller: whether the call completed (final answer and the flow that follows it).
  bool call_completed() const;

private:
  struct server_txn {
    transaction::server_key key;
    std::unique_ptr<transaction_runner> txn;
  };
  struct client_txn {
    transaction::client_key key;
    std::unique_ptr<transaction_runner> txn;
    std::function<void(const sip::message&)> on_response; // every response the machine passes up
    std::function<void()> on_timeout;
  };
  struct callee_call;
  struct caller_call;
  struct binding;      // registrar.cpp
  struct subscription; // notifier.cpp

  // --- user_agent.cpp: dispatch and what both roles share ---
  void on_request(transport::received& r);
  void on_response(transport::received& r);
  // Answers a non-INVITE request through a non-INVITE server transaction (17.2.2).
  void respond(const sip::message& req, const transport::endpoint& peer, std::string bytes);
  void respond(const sip::message& req, const transport::endpoint& peer, int status);
  // Starts a non-INVITE client transaction (17.1.2) for a request the device built.
  void send_request(const transport::endpoint& peer, std::string bytes,
                    std::function<void(const sip::message&)> on_response,
                    std::function<void()> on_timeout);
  void answer_out_of_dialog(const sip::message& req, const transport::endpoint& peer);
  transport::endpoint local() const { return tp_.local_endpoint(); }
  std::string contact(std::string_view user) const;
  // Body edits of the message faults (bad-content-length, no-content-type).
  void apply_body_faults(std::string& bytes) const;
  void erase_client(const transaction_runner* t);
  void erase_server(const transaction_runner* t);
  void log_line(const std::string& line);

  // --- callee.cpp: the UAS core ---
  void on_invite(transport::received& r);
  void on_ack(transport::received& r);
  void on_cancel(transport::received& r);
  bool on_in_dialog_request(transport::received& r); // true when a callee call took it
  void send_final(callee_call& c);
  std::string build_final(callee_call& c);
  void retransmit_2xx(callee_call& c);
  void give_up_2xx(callee_call& c);
  void finish(callee_call& c, std::string last);
  callee_call* find_call(const sip::message& msg);

  // --- registrar.cpp: REGISTER (RFC 3261 10.3) ---
  void on_register(const sip::message& req, const transport::endpoint& peer);

  // --- notifier.cpp: SUBSCRIBE/NOTIFY for message-summary (RFC 6665, RFC 3842) ---
  void on_subscribe(const sip::message& req, const transport::endpoint& peer);
  bool notifier_in_dialog_request(transport::received& r); // true when a subscription took it
  void send_notify(subscription& s, bool terminated);
  void end_subscription(subscription& s, std::string last);

  // --- caller.cpp: the UAC core ---
  void on_invite_response(const sip::message& resp);
  // Sends the call's INVITE (again) through a new INVITE client transaction, with these
  // credentials (Authorization / Proxy-Authorization values) if any.
  void send_invite(const std::vector<auth::authorization>& credentials);
  // 22.2, 22.3: answers a 401/407 with a new INVITE carrying credentials, once per call.
  // Returns false when the challenge ends the call.
  bool retry_with_credentials(const sip::message& resp);
  // A copy of a response to an INVITE transaction the call left behind after a challenge.
  bool on_challenged_invite_response(const transaction::client_key& key, const sip::message& resp);
  std::string build_2xx_ack(const sip::message& resp, const dialog::dialog& d);
  std::string build_non2xx_ack(const sip::message& resp);
  void send_bye();
  void send_bye_after_non2xx(const sip::message& resp);
  void caller_done(bool completed, std::string last);
  bool caller_in_dialog_request(transport::received& r);

  ua_config cfg_;
  scheduler& sched_;
  transport::transport& tp_;
  std::ostream& out_;
  std::function<void(int)> done_;
  std::list<server_txn> servers_;
  std::list<client_txn> clients_;
  std::list<std::unique_ptr<callee_call>> calls_;
  std::unique_ptr<caller_call> caller_;
  int call_numbers_ = 0;
  std::map<std::string, std::vector<binding>> bindings_; // by address-of-record (10.3 step 5)
  std::list<std::unique_ptr<subscription>> subscriptions_;
  int subscription_numbers_ = 0;
  int finished_ = 0;
};

} // namespace sipwright::refdut::detail
