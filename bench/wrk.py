"""Running wrk and reading its report."""
import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.servers import USER_AGENT

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int  # wrk's "Non-2xx or 3xx responses"
    socket_errors: int


def available() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, seconds: float, cookie: str | None = None, connections: int = 10) -> Result:
    # A 10 s timeout (wrk's default is 2 s) keeps slow answers in the latency
    # figures instead of turning them into socket errors.
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
           "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    return parse(out.stdout)


def parse(text: str) -> Result:
    def number(pattern: str, default=None):
        match = re.search(pattern, text)
        if match is None:
            if default is None:
                raise ValueError(f"wrk output without {pattern!r}:\n{text}")
            return default
        return match.groups()

    errors = number(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                    ("0", "0", "0", "0"))
    return Result(
        rps=float(number(r"Requests/sec:\s+([\d.]+)")[0]),
        p50_ms=_ms(*number(r"\s50%\s+([\d.]+)(us|ms|s|m)\b")),
        p99_ms=_ms(*number(r"\s99%\s+([\d.]+)(us|ms|s|m)\b")),
        requests=int(number(r"(\d+) requests in")[0]),
        non_2xx=int(number(r"Non-2xx or 3xx responses: (\d+)", ("0",))[0]),
        socket_errors=sum(int(e) for e in errors))


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]
