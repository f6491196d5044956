#include <cstdio>

#include "app/app.h"

int main(int argc, char** argv) {
  treeprint::RealFileSystem fs;
  treeprint::AppContext ctx{fs, stdout, stderr};
  return treeprint::run_app(argc, argv, ctx);
}
