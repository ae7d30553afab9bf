# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's bound on requests in flight, and the expanded-list header of one thread's requests."""
from __future__ import annotations

import threading

import requests
import requests.adapters

from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import BoundedTransport, expanded_list_request

EXPANDED = {"X-Pagination-Mode": "CachedObjectList-Pages"}


def prepared(url="http://127.0.0.1:1/1.0/dedicated/nasha"):
    return requests.Request("GET", url).prepare()


def test_no_more_requests_than_max_in_flight_are_under_way(monkeypatch):
    lock = threading.Lock()
    inside = []
    peak = [0]
    release = threading.Event()
    two_inside = threading.Event()

    def send(self, request, **kwargs):  # pylint: disable=unused-argument
        with lock:
            inside.append(request)
            peak[0] = max(peak[0], len(inside))
            if len(inside) == 2:
                two_inside.set()
        release.wait(10)
        with lock:
            inside.remove(request)
        return "answer"

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    transport = BoundedTransport(max_in_flight=2)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(transport.send(prepared()))) for dummy in range(5)]
    for thread in threads:
        thread.start()
    assert two_inside.wait(10)
    # the other three wait for a turn: given time, none gets in while two are under way
    assert not threading.Event().wait(0.3) and peak[0] == 2
    release.set()
    for thread in threads:
        thread.join(10)
    assert answers == ["answer"] * 5 and peak[0] == 2


def test_the_expanded_header_goes_only_with_the_requests_of_its_block(monkeypatch):
    seen = []
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send",
                        lambda self, request, **kwargs: seen.append(dict(request.headers)))
    transport = BoundedTransport()
    with expanded_list_request(EXPANDED):
        transport.send(prepared())
        other = threading.Thread(target=lambda: transport.send(prepared()))  # another thread's request: no header
        other.start()
        other.join(10)
    transport.send(prepared())
    assert [headers.get("X-Pagination-Mode") for headers in seen] == ["CachedObjectList-Pages", None, None]
