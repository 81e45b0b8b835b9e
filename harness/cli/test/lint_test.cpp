// `sipwright lint` on datagram files and stream files: the exact lines, counts and exit codes.
#include "messages.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace sipwright::cli;
using namespace sipwright::cli::test;

using lines = std::vector<std::string>;

TEST_CASE("lint: a valid message prints FILE: ok and exits 0", "[lint][datagram]") {
  temp_dir dir;
  auto file = dir.write("options.sip", valid_options);
  auto r = lint({file});
  CHECK(r.code == exit_ok);
  CHECK(r.lines() == lines{file + ": ok"});
  CHECK(r.err.empty()); // one message: no summary
}

TEST_CASE("lint: an invalid Via gives FILE:LINE:COL: error with section and code",
          "[lint][datagram][RFC 3261 25.1]") {
  temp_dir dir;
  auto file = dir.write("bad-via.sip", bad_via);
  auto r = lint({file});
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() == lines{file + ":" + bad_via_finding});
  CHECK(r.err.empty());
}

TEST_CASE("lint: a warning follows the ok line, and --no-warnings, --werror, --quiet",
          "[lint][datagram][RFC 3261 8.1.1.6]") {
  temp_dir dir;
  auto file = dir.write("no-mf.sip", no_max_forwards);
  lint_options o;
  o.files = {file};

  SECTION("default: ok, then the warning, exit 0") {
    auto r = lint(o);
    CHECK(r.code == exit_ok);
    CHECK(r.lines() == lines{file + ": ok", file + ":" + no_max_forwards_finding});
  }
  SECTION("--no-warnings hides it") {
    o.warnings = false;
    auto r = lint(o);
    CHECK(r.code == exit_ok);
    CHECK(r.lines() == lines{file + ": ok"});
  }
  SECTION("--werror makes the message invalid: no ok line, exit 1") {
    o.werror = true;
    auto r = lint(o);
    CHECK(r.code == exit_invalid);
    CHECK(r.lines() == lines{file + ":" + no_max_forwards_finding});
  }
  SECTION("--quiet prints the warning only") {
    o.quiet = true;
    auto r = lint(o);
    CHECK(r.code == exit_ok);
    CHECK(r.lines() == lines{file + ":" + no_max_forwards_finding});
  }
}

TEST_CASE("lint: CRLFs before a datagram's start line are skipped, positions count from the "
          "file start",
          "[lint][datagram][RFC 3261 7.5]") {
  temp_dir dir;
  auto file = dir.write("lead.sip", "\r\n\r\n" + bad_via);
  auto r = lint({file});
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() == lines{file + ":4:29: error: empty parameter in Via (a ';' must be followed by "
                                  "a token), saw ; (RFC 3261 25.1) [param.empty]"});
}

TEST_CASE("lint: an empty file is not a message", "[lint][datagram]") {
  temp_dir dir;
  auto file = dir.write("empty.sip", "");
  auto r = lint({file});
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() ==
        lines{file + ":1:1: error: the datagram holds no message (RFC 3261 7) [framing.empty]"});
}

TEST_CASE("lint: several files give a summary on stderr", "[lint][summary]") {
  temp_dir dir;
  auto a = dir.write("a.sip", valid_options);
  auto b = dir.write("b.sip", bad_via);
  auto c = dir.write("c.sip", no_max_forwards);
  auto r = lint({a, b, c});
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() == lines{a + ": ok", b + ":" + bad_via_finding, c + ": ok",
                           c + ":" + no_max_forwards_finding});
  CHECK(r.err == "3 messages: 2 valid, 1 invalid, 1 warning\n");

  lint_options quiet;
  quiet.files = {a, b, c};
  quiet.quiet = true;
  auto q = lint(quiet);
  CHECK(q.lines() == lines{b + ":" + bad_via_finding, c + ":" + no_max_forwards_finding});
  CHECK(q.err.empty());
}

TEST_CASE("lint: a missing file is a usage error (exit 2), the other files are still checked",
          "[lint][exit]") {
  temp_dir dir;
  auto good = dir.write("good.sip", valid_options);
  auto missing = dir.file("missing.sip");
  auto r = lint({missing, good});
  CHECK(r.code == exit_usage);
  CHECK(r.lines() == lines{good + ": ok"});
  CHECK(r.err == "sipwright: error: cannot read '" + missing + "': No such file or directory\n");
}

TEST_CASE("lint: a folder is a usage error", "[lint][exit]") {
  temp_dir dir;
  auto sub = dir.file("sub");
  std::filesystem::create_directory(sub);
  auto r = lint({sub});
  CHECK(r.code == exit_usage);
  CHECK(r.err == "sipwright: error: cannot read '" + sub + "': is a directory\n");
}

TEST_CASE("lint --stream: messages and keep-alive CRLFs, LINE counted from the file start",
          "[lint][stream][RFC 3261 18.3][RFC 5626 3.5.1]") {
  temp_dir dir;
  // Lines 1-2 keep-alives; message 1 on lines 3-12 (its body spans two lines); a keep-alive
  // on line 13; message 2 on lines 14-22, its Via on line 15.
  auto file = dir.write("trace.txt", "\r\n\r\n" + ok_with_body + "\r\n" + bad_via + "\r\n\r\n");
  lint_options o;
  o.files = {file};
  o.stream = true;
  auto r = lint(o);
  CHECK(r.code == exit_invalid);
  CHECK(r.lines() == lines{file + ":3: ok", file + ":15:29: error: empty parameter in Via (a ';' "
                                                   "must be followed by a token), saw ; (RFC 3261 "
                                                   "25.1) [param.empty]"});
  CHECK(r.err == "2 messages: 1 valid, 1 invalid, 0 warnings\n");
}

