// The `sipwright` executable: everything is in the sipwright_cli library.
#include "sipwright/cli/app.hpp"

#include <iostream>

int main(int argc, char** argv) {
  return sipwright::cli::run_app(argc, argv, std::cout, std::cerr);
}
