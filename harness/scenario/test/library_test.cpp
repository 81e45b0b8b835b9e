// The bundled library: every file loads, says what it tests, and plays the role its metadata
// names; ids are unique; <metadata> mistakes are load errors with their position.
#include "support.hpp"

#include "sipwright/scenario/library.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace sipwright::scenario;

TEST_CASE("The library loads, every scenario with metadata and a unique id",
          "[scenario][library]") {
  const auto lib = load_library(SCENARIO_LIBRARY);
  REQUIRE(lib.size() >= 15);
  std::set<std::string> ids, folders;
  for (const auto& sc : lib) {
    INFO(sc.file);
    REQUIRE(sc.meta);
    CHECK(ids.insert(sc.meta->id).second);
    CHECK(!sc.meta->title.empty());
    CHECK(!sc.meta->sections.empty());
    // The folder says what the device plays, and so does the metadata: it answers as callee,
    // registrar or notifier, it calls as caller. The id starts with the folder.
    const auto slash = sc.file.rfind('/');
    const auto folder =
        sc.file.substr(sc.file.rfind('/', slash - 1) + 1, slash - sc.file.rfind('/', slash - 1));
    const std::set<std::string> answering{"device-callee/", "device-registrar/",
                                          "device-notifier/"};
    REQUIRE((answering.contains(folder) || folder == "device-caller/"));
    CHECK(sc.meta->device == (answering.contains(folder) ? role::callee : role::caller));
    CHECK(sc.meta->id.starts_with(folder));
    folders.insert(folder);
  }
  CHECK(folders.size() == 4);
  const auto found = find_in_library(SCENARIO_LIBRARY, "device-callee/basic-call");
  REQUIRE(found);
  CHECK(found->role == role::caller);
  CHECK(found->meta->service == "200");
  CHECK(found->meta->sections.front() == "RFC 3261 13.3.1.4");
  CHECK_FALSE(find_in_library(SCENARIO_LIBRARY, "device-callee/no-such"));
}

TEST_CASE("Metadata and T1-scaled waits are read", "[scenario][library]") {
  const auto sc = load_string(R"xml(<scenario>
  <metadata id="x/y" title="A title" device="caller" sections="RFC 3261 13.2.2.4; RFC 3261 17.1.1.3"
            test_purposes="SIP_CC_OE_CE_V_019 SIP_CC_OE_CE_TI_011" service="380" transports="udp"/>
  <recv request="INVITE" timeout_t1="64"/>
  <pause t1="2.5"/>
</scenario>)xml",
                              "m.xml");
  REQUIRE(sc.meta);
  CHECK(sc.meta->sections == std::vector<std::string>{"RFC 3261 13.2.2.4", "RFC 3261 17.1.1.3"});
  CHECK(sc.meta->test_purposes ==
        std::vector<std::string>{"SIP_CC_OE_CE_V_019", "SIP_CC_OE_CE_TI_011"});
  CHECK(sc.meta->transports == std::vector<std::string>{"udp"});
  CHECK(sc.steps.at(0).timeout_t1 == 64);
  CHECK(sc.steps.at(1).t1_multiple == 2.5);
  CHECK_FALSE(sc.steps.at(1).milliseconds);
}

TEST_CASE("Metadata mistakes are load errors", "[scenario][library]") {
  struct row {
    const char* what;
    const char* xml;
    const char* error;
  };
  const row rows[] = {
      {"device disagrees with the flow",
       "<scenario>\n<metadata id=\"a\" title=\"t\" device=\"callee\"/>\n<recv "
       "request=\"INVITE\"/>\n"
       "</scenario>",
       "m.xml:2:28: error: device=\"callee\" but the scenario starts by receiving: the device is "
       "the caller"},
      {"no id",
       "<scenario>\n<metadata title=\"t\" device=\"caller\"/>\n<recv "
       "request=\"INVITE\"/>\n</scenario>",
       "m.xml:2:1: error: <metadata> needs the attribute 'id'"},
      {"bad device",
       "<scenario>\n<metadata id=\"a\" title=\"t\" device=\"proxy\"/>\n<recv request=\"INVITE\"/>\n"
       "</scenario>",
       "m.xml:2:28: error: bad value 'proxy' for attribute 'device' (expected callee or caller "
       "(what the device plays))"},
      {"two metadata",
       "<scenario>\n<metadata id=\"a\" title=\"t\" device=\"caller\"/>\n"
       "<metadata id=\"b\" title=\"t\" device=\"caller\"/>\n<recv "
       "request=\"INVITE\"/>\n</scenario>",
       "m.xml:3:1: error: a second <metadata> (one per scenario)"},
      {"pause with t1 and milliseconds",
       "<scenario>\n<recv request=\"INVITE\"/>\n<pause milliseconds=\"5\" t1=\"2\"/>\n</scenario>",
       "m.xml:3:25: error: <pause> takes one of 'milliseconds', 't1' and 'variable'"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    CHECK_THROWS_WITH(load_string(r.xml, "m.xml"), r.error);
  }
}
