"""rater_diagnostics: leniency, central tendency, range and halo per rater and per source."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _calibration import SCHEME
from perfmgmt.analytics import RaterDiagnostics, rater_diagnostics
from perfmgmt.calibration import calibrate_ratings
from perfmgmt.errors import ValidationError

scipy_stats = pytest.importorskip("scipy.stats")

SCALES = {"attitude": (1.0, 5.0), "teamwork": (0.0, 10.0)}


def _columns(seed: int, raters: int = 6, subjects: int = 12) -> dict[str, list]:  # type: ignore[type-arg]
    """Each rater rates a few subjects on both criteria, as a peer; one manager rates all."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {k: [] for k in ("subject", "criterion", "source", "rater", "rating")}  # type: ignore[type-arg]

    def add(subject: str, rater: str, source: str, crit: str, value: float) -> None:
        cols["subject"].append(subject)
        cols["criterion"].append(crit)
        cols["source"].append(source)
        cols["rater"].append(rater)
        cols["rating"].append(value)

    for r in range(raters):
        bias = rng.normal(0.0, 0.8)
        for s in rng.choice(subjects, size=5, replace=False).tolist():
            merit = rng.normal(0.0, 1.0)
            add(
                f"s{s}",
                f"p{r}",
                "peer",
                "attitude",
                float(np.clip(np.round(3 + bias + merit), 1, 5)),
            )
            add(
                f"s{s}",
                f"p{r}",
                "peer",
                "teamwork",
                float(np.clip(np.round(6 + 2 * (bias + merit) + rng.normal()), 0, 10)),
            )
    for s in range(subjects):
        add(f"s{s}", "boss", "manager", "attitude", float(rng.integers(1, 6)))
        add(f"s{s}", "boss", "manager", "teamwork", float(rng.integers(0, 11)))
    return cols


def _reference(cols: dict[str, list]) -> dict[tuple[str, str], dict[str, float]]:  # type: ignore[type-arg]
    """The diagnostics by hand, with plain Python loops and the statistics module."""
    rows = list(
        zip(
            cols["subject"],
            cols["criterion"],
            cols["source"],
            cols["rater"],
            cols["rating"],
            strict=True,
        )
    )
    by_ref: dict[tuple[str, str], list[float]] = defaultdict(list)
    by_rater_ref: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _, c, src, r, x in rows:
        by_ref[c, src].append(x)
        by_rater_ref[r, c, src].append(x)

    def extremity(c: str, x: float) -> float:
        lo, hi = SCALES[c]
        return abs(x - (lo + hi) / 2) / ((hi - lo) / 2)

    out = {}
    for r, src in {(r, src) for _, _, src, r, _ in rows}:
        mine = [(s, c, x) for s, c, so, rr, x in rows if rr == r and so == src]
        lenient = [
            (x - statistics.fmean(by_ref[c, src])) / (SCALES[c][1] - SCALES[c][0])
            for _, c, x in mine
        ]
        dev = sum(x - statistics.fmean(by_ref[c, src]) for _, c, x in mine)
        var = sum(statistics.pvariance(by_ref[c, src]) for _, c, _ in mine)
        own = sum(statistics.pvariance(by_rater_ref[r, c, src]) for _, c, _ in mine)
        ref_ext = [statistics.fmean(extremity(c, y) for y in by_ref[c, src]) for _, c, _ in mine]
        ext = [extremity(c, x) for _, c, x in mine]
        per_subject: dict[str, dict[str, float]] = defaultdict(dict)
        for s, c, x in mine:
            per_subject[s][c] = x
        both = [(v["attitude"], v["teamwork"]) for v in per_subject.values() if len(v) == 2]
        halo = math.nan
        if len(both) >= 3 and len({a for a, _ in both}) > 1 and len({b for _, b in both}) > 1:
            halo = scipy_stats.pearsonr([a for a, _ in both], [b for _, b in both]).statistic
        out[r, src] = {
            "ratings": len(mine),
            "subjects": len(per_subject),
            "leniency": statistics.fmean(lenient),
            "leniency_z": dev / math.sqrt(var) if var > 0 else math.nan,
            "range_ratio": math.sqrt(own / var) if var > 0 else math.nan,
            "central_tendency": statistics.fmean(ref_ext) - statistics.fmean(ext),
            "halo": halo,
        }
    return out


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


class TestAgainstHandComputation:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_every_figure_matches_plain_python(self, seed: int) -> None:
        """Leniency, z, range ratio, central tendency and halo equal a loop-by-loop reference."""
        cols = _columns(seed)
        result = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **cols, min_ratings=3))
        expected = _reference(cols)
        assert {(r.rater_id, r.source) for r in result.raters} == set(expected)
        for r in result.raters:
            want = expected[r.rater_id, r.source]
            assert (r.ratings, r.subjects) == (want["ratings"], want["subjects"])
            for name in ("leniency", "leniency_z", "range_ratio", "central_tendency", "halo"):
                assert _close(getattr(r, name), want[name]), (r.rater_id, name)

    def test_source_halo_pools_every_rater_of_the_source(self) -> None:
        """The source baseline's halo is the correlation over all (rater, subject) pairs."""
        cols = _columns(4)
        result = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **cols))
        pairs: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        for s, c, so, r, x in zip(*cols.values(), strict=True):
            if so == "peer":
                pairs[r, s][c] = x
        a = [v["attitude"] for v in pairs.values()]
        b = [v["teamwork"] for v in pairs.values()]
        peer = result.source("peer")
        assert peer.halo == pytest.approx(scipy_stats.pearsonr(a, b).statistic, rel=1e-9)
        assert (peer.halo_pairs, peer.halo_subjects) == (1, len(pairs))


