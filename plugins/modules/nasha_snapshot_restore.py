#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_snapshot_restore
short_description: Restore files of an OVHcloud NAS-HA partition from one of its snapshots
version_added: 0.2.0
description:
  - Runs on a host that has the NAS-HA partition's share mounted (NFS or CIFS), not on the controller, and makes
    no API call.
  - The OVHcloud API cannot restore a snapshot. Each snapshot is a read-only copy of the partition under
    C(<mount point>/.zfs/snapshot/<name>/); this module copies a file, a directory or the whole partition
    from there with C(rsync), into a new directory (the default) or over the live data (O(in_place=true)).
  - rsync is called with an argument list, never through a shell. Its itemized output tells what was
    created, updated and deleted; a second run with nothing left to copy reports no change.
  - The module never writes inside C(.zfs), refuses a O(dest) there, and refuses to restore the whole
    partition in place with O(delete=true).
  - With O(list_only=true) it only lists the snapshots the mount point holds, newest first.
author:
  - snapkeep.nasha maintainers (@snapkeep)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: rsync runs with C(--dry-run); C(changed), the counts and the diff are what a real run would do.
  diff_mode:
    support: full
    details: The diff lists the paths that are (or would be) created, updated and deleted, at most O(max_paths) of each, with counts.
  platform:
    platforms: posix
requirements:
  - rsync on the host that runs the module.
