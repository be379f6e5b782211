"""SafeResolver: a name keeps its first address for the run, and is never handed out at an address it may
not be connected to. (tests/test_resolved_addresses.py runs it in a real crawl.)"""
import pytest
from twisted.internet import defer
from twisted.python.failure import Failure

from crawler.middlewares import refusal_for
from crawler.resolver import SafeResolver, UnsafeAddress


class Answers(SafeResolver):
    """A DNS that gives each name's answers in turn (a rebinding server: public first, private next)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        super().__init__(reactor=None, cache_size=0, timeout=1.0)
        self.answers = answers
        self.asked: list[str] = []

    def lookup(self, name):
        self.asked.append(name)
        return defer.succeed(self.answers[name].pop(0))


def outcome(d: defer.Deferred):
    results = []
    d.addBoth(results.append)
    (result,) = results  # these Deferreds have fired: the look-ups above answer at once
    if isinstance(result, Failure):
        result.raiseException()
    return result


def test_a_name_keeps_its_first_address_for_the_run():
    resolver = Answers({"rebind.test": ["93.184.216.34", "127.0.0.1", "169.254.169.254"]})
    assert outcome(resolver.address_of("rebind.test")) == "93.184.216.34"
    # what the download connects to is the address that was checked, however DNS answers now
    assert outcome(resolver.getHostByName("rebind.test")) == "93.184.216.34"
    assert outcome(resolver.address_of("rebind.test")) == "93.184.216.34"
    assert outcome(resolver.getHostByName("Rebind.Test.")) == "93.184.216.34"  # one name, however spelt
    assert resolver.asked == ["rebind.test"]


@pytest.mark.parametrize("address", ["169.254.169.254", "127.0.0.1", "10.0.0.7", "192.168.1.1", "0.0.0.0"])
def test_a_name_is_not_connected_to_a_link_local_loopback_or_private_address(address):
    resolver = Answers({"evil.test": [address]})
    with pytest.raises(UnsafeAddress, match=f"evil.test resolves to {address}"):
        outcome(resolver.getHostByName("evil.test"))


def test_a_name_allowed_private_connects_there_but_never_to_link_local():
    resolver = Answers({"intranet.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]})
    resolver.allow_private("intranet.test")
    resolver.allow_private("metadata.test")
    assert outcome(resolver.getHostByName("intranet.test")) == "10.0.0.7"
    with pytest.raises(UnsafeAddress):
        outcome(resolver.getHostByName("metadata.test"))


def test_literal_addresses_are_left_to_the_middleware_which_has_the_request():
    resolver = Answers({"127.0.0.1": ["127.0.0.1"]})
    assert outcome(resolver.getHostByName("127.0.0.1")) == "127.0.0.1"


@pytest.mark.parametrize("kind, allow_private, reason", [
    ("public", False, None),
    ("link_local", True, "link_local_address"),
    ("loopback", False, "private_address"), ("private", False, "private_address"),
    ("loopback", True, None), ("private", True, None),
])
def test_one_rule_for_literal_and_resolved_addresses(kind, allow_private, reason):
    assert refusal_for(kind, allow_private) == reason