class TestTiesToCalibration:
    def test_one_criterion_range_ratio_is_the_inverse_scale_factor(self) -> None:
        """With one criterion, range_ratio is 1/scale_factor and leniency the offset per width."""
        cols = _columns(3)
        keep = [i for i, c in enumerate(cols["criterion"]) if c == "attitude"]
        one = {k: [v[i] for i in keep] for k, v in cols.items()}
        cal = calibrate_ratings(SCHEME, **one, min_ratings=2)
        result = rater_diagnostics(SCHEME, cal)
        for adj in cal.raters:
            r = result.rater(adj.rater_id, adj.source)
            assert r.leniency == pytest.approx(adj.offset / 4.0, abs=1e-12)
            if adj.sd > 0:
                assert r.range_ratio == pytest.approx(1.0 / adj.scale_factor, rel=1e-12)
        assert result.calibration is cal

    def test_reviews_and_columns_agree(self) -> None:
        """Diagnostics from reviews equal those from the same ratings as columns."""
        from perfmgmt.model import Assessment, AssessmentSource, Review, Subject

        cols = _columns(5)
        reviews = []
        subjects = sorted(set(cols["subject"]))
        for s in subjects:
            ass = [
                Assessment(criterion=c, source=AssessmentSource(so), rater_id=r, rating=x)
                for sub, c, so, r, x in zip(*cols.values(), strict=True)
                if sub == s
            ]
            reviews.append(
                Review(
                    scheme=SCHEME.key,
                    subject=Subject(id=s),
                    cycle="c",
                    assessments=ass,
                )
            )
        one = rater_diagnostics(SCHEME, reviews, min_ratings=3)
        two = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **cols, min_ratings=3))
        for a, b in [
            *zip(one.raters, two.raters, strict=True),
            *zip(one.sources, two.sources, strict=True),
        ]:
            da, db = attrs.asdict(a), attrs.asdict(b)
            assert da.keys() == db.keys()
            for k in da:  # the ratings are summed in another order: equal to rounding
                assert da[k] == db[k] or _close(da[k], db[k]), k


class TestProperties:
    @given(st.integers(0, 10_000), st.floats(-2.0, 2.0))
    @settings(max_examples=25, deadline=None)
    def test_shifting_a_rater_up_raises_their_leniency(self, seed: int, shift: float) -> None:
        """Raising one rater's ratings (within the scale) never lowers their leniency."""
        cols = _columns(seed)
        before = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **cols)).rater("p0", "peer")
        ratings = []
        for c, r, x in zip(cols["criterion"], cols["rater"], cols["rating"], strict=True):
            _lo, hi = SCALES[c]
            ratings.append(min(hi, x + abs(shift)) if r == "p0" else x)
        after = rater_diagnostics(
            SCHEME, calibrate_ratings(SCHEME, **{**cols, "rating": ratings})
        ).rater("p0", "peer")
        assert after.leniency >= before.leniency - 1e-12
        assert -1.0 <= after.leniency <= 1.0
        assert 0.0 <= after.extremity <= 1.0


class TestOutput:
    def test_explain_and_records(self) -> None:
        """The text has a table per source in en and zh; records have one row per rater."""
        result = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **_columns(0)), min_ratings=20)
        assert isinstance(result, RaterDiagnostics)
        en, zh = result.explain(), result.explain("zh")
        assert "### Source: peer" in en
        assert "### Source: manager" in en
        assert "too few ratings" in en
        assert "评分人诊断" in zh
        assert "光环效应" in zh
        assert "### 来源: 同事" in zh  # sources are words in Chinese too
        assert "peer" not in zh
        assert len(result.to_records()) == len(result.raters)
        assert result.rater("p0", "peer").enough is False
        assert result.rater("boss", "manager").enough is True

    def test_bad_input_is_refused(self) -> None:
        """A bad min_ratings, an unknown rater or source raise ValidationError naming it."""
        cal = calibrate_ratings(SCHEME, **_columns(0))
        with pytest.raises(ValidationError, match="min_ratings"):
            rater_diagnostics(SCHEME, cal, min_ratings=0)
        result = rater_diagnostics(SCHEME, cal)
        with pytest.raises(ValidationError, match="nobody"):
            result.rater("nobody", "peer")
        with pytest.raises(ValidationError, match="customer"):
            result.source("customer")


def test_diagnostics_round_trip_through_json() -> None:
    """Every rater and source diagnostic (NaN halo included) is written and read back equal."""
    from perfmgmt.analytics import RaterDiagnostic, SourceDiagnostic
    from perfmgmt.serialization import dumps, loads

    cols = _columns(0)
    keep = [i for i, c in enumerate(cols["criterion"]) if c == "attitude"]
    one = {k: [v[i] for i in keep] for k, v in cols.items()}  # one criterion: no halo
    result = rater_diagnostics(SCHEME, calibrate_ratings(SCHEME, **one))
    assert all(math.isnan(r.halo) for r in result.raters)
    for r in result.raters:
        assert loads(dumps(r), RaterDiagnostic) == r
    for s in result.sources:
        assert loads(dumps(s), SourceDiagnostic) == s
