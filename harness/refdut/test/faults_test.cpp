// The fault switches: each names one rule of the catalogue; the command lists them; an unknown
// one is a usage error.
#include "sipwright/checks/rules.hpp"
#include "sipwright/refdut/refdut.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>

namespace sipwright::refdut {

TEST_CASE("faults: every switch has a unique name and names a rule of the catalogue",
          "[refdut][faults]") {
  std::set<std::string_view> names;
  for (const auto& f : faults()) {
    INFO(f.name);
    CHECK(names.insert(f.name).second);
    CHECK_FALSE(f.description.empty());
    CHECK(checks::find_rule(f.rule) != nullptr);
  }
  CHECK(names.size() >= 30);
}

TEST_CASE("faults: --list-faults prints name, description and rule, one per line",
          "[refdut][faults]") {
  refdut_options o;
  o.list_faults = true;
  std::ostringstream out, err;
  CHECK(run_refdut(o, out, err) == exit_ok);
  CHECK(out.str().find("ack-reuse-branch             the ACK of a 2xx reuses the INVITE's branch "
                       "instead of starting a new transaction [ack-2xx.new-transaction]\n") !=
        std::string::npos);
  const auto text = out.str();
  CHECK(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) == faults().size());
}

TEST_CASE("faults: an unknown fault or a bad option is a usage error before anything binds",
          "[refdut][faults]") {
  const auto [field, expected] = GENERATE(table<int, std::string>({
      {0, "sipwright refdut: error: unknown fault 'nope' (see --list-faults)\n"},
      {1, "sipwright refdut: error: --transport must be udp, tcp or tls, not 'sctp'\n"},
      {2, "sipwright refdut: error: --answer must be 200, 380, 486 or 503\n"},
      {3, "sipwright refdut: error: --call must be HOST:PORT (numeric), not 'pbx.example.com'\n"},
  }));
  refdut_options o;
  if (field == 0) o.faults = {"nope"};
  if (field == 1) o.transport = "sctp";
  if (field == 2) o.answer = 302;
  if (field == 3) o.call = "pbx.example.com";
  std::ostringstream out, err;
  CHECK(run_refdut(o, out, err) == exit_usage);
  CHECK(err.str() == expected);
  CHECK(out.str().empty());
}

} // namespace sipwright::refdut
