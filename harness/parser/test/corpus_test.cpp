// The RFC 4475 and RFC 5118 torture corpora, each message classified as ../shared/corpus/README.md
// says: valid ones parse with the right values, invalid ones fail with the right error.
#include "sipwright/parser/parser.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace fs = std::filesystem;
using namespace sipwright;

namespace {

const fs::path corpus_dir{SIPWRIGHT_CORPUS_DIR};

bool corpus_present() {
  if (fs::is_directory(corpus_dir / "rfc4475") && fs::is_directory(corpus_dir / "rfc5118"))
    return true;
  WARN("torture corpus not found at " << corpus_dir.string()
                                      << " (set SIPWRIGHT_CORPUS_DIR); skipping this test");
  return false;
}

using test::slurp;

struct outcome {
  parser::status status;
  std::string error_code; // first error, "" when valid
  sip::message message;
};

outcome parse_datagram(const std::string& bytes) {
  parser::parser p;
  auto r = p.put(bytes);
  outcome o{r.status, r.status == parser::status::error ? std::string(p.error().code) : "", {}};
  if (p.has_message()) o.message = p.release();
  return o;
}

outcome parse_file(const std::string& rel) {
  return parse_datagram(slurp(corpus_dir / rel));
}

bool has_warning(const sip::message& m, std::string_view code) {
  for (const auto& d : m.diagnostics())
    if (d.level == sip::severity::warning && d.code == code) return true;
  return false;
}

// What each message is, by the corpus README (RFC 4475 3.1.1, 3.1.2, 3.2, 3.3; RFC 5118 4).
// "" = parses with no error; otherwise the code of the first error.
const std::map<std::string, std::string> expected{
    // RFC 4475 3.1.1: well-formed
    {"rfc4475/wsinv.dat", ""},
    {"rfc4475/intmeth.dat", ""},
    {"rfc4475/esc01.dat", ""},
    {"rfc4475/escnull.dat", ""},
    {"rfc4475/esc02.dat", ""},
    {"rfc4475/lwsdisp.dat", ""},
    {"rfc4475/longreq.dat", ""},
    {"rfc4475/dblreq.dat", ""},
    {"rfc4475/semiuri.dat", ""},
    {"rfc4475/transports.dat", ""},
    {"rfc4475/mpart01.dat", ""},
    {"rfc4475/unreason.dat", ""},
    {"rfc4475/noreason.dat", ""},
    // RFC 4475 3.1.2: malformed
    {"rfc4475/badinv01.dat", "param.empty"},
    {"rfc4475/clerr.dat", "framing.body-truncated"},
    {"rfc4475/ncl.dat", "framing.content-length"},
    {"rfc4475/scalar02.dat", "cseq.range"},
    {"rfc4475/scalarlg.dat", "cseq.range"},
    {"rfc4475/quotbal.dat", "quoted-string"},
    {"rfc4475/ltgtruri.dat", "uri.scheme"},
    {"rfc4475/lwsruri.dat", "start-line.whitespace"},
    {"rfc4475/lwsstart.dat", "start-line.whitespace"},
    {"rfc4475/trws.dat", "start-line.whitespace"},
    {"rfc4475/escruri.dat", "uri.headers-in-request-uri"},
    {"rfc4475/baddate.dat", "date.gmt"},
    {"rfc4475/regbadct.dat", "address.needs-brackets"},
    {"rfc4475/badaspec.dat", "address.laquot"},
    {"rfc4475/baddn.dat", "address.display-name"},
    {"rfc4475/badvers.dat", "start-line.version"},
    {"rfc4475/mismatch01.dat", "cseq.method-mismatch"},
    {"rfc4475/mismatch02.dat", "cseq.method-mismatch"},
    {"rfc4475/bigcode.dat", "start-line.status-code"},
    // RFC 4475 3.2: parses; the branch is only the magic cookie
    {"rfc4475/badbranch.dat", ""},
    // RFC 4475 3.3: parse, except where the element must reject them
    {"rfc4475/insuf.dat", "header.missing"},
    {"rfc4475/unkscm.dat", ""},
    {"rfc4475/novelsc.dat", ""},
    {"rfc4475/unksm2.dat", ""},
    {"rfc4475/bext01.dat", ""},
    {"rfc4475/invut.dat", ""},
    {"rfc4475/regaut01.dat", ""},
    {"rfc4475/multi01.dat", "header.duplicate"},
    {"rfc4475/mcl01.dat", "framing.content-length-conflict"},
    {"rfc4475/bcast.dat", ""},
    {"rfc4475/zeromf.dat", ""},
    {"rfc4475/cparam01.dat", ""},
    {"rfc4475/cparam02.dat", ""},
    {"rfc4475/regescrt.dat", ""},
    {"rfc4475/sdp01.dat", ""},
    {"rfc4475/inv2543.dat", ""},
    // RFC 5118
    {"rfc5118/ipv6-good", ""},
    {"rfc5118/ipv6-bad", "uri.ipv6-brackets"},
    {"rfc5118/port-ambiguous", ""},
    {"rfc5118/port-unambiguous", ""},
    {"rfc5118/via-received-param-with-delim", ""},
    {"rfc5118/via-received-param-no-delim", ""},
    {"rfc5118/ipv6-in-sdp", ""},
    {"rfc5118/mult-ip-in-header", ""},
    {"rfc5118/mult-ip-in-sdp", ""},
    {"rfc5118/ipv4-mapped-ipv6", ""},
    {"rfc5118/ipv6-correct-abnf-2-colons", ""},
    {"rfc5118/ipv6-bug-abnf-3-colons", ""},
};

} // namespace

