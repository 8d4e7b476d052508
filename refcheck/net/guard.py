"""The address guard: which hosts refcheck may connect to.

A linter that runs on pull requests fetches URLs written by strangers, so a
reference to ``http://169.254.169.254/latest/meta-data/`` must not become a
way to read a CI runner's cloud credentials.  Only ``http`` and ``https`` are
fetched, and every connection is vetted at the socket level: the host name is
resolved here, addresses in loopback, private, link-local, shared, multicast
or reserved space are dropped (unless the host or address is allowed), and
the socket connects only to an address that passed.  Because the check sits
in the connection itself it applies to every redirect hop and to the address
actually connected to, so DNS answers that change between a check and the
connection cannot slip through.

A proxy is the exception, and is used only when the user names one
(``--proxy``; proxy variables of the environment are not read): the socket then
goes to the proxy, so ``HttpClient`` resolves each target itself and vets all of
its addresses before handing the request over; the proxy resolves the name again,
which a DNS answer changed in between (rebinding) can exploit.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass, field
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as u3conn

from refcheck.net.bounded import BoundedResponse

SCHEMES = ("http", "https")

_Net = ipaddress.IPv4Network | ipaddress.IPv6Network
# What --allow-private-hosts opens (the contract: "every loopback, private and
# link-local target"): loopback, private-use, shared (carrier-grade NAT),
# unique-local and link-local space, where a team's own mirrors and test servers live.
PRIVATE_RANGES: tuple[_Net, ...] = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
    "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10",
))
# Cloud metadata services (instance credentials) that sit inside the ranges above:
# refused even with --allow-private-hosts, reachable only when named in --allow-host.
METADATA: tuple[_Net, ...] = tuple(ipaddress.ip_network(n) for n in (
    "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack, DigitalOcean …
    "169.254.170.2/32",  # AWS ECS task credentials
    "fd00:ec2::254/128",  # AWS (IPv6)
    "100.100.100.200/32",  # Alibaba Cloud
))


class BlockedAddressError(NewConnectionError):
    """Every address of a host is in space the guard refuses."""

    def __init__(self, conn: HTTPConnection, host: str, addresses: list[str]) -> None:
        self.host = host
        self.addresses = addresses
        shown = ", ".join(addresses[:3])
        super().__init__(conn, f"refused to connect to {host} ({shown}): not a public address")


@dataclass(frozen=True)
class AddressGuard:
    """The policy: names or addresses always allowed, and whether private space is."""

    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    allow_private: bool = False

    @classmethod
    def from_settings(cls, allow_hosts: list[str], allow_private: bool) -> AddressGuard:
        return cls(frozenset(h.strip().lower().strip("[]") for h in allow_hosts if h.strip()),
                   allow_private)

    def _listed(self, host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if host.lower().strip("[]") in self.allow_hosts or str(ip) in self.allow_hosts:
            return True
        for entry in self.allow_hosts:
            if "/" in entry:
                try:
                    if ip in ipaddress.ip_network(entry, strict=False):
                        return True
                except ValueError:
                    continue
        return False

    def address_allowed(self, host: str, address: str) -> bool:
        """May a connection for ``host`` go to ``address``?

        ``--allow-host`` (a name, an address or a CIDR range) opens anything.
        ``--allow-private-hosts`` opens exactly :data:`PRIVATE_RANGES` less
        the cloud metadata addresses in :data:`METADATA`; every other non-global
        address (multicast, unspecified, reserved, documentation and
        benchmarking ranges) and the metadata addresses stay refused unless
        listed with ``--allow-host``.
        """
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self._listed(host, ip):
            return True
        if any(ip in net for net in METADATA):
            return False
        if self.allow_private and any(ip in net for net in PRIVATE_RANGES):
            return True
        # Python classes ::1 as reserved too: public means global and nothing else.
        return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved

    def resolve(self, host: str, port: int) -> list[tuple[Any, ...]]:
        """Allowed address records of ``host``; raises ``socket.gaierror`` when it has none.

        Returns an empty list when the host resolves but every address is refused.
        """
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        return [info for info in infos if self.address_allowed(host, str(info[4][0]))]


class _GuardedMixin:
    """Replaces urllib3's connect step with one that only reaches vetted addresses.

    Its responses are read through :class:`BoundedResponse` (size cap, total deadline).
    """

    response_class = BoundedResponse

    guard: AddressGuard
    # Provided by urllib3's HTTPConnection.
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        host = self._dns_host
        try:
            infos = socket.getaddrinfo(host, self.port, 0, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, conn, exc) from exc
        allowed = [i for i in infos if self.guard.address_allowed(self.host, str(i[4][0]))]
        if not allowed:
            raise BlockedAddressError(conn, self.host, sorted({str(i[4][0]) for i in infos}))
        error: OSError | None = None
        for info in allowed:
            address = str(info[4][0])
            try:
                sock = u3conn.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    conn, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                error = exc
                continue
            # The address actually connected to must pass too.
            peer = sock.getpeername()[0]
            if not self.guard.address_allowed(self.host, str(peer)):
                sock.close()
                raise BlockedAddressError(conn, self.host, [str(peer)])
            sys.audit("http.client.connect", self, self.host, self.port)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


def pool_classes(guard: AddressGuard) -> dict[str, type[HTTPConnectionPool]]:
    """Connection-pool classes whose connections obey ``guard``."""
    http_conn = type("GuardedHTTPConnection", (_GuardedMixin, HTTPConnection), {"guard": guard})
    https_conn = type(
        "GuardedHTTPSConnection", (_GuardedMixin, HTTPSConnection), {"guard": guard}
    )
    http_pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,),
                     {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,),
                      {"ConnectionCls": https_conn})
    return {"http": http_pool, "https": https_pool}
