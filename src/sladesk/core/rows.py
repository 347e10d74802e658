"""Hand-written SELECTs, INSERTs and UPDATEs for the hottest paths, with ordinary model instances.

Building a query through the ORM (``filter()``, ``select_related()``, the model's default
ordering, ``first()``) and compiling it to SQL costs 300-900 µs of CPU per query on
this project's models; the same SELECT sent through ``connection.cursor()`` costs about
100 µs (benchmarks/RESULTS.md, "Opening a ticket"). A ticket opening makes a handful of
such reads (the token, the contact, the subscription, the environment, the team, the
agent), so on the opening path they are written out once here, by column lists taken
from the models' ``_meta``, and turned back into model instances the way Django does:
the database backend's and each field's converters, then ``Model.from_db``.

Each hand-written read keeps its ORM twin's meaning, and its tests compare the two.

    TOKEN = Row(Part(ApiToken, "t"), Part(User, "u"), Part(Agent, "a", optional=True))
    found = TOKEN.one(f"SELECT {TOKEN.columns} FROM ... WHERE t.token_hash = %s", [h])
    token, user, agent = found  # or None when no row matched

The queries go through Django's cursor, so ``assertNumQueries`` and the debug query log
see them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Model

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True, slots=True)
class Part:
    """One model's columns in a row, under the table alias ``alias``.

    ``optional``: it comes from a LEFT JOIN; a NULL primary key means "no such row" (None).
    """

    model: type[Model]
    alias: str
    optional: bool = False


class Row:
    """The columns of one or more models side by side, and how to read a row back."""

    def __init__(self, *parts: Part) -> None:
        self.parts = parts
        self._converters: dict[str, list[tuple[Any, list[Converter]]]] = {}

    @cached_property
    def widths(self) -> list[int]:
        return [len(p.model._meta.concrete_fields) for p in self.parts]

    @cached_property
    def attnames(self) -> list[list[str]]:
        return [[f.attname for f in p.model._meta.concrete_fields] for p in self.parts]

    @cached_property
    def pk_indexes(self) -> list[int]:
        return [p.model._meta.concrete_fields.index(p.model._meta.pk) for p in self.parts]

    @cached_property
    def columns(self) -> str:
        """Return the SELECT list: every concrete column of every part, in ``_meta`` order."""
        return ", ".join(
            f'{p.alias}."{f.column}"' for p in self.parts for f in p.model._meta.concrete_fields
        )

    def _database(self) -> str:
        return router.db_for_read(self.parts[0].model)

    def _converters_for(self, alias: str) -> list[tuple[Any, list[Converter]]]:
        found = self._converters.get(alias)
        if found is None:
            found = self._converters[alias] = _converters(
                [(f, p.alias) for p in self.parts for f in p.model._meta.concrete_fields],
                alias=alias,
            )
        return found

    def read(self, row: Sequence[Any], *, alias: str) -> tuple[Any, ...]:
        """Return the instances in ``row`` (None for an optional part that did not match)."""
        values = _convert(row, self._converters_for(alias), alias=alias)
        instances: list[Model | None] = []
        start = 0
        for part, width, pk_index, names in zip(
            self.parts, self.widths, self.pk_indexes, self.attnames, strict=True
        ):
            chunk = values[start : start + width]
            start += width
            if part.optional and chunk[pk_index] is None:
                instances.append(None)
            else:
                instances.append(part.model.from_db(alias, names, chunk))
        return tuple(instances)

    def one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """Run ``sql`` and return the first row's instances, or None when no row matched."""
        alias = self._database()
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else self.read(row, alias=alias)

    def all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return every row's instances."""
        alias = self._database()
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [self.read(row, alias=alias) for row in rows]


def _converters(columns: list[tuple[Any, str]], *, alias: str) -> list[tuple[Any, list[Converter]]]:
    """Return each (field, table alias) column and its converters, as the SQL compiler finds them."""
    connection = connections[alias]
    found = []
    for field, table_alias in columns:
        col = field.get_col(table_alias)
        found.append(
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        )
    return found


def _convert(
    row: Sequence[Any], converters: list[tuple[Any, list[Converter]]], *, alias: str
) -> list[Any]:
    connection = connections[alias]
    values = list(row)
    for i, (col, chain) in enumerate(converters):
        for convert in chain:
            values[i] = convert(values[i], col, connection)
    return values


