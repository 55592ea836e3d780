"""The vectorized path of :func:`leadflow.batch.arrow.score_arrow`: a whole batch per column.

For one Arrow record batch at a time, without a Python object per lead:

1. Each lead column is dictionary-encoded; the checks of :mod:`leadflow.batch.columnar` (those
   that decide whether :func:`leadflow.validate_lead` would accept a value unchanged) run once
   per *distinct value*, and the values are put as ``Lead`` holds them (the e-mail's domain
   lower-cased, the country upper-cased). The activities are counted and aged with numpy.
2. The valid rows are evaluated per column by the rules (``RuleSet._columnar(now).vector()``,
   :mod:`leadflow.rules._vector`): scores, temperature, MQL and knock-outs as arrays, which go
   straight into the result batch.
3. The SLA: a lead handed off whose segment has no sales target (``cold``) gets ``none`` per
   column; only a lead with a timed target (or a segment the policy does not know) goes
   through :meth:`BatchScorer._sla` on its own.
4. A row that fails a check goes the one-record way (:meth:`BatchScorer.score`), so its error,
   or its result, is exactly the one that path gives; rows come out in input order and errors
   are raised (or reported) in that order.

:func:`vector_batch` answers ``None`` for a batch it does not take (a column or type the
columnar path does not read, a required column missing, an SLA time given as text): the caller
goes the row-wise columnar way for that batch.
"""

from __future__ import annotations

from typing import Any, Final

from leadflow.batch.columnar import (
    _COUNTRY,
    _REQUIRED,
    TEXT_FIELDS,
    _Activities,
    _modules,
    _readable,
)
from leadflow.batch.scoring import BatchScorer, Row
from leadflow.errors import LeadflowError

__all__ = ("vector_batch",)

_SLA_OUT: Final = ("sla_segment", "sla_state", "sla_due_at", "sla_at_risk", "sla_escalations")


_PLAIN_TEXT: Final = r"^[!-~](?:[ -~]*[!-~])?$"
"""Printable ASCII, no space first or last: with at most 500 characters, text
``validate_lead`` takes as it is (any other text is checked in Python)."""
_PLAIN_ADDRESS: Final = r"^[!-?A-~]+@[!--/-?A-~]+(?:\.[!--/-?A-~]+)+$"
"""``lead._EMAIL`` on printable ASCII, where the only white space is the space: an address
``validate_lead`` takes with its domain lower-cased (any other is refused by the columnar
checks too: they go the one-record way)."""


def _text_ok(value: str) -> bool:
    return 0 < len(value) <= 500 and value == value.strip()


def _text_wrong(dictionary: Any) -> list[bool]:
    """Per distinct text (then the null), whether the columnar checks refuse it."""
    np, _, pc = _modules()
    plain = pc.match_substring_regex(dictionary, _PLAIN_TEXT).to_numpy(zero_copy_only=False)
    size = pc.binary_length(dictionary).to_numpy(zero_copy_only=False)
    plain &= size <= 500  # bytes are characters in ASCII
    wrong = np.zeros(len(dictionary) + 1, bool)
    other = np.flatnonzero(~plain)
    if len(other):
        values = dictionary.take(other).to_pylist()
        wrong[other] = [not _text_ok(v) for v in values]
    return wrong.tolist()  # type: ignore[no-any-return]


def _emails(dictionary: Any) -> tuple[Any, Any, Any]:
    """Per distinct address: whether the columnar checks refuse it, the address as ``Lead``
    holds it and its domain (both as Arrow arrays, null where refused)."""
    _, pa, pc = _modules()
    dictionary = dictionary.cast(pa.string())
    parts = pc.extract_regex(dictionary, r"^(?P<local>[^@]*)@(?P<domain>.*)$")
    plain = pc.and_(
        pc.match_substring_regex(dictionary, _PLAIN_ADDRESS),
        pc.less_equal(pc.binary_length(dictionary), 320),
    )
    domain = pc.if_else(plain, pc.ascii_lower(parts.field("domain")), pa.scalar(None, pa.string()))
    address = pc.binary_join_element_wise(parts.field("local"), domain, "@")
    return pc.invert(plain), address, domain


def _country(value: str) -> str | None:
    return value.upper() if value == value.strip() and _COUNTRY.fullmatch(value) else None


def _encoded(column: Any) -> tuple[list[Any], Any]:
    """The distinct values of a column, then ``None``, and per row the place of its value."""
    dictionary, codes = _dictionary(column)
    return [*dictionary.to_pylist(), None], codes


def _dictionary(column: Any) -> tuple[Any, Any]:
    """The distinct values of a column (an Arrow array) and per row the place of its value
    (a null: the place after the last)."""
    np, _, pc = _modules()
    encoded = pc.dictionary_encode(column)
    dictionary = encoded.dictionary
    codes = encoded.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
    return dictionary, codes.astype(np.int64, copy=False)


