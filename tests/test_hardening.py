"""Hardening: malformed-input corpus, fuzzing, determinism, concurrency, schema evolution."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfmgmt.errors
from perfmgmt import strategies as pst
from perfmgmt.errors import PerfmgmtError, SerializationError
from perfmgmt.metrics import Tickets
from perfmgmt.model import Review, Scheme
from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import (
    FieldSchema,
    RuleEvaluator,
    check_condition,
    compile_condition,
    parse,
)
from perfmgmt.scoring import ScorerRegistry, ScoringEngine, default_registry, linear
from perfmgmt.serialization import SCHEMA_VERSION, dumps, loads
from perfmgmt.testing import assert_decisions_equal, assert_scorecards_close

pst._hypothesis_setup_hook()

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
MANIFEST: list[dict[str, str]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
V1 = TESTS / "fixtures" / "v1"

_SCHEME = customer_service_manager()
_SCHEMA = FieldSchema.for_scheme(_SCHEME)


def _load(loader: str, path: Path) -> object:
    text = path.read_text("utf-8")
    if loader == "scheme":
        return loads(text, Scheme)
    if loader == "review":
        return loads(text, Review)
    if loader == "rule":
        return parse(text)
    if loader == "rule_typed":
        return compile_condition(parse(text), _SCHEMA)
    if loader == "tickets_csv":
        return Tickets.from_csv(text.splitlines(keepends=True))
    raise AssertionError(f"unknown loader {loader!r} in the manifest")


class TestCorpus:
    def test_corpus_is_large_enough(self) -> None:
        """The corpus holds at least 150 malformed inputs, each file listed once."""
        files = [e["file"] for e in MANIFEST]
        assert len(files) >= 150
        assert len(set(files)) == len(files)
        on_disk = {
            str(p.relative_to(CORPUS))
            for p in CORPUS.rglob("*")
            if p.is_file() and p.suffix in {".json", ".txt", ".csv"} and p.name != "manifest.json"
        }
        assert on_disk == set(files)

    @pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
    def test_entry_raises_its_error_naming_its_path(self, entry: dict[str, str]) -> None:
        """Each malformed input raises its PerfmgmtError subclass whose message names its path."""
        expected: type[PerfmgmtError] = getattr(perfmgmt.errors, entry["error"])
        with pytest.raises(PerfmgmtError) as info:
            _load(entry["loader"], CORPUS / entry["file"])
        exc = info.value
        assert isinstance(exc, expected), f"{type(exc).__name__}: {exc}"
        if isinstance(exc, SerializationError):
            assert exc.path == entry["path"], str(exc)
            assert str(exc).startswith(entry["path"] + ":")
        else:
            assert entry["path"] in str(exc), str(exc)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["2026-01-01", "NaN", "1.5", "linear", "higher_is_better", "compare"]),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=5),
    max_leaves=25,
)
_LOAD_TYPES = sorted(pst._type_strategies(), key=lambda t: t.__name__)
_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _json_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_json_paths(v, (*path, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_json_paths(v, (*path, i)))
    return out


class TestFuzz:
    @pytest.mark.parametrize("cls", _LOAD_TYPES, ids=lambda t: t.__name__)
    def test_random_json_into_loader(self, cls: type) -> None:
        """Random JSON text into loads() gives a value or a PerfmgmtError, nothing else."""

        @_FUZZ
        @given(_JSON, st.booleans())
        def check(data: Any, versioned: bool) -> None:
            if versioned and isinstance(data, dict):
                data = {"schema_version": 1, **data}
            with contextlib.suppress(PerfmgmtError):
                loads(json.dumps(data), cls)

        check()

    @pytest.mark.parametrize("cls", _LOAD_TYPES, ids=lambda t: t.__name__)
    def test_mutated_valid_payload(self, cls: type) -> None:
        """A valid payload with one value replaced by random JSON loads or raises PerfmgmtError."""

        @_FUZZ
        @given(st.from_type(cls), st.data())
        def check(obj: object, data: st.DataObject) -> None:
            payload = json.loads(dumps(obj))
            target = data.draw(st.sampled_from(_json_paths(payload)[1:] or [()]))
            replacement = data.draw(_JSON)
            if target:
                holder = payload
                for step in target[:-1]:
                    holder = holder[step]
                holder[target[-1]] = replacement
            with contextlib.suppress(PerfmgmtError):
                loads(json.dumps(payload), cls)

        check()

    @_FUZZ
    @given(st.text(max_size=200))
    def test_random_text_into_rule_parser(self, text: str) -> None:
        """Random text into parse() gives a condition or a RuleError, nothing else."""
        try:
            node = parse(text)
        except perfmgmt.errors.RuleError:
            return
        check_condition_safely(node)

    @_FUZZ
    @given(
        st.lists(
            st.sampled_from(
                [
                    "total",
                    "rating",
                    "kpi.csat.score",
                    ">=",
                    "==",
                    "and",
                    "or",
                    "not",
                    "(",
                    ")",
                    "[",
                    "]",
                    ",",
                    "90",
                    '"A"',
                    "in",
                    "any(",
                    "count(",
                    "-",
                    "+",
                    "/",
                    "1e999",
                    "history.rating",
                    "[-3:]",
                    "__x",
                    ".",
                    "kpi.score",
                ]
            ),
            max_size=30,
        )
    )
    def test_random_tokens_into_rule_parser(self, tokens: list[str]) -> None:
        """Random sequences of rule tokens parse and type-check or raise a RuleError."""
        try:
            node = parse(" ".join(tokens))
        except perfmgmt.errors.RuleError:
            return
        check_condition_safely(node)

    @_FUZZ
    @given(
        st.lists(
            st.lists(
                st.text(alphabet='0123456789-:T.abcxNa,"e ', max_size=12), min_size=1, max_size=5
            ),
            max_size=6,
        ),
        st.lists(
            st.sampled_from(
                ["ticket_id", "created", "closed", "wait_seconds", "csat", "resolved", "x"]
            ),
            min_size=1,
            max_size=5,
        ),
    )
    def test_random_csv_into_tickets(self, rows: list[list[str]], header: list[str]) -> None:
        """Random CSV rows into Tickets.from_csv give a table or a DataError, nothing else."""
        lines = [",".join(header) + "\n", *(",".join(r) + "\n" for r in rows)]
        with contextlib.suppress(perfmgmt.errors.DataError):
            Tickets.from_csv(lines)


def check_condition_safely(node: object) -> None:
    """Type-check a parsed condition; only RuleError may come out."""
    with contextlib.suppress(perfmgmt.errors.RuleError):
        check_condition(node, _SCHEMA)  # type: ignore[arg-type]


_DETERMINISM_SCRIPT = """
import random
import sys

