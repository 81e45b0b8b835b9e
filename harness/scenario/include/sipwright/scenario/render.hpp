#pragma once
// Turns a message template into the bytes to send, as SIPp does: keywords expanded, lines joined
// with CRLF, a line that expands to nothing dropped, the head closed by an empty line, the body's
// lines each ended by CRLF, and [len] the body's length in bytes as sent.
#include "sipwright/scenario/model.hpp"

#include <string>

namespace sipwright::scenario {

std::string render(const message_template& msg, const keyword_source& source);

// One line with its keywords expanded ([len] expands to nothing): for log actions.
std::string render_line(const template_line& line, const keyword_source& source);

} // namespace sipwright::scenario
