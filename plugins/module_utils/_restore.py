# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restoring from `<mount point>/.zfs/snapshot/<name>/`: path safety, the rsync argument list, its itemized output.

Pure functions (the file system is only read, never written), so that the restore module stays thin and
every rule here is unit-tested without rsync.
"""
from __future__ import annotations

import datetime
import os
import re

SNAPSHOT_DIR = os.path.join(".zfs", "snapshot")
CUSTOM_PREFIX = "snap-"

# What each preserve choice adds to rsync's -rlD (recursion, symlinks as links, devices and specials).
PRESERVE_FLAGS = dict(
    owner="--owner",
    group="--group",
    perms="--perms",
    times="--times",
    hard_links="--hard-links",
    acls="--acls",
    xattrs="--xattrs",
)
PRESERVE_DEFAULT = ["owner", "group", "perms", "times", "hard_links"]

# One line per item: the 11-character change string, the size in bytes, the name. rsync writes a line only
# for an item it changes (or would change, with --dry-run).
OUT_FORMAT = "--out-format=%i %l %n"

INSTALL_HINT = ("rsync is not installed on this host: install it with the system's package manager "
                "(apt-get install rsync, dnf install rsync, zypper install rsync, apk add rsync), "
                "or with the task ansible.builtin.package: name=rsync")

# rsync's exit codes for a transfer that ran but left some files out.
PARTIAL_EXIT_CODES = {
    23: "some files could not be restored",
    24: "some files vanished from the source while it was read",
}


class RestoreError(Exception):
    """A restore the module refuses or cannot do, with a message that says what to check."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


def clean_relative_path(path):
    """The path inside the snapshot, normalised ('' for the whole partition); absolute paths and '..' refused."""
    if path is None:
        return ""
    text = str(path)
    if "\0" in text:
        raise RestoreError("path must not contain a NUL character")
    if text.startswith("/") or text.startswith("\\"):
        raise RestoreError("path must be relative to the snapshot's root, not absolute: %r" % text)
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise RestoreError("path must not contain '..': %r" % text)
    if parts and parts[0] == ".zfs":
        raise RestoreError("path must not point into .zfs: %r" % text)
    return "/".join(parts)


def check_absolute(name, value):
    """Fails unless `value` is an absolute path: a relative one would depend on the remote user's directory."""
    if value and not os.path.isabs(value):
        raise RestoreError("%s must be an absolute path, not %r" % (name, value))


def first_link(base, rel_parts, islink=os.path.islink, lexists=os.path.lexists):
    """The first of base/part1, base/part1/part2, ... that is a symbolic link (each checked with lstat), or None.

    Stops at the first component that does not exist: rsync creates it as a directory.
    """
    current = base
    for part in rel_parts:
        current = os.path.join(current, part)
        if not lexists(current):
            return None
        if islink(current):
            return current
    return None


def snapshot_root(mount_point):
    return os.path.join(mount_point, SNAPSHOT_DIR)


def is_within(path, directory):
    """Whether path is directory or below it (both already absolute and resolved)."""
    directory = directory.rstrip(os.sep) or os.sep
    return path == directory or path.startswith(directory + os.sep) or directory == os.sep