TEST_CASE("every corpus message is classified as RFC 4475 and RFC 5118 say",
          "[corpus][rfc4475][rfc5118]") {
  if (!corpus_present()) return;
  std::size_t seen = 0;
  for (const char* dir : {"rfc4475", "rfc5118"}) {
    for (const auto& entry : fs::directory_iterator(corpus_dir / dir)) {
      std::string rel = std::string(dir) + "/" + entry.path().filename().string();
      INFO(rel);
      auto it = expected.find(rel);
      REQUIRE(it != expected.end()); // a new corpus file must be classified here
      auto o = parse_file(rel);
      CHECK(o.error_code == it->second);
      CHECK((o.status == parser::status::done) == it->second.empty());
      ++seen;
    }
  }
  CHECK(seen == 61);
  CHECK(expected.size() == 61);
}

TEST_CASE("well-formed messages parse with the right values (RFC 4475 3.1.1)",
          "[corpus][rfc4475]") {
  if (!corpus_present()) return;

  SECTION("esc01 keeps the escaped Request-URI byte-exact") {
    auto o = parse_file("rfc4475/esc01.dat");
    REQUIRE(o.status == parser::status::done);
    CHECK(o.message.request_uri() == "sip:sips%3Auser%40example.com@example.net");
    auto uri = o.message.parsed_request_uri();
    REQUIRE(uri);
    CHECK(uri->user == "sips%3Auser%40example.com");
    CHECK(uri->host.host == "example.net");
    CHECK(o.message.value(sip::header_id::call_id) == "esc01.239409asdfakjkn23onasd0-3234");
    CHECK(o.message.fields()[3].id == sip::header_id::call_id);
    CHECK(o.message.name(o.message.fields()[3]) == "i"); // compact form kept as seen
  }
  SECTION("dblreq: only the first request of the datagram is the message") {
    auto bytes = slurp(corpus_dir / "rfc4475/dblreq.dat");
    auto o = parse_datagram(bytes);
    REQUIRE(o.status == parser::status::done);
    CHECK(o.message.method() == "REGISTER");
    CHECK(o.message.value(sip::header_id::content_length) == "0");
    CHECK(o.message.content_length() == 0u);
    CHECK(o.message.body().empty());
    CHECK(o.message.bytes() == bytes.substr(0, bytes.find("\r\n\r\n") + 4));
    CHECK(has_warning(o.message, "framing.extra-bytes"));
  }
  SECTION("wsinv: folding, odd whitespace and compact forms") {
    auto o = parse_file("rfc4475/wsinv.dat");
    REQUIRE(o.status == parser::status::done);
    auto to = o.message.to();
    REQUIRE(to);
    CHECK(to->tag() == "1918181833n");
    auto cseq = o.message.cseq();
    REQUIRE(cseq);
    CHECK(cseq->number == 9);
    CHECK(cseq->method == "INVITE");
    CHECK(o.message.max_forwards() == 68u);
    auto vias = o.message.all_elements(sip::header_id::via);
    REQUIRE(vias.size() == 3);
    sip::via v;
    sip::report r;
    REQUIRE(sip::parse_via(vias[1], v, r));
    CHECK(v.transport == "TCP");
    CHECK(v.sent_by.host == "spindle.example.com");
    CHECK(v.branch() == "z9hG4bK9ikj8");
    auto from = o.message.from();
    REQUIRE(from);
    CHECK(from->display_name == R"("J Rosenberg \\\"")");
    CHECK(from->tag() == "98asjd8");
    CHECK(o.message.value(*o.message.find("NewFangledHeader")) ==
          "newfangled value\r\n continued newfangled value");
  }
  SECTION("intmeth: an unusual method and URI") {
    auto o = parse_file("rfc4475/intmeth.dat");
    REQUIRE(o.status == parser::status::done);
    CHECK(o.message.method() == "!interesting-Method0123456789_*+`.%indeed'~");
    CHECK(o.message.cseq()->method == o.message.method());
  }
  SECTION("mpart01: a binary multipart body framed by Content-Length") {
    auto o = parse_file("rfc4475/mpart01.dat");
    REQUIRE(o.status == parser::status::done);
    CHECK(o.message.content_length() == 553u);
    CHECK(o.message.body().size() == 553);
    CHECK(o.message.content_type()->subtype == "mixed");
  }
  SECTION("unreason and noreason: UTF-8 and empty Reason-Phrases") {
    auto u = parse_file("rfc4475/unreason.dat");
    REQUIRE(u.status == parser::status::done);
    CHECK(u.message.status_code() == 200);
    auto n = parse_file("rfc4475/noreason.dat");
    REQUIRE(n.status == parser::status::done);
    CHECK(n.message.status_code() == 100);
    CHECK(n.message.reason().empty());
  }
  SECTION("transports: five Via rows") {
    auto o = parse_file("rfc4475/transports.dat");
    REQUIRE(o.status == parser::status::done);
    CHECK(o.message.count(sip::header_id::via) == 5);
  }
}

