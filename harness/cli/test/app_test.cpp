// The command line: subcommands, flags, help, version and exit codes.
#include "messages.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::cli;
using namespace sipwright::cli::test;

TEST_CASE("app: --version prints the project version", "[app]") {
  auto r = app({"--version"});
  CHECK(r.code == exit_ok);
  CHECK_THAT(r.out, Catch::Matches("sipwright [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST_CASE("app: no subcommand prints help on stderr and exits 2", "[app][exit]") {
  auto r = app({});
  CHECK(r.code == exit_usage);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("Usage: sipwright") && Catch::Contains("lint"));
}

TEST_CASE("app: a bad flag is a one-line usage error, exit 2", "[app][exit]") {
  auto r = app({"lint", "--bogus", "x.sip"});
  CHECK(r.code == exit_usage);
  CHECK(r.out.empty());
  CHECK(r.err == "sipwright: error: The following argument was not expected: --bogus "
                 "(see 'sipwright lint --help')\n");

  auto top = app({"--bogus"});
  CHECK(top.code == exit_usage);
  CHECK(top.err == "sipwright: error: The following argument was not expected: --bogus "
                   "(see 'sipwright --help')\n");
}

TEST_CASE("app: lint without files, or --werror with --no-warnings, is a usage error",
          "[app][exit]") {
  auto r = app({"lint"});
  CHECK(r.code == exit_usage);
  CHECK(r.err == "sipwright: error: files is required (see 'sipwright lint --help')\n");
  CHECK(app({"lint", "--werror", "--no-warnings", "x.sip"}).code == exit_usage);
}

TEST_CASE("app: lint --help documents the output format", "[app]") {
  auto r = app({"lint", "--help"});
  CHECK(r.code == exit_ok);
  CHECK_THAT(r.out, Catch::Contains("NAME:LINE:COL: error: TEXT (SECTION) [CODE]") &&
                        Catch::Contains("--stream") && Catch::Contains("--werror,--strict") &&
                        Catch::Contains("Exit status: 0"));
}

TEST_CASE("app: lint exit codes 0, 1 and 2 from the command line", "[app][exit]") {
  temp_dir dir;
  auto good = dir.write("good.sip", valid_options);
  auto bad = dir.write("bad.sip", bad_via);
  auto warn = dir.write("warn.sip", no_max_forwards);
  CHECK(app({"lint", good}).code == exit_ok);
  CHECK(app({"lint", good, bad}).code == exit_invalid);
  CHECK(app({"lint", dir.file("missing.sip")}).code == exit_usage);
  CHECK(app({"lint", warn}).code == exit_ok);
  CHECK(app({"lint", "--strict", warn}).code == exit_invalid);
  auto quiet = app({"lint", "-q", good, warn});
  CHECK(quiet.out == warn + ":" + no_max_forwards_finding + "\n");
  CHECK(quiet.err.empty());
  auto stream = app({"lint", "--stream", good});
  CHECK(stream.out == good + ":1: ok\n");
}
