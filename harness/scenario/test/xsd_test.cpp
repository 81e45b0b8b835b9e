// scenarios/sipwright-scenario.xsd describes what the loader accepts: SIPp's built-in scenarios
// validate against it (needs xmllint, Debian package libxml2-utils; skipped without it).
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace scenario_test;

namespace {

int xmllint(const std::string& file) {
  const std::string cmd = std::string(XMLLINT) + " --noout --nonet --schema '" + SCENARIO_XSD +
                          "' '" + file + "' > /dev/null 2>&1";
  return std::system(cmd.c_str());
}

} // namespace

TEST_CASE("SIPp's built-in scenarios validate against the XSD", "[scenario][xsd]") {
  if (std::string_view(XMLLINT).empty() ||
      std::string_view(XMLLINT).find("NOTFOUND") != std::string_view::npos) {
    WARN("xmllint not found (Debian package libxml2-utils): XSD check skipped");
    return;
  }
  for (const char* name : {"uac", "uas", "branchc", "branchs", "regexp"}) {
    INFO(name);
    CHECK(xmllint(std::string(SCENARIO_TEST_DATA) + "/sipp/" + name + ".xml") == 0);
  }
  INFO("a scenario with an unknown element must not validate");
  CHECK(xmllint(std::string(SCENARIO_TEST_DATA) + "/invalid.xml") != 0);
}

TEST_CASE("Every scenario of the library validates against the XSD", "[scenario][xsd][library]") {
  if (std::string_view(XMLLINT).empty() ||
      std::string_view(XMLLINT).find("NOTFOUND") != std::string_view::npos) {
    WARN("xmllint not found (Debian package libxml2-utils): XSD check skipped");
    return;
  }
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(SCENARIO_LIBRARY))
    if (e.path().extension() == ".xml") {
      INFO(e.path().string());
      CHECK(xmllint(e.path().string()) == 0);
      ++n;
    }
  CHECK(n >= 15);
}
