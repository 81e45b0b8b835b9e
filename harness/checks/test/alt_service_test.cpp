// 380 (Alternative Service) responses from the device (RFC 3261 21.3.5) and their
// application/3gpp-ims+xml bodies (3GPP TS 24.229 7.6).
#include "ims_3gpp_xml.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <libxml/parser.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;

namespace {

const std::string head_380 = "SIP/2.0 380 Alternative Service\n"
                             "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\n"
                             "To: <sip:urn:service:sos@192.0.2.2>;tag=a6c85cf\n"
                             "From: Alice <sip:alice@192.0.2.1>;tag=1928301774\n"
                             "Call-ID: a84b4c76e66710@192.0.2.1\n"
                             "CSeq: 1 INVITE\n";

std::string ims_380(std::string_view xml) {
  return with_body(head_380 + "Content-Type: application/3gpp-ims+xml\n", xml);
}

const std::string valid_xml =
    "<?xml version=\"1.0\"?><ims-3gpp version=\"1\"><alternative-service><type>emergency</type>"
    "<reason>call an emergency number over CS</reason><action>emergency-registration</action>"
    "</alternative-service></ims-3gpp>";

feeder alt_service() {
  return feeder(detail::make_alt_service_rules());
}

// Every libxml2 attempt to load an external resource (file or network) is counted and refused.
int external_loads = 0;
xmlParserInputPtr refuse(const char*, const char*, xmlParserCtxtPtr) {
  ++external_loads;
  return nullptr;
}
struct loader_spy {
  loader_spy() : previous(xmlGetExternalEntityLoader()) {
    external_loads = 0;
    xmlSetExternalEntityLoader(refuse);
  }
  ~loader_spy() { xmlSetExternalEntityLoader(previous); }
  loader_spy(const loader_spy&) = delete;
  loader_spy& operator=(const loader_spy&) = delete;
  xmlExternalEntityLoader previous;
};

} // namespace

TEST_CASE("a 380 without a body passes, noting that no alternative service is described "
          "(RFC 3261 21.3.5)",
          "[checks][380][rfc3261]") {
  auto f = alt_service();
  f.received(crlf(head_380 + "Content-Length: 0\n\n"));
  const auto framing = f.of(rule_id::alt_service_framing);
  REQUIRE(framing.size() == 1);
  CHECK(describe(framing[0]) == "380.body-framing PASS (RFC 3261 21.3.5, 7.4.1, 20.14): no body: "
                                "no alternative service is described (msg #1)");
  REQUIRE(f.of(rule_id::alt_service_ims_xml).size() == 1);
  CHECK(f.of(rule_id::alt_service_ims_xml)[0].outcome == outcome::not_applicable);
  CHECK(f.of(rule_id::alt_service_ims_xml)[0].note == "no body");
  CHECK(f.failures().empty());
}

TEST_CASE("a 380 body is framed by Content-Type and Content-Length (RFC 3261 7.4.1, 20.14)",
          "[checks][380][rfc3261]") {
  const struct {
    const char* what;
    std::string message;
    const char* observed; // null: passes
  } cases[] = {
      {"framed", ims_380(valid_xml), nullptr},
      {"no Content-Type", crlf(head_380 + "Content-Length: 5\n\n") + "hello", "no Content-Type"},
      {"no Content-Length", crlf(head_380 + "Content-Type: text/plain\n\n") + "hello",
       "no Content-Length"},
      {"Content-Length smaller than the datagram's body",
       crlf(head_380 + "Content-Type: text/plain\nContent-Length: 4\n\n") + "hello",
       "Content-Length 4, but 5 bytes follow the headers in the datagram (1 after the declared "
       "body are discarded)"},
      {"neither", crlf(head_380 + "\n") + "hello", "no Content-Type; no Content-Length"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = alt_service();
      f.received(c.message);
      const auto v = f.of(rule_id::alt_service_framing);
      REQUIRE(v.size() == 1);
      if (!c.observed) {
        CHECK(v[0].outcome == outcome::pass);
      } else {
        CHECK(v[0].outcome == outcome::fail);
        CHECK(v[0].expected == "a Content-Type and a Content-Length equal to the body's length");
        CHECK(v[0].observed == c.observed);
      }
    }
  }
}