class Values:
    """Some columns of one model, read back as plain Python values (no model instances).

    For reads of many rows whose instances would cost more than the query:

        RELEASES = Values(Release, "r", "major", "minor")
        RELEASES.all(f"SELECT {RELEASES.columns} FROM ... r", [])  # [(11, 10), ...]
    """

    def __init__(self, model: type[Model], alias: str, *fields: str) -> None:
        self.model, self.alias, self.names = model, alias, fields
        self._converters: dict[str, list[tuple[Any, list[Converter]]]] = {}

    @cached_property
    def columns(self) -> str:
        meta = self.model._meta
        return ", ".join(f'{self.alias}."{meta.get_field(n).column}"' for n in self.names)  # type: ignore[union-attr]

    def all(self, sql: str, params: Sequence[Any]) -> list[list[Any]]:
        """Run ``sql`` and return each row's values, converted as the ORM converts them."""
        alias = router.db_for_read(self.model)
        converters = self._converters.get(alias)
        if converters is None:
            meta = self.model._meta
            converters = self._converters[alias] = _converters(
                [(meta.get_field(n), self.alias) for n in self.names], alias=alias
            )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [_convert(row, converters, alias=alias) for row in rows]


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[list[Any], str]:
    """Return the fields an INSERT of ``model`` writes (all but an automatic key), and its head."""
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    return fields, f"INSERT INTO {table(model)} ({columns}) VALUES "


def _insert_values(obj: Model, fields: list[Any], connection: Any) -> list[Any]:
    """Return ``obj``'s values for an INSERT, prepared exactly as ``save()`` prepares them."""
    # As save() does: a related object saved after this one was built lends its key
    # (a clock built before its ticket had an id), an unsaved one is refused.
    obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


@functools.cache
def _key_converters(model: type[Model], alias: str) -> tuple[Any, str, list[Converter]]:
    pk = model._meta.pk
    assert pk is not None
    col = pk.get_col(model._meta.db_table)
    connection = connections[alias]
    return (
        col,
        pk.attname,
        connection.ops.get_db_converters(col) + col.get_db_converters(connection),
    )


def _saved(obj: Model, key: Any, *, alias: str) -> None:
    """Set the key the database returned on ``obj`` (converted as the ORM would) and mark it saved."""
    col, attname, converters = _key_converters(type(obj), alias)
    connection = connections[alias]
    for convert in converters:
        key = convert(key, col, connection)
    setattr(obj, attname, key)
    obj._state.adding = False
    obj._state.db = alias


def insert_many(objs: Sequence[Model]) -> None:
    """INSERT ``objs`` (new instances of one model) in one statement and set their keys.

    What ``Model.save()`` and ``bulk_create()`` do for a plain insert, without the query
    compiler: each field's ``pre_save`` (``auto_now_add``) and ``get_db_prep_save``
    (JSON, dates on SQLite, ...), one multi-row ``VALUES``, ``RETURNING`` the keys in
    order. No signals are sent (as with ``bulk_create``; the desk has no receivers).
    """
    if not objs:
        return
    model = type(objs[0])
    fields, head = _insert_fields(model)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
        for obj in objs:  # SQLite before 3.35: no RETURNING
            obj.save(force_insert=True, using=alias)
        return
    params: list[Any] = []
    for obj in objs:
        params += _insert_values(obj, fields, connection)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = model._meta.pk
    assert pk is not None
    sql = head + ", ".join([row] * len(objs)) + f' RETURNING "{pk.column}"'
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        _saved(obj, key, alias=alias)


