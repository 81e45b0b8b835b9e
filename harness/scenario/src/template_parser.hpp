#pragma once
// Private to the loader: message templates and log texts -> lines of pieces (literal text and
// [keywords]), and the check that a template is a SIP message.
#include "sipwright/scenario/loader.hpp"

#include <string_view>
#include <vector>

namespace sipwright::scenario::detail {

// A template line as written (trimmed) and where its first byte is in the file.
struct raw_line {
  std::string_view text;
  source_pos pos;
};

// Splits a <send> text (whose first byte is at `start`) into trimmed lines, head and body, and
// parses the keywords of each line. Throws load_error.
message_template parse_template(std::string_view text, const source_pos& start,
                                bool sip_message = true);

// Parses one line of text (a log message) whose first byte is at `start`.
template_line parse_line(std::string_view text, const source_pos& start);

// Throws load_error unless `head` (start line first) reads as the head of a SIP message once
// keywords are replaced by plausible values (template_check.cpp).
void check_sip_head(const message_template& msg, const std::vector<raw_line>& head);

} // namespace sipwright::scenario::detail
