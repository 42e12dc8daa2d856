"""Population.from_frame: frames in, the same population as from reviews; bad frames refused."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from perfmgmt.errors import ScoringError
from perfmgmt.model import Bonus, Deduction, Review, Scheme
from perfmgmt.model.money import minor_units
from perfmgmt.presets import customer_service_manager
from perfmgmt.rules import RuleEvaluator
from perfmgmt.scoring import Population, ScoringEngine, rescale_rating
from perfmgmt.strategies import reviews

SCHEME = customer_service_manager()
ENGINE = ScoringEngine()


def _frames(scheme: Scheme, batch: list[Review]) -> tuple[dict, dict, dict]:
    """The reviews as an HRIS export would hold them: subjects wide, actuals and ratings long."""
    subjects: dict[str, list[object]] = {"subject_id": [r.subject.id for r in batch]}
    subjects["grade"] = [r.subject.grade for r in batch]
    subjects["department"] = [r.subject.department for r in batch]
    for kpi in scheme.kpi_keys:
        for bound in ("threshold", "target", "stretch"):
            values = [getattr(r.goal(kpi), bound, None) for r in batch]
            subjects[f"kpi.{kpi}.{bound}"] = [np.nan if v is None else v for v in values]
    actuals: dict[str, list[object]] = {"subject_id": [], "kpi": [], "value": [], "sample_size": []}
    for r in batch:
        for a in r.actuals:
            actuals["subject_id"].append(r.subject.id)
            actuals["kpi"].append(a.kpi)
            actuals["value"].append(np.nan if a.value is None else a.value)
            # A count beside no value is a contradiction that from_arrays refuses (the model's
            # Actual lets it pass; see the closing note): the export leaves it blank.
            size = None if a.value is None else a.sample_size
            actuals["sample_size"].append(np.nan if size is None else size)
    scale = {c.key: c.scale for c in scheme.criteria}
    ratings: dict[str, list[object]] = {
        "subject_id": [], "criterion": [], "source": [], "rating": [], "rater_id": []
    }  # fmt: skip
    for r in batch:
        for a in r.assessments:
            rating = a.rating
            if a.scale is not None:
                rating = rescale_rating(rating, a.scale, scale[a.criterion])
            ratings["subject_id"].append(r.subject.id)
            ratings["criterion"].append(a.criterion)
            ratings["source"].append(a.source.value)
            ratings["rating"].append(rating)
            ratings["rater_id"].append(a.rater_id)
    return subjects, actuals, ratings


def _one_each(batch: list[Review]) -> list[Review]:
    """Give every review its own subject id (a population names each subject once)."""
    return [
        attrs.evolve(r, subject=attrs.evolve(r.subject, id=f"s{i}")) for i, r in enumerate(batch)
    ]


# reviews(scheme=...) filters inside (goals in order for each KPI); a list of them more so.
@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    deadline=None,
)
@given(st.lists(reviews(scheme=SCHEME), min_size=1, max_size=6).map(_one_each))
def test_long_frames_score_as_the_reviews_do(batch: list[Review]) -> None:
    """Subjects wide plus long actuals and ratings (dicts or pandas) score bit for bit alike."""
    try:
        want = ENGINE.score_batch(SCHEME, Population.from_reviews(SCHEME, batch))
    except ScoringError:
        event("refused by from_reviews")
        return  # reviews the engine refuses (e.g. goals out of order) are not the point here
    subjects, actuals, ratings = _frames(SCHEME, batch)
    for make in (dict, pd.DataFrame):
        pop = Population.from_frame(
            SCHEME, make(subjects), actuals=make(actuals), assessments=make(ratings)
        )
        got = ENGINE.score_batch(SCHEME, pop)
        assert got.to_records() == want.to_records()


def test_wide_frame_with_index_and_money() -> None:
    """A pandas frame indexed by subject_id with wide columns and Decimal pay reads as given."""
    frame = pd.DataFrame(
        {
            "kpi.csat.actual": [84.0, np.nan],
            "kpi.csat.sample_size": [240, np.nan],
            "base_pay": [Decimal("12000.00"), "9000.50"],
            "currency": ["CNY", "CNY"],
            "rating.attitude.manager": [4.0, np.nan],
            "raters.attitude.manager": [1, 0],
        },
        index=pd.Index(["m-1", "m-2"], name="subject_id"),
    )
    pop = Population.from_frame(SCHEME, frame)
    assert pop.subject_ids == ("m-1", "m-2")
    assert pop.actual[0, 0] == 84.0
    assert np.isnan(pop.actual[1]).all()
    assert pop.sample_size[0, 0] == 240
    assert pop.sample_size[1, 0] == -1
    assert pop.base_pay == (Decimal("12000.00"), Decimal("9000.50"))
    assert pop.currency == "CNY"
    assert pop.raters[0, 0, 1] == 1 or pop.raters[0, 0].sum() == 1


@pytest.mark.parametrize(
    ("actuals", "assessments", "subjects", "message"),
    [
        ({"subject_id": ["a", "a"], "kpi": ["csat", "csat"], "value": [80, 81]}, None, None,
         r"actuals rows 1 and 2 are for the same subject and KPI"),
        ({"subject_id": ["zz"], "kpi": ["csat"], "value": [80]}, None, None,
         r"actuals row 1 names subject 'zz'"),
        ({"subject_id": ["a"], "kpi": ["nps"], "value": [80]}, None, None,
         r"actuals row 1: KPI 'nps' is not in the scheme"),
        ({"subject_id": ["a"], "kpi": ["csat"], "value": ["high"]}, None, None,
         r"actuals column 'value' row 1 holds 'high'; expected a number"),
        ({"subject_id": ["a"], "kpi": ["csat"], "value": [80], "who": ["x"]}, None, None,
         r"actuals has unknown columns \['who'\]"),
        (None, {"subject_id": ["a"], "criterion": ["attitude"], "source": ["manager"],
                "rating": [9]}, None, r"assessments row 1: rating 9.0 of 'attitude' is off"),
        (None, {"subject_id": ["a", "a"], "criterion": ["attitude"] * 2,
                "source": ["upward"] * 2, "rating": [3, 4], "rater_id": ["r1", "r1"]}, None,
         r"assessments rows 1 and 2 are for the same subject, criterion, source and rater"),
        (None, None, {"subject_id": ["a", "b"], "base_pay": [1000.0, 2000.0]},
         r"money must be exact"),
        (None, None, {"subject_id": ["a", None]}, r"subjects column 'subject_id' row 2 is empty"),
        (None, None, {"subject_id": ["a", "b"], "currency": ["CNY", "USD"]},
         r"several currencies"),
    ],
)  # fmt: skip
def test_bad_frames_are_refused_by_row_and_column(
    actuals: object, assessments: object, subjects: object, message: str
) -> None:
    """Each bad frame raises a ScoringError naming the row, the column and the value."""
    with pytest.raises(ScoringError, match=message):
        Population.from_frame(
            SCHEME,
            subjects or {"subject_id": ["a", "b"]},
            actuals=actuals,
            assessments=assessments,
        )


def test_not_a_frame_is_refused() -> None:
    """A list is not a frame: the error says what is accepted."""
    with pytest.raises(ScoringError, match="expected a pandas or polars DataFrame"):
        Population.from_frame(SCHEME, [("a", 1)])


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_every_frame_kind_reads_alike(kind: str) -> None:
    """pandas, polars and pyarrow frames of the same data give the population a dict gives."""
    import polars as pl
    import pyarrow as pa

    pay = [Decimal("100.00"), None, Decimal("5.00")]
    subjects = {"subject_id": ["a", "b", "c"], "department": ["x", None, "y"], "base_pay": pay,
                "currency": ["CNY"] * 3}  # fmt: skip
    actuals = {"subject_id": ["a", "a", "b", "c", "c"],
               "kpi": ["csat", "fcr", "csat", "csat", "innovation"],
               "value": [80.0, 70.0, None, 91.5, 2.0],
               "sample_size": [100, 200, None, 50, None]}  # fmt: skip
    ratings = {"subject_id": ["a", "a", "b"], "criterion": ["attitude", "attitude", "teamwork"],
               "source": ["manager", "upward", "manager"], "rating": [4.0, 3.0, 5.0],
               "rater_id": ["d", "u1", "d"]}  # fmt: skip
    want = Population.from_frame(SCHEME, subjects, actuals=actuals, assessments=ratings)
    make = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "arrow": pa.table}[kind]
    if kind == "polars":
        subjects["base_pay"] = pl.Series(pay, dtype=pl.Decimal(10, 2))
    got = Population.from_frame(
        SCHEME, make(subjects), actuals=make(actuals), assessments=make(ratings)
    )
    assert got.base_pay == want.base_pay == tuple(pay)
    assert got.department == ("x", None, "y")
    assert ENGINE.score_batch(SCHEME, got).to_records() == (
        ENGINE.score_batch(SCHEME, want).to_records()
    )


def _paid(batch: list[Review], currency: str) -> list[Review]:
    """Give every subject its own id and pay in ``currency`` at the minor unit (or none)."""
    out = []
    for i, r in enumerate(batch):
        pay = r.subject.base_pay
        if pay is not None:
            pay = pay.quantize(Decimal(1).scaleb(-minor_units(currency)))
        subject = attrs.evolve(
            r.subject, id=f"s{i}", base_pay=pay, currency=None if pay is None else currency
        )
        out.append(attrs.evolve(r, subject=subject))
    return out


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    deadline=None,
)
@given(
    st.lists(reviews(scheme=SCHEME), min_size=1, max_size=6),
    st.sampled_from(["CNY", "JPY", "BHD"]),
    st.sampled_from(["dict", "pandas", "arrow"]),
)
def test_frames_decide_money_as_the_reviews_do(
    batch: list[Review], currency: str, kind: str
) -> None:
    """Base pay read from a frame pays the same bonuses and deductions as from reviews."""
    import pyarrow as pa

    batch = _paid(batch, currency)
    try:
        want_pop = Population.from_reviews(SCHEME, batch)
    except ScoringError:
        event("refused by from_reviews")
        return
    subjects, actuals, ratings = _frames(SCHEME, batch)
    subjects["base_pay"] = [r.subject.base_pay for r in batch]
    subjects["currency"] = [r.subject.currency for r in batch]
    if kind == "arrow":
        subjects["base_pay"] = pa.array(subjects["base_pay"], type=pa.decimal128(18, 3))
    make = {"dict": dict, "pandas": pd.DataFrame, "arrow": pa.table}[kind]
    got_pop = Population.from_frame(
        SCHEME, make(subjects), actuals=make(actuals), assessments=make(ratings)
    )
    assert got_pop.base_pay == want_pop.base_pay
    np.testing.assert_array_equal(got_pop.base_pay_minor, want_pop.base_pay_minor)
    want = ENGINE.score_batch(SCHEME, want_pop)
    got = ENGINE.score_batch(SCHEME, got_pop)
    assert got.to_records() == want.to_records()
    evaluator = RuleEvaluator()
    want_d = evaluator.evaluate_batch(SCHEME, want, want_pop)
    got_d = evaluator.evaluate_batch(SCHEME, got, got_pop)
    assert got_d.to_records() == want_d.to_records()
    for i, r in enumerate(batch):
        row = got_d.row(i)
        assert row == want_d.row(i)
        for line in row.decisions:
            if line.base_pay is None:
                continue
            # the amount, recomputed from the subject's Decimal: percent of it, half to even
            assert line.base_pay == r.subject.base_pay
            assert isinstance(line.outcome, Bonus | Deduction)
            exact = Fraction(line.base_pay) * Fraction(line.outcome.value) / 100
            unit = Fraction(1, 10 ** minor_units(currency))
            assert line.amount == Decimal(round(exact / unit)).scaleb(-minor_units(currency))


@pytest.mark.parametrize(
    ("pay", "message"),
    [
        ([Decimal("100.005")], r"row 1 holds 100.005: amounts in CNY have at most 2 decimal"),
        (["12.5", "-3"], r"row 2 holds -3: base pay must be from 0"),
        ([Decimal("1E+30")], r"row 1 holds 1E\+30: base pay must be from 0"),
        ([Decimal("NaN")], r"row 1 holds NaN: expected a finite amount"),
        ([1.5], r"money must be exact"),
    ],
)
def test_money_is_refused_unless_exact_at_the_minor_unit(pay: list[object], message: str) -> None:
    """Amounts finer than the currency's minor unit, negative or too large are refused."""
    subjects = {"subject_id": [f"s{i}" for i in range(len(pay))], "base_pay": pay,
                "currency": ["CNY"] * len(pay)}  # fmt: skip
    with pytest.raises(ScoringError, match=message):
        Population.from_frame(SCHEME, subjects)


