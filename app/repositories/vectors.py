"""Vectors as query parameters, in pgvector's binary form built by numpy.

As text, 384 floats took ~0.4 ms of Python a vector (repr of each float), 8% of the
server's GIL time under a mixed /store load (bench/PROFILE.md); packed by numpy, ~15 us.
- `vector_param`: one vector, for `%s::vector`. Its dumper says no type (oid 0), so
  Postgres takes it from the cast.
- `VectorArray`: many, for `%s::vector[]`. An array's header names its element type, whose
  oid differs per database (pgvector is an extension): `ready(conn)` looks it up once per
  connection.
"""

import struct

import numpy as np
from psycopg import ProgrammingError
from psycopg.adapt import Dumper, PyFormat
from psycopg.pq import Format

from app.repositories.connection import AsyncConnection, one


class Vector:
    __slots__ = ("data",)

    def __init__(self, vector: list[float]) -> None:
        floats = np.asarray(vector, dtype=">f4")
        # pgvector's binary form: dimensions, an unused int16, the floats (big-endian).
        self.data = struct.pack(">hh", floats.shape[0], 0) + floats.tobytes()


class _VectorDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj: Vector) -> bytes:
        return obj.data


def vector_param(conn: AsyncConnection, vector: list[float]) -> Vector:
    """`vector` as the parameter of a `%s::vector` on `conn`, whose dumper is registered on
    the connection at its first vector: any connection, whenever it opened (a pool of
    LangGraph code that imports MemoryStore later), with no global state."""
    try:
        conn.adapters.get_dumper(Vector, PyFormat.AUTO)
    except ProgrammingError:
        conn.adapters.register_dumper(Vector, _VectorDumper)
    return Vector(vector)


class VectorArray:
    """Vectors as one binary `vector[]` parameter; the connection's dumper heads it with the
    array header."""

    def __init__(self, vectors: list[list[float]]) -> None:
        flat = np.asarray(vectors, dtype=">f4")
        self.count, dims = flat.shape
        # Each element: its length, then pgvector's binary form (dims, unused, floats).
        records = np.empty((self.count, 8 + 4 * dims), dtype=np.uint8)
        records[:, :8] = np.frombuffer(struct.pack(">ihh", 4 + 4 * dims, dims, 0), np.uint8)
        records[:, 8:] = flat.view(np.uint8).reshape(self.count, -1)
        self.records = records.tobytes()


def _array_dumper(element_oid: int) -> type[Dumper]:
    class VectorArrayDumper(Dumper):
        format = Format.BINARY  # oid 0: Postgres takes the type from the `::vector[]` cast

        def dump(self, obj: VectorArray) -> bytes:
            # One dimension, no NULLs, element type, length, lower bound 1.
            return struct.pack(">iiiii", 1, 0, element_oid, obj.count, 1) + obj.records

    return VectorArrayDumper


async def ready(conn: AsyncConnection) -> None:
    """Once per connection, not per statement (a round trip each): the vector type's oid,
    kept in the array dumper this connection uses."""
    try:
        conn.adapters.get_dumper(VectorArray, PyFormat.BINARY)
        return
    except ProgrammingError:  # not registered on this connection yet
        pass
    oid = (await one(await conn.execute("SELECT 'vector'::regtype::oid AS oid")))["oid"]
    conn.adapters.register_dumper(VectorArray, _array_dumper(oid))
