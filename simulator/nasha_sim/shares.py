"""The partitions' shares on disk (optional, ``--data-dir``): what a client that mounts a partition sees.

Each partition is the directory ``<data dir>/<service>/<partition>/``. Its snapshots are plain copies
under ``.zfs/snapshot/<name>/``: a custom snapshot's copy is made once its snapshot is listed (when its
task is done, or at once with ``--visibility immediate``) and removed once it is not (deleted or expired);
an automatic snapshot of a scheduled type is taken on demand (POST /_sim/auto_snapshot) under
``auto_<type>`` (a name no custom snapshot can have), replacing the previous one of that type.

ZFS makes snapshots read-only; here nothing enforces it: the copies keep the live files' modes, and only
``.zfs`` and ``.zfs/snapshot`` are made read-only (mode 0555).
"""
from __future__ import annotations

import os
import shutil
import stat

SNAPSHOT_DIR = os.path.join(".zfs", "snapshot")
AUTO_PREFIX = "auto_"


def copy_tree(source: str, target: str, when: float) -> None:
    """Copy a live tree as a snapshot: contents, modes, owners (when root), times, symbolic and hard links.

    The live root's ``.zfs`` is left out; the copy's root gets ``when`` as its times (the snapshot's time).
    """
    os.mkdir(target)
    links = {}
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    directories = []
    for current, dirnames, filenames in os.walk(source):
        relative = os.path.relpath(current, source)
        if relative == ".":
            dirnames[:] = [name for name in dirnames if name != ".zfs"]
            destination = target
        else:
            destination = os.path.join(target, relative)
            os.mkdir(destination)
        directories.append((current, destination))
        # os.walk lists symbolic links to directories among dirnames: copy them as links, do not descend.
        for name in [name for name in dirnames if os.path.islink(os.path.join(current, name))]:
            dirnames.remove(name)
            filenames.append(name)
        for name in filenames:
            path, copy = os.path.join(current, name), os.path.join(destination, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                os.symlink(os.readlink(path), copy)
            elif info.st_nlink > 1 and (info.st_dev, info.st_ino) in links:
                os.link(links[(info.st_dev, info.st_ino)], copy)
                continue
            elif stat.S_ISREG(info.st_mode):
                shutil.copyfile(path, copy)
                if info.st_nlink > 1:
                    links[(info.st_dev, info.st_ino)] = copy
            else:
                continue  # devices, sockets and pipes are not part of a share
            if as_root:
                os.lchown(copy, info.st_uid, info.st_gid)
            if not stat.S_ISLNK(info.st_mode):
                os.chmod(copy, stat.S_IMODE(info.st_mode))
            os.utime(copy, ns=(info.st_atime_ns, info.st_mtime_ns), follow_symlinks=False)
    # Directories last, deepest first: writing inside a directory changes its times.
    for current, destination in reversed(directories):
        info = os.lstat(current)
        if as_root:
            os.lchown(destination, info.st_uid, info.st_gid)
        os.chmod(destination, stat.S_IMODE(info.st_mode))
        os.utime(destination, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.utime(target, (when, when))


def remove_tree(path: str) -> None:
    """Remove a snapshot copy, even where its modes forbid writing."""
    for current, dirnames, dummy in os.walk(path):
        for name in dirnames:
            full = os.path.join(current, name)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    os.chmod(path, 0o700)
    shutil.rmtree(path)


class Shares:
    """Keeps ``<data dir>/<service>/<partition>/.zfs/snapshot`` in line with the state's custom snapshots."""

    def __init__(self, data_dir):
        self.data_dir = os.path.abspath(str(data_dir))

    def partition_dir(self, service_name: str, partition_name: str) -> str:
        return os.path.join(self.data_dir, service_name, partition_name)

    def _snapshot_root(self, service_name: str, partition_name: str) -> str:
        live = self.partition_dir(service_name, partition_name)
        root = os.path.join(live, SNAPSHOT_DIR)
        if not os.path.isdir(root):
            os.makedirs(root)
            os.chmod(root, 0o555)
            os.chmod(os.path.dirname(root), 0o555)
        return root

    def _writable(self, root: str):
        os.chmod(root, 0o755)

    def sync(self, doc: dict, now: float) -> None:
        """Copy the live tree for each newly listed custom snapshot; remove copies no longer listed."""
        for service_name, service in doc["services"].items():
            for partition_name, partition in service["partitions"].items():
                root = self._snapshot_root(service_name, partition_name)
                wanted = {snapshot["name"] for snapshot in partition["custom_snapshots"]}
                present = {name for name in os.listdir(root) if not name.startswith(AUTO_PREFIX)}
                if wanted == present:
                    continue
                self._writable(root)
                try:
                    for name in sorted(present - wanted):
                        remove_tree(os.path.join(root, name))
                    for name in sorted(wanted - present):
                        copy_tree(self.partition_dir(service_name, partition_name), os.path.join(root, name), now)
                finally:
                    os.chmod(root, 0o555)

    def auto_snapshot(self, doc: dict, service_name: str, partition_name: str, snapshot_type: str, now: float) -> dict:
        """Take the automatic snapshot of a scheduled type now, replacing the previous one of that type."""
        partition = doc["services"][service_name]["partitions"][partition_name]
        if snapshot_type not in partition["snapshot_types"]:
            raise ValueError(f"{snapshot_type} is not scheduled on partition {partition_name} of {service_name}")
        root = self._snapshot_root(service_name, partition_name)
        name = AUTO_PREFIX + snapshot_type
        self._writable(root)
        try:
            if os.path.lexists(os.path.join(root, name)):
                remove_tree(os.path.join(root, name))
            copy_tree(self.partition_dir(service_name, partition_name), os.path.join(root, name), now)
        finally:
            os.chmod(root, 0o555)
        return {"name": name, "path": os.path.join(root, name)}
