# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils._restore import (
    OUT_FORMAT,
    RestoreError,
    build_argv,
    check_absolute,
    check_mount_point,
    clean_relative_path,
    list_snapshots,
    parse_itemized,
    partial_transfer_files,
    plan_transfer,
    resolve_snapshot,
    summarise,
    unescape,
)


@pytest.mark.parametrize("given,expected", [
    (None, ""),
    ("", ""),
    (".", ""),
    ("docs", "docs"),
    ("docs/", "docs"),
    ("./docs//reports/./2026.ods", "docs/reports/2026.ods"),
    ("a b/é.txt", "a b/é.txt"),
    ("..data", "..data"),
])
def test_clean_relative_path_normalises(given, expected):
    assert clean_relative_path(given) == expected


@pytest.mark.parametrize("given,reason", [
    ("/etc/passwd", "absolute"),
    ("\\share", "absolute"),
    ("..", "'..'"),
    ("docs/../../etc", "'..'"),
    (".zfs/snapshot/x", ".zfs"),
    ("./.zfs", ".zfs"),
    ("a\0b", "NUL"),
])
def test_clean_relative_path_refuses(given, reason):
    with pytest.raises(RestoreError, match=reason):
        clean_relative_path(given)


def make_share(tmp_path, snapshots=("snap-before", "hour-1")):
    mount = tmp_path / "mnt"
    for index, name in enumerate(snapshots):
        snap = mount / ".zfs" / "snapshot" / name
        (snap / "docs" / "reports").mkdir(parents=True)
        (snap / "docs" / "reports" / "a.txt").write_text("a")
        (snap / "top.txt").write_text("top")
        # the first one listed is the oldest
        os.utime(snap, (1000000000 + index * 3600, 1000000000 + index * 3600))
    return mount


def test_list_snapshots_newest_first_with_times(tmp_path):
    mount = make_share(tmp_path)
    listed = list_snapshots(str(mount))
    assert [entry["name"] for entry in listed] == ["hour-1", "snap-before"]
    assert listed[0]["time"] == "2001-09-09T02:46:40Z"
    assert listed[1]["timestamp"] == 1000000000
    assert listed[0]["path"] == str(mount / ".zfs" / "snapshot" / "hour-1")


