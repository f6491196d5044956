// The start-up floor of a static C++ program that parses `--version` with CLI11, as treeprint must: libstdc++'s
// iostream and locale set-up (CLI11 includes <iostream>) and CLI11's own globals run before main. bench/run.sh
// builds it exactly like treeprint (static, -O2, section GC) and times it next to the real binaries.
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"start-up floor"};
  bool version = false;
  app.add_flag("--version", version, "print the version");
  CLI11_PARSE(app, argc, argv);
  if (version) std::puts("startup-floor 1");
  return 0;
}