TEST_CASE("a 380 body of another type: framing checked, content not (TS 24.229 7.6)",
          "[checks][380]") {
  auto f = alt_service();
  f.received(with_body(head_380 + "Content-Type: text/plain\n", "go elsewhere"));
  CHECK(f.failures().empty());
  CHECK(f.of(rule_id::alt_service_framing).at(0).outcome == outcome::pass);
  const auto xml = f.of(rule_id::alt_service_ims_xml);
  REQUIRE(xml.size() == 1);
  CHECK(describe(xml[0]) ==
        "380.ims-3gpp-xml N/A (3GPP TS 24.229 7.6): body type text/plain: content not checked");
}

namespace {

struct body_case {
  const char* what;
  std::string xml;
  outcome xml_outcome;
  const char* xml_text; // observed (fail) or note (N/A); "" for a pass
  outcome values_outcome;
  const char* values_text;
};

} // namespace

TEST_CASE("an application/3gpp-ims+xml body is well-formed and valid against TS 24.229 7.6",
          "[checks][380][3gpp]") {
  const body_case cases[] = {
      {"valid", valid_xml, outcome::pass, "", outcome::pass, ""},
      {"valid, version 1.0, action absent, an extension after reason and at the root",
       "<ims-3gpp version=\"1.0\"><alternative-service><type>restoration</type><reason/>"
       "<x:hint xmlns:x=\"urn:example\">y</x:hint></alternative-service><more/></ims-3gpp>",
       outcome::pass, "", outcome::pass, ""},
      {"service-info", "<ims-3gpp version=\"1\"><service-info>text</service-info></ims-3gpp>",
       outcome::pass, "", outcome::not_applicable, "no alternative-service element"},
      {"malformed", "<ims-3gpp version=\"1\"><alternative-service></ims-3gpp>", outcome::fail,
       "line 1: Opening and ending tag mismatch: alternative-service line 1 and ims-3gpp",
       outcome::not_applicable, "the body is not well-formed XML"},
      {"wrong root", "<ims3gpp version=\"1\"><service-info>x</service-info></ims3gpp>",
       outcome::fail,
       "line 1: Element 'ims3gpp': No matching global declaration available for the validation "
       "root.",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"a namespace on the root",
       "<ims-3gpp xmlns=\"urn:example\" version=\"1\"><service-info>x</service-info></ims-3gpp>",
       outcome::fail,
       "line 1: Element '{urn:example}ims-3gpp': No matching global declaration available for "
       "the validation root.",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"no version", "<ims-3gpp><service-info>x</service-info></ims-3gpp>", outcome::fail,
       "line 1: Element 'ims-3gpp': The attribute 'version' is required but missing.",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"version not a number",
       "<ims-3gpp version=\"one\"><service-info>x</service-info></ims-3gpp>", outcome::fail,
       "line 1: Element 'ims-3gpp', attribute 'version': 'one' is not a valid value of the "
       "atomic type 'xs:decimal'.",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"reason before type",
       "<ims-3gpp version=\"1\">\n<alternative-service>\n<reason>r</reason>\n<type>emergency</type>"
       "</alternative-service></ims-3gpp>",
       outcome::fail,
       "line 3: Element 'reason': This element is not expected. Expected is ( type ).",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"no reason",
       "<ims-3gpp version=\"1\"><alternative-service><type>emergency</type>"
       "</alternative-service></ims-3gpp>",
       outcome::fail,
       "line 1: Element 'alternative-service': Missing child element(s). Expected is ( reason ).",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"neither alternative-service nor service-info", "<ims-3gpp version=\"1\"/>", outcome::fail,
       "line 1: Element 'ims-3gpp': Missing child element(s). Expected is one of ( "
       "alternative-service, service-info ).",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"an element inside action",
       "<ims-3gpp version=\"1\"><alternative-service><type>emergency</type><reason/>"
       "<action><initial-registration/></action></alternative-service></ims-3gpp>",
       outcome::fail,
       "line 1: Element 'action': Element content is not allowed, because the type definition "
       "is simple.",
       outcome::not_applicable, "the body is not a valid ims-3gpp document"},
      {"an unknown type (a warning, not a failure)",
       "<ims-3gpp version=\"1\"><alternative-service><type>fire</type><reason/>"
       "</alternative-service></ims-3gpp>",
       outcome::pass, "", outcome::warn, "type 'fire'"},
      {"an unknown action",
       "<ims-3gpp version=\"1\"><alternative-service><type> emergency\n</type><reason/>"
       "<action>register-somewhere</action></alternative-service></ims-3gpp>",
       outcome::pass, "", outcome::warn, "action 'register-somewhere'"},
      {"nested too deep (libxml2's limit)",
       [] {
         std::string s = "<ims-3gpp version=\"1\"><service-info>";
         for (int i = 0; i < 300; ++i) s += "<a>";
         return s;
       }(),
       outcome::fail, "line 1: Excessive depth in document: 256 use XML_PARSE_HUGE option",
       outcome::not_applicable, "the body is not well-formed XML"},
      {"too large to check",
       "<ims-3gpp version=\"1\"><service-info>" + std::string(70000, 'x') +
           "</service-info></ims-3gpp>",
       outcome::not_applicable,
       "a body of 70062 bytes exceeds the 65536-byte limit of the XML check: content not checked",
       outcome::not_applicable,
       "a body of 70062 bytes exceeds the 65536-byte limit of the XML check: content not "
       "checked"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = alt_service();
      f.received(ims_380(c.xml));
      INFO(described(f.out().all()));
      const auto xml = f.of(rule_id::alt_service_ims_xml);
      REQUIRE(xml.size() == 1);
      CHECK(xml[0].outcome == c.xml_outcome);
      CHECK((c.xml_outcome == outcome::fail ? xml[0].observed : xml[0].note) == c.xml_text);
      const auto values = f.of(rule_id::alt_service_values);
      REQUIRE(values.size() == 1);
      CHECK(values[0].outcome == c.values_outcome);
      CHECK((c.values_outcome == outcome::warn ? values[0].observed : values[0].note) ==
            c.values_text);
      CHECK(f.of(rule_id::alt_service_framing).at(0).outcome == outcome::pass);
    }
  }
}

