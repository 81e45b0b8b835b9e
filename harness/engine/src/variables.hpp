#pragma once
// A call's variables, as SIPp keeps them: text from regexps (with whether it matched), numbers
// and booleans. A jump's test="var" holds when the variable is true, a matched regexp or non-zero.
#include <map>
#include <string>

namespace sipwright::engine {

struct variable {
  enum class type { unset, text, number, boolean };
  type kind = type::unset;
  std::string text;
  double number = 0;
  bool flag = false; // boolean value; for text: the regexp matched

  bool truth() const;
  std::string str() const; // [$var]: text, a number without a needless ".0", "true"/"false"
  double num() const;      // text as a number, 0 when it is not one
};

using variables = std::map<std::string, variable, std::less<>>;

} // namespace sipwright::engine
