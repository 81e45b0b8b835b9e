#pragma once
// The immutable scenario model the loader builds from a SIPp-style XML file. Every step keeps the
// file position it came from, so a run can name the step that failed (FILE:LINE).
// No Asio, no pugixml here: the engine and the tests only see this.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::scenario {

struct source_pos {
  std::string file;
  int line = 0;
  int column = 0;
};

// A [keyword] inside a message template or a log text.
enum class keyword_id : std::uint8_t {
  service,        // [service]
  remote_ip,      // [remote_ip]
  remote_port,    // [remote_port]
  local_ip,       // [local_ip]
  local_ip_type,  // [local_ip_type]: 4 or 6
  local_port,     // [local_port]
  transport,      // [transport]: UDP or TCP
  media_ip,       // [media_ip]
  media_ip_type,  // [media_ip_type]
  media_port,     // [media_port]
  call_id,        // [call_id]
  call_number,    // [call_number]
  cseq,           // [cseq], [cseq+N], [cseq-N]: offset in `offset`
  branch,         // [branch], [branch-N]: N in `offset` (0 for [branch])
  pid,            // [pid]
  len,            // [len]: computed by render(), never asked of the keyword_source
  peer_tag_param, // [peer_tag_param]
  last_header,    // [last_Via:] etc: header name (as written, without ':') in `arg`
  routes,         // [routes]
  next_url,       // [next_url]
  authentication, // [authentication]: the Authorization (or Proxy-Authorization) header line
                  // answering the challenge kept by the last <recv auth="true">
  challenge,      // [challenge]: in a 401 (407) the WWW-Authenticate (Proxy-Authenticate) lines
                  // of a fresh digest challenge, SHA-256 then MD5 (RFC 3261 22.1; RFC 8760 2.3)
  variable,       // [$name]: variable name in `arg`
};

struct keyword {
  keyword_id id = keyword_id::service;
  std::string arg; // last_header: header name; variable: variable name
  int offset = 0;  // branch-N: -N; cseq+N: N
};

// A template piece: literal text or a keyword.
struct piece {
  bool is_keyword = false;
  std::string text; // literal text (is_keyword false)
  scenario::keyword kw;
};

// One line of a template, as pieces. Lines were trimmed at load time (as SIPp does).
struct template_line {
  std::vector<piece> pieces;
  int line = 0; // line in the scenario file
};

// A <send> CDATA message: header lines (start line first) and body lines, split at the first empty
// line of the template.
struct message_template {
  std::vector<template_line> head;
  std::vector<template_line> body;
  bool has_body_separator = false; // the template had an empty line (even with no body after it)
};

// What the engine supplies when a template is rendered.
class keyword_source {
public:
  virtual ~keyword_source() = default;
  // Appends the expansion of `kw` to `out`. Never called for keyword_id::len.
  virtual void expand(const keyword& kw, std::string& out) const = 0;
};

// <action> children.
struct action {
  enum class kind : std::uint8_t {
    ereg,     // regexp (POSIX extended) on msg / hdr / body into variables
    assign,   // assign_to = value (number) or = variable
    add,      // assign_to += value
    subtract, // assign_to -= value
    multiply, // assign_to *= value
    divide,   // assign_to /= value
    test,     // assign_to = (variable compare value)
    strcmp,   // assign_to = strcmp(variable, variable2 or value)
    log,      // message (with keywords) into the run log
    warning,  // message into the run log, as a warning
    exec,     // command (shell) or int_cmd (stop_call | stop_now | stop_gracefully)
  };
  kind what = kind::ereg;
  source_pos pos;
  // ereg
  std::string regexp;
  enum class search_in : std::uint8_t { msg, hdr, body, var } where = search_in::msg;
  std::string header;   // search_in=hdr: header name as written ("From:", "From: ")
  std::string variable; // search_in=var; test/strcmp/assign: the source variable
  std::string variable2;
  bool check_it = false;         // no match fails the call
  bool check_it_inverse = false; // a match fails the call
  bool case_indep = false;
  int occurrence = 1;
  bool start_line = false;            // search_in=hdr: match at the start of a header line only
  std::vector<std::string> assign_to; // first: whole match; then submatches
  // assign/add/.../test
  std::optional<double> value;
  std::string value_text; // test/strcmp with a string value
  enum class compare : std::uint8_t {
    equal,
    not_equal,
    greater_than,
    less_than,
    greater_than_equal,
    less_than_equal
  } cmp = compare::equal;
  // log/warning: message with keywords (one line)
  template_line message;
  // exec
  std::string command;
  std::string int_cmd;
};

