#include "sipwright/sip/builder.hpp"

#include "sipwright/sip/header_table.hpp"

#include <string>

namespace sipwright::sip {

message_builder message_builder::request(std::string_view method, std::string_view request_uri) {
  message_builder b;
  b.start_line_.append(method).append(" ").append(request_uri).append(" SIP/2.0");
  return b;
}

message_builder message_builder::response(int status, std::string_view reason) {
  message_builder b;
  b.start_line_.append("SIP/2.0 ").append(std::to_string(status)).append(" ").append(reason);
  return b;
}

message_builder& message_builder::header(std::string_view name, std::string_view value) {
  if (lookup_header(name) != header_id::content_length) headers_.emplace_back(name, value);
  return *this;
}

message_builder& message_builder::body(std::string_view content_type, std::string_view body) {
  for (auto it = headers_.begin(); it != headers_.end();)
    it = lookup_header(it->first) == header_id::content_type ? headers_.erase(it) : it + 1;
  if (!content_type.empty()) headers_.emplace_back("Content-Type", content_type);
  body_ = body;
  return *this;
}

std::string message_builder::str() const {
  std::string out;
  out.reserve(start_line_.size() + body_.size() + 64 * (headers_.size() + 1));
  out.append(start_line_).append("\r\n");
  for (const auto& [name, value] : headers_)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(body_.size())).append("\r\n\r\n");
  out.append(body_);
  return out;
}

} // namespace sipwright::sip