TEST_CASE("the ims-3gpp checks describe themselves", "[checks][380][3gpp][verdict]") {
  auto f = alt_service();
  f.received(ims_380("<ims-3gpp version=\"1\"><alternative-service><type>fire</type><reason/>"
                     "</alternative-service></ims-3gpp>"));
  CHECK(describe(the_failure(f)) == "380.ims-3gpp-values WARN (3GPP TS 24.229 7.6): expected type "
                                    "emergency or restoration, observed type 'fire' (msg #1)");
}

TEST_CASE("the content type matches case-insensitively, with parameters (RFC 3261 7.3.1)",
          "[checks][380][3gpp]") {
  auto f = alt_service();
  f.received(with_body(head_380 + "c: Application/3GPP-IMS+XML; charset=UTF-8\n", valid_xml));
  CHECK(f.failures().empty());
  CHECK(f.of(rule_id::alt_service_ims_xml).at(0).outcome == outcome::pass);
  CHECK(f.of(rule_id::alt_service_values).at(0).outcome == outcome::pass);
}

TEST_CASE("an ims-3gpp body on another response is checked too (TS 24.229 7.6)", "[checks][3gpp]") {
  auto f = alt_service();
  f.received(ims_380("<ims-3gpp version=\"1\"><alternative-service><type>restoration</type>"
                     "<reason/><action>initial-registration</action></alternative-service>"
                     "</ims-3gpp>")
                 .replace(8, 25, "504 Server Time-out      "));
  CHECK(f.of(rule_id::alt_service_framing).empty());
  CHECK(f.of(rule_id::alt_service_ims_xml).at(0).outcome == outcome::pass);
  CHECK(f.of(rule_id::alt_service_values).at(0).outcome == outcome::pass);
  // Other responses without such a body are not the 380 rules' business.
  f.received(
      crlf(edited(head_380, "380 Alternative Service", "486 Busy Here") + "Content-Length: 0\n\n"));
  CHECK(f.out().all().size() == 2);
}