options:
  mount_point:
    description:
      - Where the partition's share is mounted on this host, for example V(/mnt/nasha).
      - It must hold C(.zfs/snapshot). An absolute path; a relative one is refused.
    type: path
    required: true
  snapshot:
    description:
      - The snapshot's directory name under C(.zfs/snapshot).
      - A custom snapshot's API name also finds its directory with the V(snap-) prefix OVHcloud's control panel
        adds.
      - Automatic snapshots' directory names are not documented by OVHcloud; use O(list_only=true) to see them.
      - Required unless O(list_only=true).
    type: str
  path:
    description:
      - The file or directory to restore, relative to the partition's root (and to the snapshot's root).
      - Absolute paths, V(..) and paths into C(.zfs) are refused.
      - Empty (the default) restores the whole partition.
    type: str
    default: ""
  dest:
    description:
      - The directory the restored data goes to. A restored directory (or the whole partition) becomes its
        content; a restored file is written in it under its own name.
      - Required unless O(in_place=true) or O(list_only=true). Mutually exclusive with O(in_place=true).
      - Missing directories are created. It must not be inside the mount point's C(.zfs).
      - An absolute path; a relative one is refused. With O(delete=true), a O(dest) that goes through a
        symbolic link is refused.
    type: path
  in_place:
    description:
      - Restore over the live data instead of into O(dest) - a directory over the live directory of the same path,
        a file into the live directory that holds it.
      - Files changed since the snapshot are overwritten; files created since then are kept unless
        O(delete=true).
      - Refused when a live directory between the mount point and the target is a symbolic link, or when the
        target resolves outside the mount point, so that the restore never writes (or deletes) outside the partition.
    type: bool
    default: false
  delete:
    description:
      - Remove from the target what the snapshot does not hold, so that the restored directory is exactly as
        in the snapshot.
      - Refused when the target holds the live partition's root - O(in_place=true) with the whole partition, or a
        O(dest) that is the mount point or one of its parents.
      - No effect when O(path) is a file.
    type: bool
    default: false
  preserve:
    description:
      - Which attributes of the snapshot's files the copy keeps. Symbolic links are always copied as links.
      - V(owner) and V(group) need root on this host (rsync keeps the running user's otherwise).
      - V(acls) and V(xattrs) are not kept by default because OVHcloud warns that rsync options beyond
        C(-Pva) may clash with NAS-HA's permission model; add them only if the share supports them.
    type: list
    elements: str
    choices: [owner, group, perms, times, hard_links, acls, xattrs]
    default: [owner, group, perms, times, hard_links]
  exclude:
    description:
      - rsync exclude patterns (C(--exclude)), relative to the restored directory. Excluded files are neither
        copied nor deleted.
    type: list
    elements: str
    default: []
  list_only:
    description:
      - Only list the snapshots under C(.zfs/snapshot), newest first, in RV(snapshots). Nothing is copied.
    type: bool
    default: false
  max_paths:
    description:
      - How many paths of each kind (created, updated, deleted) the result and the diff list.
    type: int
    default: 50
notes:
  - Mounting the share is up to you, for example with C(ansible.posix.mount). The NFS export is
    C(<service ip>:/<service name>/<partition name>), the CIFS share C(\\<service ip>\<service name>_<partition name>);
    M(snapkeep.nasha.nasha_snapshot_info) returns both. The host's IP must be allowed on the partition first
    (M(snapkeep.nasha.nasha_partition_access)).
  - C(.zfs) is hidden at the share's root; a copy of the whole partition never descends into it, and the live
    C(.zfs) is never deleted.
seealso:
  - module: snapkeep.nasha.nasha_custom_snapshot
  - module: snapkeep.nasha.nasha_snapshot_info
  - module: snapkeep.nasha.nasha_partition_access
"""

EXAMPLES = r"""
- name: List the snapshots of the mounted partition
  snapkeep.nasha.nasha_snapshot_restore:
    mount_point: /mnt/nasha
    list_only: true
  register: nasha_snapshots

- name: Bring one directory back, into a new directory
  snapkeep.nasha.nasha_snapshot_restore:
    mount_point: /mnt/nasha
    snapshot: before-upgrade
    path: projects/reports
    dest: /srv/restored/reports

- name: See what restoring one file in place would change
  snapkeep.nasha.nasha_snapshot_restore:
    mount_point: /mnt/nasha
    snapshot: before-upgrade
    path: projects/reports/2026.ods
    in_place: true
  check_mode: true
  diff: true

- name: Make a directory exactly as it was in the snapshot
  snapkeep.nasha.nasha_snapshot_restore:
    mount_point: /mnt/nasha
    snapshot: before-upgrade
    path: projects
    in_place: true
    delete: true
    exclude:
      - "*.tmp"
"""

RETURN = r"""
snapshots:
  description: The snapshots under C(.zfs/snapshot), newest first.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The directory name.
      type: str
      sample: snap-before-upgrade
    path:
      description: The directory's full path.
      type: str
      sample: /mnt/nasha/.zfs/snapshot/snap-before-upgrade
    time:
      description: The directory's modification time, UTC, as the share reports it.
      type: str
      sample: "2026-12-03T01:00:00Z"
    timestamp:
      description: The same time in seconds since the epoch.
      type: int
      sample: 1796259600
snapshot:
  description: The snapshot directory restored from.
  returned: unless O(list_only=true)
  type: str
  sample: snap-before-upgrade
source:
  description: What was copied.
  returned: unless O(list_only=true)
  type: str
  sample: /mnt/nasha/.zfs/snapshot/snap-before-upgrade/projects/reports/
dest:
  description: The directory the data went to.
  returned: unless O(list_only=true)
  type: str
  sample: /srv/restored/reports
counts:
  description: How many paths were (or would be, in check mode) created, updated and deleted.
  returned: unless O(list_only=true)
  type: dict
  contains:
    created:
      description: New files, directories and links.
      type: int
      sample: 12
    updated:
      description: Existing paths whose content or attributes changed.
      type: int
      sample: 1
    deleted:
      description: Paths removed because of O(delete=true).
      type: int
      sample: 0
created:
  description: The first O(max_paths) created paths, relative to RV(dest); directories end with V(/).
  returned: unless O(list_only=true)
  type: list
  elements: str
  sample: [reports/, reports/2026.ods]
updated:
  description: The first O(max_paths) updated paths.
  returned: unless O(list_only=true)
  type: list
  elements: str
  sample: []
deleted:
  description: The first O(max_paths) deleted paths.
  returned: unless O(list_only=true)
  type: list
  elements: str
  sample: []
bytes_copied:
  description: The bytes of file content copied (or that would be).
  returned: unless O(list_only=true)
  type: int
  sample: 1048576
command:
  description: The rsync command line that ran, quoted for a shell (for reading; the module runs no shell).
  returned: unless O(list_only=true)
  type: str
  sample: "/usr/bin/rsync -rlD --owner --group --perms --times --hard-links '--out-format=%i %l %n' ..."
"""

import os
import shlex

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.snapkeep.nasha.plugins.module_utils._restore import (
    INSTALL_HINT,
    PARTIAL_EXIT_CODES,
    PRESERVE_DEFAULT,
    PRESERVE_FLAGS,
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
)


def restore(module):
    params = module.params
    check_absolute("mount_point", params["mount_point"])
    check_absolute("dest", params["dest"])
    mount_point = os.path.abspath(params["mount_point"])
    check_mount_point(mount_point)
    snapshots = list_snapshots(mount_point)
    if params["list_only"]:
        return dict(changed=False, snapshots=snapshots)
    if not params["snapshot"]:
        raise RestoreError("snapshot is required unless list_only is true; the snapshots there, newest first: %s"
                           % (", ".join(entry["name"] for entry in snapshots) or "none"))
    if params["in_place"] and params["dest"]:
        raise RestoreError("dest and in_place are mutually exclusive: in_place restores over the live data")
    if params["max_paths"] < 0:
        raise RestoreError("max_paths must be 0 or more, not %s" % params["max_paths"])
    rel_path = clean_relative_path(params["path"])
    snapshot_dir = resolve_snapshot(params["snapshot"], snapshots)
    plan = plan_transfer(mount_point, snapshot_dir, rel_path, params["dest"], params["in_place"], params["delete"])
    rsync = module.get_bin_path("rsync")
    if rsync is None:
        raise RestoreError(INSTALL_HINT)
    argv = build_argv(rsync, plan["source"], plan["target"], plan["is_dir"], check_mode=module.check_mode,
                      delete=params["delete"], preserve=params["preserve"], exclude=params["exclude"])
    if not module.check_mode and not plan["is_dir"] and not os.path.isdir(plan["target"]):
        # rsync creates only the last directory of a target; a file's target is created here, parents included.
        os.makedirs(plan["target"])
    elif not module.check_mode:
        parent = os.path.dirname(plan["target"].rstrip(os.sep))
        if parent and not os.path.isdir(parent):
            os.makedirs(parent)
    # C locale: rsync escapes bytes it would not print as \#ooo, which the parser turns back into names.
    rc, out, err = module.run_command(argv, environ_update=dict(LC_ALL="C"))
    parsed = parse_itemized(out)
    counts, firsts, diff_text = summarise(parsed, params["max_paths"])
    result = dict(
        changed=any(counts.values()),
        snapshots=snapshots,
        snapshot=snapshot_dir,
        source=argv[-2],
        dest=plan["target"],
        counts=counts,
        bytes_copied=parsed["bytes"],
        command=" ".join(shlex.quote(arg) for arg in argv),
        **firsts
    )
    if module._diff:
        result["diff"] = dict(prepared=diff_text)
    if rc in PARTIAL_EXIT_CODES:
        files = partial_transfer_files(err)
        raise RestoreError("rsync exit %d: %s: %s" % (rc, PARTIAL_EXIT_CODES[rc], ", ".join(files) or err.strip()),
                           files=files, rc=rc, stderr=err, **result)
    if rc != 0:
        raise RestoreError("rsync failed (exit %d): %s" % (rc, err.strip()), rc=rc, stderr=err, **result)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mount_point=dict(type="path", required=True),
            snapshot=dict(type="str"),
            path=dict(type="str", default=""),
            dest=dict(type="path"),
            in_place=dict(type="bool", default=False),
            delete=dict(type="bool", default=False),
            preserve=dict(type="list", elements="str", choices=list(PRESERVE_FLAGS), default=list(PRESERVE_DEFAULT)),
            exclude=dict(type="list", elements="str", default=[]),
            list_only=dict(type="bool", default=False),
            max_paths=dict(type="int", default=50),
        ),
        supports_check_mode=True,
    )
    try:
        result = restore(module)
    except RestoreError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    except OSError as exc:
        module.fail_json(msg="restore failed: %s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
