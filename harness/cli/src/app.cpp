#include "sipwright/cli/app.hpp"

#include "sipwright/cli/lint.hpp"
#include "sipwright/cli/version.hpp"

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

namespace sipwright::cli {
namespace {

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

} // namespace

int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("sipwright: a SIP conformance test suite", "sipwright");
  app.set_version_flag("--version", std::string("sipwright ") + version);
  app.require_subcommand(0, 1);
  app.footer(
      "Exit status: 0 success, 1 a conformance failure (an invalid message), 2 usage error.\n"
      "Run 'sipwright SUBCOMMAND --help' for a subcommand's options.");

  lint_options lint;
  auto* lint_cmd = app.add_subcommand(
      "lint", "Check files of SIP messages against RFC 3261's grammar and message rules.\n"
              "By default each file is one message (one UDP datagram).");
  lint_cmd->add_option("files", lint.files, "Files to check ('-' reads standard input)")
      ->required()
      ->type_name("FILE");
  lint_cmd->add_flag("--stream", lint.stream,
                     "Each file is a TCP byte stream of several messages framed by "
                     "Content-Length (RFC 3261 18.3); CRLF keep-alives between them are skipped");
  lint_cmd->add_flag("-q,--quiet", lint.quiet,
                     "Print problems only: no ok lines, notes or summary");
  auto* no_warnings = lint_cmd->add_flag_function(
      "-w,--no-warnings", [&lint](std::int64_t) { lint.warnings = false; },
      "Do not print warnings");
  lint_cmd
      ->add_flag("--werror,--strict", lint.werror,
                 "Warnings make a message invalid (exit status 1)")
      ->excludes(no_warnings);
  lint_cmd->footer(lint_format_help);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return app.exit(e, out, err); // --help, --version
    err << "sipwright: error: " << one_line(e.what()) << " (see 'sipwright"
        << (lint_cmd->parsed() ? " lint" : "") << " --help')\n";
    return exit_usage;
  }
  if (lint_cmd->parsed()) return run_lint(lint, out, err);
  err << app.help();
  return exit_usage;
}

} // namespace sipwright::cli
