#pragma once
// Private to the loader: <action> children -> scenario::action, and the book of variables.
#include "xml_context.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sipwright::scenario::detail {

// Every variable name met (in order of first use) and those something assigns.
class variable_book {
public:
  void use(std::string_view name);
  void assign(std::string_view name);
  bool assigned(std::string_view name) const;
  const std::vector<std::string>& names() const { return names_; }

private:
  std::vector<std::string> names_;
  std::vector<std::string> assigned_;
};

// Appends the actions of an <action> element to `out`.
void load_actions(const xml_context& cx, const pugi::xml_node& el, variable_book& vars,
                  std::vector<action>& out);

// Compiles a POSIX extended regexp as the engine will, so a bad one fails at load time.
void check_regexp(const xml_context& cx, const pugi::xml_attribute& a, bool icase);

} // namespace sipwright::scenario::detail
