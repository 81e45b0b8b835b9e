#include "sipwright/transport/trace.hpp"

#include <utility>

namespace sipwright::transport {

std::size_t trace::add(trace_entry e) {
  entries_.push_back(std::move(e));
  return entries_.size() - 1;
}

} // namespace sipwright::transport
