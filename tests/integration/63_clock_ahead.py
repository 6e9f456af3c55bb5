#!/usr/bin/env python3
"""Wrong clocks: FRA's clock 2 hours AHEAD of AUS's and KEN's.  Directory
record expiry, check timing (and the check schedule), who is available
now, deadlines, TLS and the operator's warning; what each must do is said
in clocktb.py."""

from clocktb import scenario
from tb import run_test


def test(tb):
    scenario(tb, 1)


if __name__ == "__main__":
    run_test(test, members=("AUS", "FRA", "KEN"))
