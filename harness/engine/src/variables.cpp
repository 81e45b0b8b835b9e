#include "variables.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace sipwright::engine {

bool variable::truth() const {
  switch (kind) {
  case type::unset:
    return false;
  case type::text:
    return flag;
  case type::number:
    return number != 0;
  case type::boolean:
    return flag;
  }
  return false;
}

std::string variable::str() const {
  switch (kind) {
  case type::unset:
    return {};
  case type::text:
    return text;
  case type::number:
    if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 1e15)
      return fmt::format("{}", static_cast<long long>(number));
    return fmt::format("{}", number);
  case type::boolean:
    return flag ? "true" : "false";
  }
  return {};
}

double variable::num() const {
  switch (kind) {
  case type::number:
    return number;
  case type::boolean:
    return flag ? 1 : 0;
  case type::text: {
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    return r.ec == std::errc{} ? d : 0;
  }
  case type::unset:
    return 0;
  }
  return 0;
}

} // namespace sipwright::engine