// One element of the flow.
struct step {
  // send_cmd, recv_cmd: <sendCmd dest="agent">, <recvCmd src="agent">, between the agents of
  // one scenario (SIPp's 3PCC commands).
  enum class kind : std::uint8_t { send, recv, pause, nop, label, send_cmd, recv_cmd };
  kind what = kind::nop;
  source_pos pos;

  // send
  message_template msg;
  std::optional<std::chrono::milliseconds> retrans; // retrans="N" (UDP only)
  double lost = 0;                                  // lost="P": percent of sends dropped
  std::string start_txn; // start_txn="name": this request starts a named transaction
  std::string ack_txn;   // ack_txn="name": this ACK acknowledges that transaction

  // recv
  std::string request; // request="INVITE" (or a regex when regexp_match)
  int response = 0;    // response="200"
  bool regexp_match = false;
  bool optional = false; // optional="true" (or "global")
  bool optional_global = false;
  std::optional<std::chrono::milliseconds> timeout; // timeout="N"
  std::optional<double> timeout_t1;                 // timeout_t1="N": N times the run's T1
  std::string ontimeout;                            // label to jump to on timeout
  int ontimeout_index = -1;
  std::string response_txn; // response_txn="name"
  bool rrs = false;         // rrs="true": remember the route set ([routes], [next_url])
  bool auth = false;        // auth="true": the challenge is kept for [authentication]

  // pause / timewait
  std::optional<std::chrono::milliseconds> milliseconds; // milliseconds="N"
  std::optional<double> t1_multiple; // t1="N": N times the run's T1 (a sipwright extension)
  std::string pause_variable;        // variable="name": pause for that many ms
  bool timewait = false;             // <timewait>: pause at the end of the call

  // label
  std::string id;

  // send_cmd: the agent the command goes to (`msg` holds its header lines); recv_cmd: the agent
  // it must come from, empty for any (a timeout= bounds the wait).
  std::string peer;

  // jumps, on any step
  std::string next; // next="label"
  int next_index = -1;
  std::string test;             // test="var": jump only when the variable is set/true
  std::optional<double> chance; // chance="0.3": jump with that probability

  std::vector<scenario::action> actions;
};

enum class role : std::uint8_t {
  caller, // the first message step is a <send>: sipwright starts the call towards the DUT
  callee, // the first message step is a <recv>: sipwright waits for the DUT's call
};

// <metadata>: what a library scenario tests (a sipwright element). Ids and section numbers only.
struct metadata {
  std::string id;                         // "device-callee/basic-call"
  std::string title;                      // one line
  scenario::role device = role::caller;   // what the device plays (the harness plays the other)
  std::vector<std::string> sections;      // "RFC 3261 13.2.2.4"
  std::vector<std::string> test_purposes; // ETSI TS 102 027-2 ids, e.g. SIP_CC_TE_CE_TI_009
  std::vector<std::string> capabilities;  // what the device must be able to do
  std::string service;                    // the [service] that makes the device answer as needed
  std::vector<std::string> transports;    // empty: every transport
};

// <agent name="...">: one party of a scenario that plays several at once, e.g. phone A and
// phone B calling each other through the device (a PBX or proxy). Each plays its steps from its
// own address with its own credentials (from the device profile's [agents.NAME]).
struct agent {
  std::string name;
  source_pos pos;
  sipwright::scenario::role role = sipwright::scenario::role::caller; // by its first message step
  std::vector<step> steps;
  std::vector<std::string> variables;
};

struct scenario {
  std::string name; // <scenario name="...">
  std::string file;
  sipwright::scenario::role role = sipwright::scenario::role::caller;
  std::vector<step> steps;
  std::vector<std::string> variables; // every variable name used (for checks and reports)
  std::optional<sipwright::scenario::metadata> meta;
  // Several agents: the steps are theirs (`steps` is empty), and they play concurrently.
  std::vector<sipwright::scenario::agent> agents;
};

} // namespace sipwright::scenario
