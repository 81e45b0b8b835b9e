#pragma once
// `sipwright rules`: the rule catalogue, as text or JSON.
#include <iosfwd>

namespace sipwright::cli {

int run_rules(bool json, std::ostream& out);

} // namespace sipwright::cli
