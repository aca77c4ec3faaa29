"""Runs functions at the same moment in real threads, each with its own database connection."""

import threading

from django.db import connection


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
