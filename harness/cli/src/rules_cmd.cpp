#include "sipwright/cli/rules_cmd.hpp"

#include "sipwright/checks/rules.hpp"

#include "json_text.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>
#include <string>

namespace sipwright::cli {
namespace {} // namespace

int run_rules(bool json, std::ostream& out) {
  const auto rules = checks::catalogue();
  if (json) {
    out << "[\n";
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const auto& r = rules[i];
      fmt::print(out, "  {{\"id\": {}, \"level\": \"{}\", \"section\": {}, \"title\": {}}}{}\n",
                 json_string(r.id), checks::to_string(r.level), json_string(r.section),
                 json_string(r.title), i + 1 < rules.size() ? "," : "");
    }
    out << "]\n";
    return 0;
  }
  for (const auto& r : rules)
    fmt::print(out, "{:<32} {:<6} {:<36} {}\n", r.id, checks::to_string(r.level), r.section,
               r.title);
  fmt::print(out, "{} rules: MUST violations fail, SHOULD violations warn (fail with --strict)\n",
             rules.size());
  return 0;
}

} // namespace sipwright::cli
