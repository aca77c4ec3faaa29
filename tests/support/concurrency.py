"""Runs functions in real threads, each with its own database connection: all at the same
moment, or one holding its row locks while another queues behind them."""

import threading
import time

import pytest
from django.db import connection, transaction


def run_together(*functions, timeout=60):
    """Starts every function at once; returns what each returned or the exception it raised."""
    barrier = threading.Barrier(len(functions))
    outcomes: list = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = function()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


WAIT = 30  # seconds; only reached when something is stuck


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _wait_until_waiting_for_a_lock(pid: int) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.02)
    pytest.fail("the second service never waited for the rows the first one holds")


def interleave(*, lock, then, meanwhile):
    """Runs ``lock`` and ``then`` in one transaction of one thread, and ``meanwhile`` in another,
    started after ``lock`` and given the time to queue behind it. Returns both outcomes: what
    each returned, or the exception it raised."""
    holding, go_on, started = threading.Event(), threading.Event(), threading.Event()
    pids: list[int] = []
    outcomes: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                lock()
                holding.set()
                if not go_on.wait(WAIT):
                    raise TimeoutError("never told to go on")
                outcomes["first"] = then()
        except Exception as error:  # the outcome under test
            outcomes["first"] = error
        finally:
            holding.set()
            connection.close()

    def second():
        try:
            pids.append(_backend_pid())
            started.set()
            outcomes["second"] = meanwhile()
        except Exception as error:  # the outcome under test
            outcomes["second"] = error
        finally:
            started.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        threads[0].start()
        assert holding.wait(WAIT) and "first" not in outcomes, outcomes
        threads[1].start()
        assert started.wait(WAIT) and pids, outcomes
        _wait_until_waiting_for_a_lock(pids[0])
    finally:
        go_on.set()
        for thread in threads:
            thread.join(WAIT * 2)
    return outcomes.get("first"), outcomes.get("second")
