"""Which network addresses the server may fetch from for untrusted data.

A book record's image URL is written by whoever wrote the catalog file or the
book API's answer, so fetching it must never reach the server's own network:
only public unicast addresses are allowed, plus networks an operator lists
on purpose (``COVER_ALLOWED_NETWORKS``; the tests list 127.0.0.1/32 for their
image server and keep every other loopback address forbidden).
"""
import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IETF protocol assignments: not global, yet not all of it in Python 3.11's lists.
_ALSO_INTERNAL = (ipaddress.ip_network("192.0.0.0/24"),)


class AddressRefused(ValueError):
    """A host that may not be fetched from; the message says why."""


def parse_networks(values) -> tuple[Network, ...]:
    """``["10.1.0.0/16", ...]`` (or one comma-separated string, as an
    environment variable gives it) as networks; a bad entry raises ValueError."""
    if isinstance(values, str):
        values = values.split(",")
    return tuple(ipaddress.ip_network(v.strip()) for v in values or () if v.strip())


def _plain(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (mapped ``::ffff:a.b.c.d``, 6to4,
    NAT64), which is where traffic to it really goes; otherwise the address."""
    if address.version == 6:
        if address.ipv4_mapped or address.sixtofour:
            return address.ipv4_mapped or address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: Address) -> bool:
    """A global unicast address: not loopback, private, shared, link-local,
    site-local, multicast, reserved or unspecified (``is_global`` alone lets
    multicast and fec0::/10 through)."""
    ip = _plain(address)
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
        or ip.is_private or ip.is_unspecified or getattr(ip, "is_site_local", False)
        or any(ip in net for net in _ALSO_INTERNAL))


def address_allowed(address: str | Address, allowed: tuple[Network, ...] = ()) -> bool:
    """May the server connect to ``address`` (a literal, never resolved)?"""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 scope
        except ValueError:
            return False
    return is_public(address) or any(ip in net for ip in (address, _plain(address))
                                     for net in allowed)


def resolve_allowed(host: str, port: int, allowed: tuple[Network, ...] = (),
                    resolver=socket.getaddrinfo) -> str:
    """The address to connect to for ``host``. Every address the name
    resolves to must be allowed -- a name that also points inside is not
    trusted -- and the caller connects to the one returned, never resolving
    the name again (so a second, different DNS answer cannot be used)."""
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"cannot resolve {host!r} ({exc.__class__.__name__})") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise AddressRefused(f"cannot resolve {host!r}")
    for address in addresses:
        if not address_allowed(address, allowed):
            raise AddressRefused(f"{host} resolves to a forbidden address ({address})")
    return addresses[0]