def insert_linked(*groups: Sequence[Model]) -> None:
    """INSERT groups of new instances that refer to each other, in one statement; set keys.

    Each group holds new instances of one model, and a foreign key may point to an
    instance of an earlier group that is not saved yet: a ticket, then its message and
    clocks, then the events that name a clock. On PostgreSQL this is one statement, a
    data-modifying ``WITH`` per group whose rows take such keys from the ``WITH`` that
    inserted their target, so it is atomic without a transaction of its own and costs
    one round trip instead of one per group. Elsewhere each group is an ``insert_many``,
    in order, in one transaction. Either way the instances end up as ``insert_many``
    leaves them: keys set, foreign keys to the group's instances filled in.
    """
    groups = tuple(g for g in groups if g)
    if not groups:
        return
    alias = router.db_for_write(type(groups[0][0]))
    connection = connections[alias]
    if connection.vendor != "postgresql" or not all(_serial_key(type(g[0])) for g in groups):
        checked: dict[int, tuple[int, int]] = {}
        for g, objs in enumerate(groups):  # refuse before writing anything
            fields = _insert_fields(type(objs[0]))[0]
            for obj in objs:
                for field in fields:
                    _pending_target(obj, field, checked)
            checked.update((id(obj), (g, i)) for i, obj in enumerate(objs))
        with transaction.atomic(using=alias, savepoint=False):
            for group in groups:
                insert_many(group)
        return
    placed: dict[int, tuple[int, int]] = {}  # id(instance) -> (its group, its index)
    links: list[tuple[Model, Any, Model]] = []  # (instance, foreign key, target in a group)
    shape: list[Any] = []  # what the statement's text depends on
    params: list[Any] = []
    for g, objs in enumerate(groups):
        model = type(objs[0])
        fields = _linked_fields(model)
        rows_shape = []
        for obj in objs:
            linked = []
            for n, (field, relation, passes, aware) in enumerate(fields):
                target = _pending_target(obj, field, placed) if relation else None
                if target is not None:
                    linked.append((n, *placed[id(target)]))
                    links.append((obj, field, target))
                elif (
                    passes
                    and type(value := getattr(obj, field.attname)) in passes
                    and (not aware or value is None or value.utcoffset() is not None)
                ):
                    params.append(value)  # what get_db_prep_save would give: the value itself
                else:
                    params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
            rows_shape.append(tuple(linked))
        shape.append((model, tuple(rows_shape)))
        placed.update((id(obj), (g, i)) for i, obj in enumerate(objs))
    with connection.cursor() as cursor:
        cursor.execute(_linked_sql(tuple(shape)), params)
        found = cursor.fetchone()
    for objs, group_keys in zip(groups, found, strict=True):
        for obj, key in zip(objs, group_keys, strict=True):
            _saved(obj, key, alias=alias)
    for obj, field, target in links:
        setattr(obj, field.name, target)  # as save() does: the key, and the cached object kept


@functools.cache
def _linked_fields(model: type[Model]) -> list[tuple[Any, bool, tuple[type, ...], bool]]:
    """Return the fields an INSERT of ``model`` writes, each with whether it is a relation
    and ``passthrough_types`` (of PostgreSQL: ``insert_linked`` writes only there)."""
    return [(f, bool(f.is_relation), *passthrough_types(f)) for f in _insert_fields(model)[0]]


def passthrough_types(field: Any) -> tuple[tuple[type, ...], bool]:
    """Return the value types ``field`` sends to PostgreSQL unchanged, and whether a
    datetime must be aware to be one of them.

    For a value of exactly such a type, ``field.get_db_prep_save(field.pre_save(obj,
    add=True), connection)`` is the attribute's value itself: the field classes' own
    code, read for Django 5.2 (text, booleans, keys to an automatic primary key, dates
    and times without ``auto_now``). Skipping those calls was a tenth of an opening's
    CPU. Any other type (a lazy string, a naive datetime, an ``F()``) takes the full
    path; ``tests/core/test_rows_writes.py`` checks the two agree.
    """
    from django.db import models

    kind = type(field)
    none = type(None)
    if kind in (models.CharField, models.TextField, models.SlugField, models.EmailField):
        return (str, none), False
    if kind is models.BooleanField:
        return (bool, none), False
    if kind is models.ForeignKey and type(field.target_field) in (
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
    ):
        return (int, none), False
    if kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        import datetime as dt

        return (dt.datetime, none), True
    return (), False


@functools.lru_cache(maxsize=64)
def _linked_sql(
    shape: tuple[tuple[type[Model], tuple[tuple[tuple[int, int, int], ...], ...]], ...],
) -> str:
    """Return the statement of ``insert_linked`` for ``shape``: per group its model and,
    per row, the (field index, target group, target row) of each key taken from a group."""
    ctes = []
    for g, (model, rows_shape) in enumerate(shape):
        fields, head = _insert_fields(model)
        values = []
        for linked in rows_shape:
            cells = ["%s"] * len(fields)
            for n, tg, ti in linked:
                key = shape[tg][0]._meta.pk.column
                cells[n] = f'(SELECT "{key}" FROM g{tg} ORDER BY "{key}" LIMIT 1 OFFSET {ti})'
            values.append("(" + ", ".join(cells) + ")")
        key = model._meta.pk.column
        ctes.append(f'g{g} AS ({head}{", ".join(values)} RETURNING "{key}")')
    # The keys of each group in the order of its rows: a serial key grows in insert order.
    keys = ", ".join(
        f'(SELECT array_agg("{c}" ORDER BY "{c}") FROM g{g})'
        for g, c in enumerate(model._meta.pk.column for model, _ in shape)
    )
    return f"WITH {', '.join(ctes)} SELECT {keys}"


