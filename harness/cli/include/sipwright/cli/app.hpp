#pragma once
// The `sipwright` command line: parses argv with CLI11 and runs the chosen subcommand.
#include <iosfwd>

namespace sipwright::cli {

// Returns the process exit code (see exit_code in lint.hpp). Help and version go to `out`;
// usage errors go to `err` as one line `sipwright: error: ...`.
int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace sipwright::cli
