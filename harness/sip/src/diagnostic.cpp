#include "sipwright/sip/diagnostic.hpp"

namespace sipwright::sip {

std::uint32_t report::offset_of(const char* where) const {
  if (!base_ || !where || where < base_) return 0;
  return static_cast<std::uint32_t>(where - base_);
}

bool report::fail(const char* where, std::string_view code, std::string_view rule,
                  std::string_view section, std::string text) {
  if (!error_)
    error_ = diagnostic{severity::error, code, rule, section, std::move(text), offset_of(where)};
  return false;
}

void report::warn(const char* where, std::string_view code, std::string_view rule,
                  std::string_view section, std::string text) {
  if (keep_warnings_)
    warnings_.push_back(
        diagnostic{severity::warning, code, rule, section, std::move(text), offset_of(where)});
}

} // namespace sipwright::sip
