"""Test helper for the restore tests: build a tree, describe one, compare two.

  trees.py make DIR              a tree with files, modes, times, owners, symbolic and hard links, odd names
  trees.py digest DIR            one line per entry (everything compared), for before/after checks
  trees.py compare A B [--subset]  exit 1 and list the differences unless B holds exactly A (or at least A)

The top-level .zfs and the root directory's own attributes are left out.
"""
import hashlib
import json
import os
import stat
import sys

TIME = 1_700_000_000


def make(root):
    def write(relative, text, mode=0o644, when=TIME):
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, mode)
        os.utime(path, (when, when))

    write("docs/report 2026.txt", "report\n")
    write("docs/été/naïve café.txt", "unicode\n", 0o600, TIME + 10)
    write("docs/keep.txt", "keep\n")
    write("docs/script.sh", "#!/bin/sh\necho hi\n", 0o755)
    write("data/big.bin", "x" * 300000)
    write("data/nested/deep/leaf.txt", "leaf\n", 0o640, TIME + 20)
    write("top level.txt", "top\n")
    os.link(os.path.join(root, "docs/keep.txt"), os.path.join(root, "docs/keep-hardlink.txt"))
    os.symlink("report 2026.txt", os.path.join(root, "docs/link to report"))
    os.symlink("../missing-target", os.path.join(root, "docs/dangling"))
    os.makedirs(os.path.join(root, "empty dir"))
    if os.geteuid() == 0:
        os.chown(os.path.join(root, "docs/report 2026.txt"), 1234, 2345)
    for directory in ("docs/été", "data/nested/deep", "data/nested", "data", "docs", "empty dir"):
        os.utime(os.path.join(root, directory), (TIME + 100, TIME + 100))


def describe(root):
    entries = {}
    inodes = {}
    for current, dirnames, filenames in os.walk(root):
        if current == root:
            dirnames[:] = [name for name in dirnames if name != ".zfs"]
        for name in sorted(dirnames + filenames):
            path = os.path.join(current, name)
            relative = os.path.relpath(path, root)
            info = os.lstat(path)
            entry = dict(mode=oct(info.st_mode), uid=info.st_uid, gid=info.st_gid)
            if stat.S_ISLNK(info.st_mode):
                entry["target"] = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    entry["sha256"] = hashlib.sha256(handle.read()).hexdigest()
                entry["mtime"] = int(info.st_mtime)
                if info.st_nlink > 1:
                    inodes.setdefault(info.st_ino, []).append(relative)
            else:
                entry["mtime"] = int(info.st_mtime)
            entries[relative] = entry
    for group in inodes.values():
        for relative in group:
            entries[relative]["linked_with"] = sorted(other for other in group if other != relative)
    return entries


def main():
    command, *args = sys.argv[1:]
    if command == "make":
        make(args[0])
    elif command == "digest":
        print(json.dumps(describe(args[0]), sort_keys=True))
    elif command == "compare":
        first, second = describe(args[0]), describe(args[1])
        subset = "--subset" in args
        problems = []
        for relative, entry in sorted(first.items()):
            other = second.get(relative)
            if other is None:
                problems.append("missing in %s: %s" % (args[1], relative))
            elif subset:
                differing = sorted(key for key in entry if key != "linked_with" and entry[key] != other.get(key))
                if differing:
                    problems.append("%s differs in %s" % (relative, ", ".join(differing)))
            elif entry != other:
                problems.append("%s differs: %s != %s" % (relative, entry, other))
        if not subset:
            problems += ["only in %s: %s" % (args[1], relative) for relative in sorted(set(second) - set(first))]
        print(json.dumps(dict(entries=len(first), problems=problems)))
        sys.exit(1 if problems else 0)
    else:
        sys.exit("unknown command %s" % command)


if __name__ == "__main__":
    main()
