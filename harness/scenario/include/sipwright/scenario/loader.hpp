#pragma once
// Loads a SIPp-style scenario file (pugixml) into the immutable model, rejecting every problem
// before anything is sent: malformed XML, unknown element, attribute or keyword, a jump to a
// missing label, a template that is not a SIP message.
#include "sipwright/scenario/model.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace sipwright::scenario {

// A problem in a scenario file. what() is "FILE:LINE:COL: error: TEXT", as compilers write it.
class load_error : public std::runtime_error {
public:
  load_error(source_pos pos, const std::string& text);
  const source_pos& pos() const { return pos_; }
  const std::string& text() const { return text_; }

private:
  source_pos pos_;
  std::string text_;
};

// Reads and loads a file; an unreadable file is a load_error at line 0.
scenario load_file(const std::string& path);
// Loads XML held in memory; `file` names it in errors.
scenario load_string(std::string_view xml, const std::string& file);

} // namespace sipwright::scenario
