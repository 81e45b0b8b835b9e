// Framing, limits and error reporting of the sans-I/O parser (RFC 3261 7, 18.3; RFC 5626 3.5.1).
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/builder.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sipwright;
using parser::mode;
using parser::status;

namespace {

std::string options_request(std::string_view body = "", std::string_view extra = "") {
  auto b = sip::message_builder::request("OPTIONS", "sip:bob@example.com");
  b.header("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9")
      .header("Max-Forwards", "70")
      .header("To", "<sip:bob@example.com>")
      .header("From", "<sip:alice@example.com>;tag=9fxced76sl")
      .header("Call-ID", "3848276298220188511@192.0.2.1")
      .header("CSeq", "63104 OPTIONS");
  if (!extra.empty()) b.header("Subject", extra);
  if (!body.empty()) b.body("text/plain", body);
  return b.str();
}

} // namespace

TEST_CASE("a built message is canonical and parses back byte-exact", "[parser][builder]") {
  auto bytes = options_request("hello");
  CHECK(bytes.find("Content-Length: 5\r\n\r\nhello") != std::string::npos);
  parser::parser p;
  auto r = p.put(bytes);
  REQUIRE(r.status == status::done);
  CHECK(r.consumed == bytes.size());
  auto m = p.release();
  CHECK(m.serialize() == bytes);
  CHECK(m.body() == "hello");
  CHECK(m.method() == "OPTIONS");
  CHECK(m.fields().size() == 8);
  CHECK(m.fields()[0].line_no == 2);
  CHECK(m.diagnostics().empty());
}

TEST_CASE("datagram mode: Content-Length larger than the datagram is an error (RFC 3261 18.3)",
          "[parser][datagram][rfc3261]") {
  auto bytes = options_request("hello");
  bytes.resize(bytes.size() - 2);
  parser::parser p;
  REQUIRE(p.put(bytes).status == status::error);
  CHECK(p.error().code == "framing.body-truncated");
  CHECK(p.error().text == "Content-Length is 5 but only 3 bytes follow the headers");
  CHECK(p.error().section == "RFC 3261 18.3");
  CHECK_FALSE(p.has_message());
}

TEST_CASE("datagram mode: bytes after the body are discarded with a warning (RFC 3261 18.3)",
          "[parser][datagram][rfc3261]") {
  auto bytes = options_request("hello");
  parser::parser p;
  REQUIRE(p.put(bytes + "garbage").status == status::done);
  auto m = p.release();
  CHECK(m.bytes() == bytes);
  REQUIRE(m.diagnostics().size() == 1);
  CHECK(m.diagnostics()[0].code == "framing.extra-bytes");
  CHECK(m.diagnostics()[0].text == "7 bytes after the body (per Content-Length) are discarded");
}

TEST_CASE("datagram mode: without Content-Length the body runs to the end (RFC 3261 18.3)",
          "[parser][datagram][rfc3261]") {
  auto bytes = options_request();
  auto cl = bytes.find("Content-Length: 0\r\n");
  bytes.erase(cl, 19);
  bytes += "v=0\r\n";
  bytes.insert(bytes.find("\r\n\r\n") + 2, "Content-Type: application/sdp\r\n");
  parser::parser p;
  REQUIRE(p.put(bytes).status == status::done);
  CHECK(p.release().body() == "v=0\r\n");
}

TEST_CASE("stream mode: Content-Length is mandatory (RFC 3261 18.3)", "[parser][stream][rfc3261]") {
  auto bytes = options_request();
  bytes.erase(bytes.find("Content-Length: 0\r\n"), 19);
  parser::parser p(parser::options{.mode = mode::stream});
  auto r = p.put(bytes);
  REQUIRE(r.status == status::error);
  CHECK(p.error().code == "framing.content-length-missing");
  CHECK(p.error().text == "Content-Length is mandatory on a stream transport");
}

