#include "sipwright/cli/app.hpp"

#include "sipwright/cli/lint.hpp"
#include "sipwright/cli/refdut_cmd.hpp"
#include "sipwright/cli/rules_cmd.hpp"
#include "sipwright/cli/run.hpp"
#include "sipwright/cli/version.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <ostream>
#include <string>
#include <unistd.h>

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
  app.footer("Exit status: 0 success, 1 a conformance failure, 2 usage, scenario or setup error.\n"
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

  run_cli_options run;
  auto* run_cmd = app.add_subcommand(
      "run", "Play scenarios (SIPp's XML format) against a device. A scenario that starts by\n"
             "sending makes sipwright the caller (towards --dut); one that starts by receiving\n"
             "makes it the callee (it waits at --local for the device's call).");
  run_cmd
      ->add_option("scenarios", run.files,
                   "Scenario files or library ids (see 'sipwright list'); none with --profile: "
                   "the whole library")
      ->type_name("FILE.xml|ID");
  run_cmd
      ->add_option("--profile", run.profile,
                   "The device profile (TOML, see the README): address or launch command, "
                   "transport, timers, service users, trigger, capabilities; the options below "
                   "override it")
      ->type_name("FILE");
  run_cmd->add_option("--dut", run.dut, "The device: HOST:PORT (needed by caller scenarios)");
  run_cmd->add_option("--local", run.local,
                      "Local IP:PORT to bind (port 0: any free port; default 127.0.0.1:5060 "
                      "for a callee, 5061 over TLS; a free port for a caller)");
  run_cmd->add_option("--transport", run.transport, "udp, tcp or tls (default udp)");
  run_cmd
      ->add_option("--tls-cert", run.tls_cert,
                   "TLS: sipwright's certificate (PEM), with --tls-key (default: a throwaway "
                   "self-signed one)")
      ->type_name("FILE");
  run_cmd->add_option("--tls-key", run.tls_key, "TLS: the private key (PEM) of --tls-cert")
      ->type_name("FILE");
  run_cmd
      ->add_option("--tls-ca", run.tls_ca,
                   "TLS: the CA certificates (PEM) the device's certificate must chain to "
                   "(default: the system's store)")
      ->type_name("FILE");
  run_cmd
      ->add_option("--tls-server-name", run.tls_server_name,
                   "TLS: the name the device's certificate must carry (default: the address "
                   "sipwright connects to)")
      ->type_name("NAME");
  run_cmd->add_flag("--tls-insecure", run.tls_insecure,
                    "TLS: accept any certificate of the device, self-signed or for another "
                    "name (labs only)");
  run_cmd->add_flag("--tls-verify-client", run.tls_verify_client,
                    "TLS: a device that connects must show a certificate of --tls-ca; its "
                    "connection then also carries requests to it (RFC 5923 alias)");
  run_cmd->add_option("--service", run.service,
                      "User part of the called URI: [service] (default 'service'; a library "
                      "scenario brings its own, a profile maps it)");
  run_cmd
      ->add_option("--trigger", run.trigger,
                   "A callee scenario: the command that makes the device call, run once "
                   "sipwright listens; {host}, {port}, {transport}, {user} are filled in")
      ->type_name("COMMAND");
  run_cmd->add_option("--t1", run.t1_ms,
                      "RFC 3261 T1 in ms: retransmissions and waits scale with it (default 500)");
  run_cmd->add_option("--t2", run.t2_ms, "RFC 3261 T2 in ms (default 8 * T1: 4000 for T1 = 500)");
  run_cmd->add_option("--timeout", run.timeout_s,
                      "Bound of each scenario's run, in seconds (default 120)");
  run_cmd->add_option("-m,--calls", run.calls, "Calls to play per scenario")->capture_default_str();
  run_cmd->add_option("-j,--jobs", run.jobs,
                      "Scenarios played at once (default: the profile's parallel, else 1)");
  run_cmd->add_option("--seed", run.seed, "Seed of lost= and chance= (0: from the clock)");
  run_cmd->add_flag("--strict", run.strict, "SHOULD-level violations fail instead of warning");
  run_cmd->add_option("--junit", run.junit, "Write the JUnit XML report to FILE")
      ->type_name("FILE");
  run_cmd->add_option("--html", run.html, "Write the HTML report (ladder diagrams) to FILE")
      ->type_name("FILE");
  run_cmd->add_option("--pcap", run.pcap, "Write every message of the run to FILE (pcap)")
      ->type_name("FILE");
  run_cmd
      ->add_option("--out", run.out_dir,
                   "Write junit.xml, report.html and run.pcap into DIR (default "
                   "sipwright-results, when no report file is named)")
      ->type_name("DIR");
  run_cmd->add_option("--timing-tolerance", run.timing_tolerance,
                      "How far the device's retransmission intervals may be from the RFC "
                      "schedule, as a fraction of each interval (plus 50 ms; default 0.5)");
  run_cmd
      ->add_option("--color", run.color,
                   "auto (on a terminal unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  auto* verbose = run_cmd->add_flag("-v,--verbose", run.verbose,
                                    "Print every message of the run and every rule's verdict");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print failures and the summary only")
      ->excludes(verbose);

  std::string rules_format = "text";
  auto* rules_cmd = app.add_subcommand("rules", "List the conformance rules sipwright judges");
  rules_cmd->add_option("--format", rules_format, "text or json (an array of objects)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  std::string list_format = "text";
  auto* list_cmd = app.add_subcommand("list", "List the bundled conformance scenarios");
  list_cmd->add_option("--format", list_format, "text or json (an array of objects)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  refdut::refdut_options refdut_opts;
  auto* refdut_cmd = add_refdut_command(app, refdut_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return app.exit(e, out, err); // --help, --version
    std::string sub;
    for (const auto* c : app.get_subcommands()) sub = " " + c->get_name(); // the one parsed
    err << "sipwright: error: " << one_line(e.what()) << " (see 'sipwright" << sub << " --help')\n";
    return exit_usage;
  }
  if (lint_cmd->parsed()) return run_lint(lint, out, err);
  if (run_cmd->parsed()) {
    // Colours and the progress line: only on a terminal (NO_COLOR: no colours, see no-color.org).
    run.terminal = &out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
    if (run.color == "auto" && std::getenv("NO_COLOR") && *std::getenv("NO_COLOR"))
      run.color = "never";
    return run_scenarios(run, out, err);
  }
  if (list_cmd->parsed()) return run_list(list_format == "json", out, err);
  if (rules_cmd->parsed()) return run_rules(rules_format == "json", out);
  if (refdut_cmd->parsed()) return refdut::run_refdut(refdut_opts, out, err);
  err << app.help();
  return exit_usage;
}

} // namespace sipwright::cli
