#!/usr/bin/env python3
"""A Bearer token issuer for xplat's tests, Python standard library only (signing through the
openssl command): the realm a real Debian docker-registry (`auth: token:`) sends clients to.

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with HTTP Basic credentials
answers {"token": JWT, "access_token": JWT, "expires_in": 300}; the JWT is RS256-signed with the
key whose self-signed certificate is the registry's `rootcertbundle` and rides in the header's
`x5c`. Any valid user is granted what it asks for; a wrong or missing login gets 401.

Usage: token-issuer.py --listen 127.0.0.1:PORT --cert TLS_CERT --key TLS_KEY
                       --signing-key KEY --signing-cert CERT --issuer NAME --users HTPASSWD-LIKE
where the users file holds `user:password` lines (plain: this is a test fixture on loopback).
"""
import argparse, base64, http.server, json, secrets, ssl, subprocess, sys, time, urllib.parse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    p = argparse.ArgumentParser()
    for flag in ("--listen", "--cert", "--key", "--signing-key", "--signing-cert", "--issuer", "--users"):
        p.add_argument(flag, required=True)
    args = p.parse_args()
    users = dict(line.strip().split(":", 1) for line in open(args.users) if ":" in line)
    der = subprocess.run(["openssl", "x509", "-in", args.signing_cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    header = b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}).encode())

    def sign(claims: dict) -> str:
        signing_input = header + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.signing_key],
                             input=signing_input.encode(), check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("token-issuer: " + (fmt % a) + "\n")

        def answer(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            if url.path != "/token":
                return self.answer(404, {"error": "not found"})
            auth = self.headers.get("Authorization", "")
            user = None
            if auth.startswith("Basic "):
                try:
                    name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                    if users.get(name) == password:
                        user = name
                except ValueError:
                    pass
            if user is None:
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid or missing login"}]})
            query = urllib.parse.parse_qs(url.query)
            access = []
            for scope in query.get("scope", []):
                for item in scope.split(" "):
                    kind, _, rest = item.partition(":")
                    name, _, actions = rest.rpartition(":")
                    if kind and name:
                        access.append({"type": kind, "name": name, "actions": actions.split(",")})
            now = int(time.time())
            claims = {"iss": args.issuer, "sub": user, "aud": query.get("service", [""])[0], "exp": now + 300,
                      "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
            token = sign(claims)
            self.answer(200, {"token": token, "access_token": token, "expires_in": 300})

    host, _, port = args.listen.rpartition(":")
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