def _sla_vectorizable(batch: Any) -> bool:
    """Whether the SLA cells are times with a zone (never an error) and a text segment."""
    _, pa, _ = _modules()
    for name in ("handed_off_at", "responded_at"):
        if name in batch.schema.names:
            kind = batch.schema.field(name).type
            if not (pa.types.is_timestamp(kind) and kind.tz is not None):
                return False
    if "segment" in batch.schema.names:
        kind = batch.schema.field("segment").type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            return False
    return True


def vector_batch(batch: Any, scorer: BatchScorer, columnar: Any, vector: Any, schema: Any) -> Any:
    """The result batch of ``batch`` (as :meth:`BatchScorer.score` gives its rows), or ``None``
    when this path does not take the batch (the caller goes the row-wise way)."""
    names = batch.schema.names
    if not _readable(batch) or not set(names) >= _REQUIRED:
        return None
    if scorer.policy is not None and not _sla_vectorizable(batch):
        return None
    np, pa, _ = _modules()
    rows = batch.num_rows
    bad = np.zeros(rows, bool)
    fields: dict[str, tuple[list[Any], Any]] = {}
    for name, column in zip(names, batch.columns, strict=True):
        if name == "employees":
            valid = column.is_valid().to_numpy(zero_copy_only=False)
            numbers = column.fill_null(1).to_numpy(zero_copy_only=False).astype(np.int64)
            bad |= (numbers < 1) | (numbers > 10_000_000)
            if name in vector.sources:
                distinct, codes = np.unique(numbers, return_inverse=True)
                codes = np.where(valid, codes.reshape(-1), len(distinct))
                fields[name] = ([*distinct.tolist(), None], codes)
        elif name == "email":
            dictionary, codes = _dictionary(column)
            refused, address, domain = _emails(dictionary)
            wrong = np.append(refused.to_numpy(zero_copy_only=False), True)  # null: refused
            bad |= wrong[codes]
            if name in vector.sources:
                fields[name] = ([*address.to_pylist(), None], codes)
            if vector.DOMAIN in vector.sources:
                domains, places = _dictionary(domain)
                fields[vector.DOMAIN] = ([*domains.to_pylist(), None], np.append(places, 0)[codes])
        elif name == "country":
            distinct, codes = _encoded(column)
            values = [None if v is None else _country(v) for v in distinct]
            wrong = [v is None and d is not None for v, d in zip(values, distinct, strict=True)]
            bad |= np.array(wrong, bool)[codes]
            if name in vector.sources:
                fields[name] = (values, codes)
        elif name in TEXT_FIELDS:
            dictionary, codes = _dictionary(column)
            wrong = _text_wrong(dictionary)
            wrong[-1] = name in _REQUIRED  # a null cell
            bad |= np.array(wrong, bool)[codes]
            if name in vector.sources:
                fields[name] = ([*dictionary.to_pylist(), None], codes)
    counts = None
    ages: dict[str, tuple[Any, Any]] = {}
    if "activities" in names:
        activities = _Activities(batch.column("activities"), rows)
        bad |= activities.bad_rows
        counts = activities.count_matrix(columnar)
        if columnar.age_kinds:
            ages = activities.age_arrays(columnar)
    elif columnar.counts:
        counts = np.zeros((rows, len(columnar.counts)), np.int64)
    good = np.flatnonzero(~bad)
    size = len(good)
    if size < rows:  # only the valid rows are evaluated per column
        fields = {name: (values, codes[good]) for name, (values, codes) in fields.items()}
        if counts is not None:
            counts = counts[good]
        place = np.cumsum(~bad) - 1
        kept = {}
        for key, (parent, age) in ages.items():
            keep = ~bad[parent]
            kept[key] = (place[parent[keep]], age[keep])
        ages = kept
    scored = vector.evaluate(fields, size, counts, ages)
    ids = batch.column("id").take(pa.array(good, pa.int64())).cast(pa.string())
    columns: dict[str, Any] = {"id": ids}
    for name, figures in scored.scores.items():
        columns[name] = pa.array(figures, pa.float64())
    temperature = None
    if scored.temperature is not None:
        labels, places = scored.temperature
        temperature = (labels, places)
        columns["temperature"] = pa.array(labels, pa.string()).take(pa.array(places))
    if scored.mql is not None:
        columns["mql"] = pa.array(scored.mql, pa.bool_())
    labels, places = scored.knockouts
    columns["knockouts"] = pa.array(labels, pa.string()).take(pa.array(places))
    # rows the one-record way decides, by input row: a record to score, or an SLA failure
    own: dict[int, tuple[dict[str, Any], LeadflowError | None]] = {}
    if scorer.policy is not None:
        _sla(batch, scorer, good, temperature, columns, own)
    taken = np.flatnonzero(bad).tolist()
    if taken:
        from leadflow.batch.arrow import arrow_records

        records = arrow_records(batch.take(pa.array(taken, pa.int64())))
        own.update((i, (record, None)) for i, record in zip(taken, records, strict=True))
    out = [columns.get(field.name) for field in schema]
    arrays = [pa.nulls(size, f.type) if a is None else a for a, f in zip(out, schema, strict=True)]
    result = pa.RecordBatch.from_arrays(arrays, schema=schema)
    if not own:
        return result
    return _merged(result, good, rows, own, scorer, schema)