@pytest.mark.parametrize("scale", [0, 2, 4, 20])
def test_arrow_decimals_of_any_scale_read_exactly(scale: int) -> None:
    """decimal128 columns at any scale give the same minor units; finer digits are refused."""
    import pyarrow as pa

    pay = [Decimal("12000.50"), None, Decimal("0"), Decimal("99999.99")]
    if scale == 0:
        pay = [None if p is None else p.to_integral_value() for p in pay]
    column = pa.array(pay, type=pa.decimal128(38, scale))
    subjects = pa.table({"subject_id": ["a", "b", "c", "d"], "base_pay": column,
                         "currency": ["CNY"] * 4})  # fmt: skip
    pop = Population.from_frame(SCHEME, subjects)
    want = [-1 if p is None else int(p * 100) for p in pay]
    assert pop.base_pay_minor.tolist() == want
    assert pop.base_pay == tuple(pay)
    if scale > 2:
        fine = pa.array([Decimal("1.001")], type=pa.decimal128(38, scale))
        with pytest.raises(ScoringError, match=r"row 1 holds 1\.001"):
            Population.from_frame(
                SCHEME, pa.table({"subject_id": ["a"], "base_pay": fine, "currency": ["CNY"]})
            )


def test_pay_without_a_currency_is_refused() -> None:
    """An amount with no currency column names the row."""
    with pytest.raises(ScoringError, match="row 2 holds an amount but there is no currency"):
        Population.from_frame(SCHEME, {"subject_id": ["a", "b"], "base_pay": [None, "10.00"]})


