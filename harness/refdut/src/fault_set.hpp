#pragma once
// The fault switches as an enum (one X-macro row each) and the set of those switched on.
#include "sipwright/refdut/refdut.hpp"

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sipwright::refdut::detail {

// X(name, "switch", role, "rule id", "description")
#define SIPWRIGHT_REFDUT_FAULTS(X)                                                                 \
  /* the device as caller: the ACK of a 2xx (RFC 3261 13.2.2.4) */                                 \
  X(ack_reuse_branch, "ack-reuse-branch", caller, "ack-2xx.new-transaction",                       \
    "the ACK of a 2xx reuses the INVITE's branch instead of starting a new transaction")           \
  X(ack_wrong_cseq, "ack-wrong-cseq", caller, "ack-2xx.cseq",                                      \
    "the ACK of a 2xx carries the INVITE's CSeq number plus one")                                  \
  X(ack_to_request_uri, "ack-to-request-uri", caller, "ack-2xx.request-uri",                       \
    "the ACK of a 2xx goes to the INVITE's Request-URI instead of the 2xx's Contact")              \
  X(ack_no_route, "ack-no-route", caller, "ack-2xx.route",                                         \
    "the ACK of a 2xx leaves out the Route built from the 2xx's Record-Route")                     \
  X(ack_no_to_tag, "ack-no-to-tag", caller, "ack-2xx.to",                                          \
    "the ACK of a 2xx carries the INVITE's To, without the 2xx's tag")                             \
  X(ack_wrong_call_id, "ack-wrong-call-id", caller, "ack-2xx.call-id",                             \
    "the ACK of a 2xx carries another Call-ID")                                                    \
  X(ack_wrong_from_tag, "ack-wrong-from-tag", caller, "ack-2xx.from",                              \
    "the ACK of a 2xx carries another From tag")                                                   \
  X(ack_no_max_forwards, "ack-no-max-forwards", caller, "ack-2xx.max-forwards",                    \
    "the ACK of a 2xx has no Max-Forwards")                                                        \
  X(ack_no_sdp_answer, "ack-no-sdp-answer", caller, "ack-2xx.sdp-answer",                          \
    "the INVITE carries no offer and the ACK no answer to the 2xx's offer")                        \
  X(ack_no_credentials, "ack-no-credentials", caller, "ack-2xx.credentials",                       \
    "the ACK of a 2xx leaves out the (Proxy-)Authorization the INVITE carried")                    \
  X(auth_wrong_password, "auth-wrong-password", caller, "auth.credentials",                        \
    "the INVITE sent again after a challenge carries a digest computed with a wrong password")     \
  X(no_ack, "no-ack", caller, "ack-2xx.received", "a 2xx to the INVITE is never ACKed")            \
  X(ack_once, "ack-once", caller, "ack-2xx.each-retransmission",                                   \
    "only the first copy of a 2xx is ACKed, not its retransmissions")                              \
  /* the device as caller: the ACK of a final non-2xx (RFC 3261 17.1.1.3) */                       \
  X(non2xx_ack_new_branch, "non2xx-ack-new-branch", caller, "ack-non2xx.branch",                   \
    "the ACK of a non-2xx final response has a new branch")                                        \
  X(non2xx_ack_wrong_request_uri, "non2xx-ack-wrong-request-uri", caller,                          \
    "ack-non2xx.request-uri", "the ACK of a non-2xx final response has another Request-URI")       \
  X(non2xx_ack_wrong_to_tag, "non2xx-ack-wrong-to-tag", caller, "ack-non2xx.to",                   \
    "the ACK of a non-2xx final response carries another To tag than the response's")              \
  X(non2xx_ack_wrong_cseq, "non2xx-ack-wrong-cseq", caller, "ack-non2xx.cseq",                     \
    "the ACK of a non-2xx final response carries the INVITE's CSeq number plus one")               \
  X(non2xx_ack_wrong_call_id, "non2xx-ack-wrong-call-id", caller, "ack-non2xx.call-id",            \
    "the ACK of a non-2xx final response carries another Call-ID")                                 \
  X(non2xx_ack_wrong_from_tag, "non2xx-ack-wrong-from-tag", caller, "ack-non2xx.from",             \
    "the ACK of a non-2xx final response carries another From tag")                                \
  X(non2xx_ack_no_route, "non2xx-ack-no-route", caller, "ack-non2xx.route",                        \
    "the ACK of a non-2xx final response drops the INVITE's Route (needs --route)")                \
  X(non2xx_no_ack, "non2xx-no-ack", caller, "ack-non2xx.received",                                 \
    "a non-2xx final response to the INVITE is never ACKed")                                       \
  X(non2xx_ack_once, "non2xx-ack-once", caller, "ack-non2xx.each-retransmission",                  \
    "only the first copy of a non-2xx final response is ACKed")                                    \
  X(bye_after_non2xx, "bye-after-non2xx", caller, "ack-non2xx.no-bye",                             \
    "a BYE follows the ACK of a non-2xx final response")                                           \
  /* the device as callee: its 2xx (RFC 3261 12.1.1, 13.3.1.4) */                                  \
  X(no_2xx_retransmit, "no-2xx-retransmit", callee, "uas-2xx.retransmit",                          \
    "the 2xx is sent once, never retransmitted")                                                   \
  X(fixed_interval_2xx, "2xx-fixed-interval", callee, "uas-2xx.retransmit",                        \
    "the 2xx is retransmitted every T1 without doubling")                                          \
  X(retransmit_after_ack_2xx, "2xx-retransmit-after-ack", callee, "uas-2xx.stop-on-ack",           \
    "2xx retransmissions go on after the ACK (until 64*T1)")                                       \
  X(no_bye_without_ack, "no-bye-without-ack", callee, "uas-2xx.bye-without-ack",                   \
    "no BYE when the 2xx was not ACKed within 64*T1")                                              \
  X(no_contact_2xx, "2xx-no-contact", callee, "uas-2xx.contact", "the 2xx carries no Contact")     \
  X(drop_record_route_2xx, "2xx-drop-record-route", callee, "uas-2xx.record-route",                \
    "the 2xx does not copy the INVITE's Record-Route")                                             \
  /* the device as callee: its final non-2xx (RFC 3261 17.2.1) */                                  \
  X(no_timer_g, "no-timer-g", callee, "uas-non2xx.retransmit",                                     \
    "a final non-2xx is sent once over UDP: Timer G never retransmits it")                         \
  X(non2xx_retransmit_after_ack, "non2xx-retransmit-after-ack", callee, "uas-non2xx.stop-on-ack",  \
    "a final non-2xx is retransmitted on after its ACK")                                           \
  /* the device as callee: 380 Alternative Service (RFC 3261 21.3.5, 3GPP TS 24.229 7.6) */        \
  X(bad_xml_380, "380-bad-xml", callee, "380.ims-3gpp-xml",                                        \
    "the 380's application/3gpp-ims+xml body is not well-formed XML")                              \
  X(wrong_root_380, "380-wrong-root", callee, "380.ims-3gpp-xml",                                  \
    "the 380's XML body has another root element than ims-3gpp")                                   \
  X(no_content_type_380, "380-no-content-type", callee, "380.body-framing",                        \
    "the 380 has a body but no Content-Type")                                                      \
  X(unknown_type_380, "380-unknown-type", callee, "380.ims-3gpp-values",                           \
    "the 380's alternative-service type is a value 3GPP does not define")                          \
  /* the device as registrar (RFC 3261 10.3) */                                                    \
  X(register_no_expires, "register-no-expires", callee, "reg.bindings",                            \
    "the 200 to REGISTER lists the bindings without expires parameters")                           \
  X(no_min_expires_423, "423-no-min-expires", callee, "reg.min-expires",                           \
    "the 423 to a REGISTER with too brief an expiration has no Min-Expires")                       \
  /* the device as notifier (RFC 6665) */                                                          \
  X(subscribe_no_expires, "subscribe-no-expires", callee, "sub.expires",                           \
    "the 200 to SUBSCRIBE has no Expires")                                                         \
  X(no_notify, "no-notify", callee, "sub.notify-immediate",                                        \
    "no NOTIFY follows the 200 to SUBSCRIBE")                                                      \
  X(notify_wrong_event, "notify-wrong-event", callee, "sub.notify-event",                          \
    "the NOTIFY's Event names the package presence, not the SUBSCRIBE's")                          \
  X(notify_no_state, "notify-no-state", callee, "sub.notify-state",                                \
    "the NOTIFY has no Subscription-State")                                                        \
  X(notify_lengthen_expires, "notify-lengthen-expires", callee, "sub.notify-expires",              \
    "the NOTIFY's Subscription-State expires is an hour longer than the subscription")             \
  X(unsubscribe_active, "unsubscribe-active", callee, "sub.unsubscribe-terminated",                \
    "the NOTIFY after an unsubscribe says active;expires=0 instead of terminated")                 \
  /* any message the device sends */                                                               \
  X(no_to_tag, "no-to-tag", callee, "resp.to-tag",                                                 \
    "responses to INVITE other than 100 carry no To tag")                                          \
  X(wrong_cseq, "response-wrong-cseq", callee, "resp.copies-request",                              \
    "responses to INVITE carry the request's CSeq number plus one")                                \
  X(bad_content_length, "bad-content-length", both, "msg.content-length",                          \
    "messages with a body say a Content-Length 4 bytes short of it")                               \
  X(no_content_type, "no-content-type", both, "msg.content-type",                                  \
    "SDP bodies are sent without Content-Type")                                                    \
  X(no_branch_cookie, "no-branch-cookie", both, "msg.branch-cookie",                               \
    "requests the device starts have a Via branch without the magic cookie z9hG4bK")               \
  X(no_max_forwards, "no-max-forwards", both, "msg.mandatory-headers",                             \
    "requests the device starts (INVITE, BYE) have no Max-Forwards")                               \
  X(bad_max_forwards, "bad-max-forwards", caller, "msg.grammar",                                   \
    "the INVITE says Max-Forwards: 300, outside 0-255")

enum class fault : std::uint8_t {
#define SIPWRIGHT_REFDUT_FAULT_ENUM(name, sw, role, rule, description) name,
  SIPWRIGHT_REFDUT_FAULTS(SIPWRIGHT_REFDUT_FAULT_ENUM)
#undef SIPWRIGHT_REFDUT_FAULT_ENUM
      count_
};

std::optional<fault> fault_from(std::string_view name);

class fault_set {
public:
  void add(fault f) { bits_.set(static_cast<std::size_t>(f)); }
  bool has(fault f) const { return bits_.test(static_cast<std::size_t>(f)); }
  bool any() const { return bits_.any(); }

private:
  std::bitset<static_cast<std::size_t>(fault::count_)> bits_;
};

} // namespace sipwright::refdut::detail
