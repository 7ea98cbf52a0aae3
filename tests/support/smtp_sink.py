"""A loopback SMTP server for the announce tests (aiosmtpd).

    python3 smtp_sink.py HOST PORT DIR USER PASSWORD

Accepts mail only after AUTH with USER and PASSWORD (over plain SMTP: it is a
test server on loopback), saves each message to DIR/NNN.eml with its envelope
recipients in DIR/NNN.rcpt, and every login attempt to DIR/logins.txt. Prints
"ready" once listening, and stops when its standard input is closed.
"""
import logging
import os
import pathlib
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# AUTH without TLS is what this loopback test server is for: not worth a warning each run.
warnings.filterwarnings("ignore")
logging.getLogger("mail.log").setLevel(logging.ERROR)

host, port, out, user, password = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4], sys.argv[5]


def write(path, data):
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        write(out / f"{self.count:03}.rcpt", "\n".join(envelope.rcpt_tos).encode())
        write(out / f"{self.count:03}.eml", envelope.original_content or envelope.content)
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    with open(out / "logins.txt", "a") as f:
        f.write(f"{mechanism} {auth_data.login.decode() if isinstance(auth_data, LoginPassword) else '?'} {'ok' if ok else 'refused'}\n")
    # handled=False: aiosmtpd itself answers a refusal with 535.
    return AuthResult(success=ok, handled=False)


controller = Controller(
    Sink(),
    hostname=host,
    port=port,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=False,
)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
