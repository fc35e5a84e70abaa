#!/usr/bin/env python3
"""Hostile requests to every path and method of a running service's OpenAPI document, with
Python's own HTTP client: malformed path segments, query values and bodies, unknown
parameters and methods. Prints every answer that is a server error or an error that is not
problem+json, and exits 1 if there is any.

    python3 bench/probe_api.py http://127.0.0.1:8080
"""
import http.client
import json
import sys
import urllib.parse

HOSTILE = ["abc", "-1", "%FF", "99999999999999999999999", "1e999", "%00", "..%2F..%2Fetc",
           "' OR 1=1 --", "<script>", "%E2%80%AE", "9" * 300]
BODIES = ["{", "[]", "null", '{"no_such_field": 1}', '"x"', "{" * 2000, "\x00\x01"]


def main(base):
    u = urllib.parse.urlparse(base)
    conn = [None]

    def send(method, path, body=None, again=True):
        # A server may close a connection after refusing a request early; open a new one.
        if conn[0] is None:
            conn[0] = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
        headers = {"content-type": "application/json"} if body is not None else {}
        try:
            conn[0].request(method, path, body=body.encode() if body is not None else None, headers=headers)
            r = conn[0].getresponse()
            data = r.read()
        except (ConnectionError, http.client.HTTPException):
            conn[0].close()
            conn[0] = None
            if again:
                return send(method, path, body, False)
            raise
        if (r.getheader("connection") or "").lower() == "close":
            conn[0].close()
            conn[0] = None
        return r.status, r.getheader("content-type") or "", data

    status, _, doc = send("GET", "/api/openapi.json")
    if status != 200:
        status, _, doc = send("GET", "/api")
    doc = json.loads(doc)
    sent, faults = 0, []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = op.get("parameters", [])
            in_path = [p["name"] for p in params if p.get("in") == "path"]
            in_query = [p["name"] for p in params if p.get("in") == "query"]
            for bad in HOSTILE:
                value = urllib.parse.quote(bad, safe="%")
                uri = path
                for name in in_path:
                    uri = uri.replace("{" + name + "}", value)
                tries = [(uri, None), (uri + "?no_such_parameter=" + value, None)]
                tries += [(f"{uri}?{q}={value}", None) for q in in_query]
                tries += [(f"{uri}?{q}=", None) for q in in_query]
                if "requestBody" in op:
                    tries += [(uri, b) for b in BODIES]
                for target, body in tries:
                    s, ctype, data = send(method.upper(), target, body)
                    sent += 1
                    if s >= 500 and s != 503:
                        faults.append(f"{method.upper()} {target}: {s}")
                    elif s >= 400 and not ctype.startswith("application/problem+json"):
                        faults.append(f"{method.upper()} {target}: {s} as {ctype!r}: {data[:120]!r}")
        for method in ("PUT", "PATCH"):
            if method.lower() not in item:
                target = path.replace("{", "x").replace("}", "")
                s, ctype, data = send(method, target)
                sent += 1
                if s >= 400 and not ctype.startswith("application/problem+json"):
                    faults.append(f"{method} {target}: {s} as {ctype!r}")
    for f in faults:
        print(f)
    print(f"{sent} requests to {len(doc['paths'])} paths; {len(faults)} plain-text errors or server errors")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"))