def iso_utc(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_snapshots(mount_point):
    """The snapshot directories a mount point holds, newest first, each with its time.

    The time is the modification time of the snapshot's directory as the share reports it.
    """
    root = snapshot_root(mount_point)
    entries = []
    for name in os.listdir(root):
        full = os.path.join(root, name)
        try:
            stat = os.stat(full)
        except OSError:
            continue
        entries.append(dict(name=name, path=full, timestamp=int(stat.st_mtime), time=iso_utc(stat.st_mtime)))
    entries.sort(key=lambda entry: (-entry["timestamp"], entry["name"]))
    return entries


def check_mount_point(mount_point, ismount=os.path.ismount, isdir=os.path.isdir):
    """Fails with what to check when the mount point has no .zfs/snapshot."""
    if not isdir(mount_point):
        raise RestoreError("mount_point %s does not exist or is not a directory: mount the partition's share "
                           "there first (ansible.posix.mount)" % mount_point)
    if not isdir(snapshot_root(mount_point)):
        where = "it is a mount point" if ismount(mount_point) else "it is not a mount point"
        raise RestoreError(
            "%s has no .zfs/snapshot directory (%s). Check that the NAS-HA partition's share is mounted there "
            "(NFS <service ip>:/<service>/<partition> or CIFS \\\\<service ip>\\<service>_<partition>), "
            "that this host's IP is allowed on the partition (nasha_partition_access), and that the "
            "partition has at least one snapshot" % (mount_point, where))


def resolve_snapshot(name, available):
    """The directory name of snapshot `name` among `available` (listed newest first); a custom snapshot's
    API name also finds its snap- prefixed directory."""
    names = [entry["name"] for entry in available]
    if name in names:
        return name
    if not name.startswith(CUSTOM_PREFIX) and CUSTOM_PREFIX + name in names:
        return CUSTOM_PREFIX + name
    listing = ", ".join("%s (%s)" % (entry["name"], entry["time"]) for entry in available) or "none"
    raise RestoreError("snapshot %s is not under .zfs/snapshot; the snapshots there, newest first: %s"
                       % (name, listing), snapshots=names)


def plan_transfer(mount_point, snapshot_dir, rel_path, dest, in_place, delete,
                  lexists=os.path.lexists, isdir=os.path.isdir, islink=os.path.islink, realpath=os.path.realpath):
    """Source and target of the copy, after every safety rule.

    A directory (or the whole partition) is copied into the target directory as its content; a file or a
    symbolic link is copied into the target directory under its own name. With in_place the target is the
    live directory the path belongs to.
    """
    mount_point = os.path.abspath(mount_point)
    snap_root = os.path.join(snapshot_root(mount_point), snapshot_dir)
    source = os.path.join(snap_root, rel_path) if rel_path else snap_root
    if not lexists(source):
        raise RestoreError("path %s is not in snapshot %s (looked for %s)" % (rel_path, snapshot_dir, source))
    # A symbolic link inside the snapshot must not lead the copy out of it.
    parent = os.path.dirname(source) if rel_path else source
    if not is_within(realpath(parent), realpath(snap_root)):
        raise RestoreError("path %s leaves snapshot %s through a symbolic link" % (rel_path, snapshot_dir))
    is_dir = isdir(source) and not islink(source)
    if in_place:
        if not rel_path and delete:
            raise RestoreError("in_place with delete on the whole partition would remove everything written "
                               "since the snapshot: restore into a new directory (dest), name a path, "
                               "or set delete: false")
        live_rel = rel_path if is_dir else os.path.dirname(rel_path)
        live = os.path.join(mount_point, live_rel) if live_rel else mount_point
        target = live.rstrip(os.sep) or os.sep
        # A link among the live directories would lead the copy (and --delete) outside the partition. A file's
        # own live entry may be a link: rsync replaces it without following it.
        link = first_link(mount_point, [part for part in live_rel.split("/") if part], islink=islink, lexists=lexists)
        if link is not None:
            raise RestoreError("in_place refused: %s is a symbolic link (to %s), so the restore would write outside "
                               "the mount point %s; restore into a new directory (dest) instead"
                               % (link, realpath(link), mount_point))
        if not is_within(realpath(target), realpath(mount_point)):
            raise RestoreError("in_place refused: %s resolves to %s, outside the mount point %s; restore into "
                               "a new directory (dest) instead" % (target, realpath(target), mount_point))
    else:
        if not dest:
            raise RestoreError("dest is required unless in_place is true")
        check_absolute("dest", dest)
        target = os.path.abspath(dest)
        if delete and realpath(target) != target:
            # --delete must act on the directory the user named, not on what a link in its path leads to.
            raise RestoreError("dest %s goes through a symbolic link (it resolves to %s): with delete, name the "
                               "real directory or set delete: false" % (target, realpath(target)))
    # --delete on a directory copy removes from the target what the snapshot lacks: never on a target that
    # holds the live partition's root (the mount point or one of its parents).
    if delete and is_dir and is_within(realpath(mount_point), realpath(target)):
        raise RestoreError("dest %s holds the whole partition (%s): with delete it would remove everything written "
                           "since the snapshot; choose a new directory or set delete: false" % (target, mount_point))
    zfs = realpath(os.path.join(mount_point, ".zfs"))
    if is_within(realpath(target), zfs) or is_within(realpath(target), realpath(snap_root)):
        raise RestoreError("dest %s is inside the mount point's .zfs directory, which is read-only: "
                           "choose a directory outside it" % target)
    return dict(source=source, target=target, is_dir=is_dir, snapshot_path=snap_root)


def build_argv(rsync, source, target, is_dir, check_mode=False, delete=False, preserve=None, exclude=None):
    """The rsync argument list: never a shell string."""
    preserve = PRESERVE_DEFAULT if preserve is None else preserve
    argv = [rsync, "-rlD"]
    argv.extend(PRESERVE_FLAGS[name] for name in PRESERVE_FLAGS if name in preserve)
    argv.append(OUT_FORMAT)
    if check_mode:
        argv.append("--dry-run")
    if delete:
        argv.append("--delete")
    # The live root's .zfs is never a target, never deleted (an excluded name is protected from --delete).
    argv.append("--exclude=/.zfs")
    for pattern in exclude or []:
        argv.append("--exclude=" + pattern)
    if is_dir:
        argv.extend([source.rstrip(os.sep) + os.sep, target.rstrip(os.sep) + os.sep])
    else:
        argv.extend([source, target.rstrip(os.sep) + os.sep])
    return argv


_ESCAPE = re.compile(r"\\#([0-7]{3})")


def unescape(name):
    """rsync writes bytes it does not print as \\#ooo (octal); give back the real name."""
    if "\\#" not in name:
        return name
    raw = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(name):
        raw.extend(name[pos:match.start()].encode("utf-8", "surrogateescape"))
        raw.append(int(match.group(1), 8))
        pos = match.end()
    raw.extend(name[pos:].encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "surrogateescape")


def parse_itemized(output):
    """Created, updated and deleted names, and the bytes of file content copied, from rsync's output lines
    in OUT_FORMAT (and rsync's own `*deleting` lines)."""
    result = dict(created=[], updated=[], deleted=[], bytes=0)
    for line in output.splitlines():
        if len(line) < 12 or line[11:12] != " ":
            continue
        changes, rest = line[:11], line[12:]
        if changes.startswith("*deleting"):
            # rsync writes the size as 0 for deletions: skip it.
            size, _sep, name = rest.lstrip(" ").partition(" ")
            result["deleted"].append(unescape(name if size.isdigit() else rest.strip()))
            continue
        if changes[0] not in "<>ch.*" or changes[1] not in "fdLDS":
            continue
        size, _sep, name = rest.partition(" ")
        if not size.isdigit():
            continue
        name = unescape(name)
        if name in ("./", "."):
            # the target directory itself: its own times or modes
            name = "."
        if changes[2:].startswith("+"):
            result["created"].append(name)
        else:
            result["updated"].append(name)
        if changes[0] in "<>" and changes[1] == "f":
            result["bytes"] += int(size)
    return result


_QUOTED = re.compile(r'"([^"]+)"')


def partial_transfer_files(stderr):
    """The files named in rsync's error lines (exit 23 or 24)."""
    files = []
    for line in stderr.splitlines():
        if "rsync" not in line and "vanished" not in line:
            continue
        for match in _QUOTED.finditer(line):
            name = unescape(match.group(1))
            if name not in files:
                files.append(name)
    return files


def summarise(parsed, limit):
    """Counts, the first `limit` names of each kind, and the text of the diff."""
    counts = dict((kind, len(parsed[kind])) for kind in ("created", "updated", "deleted"))
    firsts = dict((kind, parsed[kind][:limit]) for kind in ("created", "updated", "deleted"))
    lines = []
    for kind in ("created", "updated", "deleted"):
        lines.append("%s: %d" % (kind, counts[kind]))
        lines.extend("  %s" % name for name in firsts[kind])
        if counts[kind] > limit:
            lines.append("  ... and %d more" % (counts[kind] - limit))
    return counts, firsts, "\n".join(lines) + "\n"
