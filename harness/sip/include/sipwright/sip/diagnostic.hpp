#pragma once
// Findings about a message's bytes: grammar errors and tolerated oddities.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::sip {

// Message bytes quoted in a diagnostic text: CR, LF, TAB and other control bytes escaped
// (\r, \n, \t, \xNN), cut after `max` bytes with "...".
std::string shown(std::string_view s, std::size_t max = 40);

enum class severity : std::uint8_t { error, warning };

struct diagnostic {
  severity level = severity::error;
  std::string_view code;    // stable id, e.g. "via.sent-by"
  std::string_view rule;    // the ABNF rule or requirement broken, e.g. "sent-by"
  std::string_view section; // e.g. "RFC 3261 25.1"
  std::string text;         // what was expected and what was seen
  std::uint32_t offset = 0; // byte offset in the message
};

// Collects the first error and any warnings while grammar functions run. Offsets are taken
// relative to `base`, the first byte of the message (or of the text being checked).
class report {
public:
  explicit report(const char* base = nullptr, bool keep_warnings = true)
      : base_(base), keep_warnings_(keep_warnings) {}

  bool ok() const { return !error_; }
  const std::optional<diagnostic>& error() const { return error_; }
  const std::vector<diagnostic>& warnings() const { return warnings_; }
  // True when fail() or warn() recorded anything since construction or the last clear().
  bool used() const { return error_ || !warnings_.empty(); }
  // Forgets the error and the warnings, so one report can serve several checks in turn.
  void clear() {
    error_.reset();
    warnings_.clear();
  }

  // Records an error (the first one wins) and returns false, so grammar code can `return
  // fail(...)`.
  bool fail(const char* where, std::string_view code, std::string_view rule,
            std::string_view section, std::string text);
  void warn(const char* where, std::string_view code, std::string_view rule,
            std::string_view section, std::string text);

private:
  std::uint32_t offset_of(const char* where) const;
  const char* base_;
  bool keep_warnings_;
  std::optional<diagnostic> error_;
  std::vector<diagnostic> warnings_;
};

} // namespace sipwright::sip
