"""What a read replica says about itself: whether it is one, and how far behind it is."""

from dataclasses import dataclass

from app.repositories.connection import AsyncConnection, one


async def in_recovery(conn: AsyncConnection) -> bool:
    """True on a standby (it replays a primary's WAL and refuses every write)."""
    return bool((await one(await conn.execute("SELECT pg_is_in_recovery() AS r")))["r"])


@dataclass(frozen=True)
class ReplicaLag:
    in_recovery: bool
    lag_seconds: float  # 0 when it has replayed all it received
    replay_paused: bool


async def replica_lag(conn: AsyncConnection) -> ReplicaLag:
    # Replayed all it received: no lag, however long ago the primary last wrote (the replay
    # timestamp alone would grow on an idle primary).
    row = await one(await conn.execute(
        """
        SELECT pg_is_in_recovery() AS standby,
               CASE WHEN NOT pg_is_in_recovery()
                         OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
               END::float8 AS lag,
               pg_is_in_recovery() AND pg_is_wal_replay_paused() AS paused
        """))
    return ReplicaLag(bool(row["standby"]), max(0.0, float(row["lag"])), bool(row["paused"]))
