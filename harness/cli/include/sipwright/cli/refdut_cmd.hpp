#pragma once
// `sipwright refdut`: the reference device's options on the command line.
#include "sipwright/refdut/refdut.hpp"

namespace CLI {
class App;
}

namespace sipwright::cli {

// Adds the subcommand, its options stored in `opts`; run it with refdut::run_refdut.
CLI::App* add_refdut_command(CLI::App& app, refdut::refdut_options& opts);

} // namespace sipwright::cli
