"""The reference agent's command line: intervals that would hammer the server are refused."""

import importlib.util
from pathlib import Path

import pytest

AGENT_PATH = Path(__file__).resolve().parents[2] / "agent" / "agent.py"


@pytest.fixture(scope="module")
def agent_module():
    # agent/agent.py is a standalone script, not a package: load it from its path.
    spec = importlib.util.spec_from_file_location("reference_agent", AGENT_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def runs(agent_module, monkeypatch):
    """main() up to the point where the agent would start: the arguments it would run with."""
    started = []

    class FakeAgent:
        def __init__(self, args):
            started.append(args)

        def run(self, once=False):
            return 0

    monkeypatch.setattr(agent_module, "Agent", FakeAgent)
    return agent_module, started


@pytest.mark.parametrize("interval", ["0", "-60", "4.9", "nan", "inf", "-inf", "soon"])
def test_intervals_below_five_seconds_are_refused(runs, capsys, interval):
    agent, started = runs

    with pytest.raises(SystemExit) as exit_:
        agent.main(["--server", "http://127.0.0.1:9", f"--interval={interval}"])

    assert exit_.value.code == 2
    assert "--interval" in capsys.readouterr().err
    assert not started


@pytest.mark.parametrize(("interval", "expected"), [("5", 5.0), ("60", 60.0), (None, 60)])
def test_intervals_of_five_seconds_or_more_are_accepted(runs, interval, expected):
    agent, started = runs
    argv = ["--server", "http://127.0.0.1:9", "--once"]
    if interval is not None:
        argv += ["--interval", interval]

    assert agent.main(argv) == 0
    assert started[0].interval == expected


def test_the_end_to_end_tests_may_ask_for_a_short_positive_interval(runs, capsys):
    agent, started = runs

    assert agent.main(["--server", "x", "--interval", "0.5", "--allow-short-interval"]) == 0
    assert started[0].interval == 0.5
    with pytest.raises(SystemExit):
        agent.main(["--server", "x", "--interval", "0", "--allow-short-interval"])
    assert "--allow-short-interval" not in capsys.readouterr().err


@pytest.mark.parametrize("backoff", ["0", "-1", "nan"])
def test_a_retry_wait_that_is_not_a_positive_number_is_refused(runs, capsys, backoff):
    agent, started = runs

    with pytest.raises(SystemExit):
        agent.main(["--server", "x", f"--max-backoff={backoff}"])

    assert "--max-backoff" in capsys.readouterr().err
    assert not started
