"""Replays answers through botocore's adaptive retry mode (Debian's python3-botocore) on a
scripted clock and prints the limiter's state after each: the oracle for
tests/adaptive_rate_botocore_test.cpp.

Input (the file named by argv[1]): a JSON list of scripts,
{"start": T0, "answers": [{"t": T, "throttled": B}, ...]}, each replayed on a fresh limiter.
Output: a JSON list, per script, of lists, per answer, of {"enabled", "rate", "capacity",
"measured"}.
"""

import json
import sys

from botocore.retries import adaptive, bucket, throttling


class ScriptedClock(bucket.Clock):
    def __init__(self, now):
        super().__init__()
        self.now = now

    def current_time(self):
        return self.now

    def sleep(self, amount):
        raise AssertionError("the replay never waits")


class ScriptedDetector:
    """Says what the script says; botocore's own detector looks at codes and statuses."""

    def __init__(self):
        self.throttled = False

    def is_throttling_error(self, **kwargs):
        return self.throttled


def replay(script):
    clock = ScriptedClock(script["start"])
    detector = ScriptedDetector()
    token_bucket = bucket.TokenBucket(max_rate=1, clock=clock)
    limiter = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0,
                                                 start_time=clock.current_time()),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=token_bucket,
        throttling_detector=detector,
        clock=clock)
    states = []
    for answer in script["answers"]:
        clock.now = answer["t"]
        detector.throttled = answer["throttled"]
        limiter.on_receiving_response()
        states.append({"enabled": limiter._enabled, "rate": token_bucket.max_rate,
                       "capacity": token_bucket.max_capacity,
                       "measured": limiter._rate_clocker.measured_rate})
    return states


def main():
    with open(sys.argv[1]) as f:
        scripts = json.load(f)
    json.dump([replay(script) for script in scripts], sys.stdout)


if __name__ == "__main__":
    main()
