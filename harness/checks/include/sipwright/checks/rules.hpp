#pragma once
// The rule catalogue: every conformance rule sipwright judges, one X-macro row each, with a stable
// id, its level (MUST fails; SHOULD warns, and fails under --strict), the section it enforces and a
// one-line title. Reports and `sipwright rules` list it; verdicts point into it.
#include <cstdint>
#include <span>
#include <string_view>

namespace sipwright::checks {

enum class level : std::uint8_t { must, should };

// X(name, "id", level, "section", "title")
#define SIPWRIGHT_RULES(X)                                                                         \
  /* Every message received */                                                                     \
  X(msg_grammar, "msg.grammar", must, "RFC 3261 25", "the message parses per the SIP grammar")     \
  X(msg_mandatory, "msg.mandatory-headers", must, "RFC 3261 8.1.1, 8.2.6.2, 20",                   \
    "the header fields every request or response needs are present")                               \
  X(msg_content_length, "msg.content-length", must, "RFC 3261 18.3, 20.14",                        \
    "Content-Length equals the body's length")                                                     \
  X(msg_content_type, "msg.content-type", must, "RFC 3261 7.4.1, 20.15",                           \
    "a message with a body says its Content-Type")                                                 \
  X(msg_branch_cookie, "msg.branch-cookie", must, "RFC 3261 8.1.1.7",                              \
    "a request's top Via branch starts with the magic cookie z9hG4bK")                             \
  X(resp_copies_request, "resp.copies-request", must, "RFC 3261 8.2.6.2",                          \
    "a response copies the request's Call-ID, CSeq, From and Via")                                 \
  X(resp_to_tag, "resp.to-tag", must, "RFC 3261 8.2.6.2, 12.1.1",                                  \
    "a response other than 100 to a dialog-creating request carries a To tag")                     \
  /* The device answers an INVITE with 2xx (device is the callee) */                               \
  X(uas_2xx_contact, "uas-2xx.contact", must, "RFC 3261 12.1.1",                                   \
    "a 2xx to INVITE carries one Contact with a SIP or SIPS URI")                                  \
  X(uas_2xx_record_route, "uas-2xx.record-route", must, "RFC 3261 12.1.1",                         \
    "a 2xx to INVITE copies the request's Record-Route in order")                                  \
  X(uas_2xx_retransmit, "uas-2xx.retransmit", must, "RFC 3261 13.3.1.4",                           \
    "the 2xx is retransmitted from T1, doubling up to T2, until the ACK arrives")                  \
  X(uas_2xx_stop_on_ack, "uas-2xx.stop-on-ack", must, "RFC 3261 13.3.1.4",                         \
    "2xx retransmissions stop once the ACK has arrived")                                           \
  X(uas_2xx_bye_without_ack, "uas-2xx.bye-without-ack", should, "RFC 3261 13.3.1.4",               \
    "without an ACK within 64*T1 the device ends the dialog with BYE")                             \
  /* The device answers an INVITE with a final non-2xx (device is the callee) */                   \
  X(uas_non2xx_retransmit, "uas-non2xx.retransmit", must, "RFC 3261 17.2.1",                       \
    "a final non-2xx is retransmitted with Timer G until the ACK arrives")                         \
  X(uas_non2xx_stop_on_ack, "uas-non2xx.stop-on-ack", must, "RFC 3261 17.2.1",                     \
    "final-response retransmissions stop once the ACK has arrived")                                \
  /* The harness answers the device's INVITE with 2xx (device is the caller) */                    \
  X(ack_2xx_received, "ack-2xx.received", must, "RFC 3261 13.2.2.4",                               \
    "the 2xx to INVITE is acknowledged with an ACK")                                               \
  X(ack_2xx_each, "ack-2xx.each-retransmission", must, "RFC 3261 13.2.2.4",                        \
    "every retransmission of the 2xx gets an ACK")                                                 \
  X(ack_2xx_new_transaction, "ack-2xx.new-transaction", must,                                      \
    "RFC 3261 13.2.2.4, 17.1.1.3, 8.1.1.7",                                                        \
    "the ACK to a 2xx is a new transaction: a new branch with the magic cookie")                   \
  X(ack_2xx_call_id, "ack-2xx.call-id", must, "RFC 3261 13.2.2.4, 12.2.1.1",                       \
    "the ACK carries the dialog's Call-ID")                                                        \
  X(ack_2xx_from, "ack-2xx.from", must, "RFC 3261 13.2.2.4, 12.2.1.1",                             \
    "the ACK's From is the INVITE's, with its tag")                                                \
  X(ack_2xx_to, "ack-2xx.to", must, "RFC 3261 13.2.2.4, 12.2.1.1",                                 \
    "the ACK's To carries the 2xx's To tag")                                                       \
  X(ack_2xx_cseq, "ack-2xx.cseq", must, "RFC 3261 13.2.2.4",                                       \
    "the ACK's CSeq has the INVITE's number and the method ACK")                                   \
  X(ack_2xx_request_uri, "ack-2xx.request-uri", must, "RFC 3261 12.2.1.1, 13.2.2.4",               \
    "the ACK's Request-URI is the 2xx's Contact (or per the route set)")                           \
  X(ack_2xx_route, "ack-2xx.route", must, "RFC 3261 12.2.1.1",                                     \
    "the ACK's Route is the 2xx's Record-Route, reversed")                                         \
  X(ack_2xx_credentials, "ack-2xx.credentials", must, "RFC 3261 13.2.2.4, 22.1",                   \
    "the ACK repeats the INVITE's credentials")                                                    \
  X(ack_2xx_max_forwards, "ack-2xx.max-forwards", must, "RFC 3261 8.1.1.6",                        \
    "the ACK carries Max-Forwards")                                                                \
  X(ack_2xx_sdp_answer, "ack-2xx.sdp-answer", must, "RFC 3261 13.2.1",                             \
    "when the 2xx carried the offer, the ACK carries the answer")                                  \
  /* The harness challenged the device's request with [challenge] (device is the client) */        \
  X(auth_credentials, "auth.credentials", must, "RFC 3261 22.2, 22.3; RFC 7616 3.4",               \
    "the request sent again answers the challenge: its header, nonce, digest and account")         \
  /* The harness answers the device's INVITE with a final non-2xx (device is the caller) */        \
  X(ack_non2xx_received, "ack-non2xx.received", must, "RFC 3261 17.1.1.2",                         \
    "a final non-2xx response to INVITE is acknowledged with an ACK")                              \
  X(ack_non2xx_each, "ack-non2xx.each-retransmission", must, "RFC 3261 17.1.1.2",                  \
    "every retransmission of the final response gets an ACK")                                      \
  X(ack_non2xx_branch, "ack-non2xx.branch", must, "RFC 3261 17.1.1.3",                             \
    "the ACK's top Via is the INVITE's, with the same branch")                                     \
  X(ack_non2xx_request_uri, "ack-non2xx.request-uri", must, "RFC 3261 17.1.1.3",                   \
    "the ACK's Request-URI is the INVITE's")                                                       \
  X(ack_non2xx_call_id, "ack-non2xx.call-id", must, "RFC 3261 17.1.1.3",                           \
    "the ACK's Call-ID is the INVITE's")                                                           \
  X(ack_non2xx_from, "ack-non2xx.from", must, "RFC 3261 17.1.1.3",                                 \
    "the ACK's From is the INVITE's")                                                              \
  X(ack_non2xx_to, "ack-non2xx.to", must, "RFC 3261 17.1.1.3",                                     \
    "the ACK's To carries the response's To tag")                                                  \
  X(ack_non2xx_cseq, "ack-non2xx.cseq", must, "RFC 3261 17.1.1.3",                                 \
    "the ACK's CSeq has the INVITE's number and the method ACK")                                   \
  X(ack_non2xx_route, "ack-non2xx.route", must, "RFC 3261 17.1.1.3",                               \
    "the ACK carries the INVITE's Route header fields")                                            \
  X(ack_non2xx_no_bye, "ack-non2xx.no-bye", must, "RFC 3261 17.1.1.3, 13.2.2.3",                   \
    "no BYE and no new transaction follow a final non-2xx response")                               \
  /* 380 Alternative Service */                                                                    \
  X(alt_service_framing, "380.body-framing", must, "RFC 3261 21.3.5, 7.4.1, 20.14",                \
    "a 380 body is framed by Content-Type and Content-Length")                                     \
  X(alt_service_ims_xml, "380.ims-3gpp-xml", must, "3GPP TS 24.229 7.6",                           \
    "an application/3gpp-ims+xml body is well-formed and valid")                                   \
  X(alt_service_values, "380.ims-3gpp-values", should, "3GPP TS 24.229 7.6",                       \
    "the alternative-service type and action are values the specification defines")                \
  /* The device as registrar */                                                                    \
  X(reg_bindings, "reg.bindings", must, "RFC 3261 10.3",                                           \
    "the 200 to REGISTER lists every current binding, each with an expires parameter")             \
  X(reg_min_expires, "reg.min-expires", must, "RFC 3261 10.3, 20.23",                              \
    "a 423 (Interval Too Brief) carries Min-Expires")                                              \
  /* The device as notifier */                                                                     \
  X(sub_expires, "sub.expires", must, "RFC 6665 3.1.1, 4.2.1.1",                                   \
    "a 2xx to SUBSCRIBE carries Expires, not longer than the SUBSCRIBE asked")                     \
  X(sub_notify_immediate, "sub.notify-immediate", must, "RFC 6665 4.2.1.2",                        \
    "a NOTIFY follows every 2xx to SUBSCRIBE at once (judged within 64*T1)")                       \
  X(sub_notify_event, "sub.notify-event", must, "RFC 6665 3.2.1, 8.2.1",                           \
    "the NOTIFY's Event names the SUBSCRIBE's event package and id")                               \
  X(sub_notify_state, "sub.notify-state", must, "RFC 6665 4.2.2, 8.2.3",                           \
    "the NOTIFY carries Subscription-State")                                                       \
  X(sub_notify_expires, "sub.notify-expires", must, "RFC 6665 4.2.2",                              \
    "an active or pending Subscription-State has an expires not above the subscription's")         \
  X(sub_unsubscribe_terminated, "sub.unsubscribe-terminated", should, "RFC 6665 4.2.1.4",          \
    "the NOTIFY after an unsubscribe (Expires: 0) says terminated")

enum class rule_id : std::uint8_t {
#define SIPWRIGHT_RULE_ENUM(name, id, lvl, section, title) name,
  SIPWRIGHT_RULES(SIPWRIGHT_RULE_ENUM)
#undef SIPWRIGHT_RULE_ENUM
};

struct rule {
  rule_id which;
  std::string_view id;
  checks::level level;
  std::string_view section;
  std::string_view title;
};

std::span<const rule> catalogue();
const rule& rule_of(rule_id r);
// By stable id ("ack-2xx.cseq"); null when unknown.
const rule* find_rule(std::string_view id);
std::string_view to_string(level l); // "MUST" / "SHOULD"

} // namespace sipwright::checks
