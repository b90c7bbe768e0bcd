"""The portal served from a thread in the test process, and requests sent to it at the same
moment: for the tests of what twenty identical requests do (tests/test_twenty_at_once.py).

Real HTTP on a real socket (werkzeug's threaded server, like e2e/conftest.py), so each request
runs in a thread, an app context and a database connection of its own, and commits at its own
edge, exactly as under gunicorn. Nothing is left running: the server shuts down afterwards.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from werkzeug.serving import make_server

HOST = "portal.test"  # the test app's SERVER_NAME: every request names it


@dataclass(frozen=True)
class Answer:
    status: int
    location: str  # the path a redirect points to ("" when none)
    cookies: dict[str, str]  # what the answer set
    body: str


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)

    def _connection(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.connect()
        return connection

    @staticmethod
    def _send(connection, method: str, path: str, cookies: dict[str, str],
              data: dict | None = None) -> Answer:
        headers = {"Host": HOST}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        connection.close()
        return Answer(status=response.status,
                      location=urlsplit(response.getheader("Location") or "").path,
                      cookies={name: morsel.value for name, morsel in jar.items()}, body=text)

    def request(self, method: str, path: str, cookies: dict[str, str],
                data: dict | None = None) -> Answer:
        return self._send(self._connection(), method, path, cookies, data)

    def log_in(self, user, password: str, code: str | None = None) -> dict[str, str]:
        """The cookies of a browser that logged in as `user` through the real forms (with the
        two-step code when the role needs one)."""
        answer = self.request("POST", "/inloggen", {}, {"email": user.email,
                                                        "password": password})
        assert answer.status == 302, answer.body
        cookies = dict(answer.cookies)
        if answer.location.endswith("/inloggen/code"):
            assert code is not None, "this role logs in in two steps"
            answer = self.request("POST", "/inloggen/code", cookies, {"code": code})
            assert answer.status == 302, answer.body
            cookies.update(answer.cookies)
        return cookies

    def at_the_same_moment(self, path: str, cookies: dict[str, str], data: dict,
                           times: int = 20) -> list[Answer]:
        """POST `data` to `path` `times` times with the same cookies, all let go at the same
        moment (every connection is open before the first request is sent)."""
        barrier = threading.Barrier(times)
        answers: list[Answer | BaseException] = [None] * times  # type: ignore[list-item]

        def one(i: int) -> None:
            try:
                connection = self._connection()
                barrier.wait(timeout=60)
                answers[i] = self._send(connection, "POST", path, cookies, data)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                answers[i] = error

        threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        errors = [a for a in answers if not isinstance(a, Answer)]
        assert not errors, errors
        return answers  # type: ignore[return-value]