TEST_CASE(
    "stream mode: keep-alive CRLFs are skipped and messages framed one by one (RFC 5626 3.5.1)",
    "[parser][stream]") {
  auto one = options_request("hi");
  std::string input = "\r\n\r\n" + one + "\r\n" + one;
  parser::parser p(parser::options{.mode = mode::stream});
  auto r = p.put(input);
  REQUIRE(r.status == status::done);
  CHECK(r.consumed == 4 + one.size());
  CHECK(p.release().bytes() == one);
  std::string_view rest = std::string_view(input).substr(r.consumed);
  r = p.put(rest);
  REQUIRE(r.status == status::done);
  CHECK(r.consumed == rest.size());
  CHECK(p.release().bytes() == one);
  CHECK(p.put("\r\n").status == status::need_more);
  CHECK(p.finish().status == status::need_more);
}

TEST_CASE("stream mode: a stream that ends inside a message is reported", "[parser][stream]") {
  auto one = options_request("hello");
  parser::parser p(parser::options{.mode = mode::stream});
  auto r = p.put(std::string_view(one).substr(0, one.size() - 1));
  CHECK(r.status == status::need_more);
  REQUIRE(p.finish().status == status::error);
  CHECK(p.error().code == "framing.truncated");
}

TEST_CASE("limits bound what the parser buffers", "[parser][limits]") {
  SECTION("message size in stream mode, before the headers end") {
    parser::parser p(
        parser::options{.mode = mode::stream, .limits = {.max_message = 100, .max_headers = 10}});
    std::string junk = "OPTIONS sip:a@b SIP/2.0\r\nSubject: " + std::string(200, 'x');
    auto r = p.put(junk);
    REQUIRE(r.status == status::error);
    CHECK(p.error().code == "limit.size");
    CHECK(p.error().offset == 100);
  }
  SECTION("message size through Content-Length in stream mode") {
    parser::parser p(
        parser::options{.mode = mode::stream, .limits = {.max_message = 400, .max_headers = 64}});
    auto bytes = options_request();
    auto cl = bytes.find("Content-Length: 0");
    bytes.replace(cl, 17, "Content-Length: 4000000000");
    REQUIRE(p.put(bytes).status == status::error);
    CHECK(p.error().code == "limit.size");
  }
  SECTION("header count") {
    parser::parser p(parser::options{.mode = mode::datagram,
                                     .limits = {.max_message = 65536, .max_headers = 3}});
    REQUIRE(p.put(options_request()).status == status::error);
    CHECK(p.error().code == "limit.headers");
    CHECK(p.error().text == "more than 3 header fields");
    CHECK(p.error().line == 5);
  }
}

TEST_CASE("line ends must be CRLF (RFC 3261 7)", "[parser][rfc3261]") {
  std::string lf = "OPTIONS sip:a@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n";
  parser::parser p;
  REQUIRE(p.put(lf + "\r\n\r\n").status == status::error);
  CHECK(p.error().code == "framing.bare-lf");
  CHECK(p.error().line == 1);
  CHECK(p.error().column == 34);
  parser::parser q;
  REQUIRE(q.put(lf).status == status::error);
  CHECK(q.error().code == "framing.no-empty-line");
}

TEST_CASE("header lines without a colon or starting with whitespace are errors",
          "[parser][rfc3261]") {
  auto bytes = options_request();
  SECTION("no colon") {
    bytes.insert(bytes.find("Max-Forwards"), "Broken header line\r\n");
    parser::parser p;
    REQUIRE(p.put(bytes).status == status::error);
    CHECK(p.error().code == "header.syntax");
    CHECK(p.error().text == "expected ':' after header name 'Broken', saw header line");
    CHECK(p.error().line == 3);
    CHECK(p.error().column == 8);
  }
  SECTION("continuation with nothing before") {
    bytes.insert(bytes.find("\r\n") + 2, " folded\r\n");
    parser::parser p;
    REQUIRE(p.put(bytes).status == status::error);
    CHECK(p.error().code == "header.continuation");
  }
}

