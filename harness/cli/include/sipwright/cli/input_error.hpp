#pragma once
// A local problem with what sipwright was asked to read (a missing file, a capture it cannot
// decode): reported as `sipwright: error: ...` with exit code 2, never as a verdict on a message.
#include <stdexcept>

namespace sipwright::cli {

class input_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace sipwright::cli
