# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where things are: the NAS-HA API routes (each name checked and percent-encoded as one segment), and the
NFS export, CIFS share and snapshot directory a client sees."""
from __future__ import annotations

from urllib.parse import quote


def snapshot_path(name):
    """Where a snapshot appears, relative to the mount point of the partition's share."""
    return ".zfs/snapshot/%s" % name


def share_sources(ip, service_name, partition_name, protocol):
    """What a client mounts: the NFS export and the CIFS share of a partition (None where the protocol or the
    service's IP does not give one)."""
    protocol = protocol or ""
    nfs = "%s:/%s/%s" % (ip, service_name, partition_name) if ip and "NFS" in protocol else None
    cifs = "\\\\%s\\%s_%s" % (ip, service_name, partition_name) if ip and "CIFS" in protocol else None
    return nfs, cifs


class RouteNameError(ValueError):
    """A service, partition or snapshot name that would change the route of a request."""


def route_name_error(label, value):
    """None when `value` can be one segment of an API route, else a sentence saying why not.

    Names are sent percent-encoded, but a server or proxy that normalises or decodes the URL could still
    read ".", "..", "/" or "%2F" as another route; such names, empty ones and control characters are refused.
    """
    if not isinstance(value, str) or not value.strip():
        return "%s must be a non-empty name, not %r" % (label, value)
    if value in (".", ".."):
        return "%s %r is not a name: it would change the route of the request once the URL is normalised" % (label, value)
    forbidden = sorted(set(character for character in value if character in "/\\%?#" or ord(character) < 32 or ord(character) == 127))
    if forbidden:
        return ("%s %r holds %s, which a name cannot hold: it could change the route of the request"
                % (label, value, ", ".join(repr(character) for character in forbidden)))
    return None


def _segment(value, label="name"):
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value  # task ids are numbers
    error = route_name_error(label, text)
    if error:
        raise RouteNameError(error)
    return quote(text, safe="")


def service_path(service_name):
    return "/dedicated/nasha/%s" % _segment(service_name, "service_name")


def partitions_path(service_name):
    return "%s/partition" % service_path(service_name)


def partition_path(service_name, partition_name):
    return "%s/%s" % (partitions_path(service_name), _segment(partition_name, "partition_name"))


def schedule_path(service_name, partition_name):
    return "%s/snapshot" % partition_path(service_name, partition_name)


def schedule_type_path(service_name, partition_name, snapshot_type):
    return "%s/%s" % (schedule_path(service_name, partition_name), _segment(snapshot_type, "snapshot type"))


def custom_snapshots_path(service_name, partition_name):
    return "%s/customSnapshot" % partition_path(service_name, partition_name)


def custom_snapshot_path(service_name, partition_name, name):
    return "%s/%s" % (custom_snapshots_path(service_name, partition_name), _segment(name, "custom snapshot name"))


def tasks_path(service_name):
    return "%s/task" % service_path(service_name)


def task_path(service_name, task_id):
    return "%s/%s" % (tasks_path(service_name), _segment(task_id, "task id"))
