#pragma once
// A sans-I/O SIP parser in the style of Boost.Beast: feed it bytes with put(); it answers how
// many it consumed and whether a message is done, more bytes are needed, or the input is in
// error. It never throws, never reads past its input, and bounds what it buffers.
//
// Datagram mode (UDP, RFC 3261 18.3): one put() is one whole datagram. Without Content-Length
// the body runs to the end; a Content-Length larger than what follows is an error; bytes after
// the body are discarded (with a warning).
// Stream mode (TCP/TLS): put() any chunk; Content-Length frames the message and is mandatory
// (RFC 3261 18.3, 20.14); CRLFs between messages are keep-alives and skipped (RFC 5626 3.5.1).
// After `done`, feed the unconsumed rest again for the next message.
#include "sipwright/sip/message.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::parser {

enum class mode : std::uint8_t { datagram, stream };

struct limits {
  std::size_t max_message = 256 * 1024; // start line + headers + body
  std::size_t max_headers = 256;        // header field rows
};

struct options {
  parser::mode mode = mode::datagram;
  parser::limits limits{};
  bool validate = true; // run the grammar and message checks (sip::validate)
  bool strict = true;   // a grammar error makes put() return status::error
};

enum class status : std::uint8_t { done, need_more, error };

struct result {
  parser::status status = status::need_more;
  std::size_t consumed = 0; // bytes of this put()'s input that were used
};

struct parse_error {
  std::string_view code;    // stable id: "framing.content-length", "via.sent-by", ...
  std::string_view rule;    // ABNF rule or requirement
  std::string_view section; // e.g. "RFC 3261 18.3"
  std::string text;
  std::uint32_t offset = 0; // in the message (stream mode: from the message's first byte)
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class parser {
public:
  explicit parser(const options& opts = {}) : opts_(opts) {}

  result put(std::string_view data);
  // Stream mode: the peer closed; reports a truncated message if one was under way.
  result finish();

  const parse_error& error() const { return error_; }
  // True after done, and after a grammar error (strict mode) when the message could be framed.
  bool has_message() const { return has_message_; }
  // The message, owned by the parser (Beast style): valid while has_message(), until the next
  // put() or reset(). A put() after get() reuses its storage, so a steady stream of messages
  // allocates nothing.
  const sip::message& get() const { return message_; }
  // Hands the message over to the caller (an empty message when there is none) and resets.
  sip::message release();
  void reset();

  const options& opts() const { return opts_; }

private:
  result put_datagram(std::string_view data);
  result put_stream(std::string_view data);
  std::size_t scan_lines(std::size_t limit);
  bool check_line_breaks(std::size_t header_end);
  // Indexes buf_[0, header_end) after scan_lines(). Returns false on a framing error.
  bool index_headers(std::size_t header_end, sip::message_index& idx);
  std::optional<std::uint64_t> framed_length(const sip::message_index& idx);
  result complete(std::size_t total, std::size_t consumed);
  result fail(std::string_view code, std::string_view rule, std::string_view section,
              std::string text, std::size_t offset, std::size_t consumed);

  options opts_;
  std::string buf_;
  std::size_t scan_pos_ = 0;              // stream: where the search for CRLFCRLF resumes
  std::optional<std::size_t> header_end_; // stream: end of the empty line
  std::size_t total_ = 0;                 // stream: header_end + Content-Length
  sip::message_index index_;
  std::vector<std::uint32_t> line_ends_; // the CR of each header block line, by scan_lines()
  sip::message message_;                 // meaningful while has_message_
  bool has_message_ = false;
  std::vector<sip::diagnostic> framing_warnings_;
  parse_error error_;
  bool failed_ = false;
};

} // namespace sipwright::parser
