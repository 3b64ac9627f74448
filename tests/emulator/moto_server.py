"""Test harness: a moto server for aws-oidc-wizard's integration tests.

Started by tests/common (one server per test, on a free loopback port). It prints
`PORT <n>` on stdout once it listens, and serves until its stdin closes (so it
dies with the test process that started it, even on a panic).

Two additions to stock moto, both clearly test-only:

1. HARNESS EXTENSION: moto lacks AddClientIDToOpenIDConnectProvider and
   RemoveClientIDFromOpenIDConnectProvider. They are added below on moto's own
   IAM backend objects, following AWS semantics (adding a present client ID is a
   no-op; an unknown provider is NoSuchEntity).
2. HARNESS RECORDER: every AWS request is recorded as "Service.Action" so tests
   can count the calls the product made. GET /_harness/calls returns them as a
   JSON list; POST /_harness/calls/reset clears the list.
4. HARNESS KILLER: POST /_harness/kill-after?n=K arms a rule: the K-th AWS
   request from now is processed by moto, then the client process is killed
   with SIGKILL before it sees the answer. Requests wait until the client's pid
   is given with POST /_harness/kill-pid?pid=P (so the test can start the
   process first). Disarmed by POST /_harness/calls/reset.
3. HARNESS FAULTS: POST /_harness/fail?action=A&code=C&status=N makes every
   request for action A answer with that AWS error (as IAM would, e.g. a missing
   permission) until POST /_harness/fail/clear. Failed requests are recorded too.
   With &times=N only the next N requests fail; &message=M sets the error's message.
5. HARNESS FIDELITY: where moto 5.2.5 answers differently from AWS for a call the
   product relies on, the AWS behaviour, each with its source:
   - Service-managed StackSets: stacksets.py, beside this file, with each point
     and its source.
   - AssumeRole into a role that does not exist answers AccessDenied (moto gives
     credentials for any ARN). AWS: "the role must exist ... otherwise the call is
     denied", https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
     (Errors; and the IAM user guide, "Troubleshooting IAM roles": "You can't assume a
     role ... the role doesn't exist" gives AccessDenied).
"""

import io
import json
import os
import signal
import sys
import threading
from urllib.parse import parse_qs, parse_qsl

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.responses import EmptyResult  # noqa: E402
from moto.iam.responses import IamResponse  # noqa: E402
from moto.moto_server.threaded_moto_server import MotoRequestHandler  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import make_server  # noqa: E402

import stacksets  # noqa: E402,F401  HARNESS FIDELITY for StackSets (see its docstring)


# --- HARNESS EXTENSION: the OIDC client-ID operations moto does not implement ---
def _add_client_id_to_open_id_connect_provider(self):
    arn = self._get_param("OpenIDConnectProviderArn")
    client_id = self._get_param("ClientID")
    provider = self.backend.get_open_id_connect_provider(arn)  # NoSuchEntity if absent
    if client_id not in provider.client_id_list:
        provider.client_id_list.append(client_id)
    return EmptyResult()


def _remove_client_id_from_open_id_connect_provider(self):
    arn = self._get_param("OpenIDConnectProviderArn")
    client_id = self._get_param("ClientID")
    provider = self.backend.get_open_id_connect_provider(arn)
    if client_id in provider.client_id_list:
        provider.client_id_list.remove(client_id)
    return EmptyResult()


IamResponse.add_client_id_to_open_id_connect_provider = (
    _add_client_id_to_open_id_connect_provider
)
IamResponse.remove_client_id_from_open_id_connect_provider = (
    _remove_client_id_from_open_id_connect_provider
)
# --- end of HARNESS EXTENSION ---


