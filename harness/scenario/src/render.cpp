// Template -> bytes, as SIPp builds a message: lines joined by CRLF, a head line that expands to
// nothing dropped, an empty line after the head, each body line ended by CRLF, and [len] the
// body's length in bytes (RFC 3261 20.14: Content-Length counts the body's octets).
#include "sipwright/scenario/render.hpp"

namespace sipwright::scenario {
namespace {

constexpr std::string_view crlf = "\r\n";

// Appends a line's expansion. As in SIPp, a [last_Header:] whose header the last message did
// not have removes itself and the rest of its line ("[last_To:];tag=x" -> "").
void expand(const template_line& line, const keyword_source& source, std::string_view len,
            std::string& out) {
  for (const auto& p : line.pieces) {
    if (!p.is_keyword) {
      out += p.text;
    } else if (p.kw.id == keyword_id::len) {
      out += len;
    } else {
      const auto before = out.size();
      source.expand(p.kw, out);
      if (p.kw.id == keyword_id::last_header && out.size() == before) return;
    }
  }
}

bool mentions_len(const std::vector<template_line>& lines) {
  for (const auto& l : lines)
    for (const auto& p : l.pieces)
      if (p.is_keyword && p.kw.id == keyword_id::len) return true;
  return false;
}

std::string render_body(const message_template& msg, const keyword_source& source,
                        std::string_view len) {
  std::string body;
  for (const auto& line : msg.body) {
    expand(line, source, len, body);
    body += crlf;
  }
  return body;
}

} // namespace

std::string render(const message_template& msg, const keyword_source& source) {
  std::string body = render_body(msg, source, "");
  std::string len = std::to_string(body.size());
  // [len] inside the body itself: its own digits count, so settle on a length that is true
  // once written (a few rounds at most: the digit count only grows).
  if (mentions_len(msg.body)) {
    for (int round = 0; round < 8; ++round) {
      body = render_body(msg, source, len);
      const auto now = std::to_string(body.size());
      if (now == len) break;
      len = now;
    }
  }
  std::string out;
  for (const auto& line : msg.head) {
    const auto before = out.size();
    if (!out.empty()) out += crlf;
    const auto start = out.size();
    expand(line, source, len, out);
    if (out.size() == start) out.resize(before); // a line that expands to nothing is dropped
  }
  out += crlf;
  out += crlf;
  out += body;
  return out;
}

std::string render_line(const template_line& line, const keyword_source& source) {
  std::string out;
  expand(line, source, "", out);
  return out;
}

} // namespace sipwright::scenario
