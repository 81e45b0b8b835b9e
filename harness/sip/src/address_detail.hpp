#pragma once
// Internal helpers shared by the grammar files.
#include "scanner.hpp"
#include "sipwright/sip/grammar.hpp"

namespace sipwright::sip::detail {

bool eat_quoted_string(scanner& s, report& r);
bool eat_gen_value(scanner& s, report& r);
// Called with a parameter's name, positioned after it: returns 1 when it consumed the value,
// 0 to let the generic rule take it, -1 on error.
using param_hook = int (*)(std::string_view name, scanner& s, report& r);
bool parse_generic_params(scanner& s, report& r, std::string_view what, const param_hook& special);

} // namespace sipwright::sip::detail
