"""parity.orchestration.sides: the audit's own work overlaps the sides' training, and an
error in it stops the sides (real processes, no training)."""

from __future__ import annotations

import sys
import time

import pytest

from parity.orchestration.sides import SideRun, run_sides

SLEEP = [sys.executable, "-c", "import time; time.sleep(1.5); print('done')"]


@pytest.mark.parametrize("parallel", [True, False])
def test_meanwhile_runs_while_the_sides_train(parallel):
    sides = [SideRun("A", SLEEP, None), SideRun("B", SLEEP, None)]
    seen = {}

    def meanwhile():
        seen["start"] = time.monotonic()

    t0 = time.monotonic()
    finished = run_sides(sides, parallel=parallel, meanwhile=meanwhile)
    assert seen["start"] - t0 < 1.0 < finished - t0  # it ran at once, before the sides ended
    assert all(s.returncode == 0 and s.log.strip() == "done" for s in sides)
    assert finished <= time.monotonic()


@pytest.mark.parametrize("parallel", [True, False])
def test_an_error_meanwhile_stops_the_sides(parallel):
    sides = [SideRun("A", [sys.executable, "-c", "import time; time.sleep(60)"], None),
             SideRun("B", [sys.executable, "-c", "import time; time.sleep(60)"], None)]

    def meanwhile():
        time.sleep(0.5)
        raise KeyboardInterrupt

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_sides(sides, parallel=parallel, meanwhile=meanwhile)
    assert time.monotonic() - t0 < 30
    for s in sides:  # the started ones were stopped; with one side at a time, B never started
        assert s.proc is None or s.proc.poll() is not None
    if not parallel:
        assert sides[1].proc is None


def test_finished_side_runs_as_each_side_ends():
    quick = [sys.executable, "-c", "print('done')"]
    sides = [SideRun("A", quick, None), SideRun("B", SLEEP, None)]
    ended = {}

    def finished_side(side):  # the audit reads that side's run here
        ended[side.label] = (time.monotonic(), side.returncode, sides[1].returncode)
        time.sleep(0.5)

    t0 = time.monotonic()
    finished = run_sides(sides, parallel=True, finished_side=finished_side)
    assert ended["A"][1] == 0 and ended["A"][2] is None  # A read while B still ran
    assert ended["A"][0] < ended["B"][0] and ended["B"][1] == 0
    # the training ends when the last side does, not after the work done on its run
    assert t0 < finished <= ended["B"][0]
