#pragma once
// Test helpers: a temporary folder removed at the end, and running `sipwright lint` in-process.
#include "sipwright/cli/app.hpp"
#include "sipwright/cli/lint.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::cli::test {

class temp_dir {
public:
  temp_dir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sipwright-cli-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  // Writes `bytes` to a file in the folder and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
  // The lines of `out`.
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

inline run_result lint(const lint_options& opts) {
  std::ostringstream out, err;
  run_result r;
  r.code = run_lint(opts, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline run_result lint(std::vector<std::string> files, bool stream = false) {
  lint_options o;
  o.files = std::move(files);
  o.stream = stream;
  return lint(o);
}

inline run_result app(std::vector<std::string> args) {
  std::vector<const char*> argv{"sipwright"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  run_result r;
  r.code = run_app(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

} // namespace sipwright::cli::test