TEST_CASE("a grammar error still yields the message and all its findings", "[parser]") {
  auto bytes = options_request();
  bytes.replace(bytes.find("CSeq: 63104 OPTIONS"), 19, "CSeq: 63104 INVITE");
  bytes.replace(bytes.find("Max-Forwards: 70"), 16, "Max-Forwards: 700");
  parser::parser p;
  REQUIRE(p.put(bytes).status == status::error);
  CHECK(p.error().code == "max-forwards.range");
  CHECK(p.error().text == "value 700 exceeds the maximum 255");
  REQUIRE(p.has_message());
  auto m = p.release();
  REQUIRE(m.diagnostics().size() == 2);
  CHECK(m.diagnostics()[1].code == "cseq.method-mismatch");
  CHECK(m.diagnostics()[1].text == "CSeq method INVITE differs from the request method OPTIONS");

  parser::parser lenient(parser::options{.strict = false});
  CHECK(lenient.put(bytes).status == status::done);
  CHECK(lenient.release().has_errors());
}

TEST_CASE("junk gets a specific error in both modes, never a crash", "[parser]") {
  struct row {
    std::string input;
    const char* datagram_code;
    const char* stream_code; // after finish(); "" when the stream is merely idle
  };
  const row rows[] = {
      {std::string(1, '\0'), "framing.no-empty-line", "framing.truncated"},
      {"SIP/2.0", "framing.no-empty-line", "framing.truncated"},
      {"\r\n\r\n", "framing.empty", ""}, // keep-alives only (RFC 5626 3.5.1)
      {"INVITE\r\n\r\n", "start-line.syntax", "start-line.syntax"},
      {"SIP/2.0 200\r\n\r\n", "header.missing", "framing.content-length-missing"},
      {std::string(3000, 'A') + "\r\n\r\n", "start-line.syntax", "start-line.syntax"},
      {"INVITE sip:a SIP/2.0\r\n:\r\n\r\n", "header.syntax", "header.syntax"},
  };
  for (const auto& row : rows) {
    INFO(row.input.substr(0, 40));
    parser::parser d;
    auto r = d.put(row.input);
    CHECK(r.status == status::error);
    CHECK(r.consumed <= row.input.size());
    CHECK(d.error().code == row.datagram_code);

    parser::parser st(parser::options{.mode = mode::stream});
    r = st.put(row.input);
    CHECK(r.consumed <= row.input.size());
    if (r.status != status::error) r = st.finish();
    CHECK(st.error().code == row.stream_code);
    CHECK((r.status == status::error) == !std::string_view(row.stream_code).empty());
  }
}

TEST_CASE("fuzz regressions stay fixed", "[parser][fuzz]") {
  SECTION("a backslash ending a Retry-After comment stays inside the value") {
    auto bytes = options_request();
    bytes.insert(bytes.find("Content-Length"), "Retry-After: 5(\\\r\n");
    parser::parser p;
    REQUIRE(p.put(bytes).status == status::error);
    CHECK(p.error().code == "retry-after.comment");
  }
  SECTION("stream mode without a size limit still makes progress") {
    parser::parser p(parser::options{.mode = mode::stream,
                                     .limits = {.max_message = SIZE_MAX, .max_headers = 64}});
    auto bytes = options_request("hi");
    auto r = p.put(bytes);
    CHECK(r.status == status::done);
    CHECK(r.consumed == bytes.size());
  }
  SECTION("a datagram over the size limit reports the limit's line and column") {
    parser::parser p(
        parser::options{.mode = mode::datagram, .limits = {.max_message = 40, .max_headers = 64}});
    REQUIRE(p.put(options_request()).status == status::error);
    CHECK(p.error().code == "limit.size");
    CHECK(p.error().offset == 40);
    CHECK(p.error().line == 2); // the start line is 37 bytes with its CRLF
    CHECK(p.error().column == 4);
  }
  SECTION("a Content-Length over the limit in stream mode points at Content-Length") {
    parser::parser p(
        parser::options{.mode = mode::stream, .limits = {.max_message = 400, .max_headers = 64}});
    auto bytes = options_request();
    auto cl = bytes.find("Content-Length: 0");
    bytes.replace(cl, 17, "Content-Length: 4000");
    REQUIRE(p.put(bytes).status == status::error);
    CHECK(p.error().code == "limit.size");
    CHECK(p.error().offset == cl + 16);
  }
}
