# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import threading

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils._request_rate import RequestRate


class FakeClock:
    """A clock that moves only when slept on; sleeps are recorded."""

    def __init__(self):
        self.now = 500.0
        self.sleeps = []
        self._lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        with self._lock:
            self.sleeps.append(seconds)


def paced(per_second):
    clock = FakeClock()
    return RequestRate(per_second, clock=clock, sleep=clock.sleep), clock


def test_the_first_request_leaves_at_once_and_the_next_ones_one_interval_apart():
    rate, clock = paced(4)
    assert rate.wait() == 0
    assert rate.wait() == pytest.approx(0.25)
    assert rate.wait() == pytest.approx(0.5)  # no time passed: its slot is two intervals on
    assert clock.sleeps == [pytest.approx(0.25), pytest.approx(0.5)]


def test_time_spent_elsewhere_counts_towards_the_next_slot():
    rate, clock = paced(2)
    rate.wait()
    clock.now += 0.2
    assert rate.wait() == pytest.approx(0.3)
    clock.now += 0.3 + 0.5  # the sleep above, then exactly one interval
    assert rate.wait() == 0


def test_an_idle_run_does_not_bank_slots_into_a_burst():
    rate, clock = paced(1)
    rate.wait()
    clock.now += 60
    assert rate.wait() == 0
    assert rate.wait() == pytest.approx(1.0)


def test_rates_below_one_request_a_second():
    rate, clock = paced(0.5)  # 30 a minute
    rate.wait()
    assert rate.wait() == pytest.approx(2.0)
    assert clock.sleeps == [pytest.approx(2.0)]


def test_threads_share_the_pace():
    rate, clock = paced(10)
    waits = []
    lock = threading.Lock()

    def one():
        waited = rate.wait()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=one) for dummy in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each of the 20 requests got its own slot, 0.1 s apart, whatever the order the threads came in.
    assert sorted(waits) == [pytest.approx(index * 0.1) for index in range(20)]


@pytest.mark.parametrize("bad", [0, -1, 0.0, None, "2", True, float("nan")])
def test_a_rate_must_be_a_positive_number(bad):
    with pytest.raises(ValueError, match="above 0"):
        RequestRate(bad)
