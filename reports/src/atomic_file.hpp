#pragma once
// Internal to the reports module: the atomic file write every report writer uses.
#include <filesystem>
#include <string_view>

namespace sipwright::reports::detail {

// Writes `data` to `file` atomically: a temporary file in the same directory (".NAME.tmp-PID-N"),
// fsync, then a rename over `file`, so `file` is never half-written and an existing one is
// replaced whole. Throws std::runtime_error "cannot write WHAT FILE: REASON" (e.g. WHAT "JUnit
// report") when it cannot, leaving `file` as it was and no temporary file behind.
void write_atomically(const std::filesystem::path& file, std::string_view data,
                      std::string_view what);

} // namespace sipwright::reports::detail
