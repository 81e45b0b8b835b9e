#pragma once
// The bundled scenario library (scenarios/ in the source tree, or $SIPWRIGHT_SCENARIOS): every
// *.xml below it with a <metadata> element, found by id.
#include "sipwright/scenario/model.hpp"

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace sipwright::scenario {

// $SIPWRIGHT_SCENARIOS when set, else the library folder of the source tree sipwright was built
// from.
std::filesystem::path library_dir();

// Every scenario of the library, sorted by id. A file that does not load is a load_error (the
// library is part of sipwright: it must be clean).
std::vector<scenario> load_library(const std::filesystem::path& dir);

// The library scenario with this id, when there is one.
std::optional<scenario> find_in_library(const std::filesystem::path& dir, std::string_view id);

} // namespace sipwright::scenario
