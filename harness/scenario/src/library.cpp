#include "sipwright/scenario/library.hpp"

#include "sipwright/scenario/loader.hpp"

#include <algorithm>
#include <cstdlib>

namespace sipwright::scenario {

std::filesystem::path library_dir() {
  if (const char* env = std::getenv("SIPWRIGHT_SCENARIOS"); env && *env) return env;
  return SIPWRIGHT_SCENARIO_DIR;
}

std::vector<scenario> load_library(const std::filesystem::path& dir) {
  std::vector<scenario> out;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".xml") continue;
    auto sc = load_file(it->path().string());
    if (sc.meta) out.push_back(std::move(sc));
  }
  std::sort(out.begin(), out.end(),
            [](const scenario& a, const scenario& b) { return a.meta->id < b.meta->id; });
  return out;
}

std::optional<scenario> find_in_library(const std::filesystem::path& dir, std::string_view id) {
  for (auto& sc : load_library(dir))
    if (sc.meta->id == id) return std::move(sc);
  return std::nullopt;
}

} // namespace sipwright::scenario