def _merged(
    result: Any,
    good: Any,
    rows: int,
    own: dict[int, tuple[dict[str, Any], LeadflowError | None]],
    scorer: BatchScorer,
    schema: Any,
) -> Any:
    """``result`` (the rows of ``good``) with the rows decided one by one in their place;
    those are scored (or their SLA failure raised or reported) in input order."""
    np, pa, _ = _modules()
    from leadflow.batch.arrow import records_to_batch

    extra: list[Row] = []
    take = np.searchsorted(good, np.arange(rows))  # an input row -> its place in good
    for i in sorted(own):
        record, error = own[i]
        extra.append(scorer.score(record) if error is None else scorer.failed(record, error))
        take[i] = len(good) + len(extra) - 1
    both = pa.Table.from_batches([result, records_to_batch(extra, schema)])  # type: ignore[arg-type]
    table = both.take(pa.array(take, pa.int64()))
    return pa.RecordBatch.from_arrays(
        [column.combine_chunks() for column in table.columns], schema=schema
    )


def _sla(
    batch: Any,
    scorer: BatchScorer,
    good: Any,
    temperature: tuple[tuple[str | None, ...], Any] | None,
    columns: dict[str, Any],
    own: dict[int, tuple[dict[str, Any], LeadflowError | None]],
) -> None:
    """The SLA columns of the valid rows (see the module docstring)."""
    np, pa, _ = _modules()
    from leadflow.batch.arrow import _instants

    policy = scorer.policy
    assert policy is not None  # noqa: S101 - the caller checks
    size = len(good)
    if "handed_off_at" not in batch.schema.names:
        return
    index = pa.array(good, pa.int64())
    handed = batch.column("handed_off_at").take(index)
    handed_rows = handed.is_valid().to_numpy(zero_copy_only=False)
    if not handed_rows.any():
        return
    # the segment: the cell, else (null or empty) the temperature
    if temperature is None:
        labels: list[str | None] = [None]
        places = np.zeros(size, np.int64)
    else:
        labels = list(temperature[0])
        places = temperature[1]
    if "segment" in batch.schema.names:
        segment = batch.column("segment").take(index)
        cells, codes = _encoded(segment)
        usable = np.array([bool(c) for c in cells], bool)[codes]
        places = np.where(usable, codes + len(labels), places)
        labels = labels + cells
    targets = []
    for label in labels:
        if not isinstance(label, str):
            targets.append("none")
            continue
        try:
            target = policy.target(label)
        except LeadflowError:
            targets.append("own")  # the row reports (or raises) the policy's error
            continue
        targets.append("none" if target.within is None else "own")
    kind = np.array([*targets, "none"])[places]
    segments = np.array([*labels, None], dtype=object)[np.where(handed_rows, places, len(labels))]
    state = np.full(size, None, dtype=object)
    state[handed_rows & (kind == "none")] = "none"
    due = np.full(size, None, dtype=object)
    at_risk = np.full(size, None, dtype=object)
    escalations = np.full(size, None, dtype=object)
    mine = np.flatnonzero(handed_rows & (kind == "own")).tolist()
    if mine:
        picked = pa.array(good[mine], pa.int64())
        handed_at = _instants(batch.column("handed_off_at").take(picked))
        responded: list[Any] = [None] * len(mine)
        if "responded_at" in batch.schema.names:
            responded = _instants(batch.column("responded_at").take(picked))
        given: list[Any] = [None] * len(mine)
        if "segment" in batch.schema.names:
            given = batch.column("segment").take(picked).to_pylist()
        ids = batch.column("id").take(picked).to_pylist()
        for n, i in enumerate(mine):
            record: dict[str, Any] = {"id": ids[n], "handed_off_at": handed_at[n]}
            if responded[n] is not None:
                record["responded_at"] = responded[n]
            if given[n] is not None:
                record["segment"] = given[n]
            heat = None if temperature is None else temperature[0][int(temperature[1][i])]
            row: Row = {}
            try:
                scorer._sla(record, heat, row)
            except LeadflowError as error:
                own[int(good[i])] = (record, error)
                continue
            segments[i] = row.get("sla_segment")
            state[i] = row.get("sla_state")
            due[i] = row.get("sla_due_at")
            at_risk[i] = row.get("sla_at_risk")
            escalations[i] = row.get("sla_escalations")
    types = (pa.string(), pa.string(), pa.timestamp("us", tz="UTC"), pa.bool_(), pa.string())
    values = (segments, state, due, at_risk, escalations)
    for name, kind_, cells in zip(_SLA_OUT, types, values, strict=True):
        columns[name] = pa.array(cells, kind_, from_pandas=True)