TEST_CASE("the harness's own 380s and the device's requests are not judged", "[checks][380]") {
  auto f = alt_service();
  f.sent(ims_380("<not-ims/>"));
  CHECK(f.out().all().empty());
}

TEST_CASE("no file and no network is read for a body's DTD or entities", "[checks][3gpp][xxe]") {
  const std::string secret_path = "/tmp/sipwright-checks-xxe-secret.txt";
  { std::ofstream(secret_path) << "SECRET-MARKER-7f3a"; }
  const struct {
    const char* what;
    std::string xml;
    outcome xml_outcome;
  } cases[] = {
      {"an external entity in content",
       "<?xml version=\"1.0\"?><!DOCTYPE ims-3gpp [<!ENTITY xxe SYSTEM \"file://" + secret_path +
           "\">]><ims-3gpp version=\"1\"><alternative-service><type>&xxe;</type><reason/>"
           "</alternative-service></ims-3gpp>",
       outcome::not_applicable},
      {"an external DTD on disk",
       "<?xml version=\"1.0\"?><!DOCTYPE ims-3gpp SYSTEM \"file:///etc/passwd\">" +
           valid_xml.substr(21),
       outcome::pass},
      {"an external DTD over the network",
       "<?xml version=\"1.0\"?><!DOCTYPE ims-3gpp SYSTEM \"http://192.0.2.1/ims.dtd\">" +
           valid_xml.substr(21),
       outcome::pass},
      {"a parameter entity fetching a DTD",
       "<?xml version=\"1.0\"?><!DOCTYPE ims-3gpp [<!ENTITY % p SYSTEM \"http://192.0.2.1/p.dtd\">"
       "%p;]>" +
           valid_xml.substr(21),
       outcome::pass},
      {"an exponential entity expansion",
       [] {
         std::string s = "<?xml version=\"1.0\"?><!DOCTYPE ims-3gpp [<!ENTITY a0 \"lol\">";
         for (int i = 1; i < 10; ++i) {
           s += "<!ENTITY a" + std::to_string(i) + " \"";
           for (int k = 0; k < 10; ++k) s += "&a" + std::to_string(i - 1) + ";";
           s += "\">";
         }
         return s + "]><ims-3gpp version=\"1\"><service-info>&a9;</service-info></ims-3gpp>";
       }(),
       outcome::fail},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      loader_spy spy;
      auto f = alt_service();
      f.received(ims_380(c.xml));
      INFO(described(f.out().all()));
      CHECK(external_loads == 0);
      const auto xml = f.of(rule_id::alt_service_ims_xml);
      REQUIRE(xml.size() == 1);
      CHECK(xml[0].outcome == c.xml_outcome);
      for (const auto& v : f.out().all()) {
        CHECK(v.observed.find("SECRET") == std::string::npos);
        CHECK(v.note.find("SECRET") == std::string::npos);
      }
      if (c.xml_outcome == outcome::not_applicable)
        CHECK(xml[0].note == "the body uses entity references, which sipwright never expands: "
                             "content not checked");
    }
  }
  std::remove(secret_path.c_str());
}

TEST_CASE("the library carries the shipped schema, not a copy that drifted", "[checks][3gpp]") {
  std::ifstream in(SIPWRIGHT_IMS_XSD);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(detail::ims_3gpp_schema() == text.str());
}
