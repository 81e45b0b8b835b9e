#pragma once
// Small readers of message fields shared by the flow rules; every one tolerates a message that
// lacks the field (the device's messages may be broken) and returns something printable.
#include "sipwright/sip/message.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sipwright::checks::detail {

std::string to_tag(const sip::message& m);
std::string from_tag(const sip::message& m);
std::string top_branch(const sip::message& m);
// The branch of the bottom-most Via: the one its originator wrote, below the proxies' (8.1.1.7,
// 16.6 step 8).
std::string bottom_branch(const sip::message& m);
std::string call_id(const sip::message& m);
// "1 INVITE", or "(none)" when absent or unparsable.
std::string cseq_text(const sip::message& m);
std::uint32_t cseq_number(const sip::message& m); // 0 when absent
std::string cseq_method(const sip::message& m);
// Every element of every row of a header, trimmed, in order.
std::vector<std::string> values(const sip::message& m, sip::header_id id);
// A list for messages: "<a>, <b>" or "(none)".
std::string joined(const std::vector<std::string>& v);
// Two URIs are equivalent (RFC 3261 19.1.4, see equivalence.hpp), or equal bytes when one does
// not parse.
bool same_uri(std::string_view a, std::string_view b);
// From (or To) of two messages are equivalent (RFC 3261 20.20, 20.39: URI and tag), or equal
// bytes when one does not parse.
bool same_address(const sip::message& a, const sip::message& b, sip::header_id id);
// "0.512 s"
std::string seconds(std::chrono::steady_clock::duration d);
// "450 ms"
std::string millis(std::chrono::steady_clock::duration d);

} // namespace sipwright::checks::detail
