#pragma once
// Builds a canonical message: CRLF line ends, "Name: value" headers, Content-Length computed
// from the body (RFC 3261 7, 20.14).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipwright::sip {

class message_builder {
public:
  static message_builder request(std::string_view method, std::string_view request_uri);
  static message_builder response(int status, std::string_view reason);

  // Appends a header; a Content-Length given here is ignored (it is always computed).
  message_builder& header(std::string_view name, std::string_view value);
  message_builder& body(std::string_view content_type, std::string_view body);
  // The canonical bytes: start line, headers in order, Content-Length, empty line, body.
  std::string str() const;

private:
  std::string start_line_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
};

} // namespace sipwright::sip