def _serial_key(model: type[Model]) -> bool:
    """Return whether the model's key is given by the database in increasing order."""
    from django.db.models.fields import AutoFieldMixin

    return isinstance(model._meta.pk, AutoFieldMixin)


def _pending_target(obj: Model, field: Any, placed: dict[int, tuple[int, int]]) -> Model | None:
    """Return the instance ``obj``'s foreign key ``field`` points to if it is in an earlier group.

    Any other related instance is checked as ``save()`` checks it: an unsaved one is
    refused, a saved one lends its key.
    """
    if not (field.is_relation and field.is_cached(obj)):
        return None
    target = field.get_cached_value(obj)
    if target is None:
        return None
    if id(target) in placed:
        return target  # type: ignore[no-any-return]
    if target.pk is None:
        raise ValueError(
            f"save() prohibited to prevent data loss due to unsaved related object '{field.name}'."
        )
    if getattr(obj, field.attname) in field.empty_values:
        setattr(obj, field.name, target)  # as save() does: the key, and the cached object kept
    return None


def insert(obj: Model, *, ignore_conflicts: bool = False) -> Any:
    """INSERT one new instance, set its key and return it.

    ``ignore_conflicts``: a row that would break a unique constraint is not written
    (``ON CONFLICT DO NOTHING``); None is returned and the instance stays unsaved.
    """
    model = type(obj)
    fields, head = _insert_fields(model)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_columns_from_insert:  # pragma: no cover
        return _insert_with_orm(obj, alias=alias, ignore_conflicts=ignore_conflicts)
    pk = model._meta.pk
    assert pk is not None
    sql = (
        head
        + "("
        + ", ".join(["%s"] * len(fields))
        + ")"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
        + f' RETURNING "{pk.column}"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _insert_values(obj, fields, connection))
        row = cursor.fetchone()
    if row is None:  # ON CONFLICT DO NOTHING: an equal row exists
        return None
    _saved(obj, row[0], alias=alias)
    return obj.pk


def _insert_with_orm(
    obj: Model, *, alias: str, ignore_conflicts: bool
) -> Any:  # pragma: no cover - every supported database has INSERT ... RETURNING
    if not ignore_conflicts:
        obj.save(force_insert=True, using=alias)
        return obj.pk
    try:
        with transaction.atomic(using=alias):
            obj.save(force_insert=True, using=alias)
    except IntegrityError:
        return None
    return obj.pk


def update(obj: Model, fields: Sequence[str]) -> int:
    """UPDATE the columns of ``fields`` of ``obj``'s row; return how many rows changed.

    What ``obj.save(update_fields=fields)`` writes, without its compile step.
    """
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    concrete = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    assert pk is not None
    sql = _update_sql(model, tuple(fields))
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in concrete]  # type: ignore[union-attr]
    params.append(pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


@functools.cache
def _update_sql(model: type[Model], fields: tuple[str, ...]) -> str:
    meta = model._meta
    assert meta.pk is not None
    columns = ", ".join(f'"{meta.get_field(n).column}" = %s' for n in fields)  # type: ignore[union-attr]
    return f'UPDATE {table(model)} SET {columns} WHERE "{meta.pk.column}" = %s'


def table(model: type[Model]) -> str:
    """Return the model's table name, quoted for SQL."""
    return f'"{model._meta.db_table}"'


def relate(instance: Model, field: str, value: Model | None) -> None:
    """Cache ``value`` as ``instance.<field>`` (a forward or reverse one-to-one/foreign key).

    What ``select_related`` does for the instances it builds: reading the attribute then
    costs no query (and a cached None on a reverse one-to-one raises ``DoesNotExist``).
    """
    instance._meta.get_field(field).set_cached_value(instance, value)  # type: ignore[union-attr]
