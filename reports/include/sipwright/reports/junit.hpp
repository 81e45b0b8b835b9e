#pragma once
// JUnit XML for CI (Jenkins, GitLab, GitHub): one <testsuite> per scenario, one <testcase> per rule
// evaluated per call plus one "flow" testcase per call, <skipped> for not-applicable rules,
// SHOULD-level warnings in <system-out> (failures under --strict), the message trace in the
// suite's <system-out>. Valid against the Jenkins xUnit plugin's junit-10.xsd (DESIGN.md 4).
#include "sipwright/reports/run_result.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace sipwright::reports {

// The whole document, as write_junit writes it.
std::string junit_xml(const run_result& run);

// Writes junit_xml(run) to `file` atomically: a temporary file in the same directory, fsync, then
// rename, so `file` is never half-written. Throws std::runtime_error naming the file and the reason
// when it cannot.
void write_junit(const run_result& run, const std::filesystem::path& file);

// A testsuite's name: the library id ("device-callee/basic-call") of a library scenario (its
// <metadata id>, or for a result without one a file NAME.xml in a device-callee/ or device-caller/
// folder), else the scenario's file name.
std::string junit_suite_name(const engine::scenario_result& sc);

// Text made safe for XML 1.0 content (`attribute` also escapes tab, newline and carriage return
// so they survive attribute normalisation): & < > " ' escaped, control bytes other than tab,
// newline and carriage return shown as "\xNN", and each byte of invalid UTF-8 (and the
// non-characters U+FFFE/U+FFFF) as "\xNN".
std::string xml_escape(std::string_view text, bool attribute = false);

} // namespace sipwright::reports
