# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The attributes of the modules that call the OVHcloud API.

    ansible.builtin.action_common_attributes and its ACTIONGROUPS describe each attribute; these fragments say how far
    the modules support them. List them before the builtin ones: the first fragment that sets a key wins. A module
    adds the details of its own diff under diff_mode.
    """

    # A module that changes something: check mode and diff mode are fully supported.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: No write request is sent; C(changed), the diff and the return values are what a real run would report.
  diff_mode:
    support: full
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - snapkeep.nasha.ovh
"""

    # A module that only reads.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - snapkeep.nasha.ovh
"""