class TestArrowIds:
    """Ids of an Arrow table stay its column; they read and leave as the same text."""

    @pytest.mark.parametrize("ids", [["m3", "m1", "m2"], ["a", "b", "c"], ["solo"]])
    def test_ids_read_and_leave_in_row_order(self, ids: list[str]) -> None:
        """Sorted or not, the ids are the column's text in row order, in and out."""
        import pyarrow as pa

        values = [80.0 + i for i in range(len(ids))]
        pop = Population.from_frame(
            SCHEME, pa.table({"subject_id": ids, "kpi.csat.actual": values})
        )
        assert pop.subject_ids == tuple(ids)
        assert len(pop) == len(ids)
        assert pop.subject_ids[-1] == ids[-1]
        batch = ENGINE.score_batch(SCHEME, pop)
        assert batch.subject_ids == tuple(ids)
        assert batch.to_arrow().column("subject_id").to_pylist() == ids
        assert (
            batch.to_records()
            == ENGINE.score_batch(
                SCHEME,
                Population.from_frame(SCHEME, {"subject_id": ids, "kpi.csat.actual": values}),
            ).to_records()
        )

    @pytest.mark.parametrize(
        ("ids", "repeated"), [(["a", "b", "a"], "a"), (["b", "a", "b"], "b"), (["x", "x"], "x")]
    )
    def test_repeated_ids_are_refused(self, ids: list[str], repeated: str) -> None:
        """An id named twice is refused, naming it, whether the column is sorted or not."""
        import pyarrow as pa

        with pytest.raises(ScoringError, match=f"subject id '{repeated}' appears more than once"):
            Population.from_frame(SCHEME, pa.table({"subject_id": ids}))

    def test_empty_id_is_refused_by_row(self) -> None:
        """A null id names its row."""
        import pyarrow as pa

        with pytest.raises(ScoringError, match="'subject_id' row 3 is empty"):
            Population.from_frame(SCHEME, pa.table({"subject_id": ["a", "b", None]}))

    @pytest.mark.parametrize(
        ("column", "want"),
        [
            ("int", ("3", "1", "2")),
            ("large_string", ("c", "a", "b")),
            ("dictionary", ("c", "a", "b")),
        ],
    )
    def test_other_id_types_read_as_text(self, column: str, want: tuple[str, ...]) -> None:
        """Integer, large-string and dictionary id columns become text ids."""
        import pyarrow as pa

        array = {
            "int": pa.array([3, 1, 2]),
            "large_string": pa.array(["c", "a", "b"], type=pa.large_string()),
            "dictionary": pa.array(["c", "a", "b"]).dictionary_encode(),
        }[column]
        pop = Population.from_frame(SCHEME, pa.table({"subject_id": array}))
        assert pop.subject_ids == want
        table = ENGINE.score_batch(SCHEME, pop).to_arrow()
        assert table.column("subject_id").type == pa.string()
        assert table.column("subject_id").to_pylist() == list(want)

    def test_chunked_and_sliced_tables_keep_their_rows(self) -> None:
        """A table of several chunks, or a slice of one, reads the ids of its own rows."""
        import pyarrow as pa

        part = pa.table({"subject_id": ["a", "b", "c"], "kpi.csat.actual": [1.0, 2.0, 3.0]})
        more = pa.table({"subject_id": ["d", "e"], "kpi.csat.actual": [4.0, 5.0]})
        joined = pa.concat_tables([part, more])
        pop = Population.from_frame(SCHEME, joined)
        assert pop.subject_ids == ("a", "b", "c", "d", "e")
        assert pop.actual[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
        sliced = Population.from_frame(SCHEME, joined.slice(2, 2))
        assert sliced.subject_ids == ("c", "d")
        out = ENGINE.score_batch(SCHEME, sliced).to_arrow()
        assert out.column("subject_id").to_pylist() == ["c", "d"]


_KPI = SCHEME.kpi_keys
_NQ, _NS = len(SCHEME.criteria), len(SCHEME.sources)


@st.composite
def _wide(draw: st.DrawFn) -> tuple[int, dict[str, np.ndarray]]:
    """A wide frame's columns: some KPIs, counts as integers or floats, some ratings."""
    n = draw(st.integers(1, 6))
    finite = st.floats(-1e6, 1e6, allow_nan=False)
    cols: dict[str, np.ndarray] = {}
    int_counts = draw(st.booleans())
    for key in draw(st.lists(st.sampled_from(_KPI), unique=True, max_size=len(_KPI))):
        values = draw(st.lists(finite, min_size=n, max_size=n))
        cols[f"kpi.{key}.actual"] = np.array(values)
        if draw(st.booleans()):
            sizes = draw(st.lists(st.integers(-1, 500), min_size=n, max_size=n))
            cols[f"kpi.{key}.sample_size"] = np.array(
                sizes, dtype=np.int32 if int_counts else np.float64
            )
    for c in SCHEME.criteria:
        for s in SCHEME.sources:
            if draw(st.booleans()):
                rated = st.floats(c.scale.low, c.scale.high)
                cols[f"rating.{c.key}.{s.key}"] = np.array(
                    draw(st.lists(rated, min_size=n, max_size=n))
                )
                raters = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
                cols[f"raters.{c.key}.{s.key}"] = np.array(
                    raters, dtype=np.int64 if int_counts else np.float64
                )
    return n, cols


@settings(max_examples=60, deadline=None)
@given(_wide())
def test_wide_arrow_frames_give_the_arrays_they_hold(
    case: tuple[int, dict[str, np.ndarray]],
) -> None:
    """Each wide column lands in its (N, K) or (N, Q, S) cell, with -1/0/NaN where none is given."""
    import pyarrow as pa

    n, cols = case
    ids = [f"s{n - i}" for i in range(n)]  # descending: not the sorted fast path
    actual, sizes = np.full((n, len(_KPI)), np.nan), np.full((n, len(_KPI)), -1, dtype=np.int64)
    ratings, raters = np.full((n, _NQ, _NS), np.nan), np.zeros((n, _NQ, _NS), dtype=np.int64)
    for j, key in enumerate(_KPI):
        if f"kpi.{key}.actual" in cols:
            actual[:, j] = cols[f"kpi.{key}.actual"]
        if f"kpi.{key}.sample_size" in cols:
            sizes[:, j] = cols[f"kpi.{key}.sample_size"]
    for q, c in enumerate(SCHEME.criteria):
        for s, src in enumerate(SCHEME.sources):
            if f"rating.{c.key}.{src.key}" in cols:
                ratings[:, q, s] = cols[f"rating.{c.key}.{src.key}"]
                raters[:, q, s] = cols[f"raters.{c.key}.{src.key}"]
    pop = Population.from_frame(SCHEME, pa.table({"subject_id": ids, **cols}))
    assert pop.subject_ids == tuple(ids)
    np.testing.assert_array_equal(pop.actual, actual)
    np.testing.assert_array_equal(pop.sample_size, sizes)
    assert pop.sample_size.dtype == np.int64
    np.testing.assert_array_equal(pop.ratings, ratings)
    np.testing.assert_array_equal(pop.raters, raters)
    assert pop.raters.dtype == np.int64
    for a in (pop.actual, pop.sample_size, pop.ratings, pop.raters):
        assert not a.flags.writeable
    ref = Population.from_arrays(
        SCHEME, subject_ids=ids, actual=actual, sample_size=sizes,
        **({"ratings": ratings, "raters": raters} if raters.any() else {}),
    )  # fmt: skip
    got, want = ENGINE.score_batch(SCHEME, pop), ENGINE.score_batch(SCHEME, ref)
    np.testing.assert_array_equal(got.total, want.total)
    np.testing.assert_array_equal(got.score, want.score)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"raters.attitude.manager": np.array([1, -2]), "rating.attitude.manager": [3.0, 3.0]},
         r"raters of 'b' hold a negative, fractional or NaN count"),
        ({"raters.attitude.manager": np.array([1.0, 0.5]), "rating.attitude.manager": [3.0, 3.0]},
         r"raters of 'b' hold a negative, fractional or NaN count"),
        ({"raters.attitude.manager": np.array([1, 1]), "rating.attitude.manager": [3.0, 9.0]},
         r"rating of 'b' for criterion 'attitude' from 'manager' is 9\.0"),
        ({"raters.attitude.manager": np.array([1, 2]), "rating.attitude.manager": [3.0, np.nan]},
         r"rating of 'b' for criterion 'attitude' from 'manager' is nan"),
        ({"kpi.csat.actual": [80.0, 70.0], "kpi.csat.sample_size": np.array([5, -2])},
         r"sample_size of 'b' for KPI 'csat' is -2; counts cannot be negative"),
        ({"kpi.csat.actual": [80.0, np.nan], "kpi.csat.sample_size": np.array([5, 7])},
         r"actual of 'b' for KPI 'csat' is NaN but sample_size is 7"),
        ({"kpi.csat.actual": [80.0, 70.0], "kpi.csat.sample_size": np.array([5.0, 2.5])},
         r"sample_size of 'b' for KPI 'csat' is 2\.5; use a whole number"),
        ({"kpi.csat.actual": [80.0, np.inf]}, r"actual of 'b' for KPI 'csat' is inf"),
    ],
)  # fmt: skip
def test_bad_wide_arrow_columns_name_the_subject(columns: dict, message: str) -> None:
    """Counts and ratings of a wide Arrow frame are checked once, naming the subject and cell."""
    import pyarrow as pa

    with pytest.raises(ScoringError, match=message):
        Population.from_frame(SCHEME, pa.table({"subject_id": ["a", "b"], **columns}))