from perfmgmt.presets.customer_service import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import Population, ScoringEngine
from perfmgmt.serialization import dumps

scheme = customer_service_manager()
rng = random.Random(7)  # the same population in every process
n = 50
actual = {
    k.key: [rng.uniform(0, 200) if rng.random() > 0.1 else float("nan") for _ in range(n)]
    for k in scheme.kpis
}
pop = Population.from_arrays(scheme, subject_ids=[f"s{i}" for i in range(n)], actual=actual)
batch = ScoringEngine().score_batch(scheme, pop)
decisions = RuleEvaluator().evaluate_batch(scheme, batch, pop)
out = [
    scheme.content_hash,
    dumps(scheme),
    repr(batch.to_records()),
    repr(decisions.to_records()),
    batch.row(3).explain().text,
    decisions.explain(3),
]
sys.stdout.write("\\n".join(out))
"""


class TestDeterminism:
    def test_two_processes_with_different_hash_seeds(self) -> None:
        """Scheme hash, JSON and batch results are byte-identical across PYTHONHASHSEEDs."""
        outputs = []
        for seed in ("0", "12345"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [sys.executable, "-c", _DETERMINISM_SCRIPT],
                capture_output=True,
                check=True,
                env=env,
                timeout=300,
            )
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1]
        assert outputs[0].startswith(_SCHEME.content_hash.encode())

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(pst.schemes())
    def test_hash_independent_of_construction_order(self, scheme: Scheme) -> None:
        """A scheme rebuilt from its own JSON (fresh objects) has the same hash and JSON."""
        again = loads(dumps(scheme), Scheme)
        assert again.content_hash == scheme.content_hash
        assert dumps(again) == dumps(scheme)


def _population(seed: int, n: int) -> Any:
    """Build a population of ``n`` subjects under the preset scheme from a fixed seed."""
    import random
    from decimal import Decimal

    from perfmgmt.scoring import Population

    rng = random.Random(seed)
    actual = {
        k.key: [rng.uniform(0, 200) if rng.random() > 0.1 else float("nan") for _ in range(n)]
        for k in _SCHEME.kpis
    }
    return Population.from_arrays(
        _SCHEME,
        subject_ids=[f"s{seed}_{i}" for i in range(n)],
        actual=actual,
        grade=[rng.choice(["M1", "M2", None]) for _ in range(n)],
        base_pay=[Decimal(rng.randrange(10_000, 50_000)) for _ in range(n)],
        currency="CNY",
        tenure_days=[float(rng.randrange(0, 3000)) for _ in range(n)],
    )


class TestConcurrency:
    def test_scoring_and_rules_from_8_threads_equal_serial(self) -> None:
        """Scoring and rule evaluation from 8 threads give the same results as serial runs."""
        pairs = [(_SCHEME, _population(seed, n)) for seed, n in ((1, 30), (2, 7), (3, 64), (4, 1))]
        engine = ScoringEngine()
        evaluator = RuleEvaluator()

        def run(i: int) -> tuple[list[Any], list[Any]]:
            scheme, population = pairs[i % len(pairs)]
            batch = engine.score_batch(scheme, population)
            cards = [batch.row(j) for j in range(len(batch))]
            decisions = evaluator.evaluate_batch(scheme, batch, population)
            return cards, [decisions.row(j) for j in range(len(decisions))]

        serial = [run(i) for i in range(32)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            threaded = list(pool.map(run, range(32)))
        for (cards_s, dec_s), (cards_t, dec_t) in zip(serial, threaded, strict=True):
            assert_scorecards_close(cards_t, cards_s, rtol=0.0, atol=0.0)
            assert_decisions_equal(dec_t, dec_s)

    def test_registering_while_scoring_is_safe(self) -> None:
        """Registering scorers on a registry while 8 threads score with it changes no result."""
        registry: ScorerRegistry = default_registry.copy()
        engine = ScoringEngine(registry)
        scheme = _SCHEME
        pop = _population(5, 20)
        expected = [engine.score_batch(scheme, pop).row(i) for i in range(20)]
        stop = threading.Event()
        errors: list[BaseException] = []

        def register() -> None:
            n = 0
            while not stop.is_set() and n < 2000:
                registry.register(f"plugin_{n}", linear)
                n += 1

        def score(_: int) -> list[Any]:
            batch = engine.score_batch(scheme, pop)
            return [batch.row(i) for i in range(len(batch))]

        writer = threading.Thread(target=register)
        writer.start()
        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(score, range(40)))
        except BaseException as exc:  # reported below, once the writer has stopped
            errors.append(exc)
        finally:
            stop.set()
            writer.join()
        assert not errors
        for cards in results:
            assert_scorecards_close(cards, expected, rtol=0.0, atol=0.0)


class TestSchemaEvolution:
    def test_fixtures_exist(self) -> None:
        """There are v1 fixtures for the scheme and the review payloads."""
        names = {p.name for p in V1.glob("*.json")}
        assert {"scheme_customer_service.json", "review.json"} <= names

    @pytest.mark.parametrize("path", sorted(V1.glob("*.json")), ids=lambda p: p.name)
    def test_v1_payload_still_loads(self, path: Path) -> None:
        """A payload saved at schema_version 1 loads and re-saves at the current version."""
        data = json.loads(path.read_text("utf-8"))
        assert data["schema_version"] == 1
        cls = {"scheme": Scheme, "review": Review}[path.name.split("_")[0].removesuffix(".json")]
        obj = loads(path.read_text("utf-8"), cls)
        again = json.loads(dumps(obj))
        assert again["schema_version"] == SCHEMA_VERSION
        assert loads(dumps(obj), cls) == obj

    def test_v1_scheme_hash_is_pinned(self) -> None:
        """The v1 scheme fixture keeps the content hash recorded when it was saved."""
        scheme = loads((V1 / "scheme_customer_service.json").read_text("utf-8"), Scheme)
        recorded = (V1 / "scheme_customer_service.hash").read_text("utf-8").strip()
        assert scheme.content_hash == recorded