# --- HARNESS RECORDER: which AWS operations were called, in order ---
class Recorder:
    def __init__(self, app):
        self.app = app
        self.calls = []
        self.faults = {}  # action -> (code, status)
        self.kill_after = None  # requests left before the kill, when armed
        self.kill_pid = None
        self.pid_given = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_harness/calls":
            with self.lock:
                return _json(start_response, list(self.calls))
        if path == "/_harness/calls/reset":
            with self.lock:
                self.calls.clear()
                self.kill_after = None
                self.kill_pid = None
                self.pid_given.clear()
            return _json(start_response, [])
        if path == "/_harness/kill-after":
            query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            with self.lock:
                self.kill_after = int(query["n"])
                self.kill_pid = None
                self.pid_given.clear()
            return _json(start_response, [])
        if path == "/_harness/kill-pid":
            query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            with self.lock:
                self.kill_pid = int(query["pid"])
            self.pid_given.set()
            return _json(start_response, [])
        if path == "/_harness/fail":
            query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            with self.lock:
                # times: how many requests fail before the action works again (default: all);
                # message: the error's message (default: says it was injected).
                times = int(query["times"]) if "times" in query else None
                self.faults[query["action"]] = (
                    query["code"], int(query.get("status", "403")), query.get("message"), times)
            return _json(start_response, sorted(self.faults))
        if path == "/_harness/fail/clear":
            with self.lock:
                self.faults.clear()
            return _json(start_response, [])
        if not path.startswith("/moto-api"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            action = parse_qs(raw.decode("utf-8", "replace")).get("Action", [None])[0]
            if action is None:
                # The JSON protocols (Organizations) name the action in a header.
                target = environ.get("HTTP_X_AMZ_TARGET", "?")
                action = target.rsplit(".", 1)[-1]
            service = _service_of(environ.get("HTTP_AUTHORIZATION", ""))
            with self.lock:
                self.calls.append(f"{service}.{action}")
                fault = self.faults.get(action)
                if fault and fault[3] is not None:
                    if fault[3] <= 1:
                        del self.faults[action]
                    else:
                        self.faults[action] = fault[:3] + (fault[3] - 1,)
            if fault:
                code, status, message, _ = fault
                if "HTTP_X_AMZ_TARGET" in environ:
                    return _json_error(start_response, action, code, status)
                return _aws_error(start_response, action, code, status, message)
            if service == "sts" and action == "AssumeRole":
                denied = _assume_role_denied(raw)
                if denied:
                    return _aws_error(start_response, action, "AccessDenied", 403, denied)
            if self.kill_after is not None:
                return self._maybe_kill(environ, start_response)
        return self.app(environ, start_response)

    def _maybe_kill(self, environ, start_response):
        self.pid_given.wait(timeout=30)
        with self.lock:
            if self.kill_after is None:
                return self.app(environ, start_response)
            self.kill_after -= 1
            due = self.kill_after == 0
        # Let moto carry the request out completely, then kill the caller before it hears back.
        body = b"".join(self.app(environ, start_response))
        if due:
            with self.lock:
                pid, self.kill_after = self.kill_pid, None
            if pid:
                os.kill(pid, signal.SIGKILL)
        return [body]


def _json(start_response, value):
    body = json.dumps(value).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]


def _assume_role_denied(raw):
    """HARNESS FIDELITY: the message AWS gives when the role to assume is not there."""
    from moto.iam.models import iam_backends

    arn = parse_qs(raw.decode("utf-8", "replace")).get("RoleArn", [""])[0]
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    account, name = parts[4], parts[5].rsplit("/", 1)[-1]
    backend = iam_backends[account]["global"]
    if any(r.name == name for r in backend.roles.values()):
        return None
    return f"User is not authorized to perform: sts:AssumeRole on resource: {arn}"


def _aws_error(start_response, action, code, status, message=None):
    from xml.sax.saxutils import escape

    message = escape(message or f"injected by the test harness for {action}")
    body = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error>"
        "<RequestId>harness-fault</RequestId></ErrorResponse>"
    ).encode()
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
    start_response(f"{status} Injected", headers)
    return [body]


def _json_error(start_response, action, code, status):
    """An injected fault in the JSON protocols' shape (Organizations)."""
    body = json.dumps(
        {"__type": code, "message": f"injected by the test harness for {action}"}
    ).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(body))),
    ]
    start_response(f"{status} Injected", headers)
    return [body]


def _service_of(authorization):
    # "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, ..."
    try:
        scope = authorization.split("Credential=", 1)[1].split(",", 1)[0]
        return scope.split("/")[3]
    except IndexError:
        return "unsigned"
# --- end of HARNESS RECORDER ---


def main():
    app = Recorder(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()
