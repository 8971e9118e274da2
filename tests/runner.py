"""The loop tests/test_cli.py and tests/test_python.py share: run every
registered test, report each on its own line, go on after a failure."""
import sys
import traceback


def run(tests, label=""):
    """Runs each function; prints "ok   NAME" or "FAIL NAME: why" (with the
    traceback for anything but an assertion), then "LABEL N passed, M
    failed".  Returns the exit status: 1 if anything failed."""
    passed = failed = 0
    for fn in tests:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report every failure, go on
            failed += 1
            print("FAIL %s: %s" % (fn.__name__, e))
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s" % fn.__name__)
    print("%s%d passed, %d failed" % (label, passed, failed))
    return 1 if failed else 0
