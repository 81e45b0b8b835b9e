#include "sipwright/checks/rules.hpp"

#include <array>

namespace sipwright::checks {
namespace {

constexpr std::array rules{
#define SIPWRIGHT_RULE_ROW(name, id, lvl, section, title)                                          \
  rule{rule_id::name, id, level::lvl, section, title},
    SIPWRIGHT_RULES(SIPWRIGHT_RULE_ROW)
#undef SIPWRIGHT_RULE_ROW
};

} // namespace

std::span<const rule> catalogue() {
  return rules;
}

const rule& rule_of(rule_id r) {
  return rules[static_cast<std::size_t>(r)];
}

const rule* find_rule(std::string_view id) {
  for (const auto& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

std::string_view to_string(level l) {
  return l == level::must ? "MUST" : "SHOULD";
}

} // namespace sipwright::checks
