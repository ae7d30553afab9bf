# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request-rate cap of a module run (max_requests_per_second): requests paced evenly, never in a burst.

OVHcloud does not document how it counts requests (per second, per minute, with what burst). A steady pace of
N a second stays under any such limit of N a second or more, where a burst allowed by the cap could exceed a
limit counted over a shorter window. Every request of a run, from every thread, takes the next free slot.
"""
from __future__ import annotations

import threading
import time


class RequestRate:
    """At most `per_second` requests a second: each wait() returns at the next free slot, 1 / per_second after the last.

    Thread-safe: each caller reserves its slot under a lock, then sleeps outside it, so that callers leave one
    after the other in the order they came. clock and sleep are injectable for tests.
    """

    def __init__(self, per_second, clock=time.monotonic, sleep=time.sleep):
        if isinstance(per_second, bool) or not isinstance(per_second, (int, float)) or not per_second > 0:
            raise ValueError("a request rate must be a number of requests per second above 0, not %r" % (per_second,))
        self.per_second = float(per_second)
        self.interval = 1.0 / self.per_second
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = None  # when the next request may leave; None before the first one

    def wait(self):
        """Block until this request may be sent; returns the seconds waited (0 when its slot had come)."""
        with self._lock:
            now = self.clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            # A run idle for a while does not bank slots: the pace restarts from now, so no burst follows.
            self._next_slot = slot + self.interval
        delay = slot - now
        if delay > 0:
            self.sleep(delay)
        return delay
