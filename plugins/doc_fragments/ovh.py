# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """Options shared by the modules that call the OVHcloud API."""

    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - The OVHcloud API to call, as one of python-ovh's endpoint names (V(ovh-eu), V(ovh-ca), V(ovh-us),
        V(kimsufi-eu), V(kimsufi-ca), V(soyoustart-eu), V(soyoustart-ca)) or as the URL of an OVHcloud-compatible
        API ending in C(/1.0), such as V(https://eu.api.ovh.com/1.0).
      - A URL must use C(https); plain C(http) is only accepted to a loopback address (C(localhost), C(127.0.0.0/8)
        or C(::1)), so that credentials never travel unencrypted.
      - Can also be set with the E(OVH_ENDPOINT) environment variable.
      - When neither is set, the C(endpoint) of the C([default]) section of python-ovh's C(ovh.conf) is used.
    type: str
  application_key:
    description:
      - The application key of the OVHcloud API application.
      - Used together with O(application_secret) and O(consumer_key); do not combine it with O(client_id).
      - Can also be set with the E(OVH_APPLICATION_KEY) environment variable.
    type: str
  application_secret:
    description:
      - The application secret of the OVHcloud API application.
      - This value is never logged nor shown in messages.
      - Can also be set with the E(OVH_APPLICATION_SECRET) environment variable.
    type: str
  consumer_key:
    description:
      - The consumer key that grants the application access to the account.
      - It needs the routes each module lists in its notes.
      - This value is never logged nor shown in messages.
      - Can also be set with the E(OVH_CONSUMER_KEY) environment variable.
    type: str
  client_id:
    description:
      - The client ID of an OVHcloud service account, for OAuth2 client credentials instead of application keys.
      - Used together with O(client_secret); only the V(ovh-eu), V(ovh-ca) and V(ovh-us) endpoints accept it.
      - Can also be set with the E(OVH_CLIENT_ID) environment variable.
    type: str
  client_secret:
    description:
      - The client secret of the OVHcloud service account given in O(client_id).
      - This value is never logged nor shown in messages.
      - Can also be set with the E(OVH_CLIENT_SECRET) environment variable.
    type: str
  api_timeout:
    description:
      - How many seconds each API request may take in all, from connecting to the last byte of its answer, at
        least V(1).
      - When the very first request of a module run gets no answer in that time, the module fails at once,
        without retries, rather than wait on an endpoint that does not answer.
    type: int
    default: 30
  api_retries:
    description:
      - How many times a request is sent again after a temporary failure (HTTP 429, 500, 502, 503 or 504, a
        refused or dropped connection, or no answer in O(api_timeout) once the endpoint has answered), with
        growing pauses that honour the C(Retry-After) header.
      - A write whose answer was lost is only sent again after reading back that its change is not there.
      - A TLS failure, a redirect (never followed, so that no signed request goes elsewhere) and refused
        credentials are not retried. They end the module run with one message, whatever partition the request
        was for, as does an endpoint that still cannot be reached once its retries are spent.
      - V(0) sends each request once.
    type: int
    default: 4
  max_requests_per_second:
    description:
      - The most API requests a module run (or a read of the inventory plugin) sends per second, paced evenly,
        one every 1 / O(max_requests_per_second) seconds, never in a burst, across all the requests it has in flight
        and their retries, python-ovh's C(GET /auth/time) included. V(1) is 60 requests a minute, V(0.5) 30.
      - OVHcloud does not document its rate limits; about 60 requests a minute per consumer key is said to be safe.
        Beyond its limit OVHcloud answers HTTP 429, which is retried as O(api_retries) says, after the
        C(Retry-After) pause it gives; the cap avoids these refusals and their pauses.
      - The cap holds per run. Runs that share a consumer key at the same time (hosts under C(forks), several
        controllers) add up; to stay under a limit of L requests a second, give each L divided by how many run at
        once.
      - Not set (the default), requests are not paced. When set, a number above V(0).
    type: float
notes:
  - Each credential that is not given as an option or an environment variable is read, like the endpoint, from
    python-ovh's configuration files C(./ovh.conf), C(~/.ovh.conf) and C(/etc/ovh.conf), in the section named
    after the endpoint (the endpoint name, or the URL itself).
  - Either O(application_key), O(application_secret) and O(consumer_key), or O(client_id) and O(client_secret),
    must be found; the module fails before any request and names what is missing otherwise.
requirements:
  - python >= 3.9
  - ovh >= 1.2.0
"""

    WAIT = r"""
options:
  wait:
    description:
      - Whether to wait for the OVHcloud tasks that the changes start to finish.
      - When V(false), the module returns as soon as OVHcloud has accepted the last changes, with their tasks
        still pending.
      - V(false) does not skip the waits between writes. On a partition where OVHcloud refuses a write while a task
        is pending, each write waits for the task before it (up to O(wait_timeout)), so the module still blocks
        for about one task per write but the last. A removal that must wait for an addition to be done (the
        schedule of a partition always keeps one automatic snapshot type) waits for it too.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the tasks in all, when O(wait=true), at least V(1).
      - When the time is up, the module fails; the changes may still be applied by OVHcloud afterwards.
    type: int
    default: 600
"""
