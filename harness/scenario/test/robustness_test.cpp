// Any input gives a scenario or a load_error, never a crash or another exception.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace scenario_test;

namespace {

// Loads and, when it loads, renders every template: both must survive.
void survive(const std::string& xml) {
  try {
    const auto s = load(xml);
    fake_source src;
    for (const auto& st : s.steps)
      if (st.what == sc::step::kind::send) (void)sc::render(st.msg, src);
  } catch (const sc::load_error& e) {
    CHECK(std::string(e.what()).find(": error: ") != std::string::npos);
  }
}

} // namespace

TEST_CASE("every truncation of a SIPp scenario loads or fails cleanly", "[scenario][robust]") {
  for (const char* name : {"uac", "branchs", "regexp"}) {
    const auto xml = read_file(std::string(SCENARIO_TEST_DATA) + "/sipp/" + name + ".xml");
    REQUIRE(!xml.empty());
    for (std::size_t n = 0; n <= xml.size(); ++n) survive(xml.substr(0, n));
  }
}

TEST_CASE("random byte damage to a SIPp scenario loads or fails cleanly", "[scenario][robust]") {
  const auto xml = read_file(std::string(SCENARIO_TEST_DATA) + "/sipp/branchc.xml");
  std::mt19937 rng(20240601);
  const std::string alphabet = "<>[]/=\"'$:&;!-?\0\r\n\t xA]]>";
  std::uniform_int_distribution<std::size_t> pos(0, xml.size() - 1);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int round = 0; round < 3000; ++round) {
    auto damaged = xml;
    const int edits = 1 + round % 4;
    for (int e = 0; e < edits; ++e) {
      const auto at = pos(rng);
      switch (rng() % 3) {
      case 0:
        damaged[at] = alphabet[pick(rng)];
        break;
      case 1:
        damaged.erase(at, 1 + rng() % 8);
        break;
      default:
        damaged.insert(at, 1, alphabet[pick(rng)]);
        break;
      }
    }
    survive(damaged);
  }
}
