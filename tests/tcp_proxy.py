"""A loopback TCP proxy that a test can tell to misbehave like a sick network.

``forward()`` relays bytes both ways; ``freeze()`` keeps every connection
open (and accepts new ones) but moves no byte in either direction, like a
database host that stopped answering; ``refuse()`` closes every connection
and stops listening, so new connections are refused. ``forward()`` again
listens on the same port.
"""
import select
import socket
import threading
import time


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._frozen = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> "TcpProxy":
        self._listen()
        return self

    def forward(self) -> None:
        self._frozen.clear()
        if self._listener is None:
            self._listen()

    def freeze(self) -> None:
        self._frozen.set()

    def refuse(self) -> None:
        self._frozen.clear()
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in ([listener] if listener else []) + list(sockets):
            _close(sock)

    stop = refuse

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # refuse() closed the listener
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # refused meanwhile
                    _close(client), _close(server)
                    return
                self._sockets.update((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                if self._frozen.is_set():
                    time.sleep(0.02)
                    continue
                readable, _, _ = select.select([src], [], [], 0.1)
                # Checked again: bytes that arrived after freeze() stay unread.
                if not readable or self._frozen.is_set():
                    continue
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except (OSError, ValueError):  # a closed socket
            pass
        _close(src), _close(dst)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