TEST_CASE("lint --stream: a stream cut inside a message reports the truncation",
          "[lint][stream][RFC 3261 18.3]") {
  temp_dir dir;
  auto file = dir.write("cut.txt", valid_options + ok_with_body.substr(0, ok_with_body.size() - 3));
  lint_options o;
  o.files = {file};
  o.stream = true;
  auto r = lint(o);
  CHECK(r.code == exit_invalid);
  auto l = r.lines();
  REQUIRE(l.size() == 2);
  CHECK(l[0] == file + ":1: ok");
  // The second message starts on line 10; its body "hello\r\nwo" ends at line 20, column 3.
  CHECK(l[1] == file + ":20:3: error: the stream ended inside a message (" +
                    std::to_string(ok_with_body.size() - 3) +
                    " bytes buffered) (RFC 3261 18.3) [framing.truncated]");
}

TEST_CASE("lint --stream: without Content-Length framing is lost and the rest is not checked",
          "[lint][stream][RFC 3261 18.3]") {
  temp_dir dir;
  std::string no_cl = valid_options;
  no_cl.erase(no_cl.find("Content-Length: 0\r\n"), 19);
  auto file = dir.write("nocl.txt", no_cl + valid_options);
  lint_options o;
  o.files = {file};
  o.stream = true;
  auto r = lint(o);
  CHECK(r.code == exit_invalid);
  auto l = r.lines();
  REQUIRE(l.size() == 2);
  // The parser points at the end of the last header line (the start of CRLF CRLF).
  CHECK(l[0] == file + ":8:1: error: Content-Length is mandatory on a stream transport "
                       "(RFC 3261 18.3) [framing.content-length-missing]");
  CHECK(l[1] == file + ":1: note: framing is lost; the rest of the stream is not checked");
}

TEST_CASE("lint --stream: an empty stream holds no message and is not an error", "[lint][stream]") {
  temp_dir dir;
  auto file = dir.write("empty.txt", "\r\n\r\n");
  lint_options o;
  o.files = {file};
  o.stream = true;
  auto r = lint(o);
  CHECK(r.code == exit_ok);
  CHECK(r.lines() == lines{file + ": note: the stream holds no message"});
}

TEST_CASE("lint: files larger than the read limit are cut, and the note says so", "[lint][limit]") {
  temp_dir dir;
  auto file = dir.write("big.txt", valid_options + valid_options);
  lint_options o;
  o.files = {file};
  o.stream = true;
  o.max_file_bytes = valid_options.size() + 10;
  auto r = lint(o);
  CHECK(r.code == exit_ok);
  auto limit = std::to_string(o.max_file_bytes) + " bytes";
  CHECK(r.lines() == lines{file + ": note: the file is larger than the read limit of " + limit +
                               "; only its first " + limit + " are checked",
                           file + ":1: ok",
                           file + ":10: note: the message continues past the read limit; not "
                                  "checked"});
}

TEST_CASE("lint: binary junk never crashes or hangs, in both modes", "[lint][robustness]") {
  temp_dir dir;
  std::mt19937 rng(4475);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20; ++i) {
    std::string junk(static_cast<std::size_t>(rng() % 5000), '\0');
    for (auto& c : junk) c = static_cast<char>(byte(rng));
    // Sometimes give it a plausible start so the parser gets further.
    if (i % 2) junk = valid_options.substr(0, rng() % valid_options.size()) + junk;
    auto file = dir.write("junk" + std::to_string(i), junk);
    for (bool stream : {false, true}) {
      auto r = lint({file}, stream);
      CHECK((r.code == exit_ok || r.code == exit_invalid));
      for (const auto& l : r.lines()) CHECK(l.rfind(file, 0) == 0); // one line per finding
    }
  }
}

#ifdef SIPWRIGHT_CORPUS_DIR
TEST_CASE("lint: RFC 4475 torture messages", "[lint][corpus][RFC 4475]") {
  const std::filesystem::path corpus = SIPWRIGHT_CORPUS_DIR "/rfc4475";
  if (!std::filesystem::exists(corpus)) {
    WARN("no corpus at " << corpus);
    return;
  }
  struct row {
    const char* file;
    int code;
    const char* first_line_tail; // the first line after the file name
  };
  const row rows[] = {
      {"wsinv.dat", exit_ok, ": ok"},
      {"dblreq.dat", exit_ok, ": ok"},
      {"badinv01.dat", exit_invalid,
       ":7:29: error: empty parameter in Via (a ';' must be followed by a token), saw ; "
       "(RFC 3261 25.1) [param.empty]"},
  };
  for (const auto& row : rows) {
    auto path = (corpus / row.file).string();
    INFO(path);
    auto r = lint({path});
    CHECK(r.code == row.code);
    REQUIRE_FALSE(r.lines().empty());
    CHECK(r.lines().front() == path + row.first_line_tail);
  }
  // dblreq.dat holds a second request after the first's Content-Length: a warning.
  auto dblreq = (corpus / "dblreq.dat").string();
  CHECK(lint({dblreq}).lines().back() ==
        dblreq + ":11:1: warning: 450 bytes after the body (per Content-Length) are discarded "
                 "(RFC 3261 18.3) [framing.extra-bytes]");

  // Every corpus file, both modes: an answer, never a crash.
  for (const auto& e : std::filesystem::directory_iterator(corpus)) {
    for (bool stream : {false, true}) {
      auto r = lint({e.path().string()}, stream);
      CHECK((r.code == exit_ok || r.code == exit_invalid));
    }
  }
}
#endif
