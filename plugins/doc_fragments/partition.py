# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The options that name what a module works on: a NAS-HA service, and one of its partitions."""

    # A module that works on one partition of a service (listed with SERVICE, which gives service_name).
    DOCUMENTATION = r"""
options:
  partition_name:
    description:
      - The name of the partition on that service.
      - Refused before any request when it could change the route of a request, as O(service_name) is.
    type: str
    required: true
"""

    # A module that works on a whole service.
    SERVICE = r"""
options:
  service_name:
    description:
      - The internal name of the NAS-HA service, for example V(zpool-123456).
      - A name that could change the route of a request (V(.), V(..), empty, or holding C(/), C(\), C(%), C(?), C(#)
        or a control character) is refused before any request.
    type: str
    required: true
"""
