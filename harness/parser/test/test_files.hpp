#pragma once
// Reading test inputs from disk.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sipwright::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace sipwright::test