TEST_CASE("malformed messages fail with the rule, position and section", "[corpus][rfc4475]") {
  if (!corpus_present()) return;
  struct row {
    const char* file;
    std::uint32_t line, column;
    const char* section;
  };
  const row rows[] = {
      {"rfc4475/badinv01.dat", 7, 29, "RFC 3261 25.1"},
      {"rfc4475/clerr.dat", 10, 17, "RFC 3261 18.3"},
      {"rfc4475/ncl.dat", 10, 17, "RFC 3261 20.14"},
      {"rfc4475/scalar02.dat", 5, 7, "RFC 3261 8.1.1.5"},
      {"rfc4475/lwsstart.dat", 1, 8, "RFC 3261 7.1"},
      {"rfc4475/badvers.dat", 1, 34, "RFC 3261 7.1"},
      {"rfc4475/baddate.dat", 8, 33, "RFC 3261 20.17"},
      {"rfc4475/regbadct.dat", 8, 30, "RFC 3261 20.10"},
      {"rfc4475/mismatch01.dat", 6, 7, "RFC 3261 8.1.1.5"},
  };
  for (const auto& r : rows) {
    INFO(r.file);
    parser::parser p;
    REQUIRE(p.put(slurp(corpus_dir / r.file)).status == parser::status::error);
    CHECK(p.error().line == r.line);
    CHECK(p.error().column == r.column);
    CHECK(p.error().section == r.section);
  }
  parser::parser p;
  p.put(slurp(corpus_dir / "rfc4475/clerr.dat"));
  CHECK(p.error().text == "Content-Length is 9999 but only 154 bytes follow the headers");
}

TEST_CASE("RFC 5118 IPv6 forms", "[corpus][rfc5118]") {
  if (!corpus_present()) return;
  auto amb = parse_file("rfc5118/port-ambiguous");
  REQUIRE(amb.status == parser::status::done);
  CHECK(amb.message.parsed_request_uri()->host.host == "[2001:db8::10:5070]");
  CHECK_FALSE(amb.message.parsed_request_uri()->host.port);
  auto unamb = parse_file("rfc5118/port-unambiguous");
  CHECK(unamb.message.parsed_request_uri()->host.port == 5070);
  CHECK(unamb.message.parsed_request_uri()->host.kind == sip::host_kind::ipv6);
  auto nodelim = parse_file("rfc5118/via-received-param-no-delim");
  CHECK(nodelim.message.top_via()->received() == "2001:db8::9:255");
  auto delim = parse_file("rfc5118/via-received-param-with-delim");
  CHECK(delim.message.top_via()->received() == "[2001:db8::9:255]");
  auto three = parse_file("rfc5118/ipv6-bug-abnf-3-colons");
  CHECK(three.status == parser::status::done);
  CHECK(has_warning(three.message, "uri.ipv6-3-colons"));
  auto mapped = parse_file("rfc5118/ipv4-mapped-ipv6");
  CHECK(mapped.message.top_via()->sent_by.host == "[::ffff:192.0.2.10]");
  CHECK(mapped.message.top_via()->sent_by.port == 19823);
}

TEST_CASE("badbranch parses with a warning about the bare magic cookie (RFC 4475 3.2)",
          "[corpus][rfc4475]") {
  if (!corpus_present()) return;
  auto o = parse_file("rfc4475/badbranch.dat");
  REQUIRE(o.status == parser::status::done);
  CHECK(o.message.top_via()->branch() == "z9hG4bK");
  CHECK(has_warning(o.message, "via.branch-cookie-only"));
}
