#pragma once
// Shared by the scenario tests: a fake keyword_source and loading shortcuts.
#include "sipwright/scenario/loader.hpp"
#include "sipwright/scenario/render.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

namespace scenario_test {

namespace sc = sipwright::scenario;

// Fixed expansions; [last_X:] from `headers` (absent = expands to nothing), [$v] from `vars`.
struct fake_source : sc::keyword_source {
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> vars;
  std::string routes;

  void expand(const sc::keyword& kw, std::string& out) const override {
    using id = sc::keyword_id;
    switch (kw.id) {
    case id::service:
      out += "service";
      break;
    case id::remote_ip:
      out += "192.0.2.10";
      break;
    case id::remote_port:
      out += "5070";
      break;
    case id::local_ip:
      out += "192.0.2.20";
      break;
    case id::local_ip_type:
      out += "4";
      break;
    case id::local_port:
      out += "5080";
      break;
    case id::transport:
      out += "UDP";
      break;
    case id::media_ip:
      out += "192.0.2.30";
      break;
    case id::media_ip_type:
      out += "4";
      break;
    case id::media_port:
      out += "6000";
      break;
    case id::call_id:
      out += "1-42@192.0.2.20";
      break;
    case id::call_number:
      out += "1";
      break;
    case id::cseq:
      out += std::to_string(10 + kw.offset);
      break;
    case id::branch:
      out += "z9hG4bK-" + std::to_string(kw.offset);
      break;
    case id::pid:
      out += "42";
      break;
    case id::len:
      out += "LEN-ASKED";
      break; // render must never ask
    case id::peer_tag_param:
      out += ";tag=peer";
      break;
    case id::last_header:
      if (auto it = headers.find(kw.arg); it != headers.end()) out += it->second;
      break;
    case id::challenge:
      out += "WWW-Authenticate: Digest sample";
      break;
    case id::authentication:
      out += "Authorization: Digest sample";
      break;
    case id::routes:
      out += routes;
      break;
    case id::next_url:
      out += "sip:next@192.0.2.40";
      break;
    case id::variable:
      if (auto it = vars.find(kw.arg); it != vars.end()) out += it->second;
      break;
    }
  }
};

inline sc::scenario load(std::string_view xml) {
  return sc::load_string(xml, "t.xml");
}

// what() of the load_error, or "loaded" when the text loads.
inline std::string error_of(std::string_view xml) {
  try {
    sc::load_string(xml, "t.xml");
  } catch (const sc::load_error& e) {
    return e.what();
  }
  return "loaded";
}

// Line 1 is <scenario name="t">, so `steps` starts on line 2.
inline std::string wrap(std::string_view steps) {
  return "<scenario name=\"t\">\n" + std::string(steps) + "</scenario>\n";
}

// A minimal request template in a <send>, for tests that need one valid step.
inline constexpr std::string_view ok_send =
    "<send><![CDATA[\nOPTIONS sip:a@b SIP/2.0\nVia: x\n]]></send>\n";

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace scenario_test
