"""The address classifier behind every fetch of an untrusted URL (literals only:
nothing here sends traffic anywhere)."""
import ipaddress
import socket

import pytest

from app.libs.address_policy import (AddressRefused, address_allowed, parse_networks,
                                     resolve_allowed)

FORBIDDEN = [
    "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "127.0.0.1", "127.0.0.2", "0.0.0.0", "255.255.255.255", "100.64.0.1", "192.0.0.8",
    "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1",
    "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0:0",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "::127.0.0.1",  # IPv4-compatible
    "not an address", "", "127.1", "1.2.3.4.5",
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001::200e",
          "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_internal_and_special_addresses_are_refused(address):
    """Loopback, private, shared, link-local, multicast, reserved and unspecified
    addresses, and IPv6 forms that carry them, may not be fetched from."""
    assert address_allowed(address) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    """Global unicast addresses, IPv4 and IPv6, may be fetched from."""
    assert address_allowed(address) is True


def test_allowed_networks_open_only_themselves():
    """An allowed network lets in its own addresses (in any spelling) and nothing next to it."""
    allowed = parse_networks(["127.0.0.1/32"])
    assert address_allowed("127.0.0.1", allowed) and address_allowed("::ffff:127.0.0.1", allowed)
    for other in ("127.0.0.2", "::1", "10.0.0.1", "169.254.169.254", "0.0.0.0"):
        assert not address_allowed(other, allowed), other
    assert address_allowed(ipaddress.ip_address("8.8.8.8"), allowed)


def test_networks_parse_from_a_list_or_an_environment_string():
    """A list or a comma-separated string both work; empty means none; junk is an error."""
    assert parse_networks([]) == parse_networks("") == parse_networks(None) == ()
    assert parse_networks("10.1.2.0/24, 127.0.0.1/32") == (
        ipaddress.ip_network("10.1.2.0/24"), ipaddress.ip_network("127.0.0.1/32"))
    with pytest.raises(ValueError):
        parse_networks(["10.1.2.3/24"])  # host bits set: a typo, not a network
    with pytest.raises(ValueError):
        parse_networks(["intranet"])


def fake_dns(*answers):
    """A resolver answering getaddrinfo-style with ``answers`` (a test double for DNS)."""
    def resolve(host, port, type=0):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in answers]
    return resolve


def test_a_name_is_refused_when_any_address_is_internal():
    """One internal address among a name's answers refuses the name; all public is fine."""
    with pytest.raises(AddressRefused, match="forbidden address"):
        resolve_allowed("images.test", 80, (), fake_dns("8.8.8.8", "10.0.0.1"))
    with pytest.raises(AddressRefused, match="forbidden address"):
        resolve_allowed("images.test", 80, (), fake_dns("::1"))
    assert resolve_allowed("images.test", 80, (), fake_dns("8.8.8.8", "1.1.1.1")) == "8.8.8.8"


def test_unresolvable_names_are_refused():
    """A name that does not resolve (or resolves to nothing) is refused, not raised raw."""
    def broken(host, port, type=0):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with pytest.raises(AddressRefused, match="cannot resolve"):
        resolve_allowed("nowhere.test", 80, (), broken)
    with pytest.raises(AddressRefused, match="cannot resolve"):
        resolve_allowed("nowhere.test", 80, (), fake_dns())
