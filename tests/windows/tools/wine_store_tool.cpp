// ndes_wine_store.exe: fills LocalMachine stores for the exporter-under-wine test
// (tests/windows/exporter_under_wine.sh), with the helpers the certstore tests use.
//   ndes_wine_store clear STORE
//   ndes_wine_store add-der STORE FILE           prints the thumbprint
//   ndes_wine_store add-pfx STORE FILE PASSPHRASE prints the thumbprint
//   ndes_wine_store archive STORE THUMBPRINT     exit 3 where archiving is not possible
//   ndes_wine_store set-key-dacl STORE THUMBPRINT SDDL
//   ndes_wine_store delete-key STORE THUMBPRINT
// STORE is a LocalMachine store name: My, CA, Root...
#include <cstdio>
#include <exception>
#include <string>

#include "support/wine_store.h"

namespace {

std::wstring wide(const char* s) {
  const std::string n(s);
  return {n.begin(), n.end()};
}

int usage() {
  std::fputs(
      "usage: ndes_wine_store clear STORE | add-der STORE FILE | add-pfx STORE FILE PASS |\n"
      "       archive STORE THUMBPRINT | set-key-dacl STORE THUMBPRINT SDDL |\n"
      "       delete-key STORE THUMBPRINT\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace ws = ndes::test::winstore;
  if (argc < 3) {
    return usage();
  }
  const std::string command = argv[1];
  const std::wstring store = wide(argv[2]);
  try {
    if (command == "clear" && argc == 3) {
      ws::clear(store);
    } else if (command == "add-der" && argc == 4) {
      std::printf("%s\n", ws::add_der(store, argv[3]).c_str());
    } else if (command == "add-pfx" && argc == 5) {
      std::printf("%s\n", ws::add_pfx(store, argv[3], argv[4]).c_str());
    } else if (command == "archive" && argc == 4) {
      std::string error;
      if (!ws::archive(store, argv[3], &error)) {
        std::fprintf(stderr, "ndes_wine_store: %s\n", error.c_str());
        return 3;
      }
    } else if (command == "set-key-dacl" && argc == 5) {
      ws::set_key_dacl(store, argv[3], wide(argv[4]));
    } else if (command == "delete-key" && argc == 4) {
      ws::delete_key(store, argv[3]);
    } else {
      return usage();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ndes_wine_store: %s\n", e.what());
    return 1;
  }
  return 0;
}
