"""A small app using Debian's python3-sentry-sdk against Faultline (SENTRY_DSN from the environment).

Errors and messages go gzip-compressed to the legacy /store/ endpoint; the transaction goes to /envelope/.
Prints what it captured as one JSON line.
"""
import json
import os
import time

import sentry_sdk

sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="e2e-python@2.0.0",
    environment="e2e",
    traces_sample_rate=1.0,
)

captured = {}


def parse_quantity(text):
    return int(text)


try:
    parse_quantity("seventeen")
except ValueError:
    captured["errorEventId"] = sentry_sdk.capture_exception()

captured["messageEventId"] = sentry_sdk.capture_message("cache miss for key user:1234", level="info")

with sentry_sdk.start_transaction(op="task", name="nightly-import") as transaction:
    captured["traceId"] = transaction.trace_id
    with sentry_sdk.start_span(op="db", description="SELECT 1"):
        time.sleep(0.01)

sentry_sdk.flush(timeout=10)
print(json.dumps(captured))
