#pragma once
// SIP messages the tests feed to `sipwright lint`, with the facts the expected lines depend on.
#include <string>

namespace sipwright::cli::test {

// Valid, no findings. 8 lines including the empty one.
inline const std::string valid_options = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                         "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK74bf9\r\n"
                                         "Max-Forwards: 70\r\n"
                                         "To: <sip:bob@example.com>\r\n"
                                         "From: <sip:alice@example.org>;tag=9fxced76sl\r\n"
                                         "Call-ID: 3848276298220188511@192.0.2.15\r\n"
                                         "CSeq: 1 OPTIONS\r\n"
                                         "Content-Length: 0\r\n"
                                         "\r\n";

// Invalid: an empty Via parameter; the second ';' is at line 2, column 29.
inline const std::string bad_via = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                   "Via: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"
                                   "Max-Forwards: 70\r\n"
                                   "To: <sip:bob@example.com>\r\n"
                                   "From: <sip:alice@example.org>;tag=9fxced76sl\r\n"
                                   "Call-ID: 3848276298220188511@192.0.2.15\r\n"
                                   "CSeq: 1 OPTIONS\r\n"
                                   "Content-Length: 0\r\n"
                                   "\r\n";
inline const std::string bad_via_finding =
    "2:29: error: empty parameter in Via (a ';' must be followed by a token), saw ; "
    "(RFC 3261 25.1) [param.empty]";

// Valid with a warning: no Max-Forwards; the warning points at the empty line (line 8).
inline const std::string no_max_forwards = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                           "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK74bf9\r\n"
                                           "To: <sip:bob@example.com>\r\n"
                                           "From: <sip:alice@example.org>;tag=9fxced76sl\r\n"
                                           "Call-ID: 3848276298220188511@192.0.2.15\r\n"
                                           "CSeq: 1 OPTIONS\r\n"
                                           "Content-Length: 0\r\n"
                                           "\r\n";
inline const std::string no_max_forwards_finding =
    "8:1: warning: Max-Forwards is missing (RFC 2543 clients omit it; RFC 3261 requires it) "
    "(RFC 3261 8.1.1.6) [header.missing]";

// Valid response with a body (Content-Length frames it on a stream). 9 lines up to the body.
inline const std::string ok_with_body = "SIP/2.0 200 OK\r\n"
                                        "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK74bf9\r\n"
                                        "To: <sip:bob@example.com>;tag=8321234356\r\n"
                                        "From: <sip:alice@example.org>;tag=9fxced76sl\r\n"
                                        "Call-ID: 3848276298220188511@192.0.2.15\r\n"
                                        "CSeq: 1 OPTIONS\r\n"
                                        "Content-Type: text/plain\r\n"
                                        "Content-Length: 12\r\n"
                                        "\r\n"
                                        "hello\r\nworld";

} // namespace sipwright::cli::test
