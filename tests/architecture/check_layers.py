#!/usr/bin/env python3
"""The layering rule of docs/architecture.md, checked on every #include "..." of the tree.

Each top-level folder may include only the folders listed for it in ALLOWED. An include is
resolved the way the build resolves it (beside the including file, then each include root);
what resolves to no file of ours (a library's header) is not ours to check.

  check_layers.py [ROOT]      exit 0, or 1 with one line per include that breaks the rule
  check_layers.py --self-test shows the check finds a planted violation (so it can fail)
"""
import os
import re
import sys
import tempfile

# What each folder may include besides itself. Tests and benchmarks may include anything.
ALLOWED = {
    "base": set(),
    "core": {"base"},
    "web": {"base", "core"},
    "collectors": {"base", "core"},
    # The hook's SCEP check uses the probes' HTTP client and GetCACert parser, and restarts
    # the services the services collector watches.
    "renew": {"base", "core", "web", "collectors"},
    "exporter": {"base", "core", "web", "collectors"},
}
# Include roots, as the CMake targets declare them (target_include_directories).
INCLUDE_ROOTS = ["", "core/include", "collectors"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SOURCE_ENDINGS = (".h", ".hpp", ".cpp", ".cc", ".c")


def layer_of(root, path):
    rel = os.path.relpath(path, root)
    top = rel.split(os.sep, 1)[0]
    return top if top in ALLOWED else None


def resolve(root, including_file, name):
    for base in [os.path.dirname(including_file)] + [os.path.join(root, r) for r in INCLUDE_ROOTS]:
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(candidate):
            return candidate
    return None


def violations(root):
    found = []
    for layer in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(root, layer)):
            for f in sorted(files):
                if not f.endswith(SOURCE_ENDINGS):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for m in INCLUDE.finditer(text):
                    target = resolve(root, path, m.group(1))
                    to = layer_of(root, target) if target else None
                    if to is None or to == layer or to in ALLOWED[layer]:
                        continue
                    line = text.count("\n", 0, m.start()) + 1
                    found.append(f"{os.path.relpath(path, root)}:{line}: {layer}/ may not include "
                                 f"{to}/ (\"{m.group(1)}\"; {layer}/ may include: "
                                 f"{', '.join(sorted(ALLOWED[layer] | {layer}))})")
    return found


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as fh:
                fh.write(text)
        write("base/text.h", "#pragma once\n")
        write("renew/plan.h", "#pragma once\n")
        write("collectors/probe/probe.h", '#include "base/text.h"\n')
        write("collectors/iis/iis.cpp", '#include "probe/probe.h"\n#include <vector>\n'
                                        '#include "renew/plan.h"\n')
        found = violations(tmp)
        want = "collectors/iis/iis.cpp:3: collectors/ may not include renew/"
        if len(found) != 1 or not found[0].startswith(want):
            print("self-test failed: expected one violation starting with\n  " + want +
                  "\ngot:\n  " + "\n  ".join(found))
            return 1
    print("self-test: the planted include of renew/ from collectors/ is reported")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.abspath(argv[1] if len(argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    found = violations(root)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} include(s) break the layering of docs/architecture.md")
        return 1
    print("layers: every include follows docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
