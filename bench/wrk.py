"""Running wrk and reading its report."""
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from bench.servers import USER_AGENT

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int  # every answer outside 200-299, redirects included (the Lua counter below)
    socket_errors: int


# wrk itself counts only answers of 400 and up ("Non-2xx or 3xx responses"),
# so a logged-in page redirecting to /login would pass; this counts the rest too.
# Each thread has its own Lua state: done() reads every thread's counter.
COUNT_NON_2XX = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("non2xx") end
  io.write(string.format("fisher-bench non-2xx: %d\\n", total))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, seconds: float, cookie: str | None = None, connections: int = 10) -> Result:
    # A 10 s timeout (wrk's default is 2 s) keeps slow answers in the latency
    # figures instead of turning them into socket errors.
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
           "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(COUNT_NON_2XX)
        script.flush()
        out = subprocess.run(cmd + ["-s", script.name, url], capture_output=True, text=True,
                             timeout=seconds + 60)
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
        non_2xx=int(number(r"fisher-bench non-2xx: (\d+)")[0]),
        socket_errors=sum(int(e) for e in errors))


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]
