"""Release health with Debian's python3-sentry-sdk against Faultline (SENTRY_DSN and RELEASE from the
environment): three application-mode sessions (ended healthy, with a handled error, and crashed by an
unhandled one) of three users, and four request-mode sessions (one with an error), sent on flush as
session updates and session aggregates."""
import os
import sys

import sentry_sdk
from sentry_sdk.sessions import auto_session_tracking
from sentry_sdk.utils import event_from_exception

sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], release=os.environ["RELEASE"], environment="e2e")
hub = sentry_sdk.Hub.current


def fail():
    raise ValueError("quantity must be positive")


def application_session(user, outcome):
    sentry_sdk.set_user({"id": user})
    hub.start_session()
    if outcome != "healthy":
        try:
            fail()
        except ValueError:
            handled = outcome == "errored"
            event, hint = event_from_exception(
                sys.exc_info(), client_options=hub.client.options, mechanism={"type": "app", "handled": handled}
            )
            sentry_sdk.capture_event(event, hint=hint)
    hub.end_session()


application_session("py-user-1", "healthy")
application_session("py-user-2", "errored")
application_session("py-user-3", "crashed")
sentry_sdk.set_user(None)

for request in range(4):
    with auto_session_tracking(session_mode="request"):
        if request == 3:
            try:
                fail()
            except ValueError:
                sentry_sdk.capture_exception()

sentry_sdk.flush(timeout=10)
print("done")