def test_check_mount_point_says_what_to_check(tmp_path):
    with pytest.raises(RestoreError, match="does not exist"):
        check_mount_point(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(RestoreError, match="no .zfs/snapshot.*not a mount point.*nasha_partition_access"):
        check_mount_point(str(tmp_path / "empty"))
    check_mount_point(str(make_share(tmp_path)))


def test_resolve_snapshot_exact_prefixed_and_missing():
    available = [dict(name="hour-1", time="2026-12-03T02:00:00Z"), dict(name="snap-before", time="2026-12-03T01:00:00Z")]
    assert resolve_snapshot("hour-1", available) == "hour-1"
    assert resolve_snapshot("snap-before", available) == "snap-before"
    assert resolve_snapshot("before", available) == "snap-before"
    with pytest.raises(RestoreError) as caught:
        resolve_snapshot("after", available)
    assert "hour-1 (2026-12-03T02:00:00Z), snap-before (2026-12-03T01:00:00Z)" in caught.value.msg
    assert caught.value.details["snapshots"] == ["hour-1", "snap-before"]
    with pytest.raises(RestoreError, match="newest first: none"):
        resolve_snapshot("x", [])


def test_plan_directory_file_and_whole_partition(tmp_path):
    mount = str(make_share(tmp_path))
    snap = os.path.join(mount, ".zfs", "snapshot", "snap-before")
    whole = plan_transfer(mount, "snap-before", "", str(tmp_path / "out"), False, False)
    assert whole == dict(source=snap, target=str(tmp_path / "out"), is_dir=True, snapshot_path=snap)
    folder = plan_transfer(mount, "snap-before", "docs/reports", None, True, True)
    assert folder["target"] == os.path.join(mount, "docs", "reports") and folder["is_dir"]
    one = plan_transfer(mount, "snap-before", "docs/reports/a.txt", None, True, False)
    assert one["target"] == os.path.join(mount, "docs", "reports") and not one["is_dir"]
    top = plan_transfer(mount, "snap-before", "top.txt", None, True, True)
    assert top["target"] == mount
    root_in_place = plan_transfer(mount, "snap-before", "", None, True, False)
    assert root_in_place["target"] == mount


def test_plan_refusals(tmp_path):
    mount = str(make_share(tmp_path))
    with pytest.raises(RestoreError, match="not in snapshot snap-before"):
        plan_transfer(mount, "snap-before", "docs/missing", str(tmp_path / "out"), False, False)
    with pytest.raises(RestoreError, match="dest is required"):
        plan_transfer(mount, "snap-before", "docs", None, False, False)
    with pytest.raises(RestoreError, match="whole partition"):
        plan_transfer(mount, "snap-before", "", None, True, True)
    for inside in (".zfs/snapshot/snap-before/docs", ".zfs", ".zfs/snapshot/other"):
        with pytest.raises(RestoreError, match="inside the mount point's .zfs"):
            plan_transfer(mount, "snap-before", "docs", os.path.join(mount, inside), False, False)


def test_plan_refuses_delete_into_a_dest_holding_the_partition(tmp_path):
    mount = str(make_share(tmp_path))
    for dest in (mount, str(tmp_path)):
        with pytest.raises(RestoreError, match="holds the whole partition"):
            plan_transfer(mount, "snap-before", "docs", dest, False, True)
    # without delete nothing is removed: allowed
    assert plan_transfer(mount, "snap-before", "docs", mount, False, False)["target"] == mount
    # a new directory on the share itself, with delete: allowed
    inside = os.path.join(mount, "restored")
    assert plan_transfer(mount, "snap-before", "docs", inside, False, True)["target"] == inside


def test_plan_refuses_a_dest_reaching_zfs_through_a_link(tmp_path):
    mount = str(make_share(tmp_path))
    os.symlink(os.path.join(mount, ".zfs", "snapshot"), str(tmp_path / "sneaky"))
    with pytest.raises(RestoreError, match="inside the mount point's .zfs"):
        plan_transfer(mount, "snap-before", "docs", str(tmp_path / "sneaky" / "x"), False, False)


def test_plan_refuses_a_path_leaving_the_snapshot_through_a_link(tmp_path):
    mount = make_share(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("s")
    os.symlink(str(tmp_path / "outside"), str(mount / ".zfs" / "snapshot" / "snap-before" / "escape"))
    with pytest.raises(RestoreError, match="leaves snapshot"):
        plan_transfer(str(mount), "snap-before", "escape/secret", str(tmp_path / "out"), False, False)
    # the link itself is copied as a link: allowed
    link = plan_transfer(str(mount), "snap-before", "escape", str(tmp_path / "out"), False, False)
    assert not link["is_dir"]


def test_plan_in_place_refuses_a_symlinked_live_directory(tmp_path):
    mount = make_share(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "keep.txt").write_text("k")
    (mount / "docs").mkdir()
    os.symlink(str(tmp_path / "outside"), str(mount / "docs" / "reports"))
    for rel in ("docs/reports", "docs/reports/a.txt"):
        with pytest.raises(RestoreError, match="is a symbolic link"):
            plan_transfer(str(mount), "snap-before", rel, None, True, True)
    with pytest.raises(RestoreError, match="is a symbolic link"):
        plan_transfer(str(mount), "snap-before", "docs/reports", None, True, False)


def test_plan_in_place_refuses_a_symlinked_parent(tmp_path):
    mount = make_share(tmp_path)
    (tmp_path / "outside" / "reports").mkdir(parents=True)
    os.symlink(str(tmp_path / "outside"), str(mount / "docs"))
    with pytest.raises(RestoreError, match=r"docs is a symbolic link"):
        plan_transfer(str(mount), "snap-before", "docs/reports", None, True, True)


def test_plan_in_place_refuses_a_target_resolving_outside_the_mount_point(tmp_path):
    mount = make_share(tmp_path)
    (tmp_path / "outside").mkdir()
    os.symlink(str(tmp_path / "outside"), str(mount / "docs"))
    # a realpath that differs from the lstat view (as a share remounted elsewhere could give) is refused too
    with pytest.raises(RestoreError, match="outside the mount point"):
        plan_transfer(str(mount), "snap-before", "docs/reports", None, True, True,
                      islink=lambda path: False, realpath=os.path.realpath)


def test_plan_in_place_ok_with_real_directories_and_a_linked_mount_point(tmp_path):
    mount = make_share(tmp_path)
    (mount / "docs" / "reports").mkdir(parents=True)
    # a file's own live entry may be a link: rsync replaces it, never follows it
    os.symlink("/etc/hostname", str(mount / "top.txt"))
    assert plan_transfer(str(mount), "snap-before", "docs/reports", None, True, True)["target"] == \
        str(mount / "docs" / "reports")
    assert plan_transfer(str(mount), "snap-before", "top.txt", None, True, False)["target"] == str(mount)
    # the mount point itself reached through a link: the check starts below it
    os.symlink(str(mount), str(tmp_path / "linked-mount"))
    linked = str(tmp_path / "linked-mount")
    assert plan_transfer(linked, "snap-before", "docs/reports", None, True, True)["target"] == \
        os.path.join(linked, "docs", "reports")
    # live directories not there yet: rsync creates them
    assert plan_transfer(str(mount), "snap-before", "docs", None, True, True)["target"] == str(mount / "docs")


def test_plan_dest_through_a_link_refused_with_delete_only(tmp_path):
    mount = str(make_share(tmp_path))
    (tmp_path / "real").mkdir()
    os.symlink(str(tmp_path / "real"), str(tmp_path / "alias"))
    for dest in (str(tmp_path / "alias"), str(tmp_path / "alias" / "new")):
        with pytest.raises(RestoreError, match="goes through a symbolic link"):
            plan_transfer(mount, "snap-before", "docs", dest, False, True)
        assert plan_transfer(mount, "snap-before", "docs", dest, False, False)["target"] == dest
    real = str(tmp_path / "real" / "new")
    assert plan_transfer(mount, "snap-before", "docs", real, False, True)["target"] == real


def test_absolute_paths_required(tmp_path):
    with pytest.raises(RestoreError, match="mount_point must be an absolute path"):
        check_absolute("mount_point", "mnt/nasha")
    with pytest.raises(RestoreError, match="dest must be an absolute path"):
        plan_transfer(str(make_share(tmp_path)), "snap-before", "docs", "restored", False, False)
    check_absolute("mount_point", "/mnt/nasha")
    check_absolute("dest", None)


def test_build_argv_is_a_list_with_options():
    argv = build_argv("/usr/bin/rsync", "/m/.zfs/snapshot/s/d", "/out", True)
    assert argv == ["/usr/bin/rsync", "-rlD", "--owner", "--group", "--perms", "--times", "--hard-links",
                    OUT_FORMAT, "--exclude=/.zfs", "/m/.zfs/snapshot/s/d/", "/out/"]
    argv = build_argv("rsync", "/m/.zfs/snapshot/s/f", "/out/", False, check_mode=True, delete=True,
                      preserve=["times", "acls", "xattrs"], exclude=["*.tmp", "cache/"])
    assert argv == ["rsync", "-rlD", "--times", "--acls", "--xattrs", OUT_FORMAT, "--dry-run", "--delete",
                    "--exclude=/.zfs", "--exclude=*.tmp", "--exclude=cache/", "/m/.zfs/snapshot/s/f", "/out/"]


OUTPUT = "\n".join([
    "created directory /srv/out",
    "*deleting   0 old/z",
    "*deleting   0 old/",
    "cd+++++++++ 4096 ./",
    ">f+++++++++ 3 a b \\#303\\#251.txt",
    "cd+++++++++ 4096 d/",
    ">f+++++++++ 2 d/f",
    "hf+++++++++ 2 d/hl",
    "cL+++++++++ 1 d/ln",
    ">f.st...... 10 changed.txt",
    ".d..t...... 4096 docs/",
    ".f...p..... 5 mode-only.txt",
    "",
])


def test_parse_itemized():
    parsed = parse_itemized(OUTPUT)
    assert parsed["created"] == [".", "a b é.txt", "d/", "d/f", "d/hl", "d/ln"]
    assert parsed["updated"] == ["changed.txt", "docs/", "mode-only.txt"]
    assert parsed["deleted"] == ["old/z", "old/"]
    assert parsed["bytes"] == 3 + 2 + 10


def test_parse_itemized_nothing_to_do():
    assert parse_itemized("") == dict(created=[], updated=[], deleted=[], bytes=0)


def test_unescape_keeps_plain_names_and_decodes_bytes():
    assert unescape("plain name") == "plain name"
    assert unescape("caf\\#303\\#251") == "café"
    assert unescape("line\\#012break") == "line\nbreak"
    assert unescape("bad\\#377") == "bad\udcff"


def test_partial_transfer_files():
    stderr = "\n".join([
        'rsync: [sender] send_files failed to open "/m/.zfs/snapshot/s/locked.db": Permission denied (13)',
        'file has vanished: "/m/.zfs/snapshot/s/tmp \\#303\\#251"',
        "rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338)",
    ])
    assert partial_transfer_files(stderr) == ["/m/.zfs/snapshot/s/locked.db", "/m/.zfs/snapshot/s/tmp é"]


def test_summarise_caps_and_counts():
    parsed = dict(created=["a", "b", "c"], updated=["u"], deleted=[], bytes=0)
    counts, firsts, text = summarise(parsed, 2)
    assert counts == dict(created=3, updated=1, deleted=0)
    assert firsts == dict(created=["a", "b"], updated=["u"], deleted=[])
    assert text == "created: 3\n  a\n  b\n  ... and 1 more\nupdated: 1\n  u\ndeleted: 0\n"
