//! Live sockets per credential across nodes (PostgreSQL only): one row per socket, so that a
//! credential's cap counts every node's sockets.

use super::Store;

/// Rows that count: of this node, newer than `$2`, or of a node that reported its presence
/// since `$2`.
const COUNTING: &str = "SELECT COUNT(*) FROM socket_places s WHERE s.key = $1 \
     AND (s.node_id = $3 OR s.since >= $2 OR EXISTS (SELECT 1 FROM operator_presence p \
     WHERE p.node_id = s.node_id AND p.seen_at >= $2))";

/// What a node asks for when it takes a place.
#[derive(Debug)]
pub struct PlaceClaim<'a> {
    /// The credential's key (`guest:…`, `operator:…`, `customer:…`).
    pub key: &'a str,
    /// The new place's id.
    pub place_id: &'a str,
    /// The node that holds the socket.
    pub node_id: &'a str,
    /// Now, in milliseconds.
    pub now: i64,
    /// Rows of other nodes older than this count only while their node reports its presence.
    pub fresh_since: i64,
    /// The cap.
    pub max: i64,
}

impl Store {
    /// Takes a place under `claim.key`'s cap: `false` when the cap is reached on all nodes
    /// together. The key's claims are judged one after another (a transaction-scoped advisory
    /// lock on the key), so two nodes cannot both take the last place.
    ///
    /// The row commits without waiting for its WAL flush, as the rate windows' counts do: a
    /// crash may forget a place, which lets one more socket in until the next one closes.
    pub async fn take_socket_place(&self, claim: PlaceClaim<'_>) -> sqlx::Result<bool> {
        let Some(pool) = self.postgres() else {
            return Ok(true);
        };
        let mut tx = pool.begin().await?;
        sqlx::query(
            "SELECT set_config('synchronous_commit', 'off', true), \
             pg_advisory_xact_lock(hashtextextended($1, 27))",
        )
        .bind(claim.key)
        .execute(&mut *tx)
        .await?;
        let live: i64 = sqlx::query_scalar(COUNTING)
            .bind(claim.key)
            .bind(claim.fresh_since)
            .bind(claim.node_id)
            .fetch_one(&mut *tx)
            .await?;
        if live >= claim.max {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO socket_places (place_id, key, node_id, since) VALUES ($1, $2, $3, $4)",
        )
        .bind(claim.place_id)
        .bind(claim.key)
        .bind(claim.node_id)
        .bind(claim.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives places back (their sockets closed).
    pub async fn release_socket_places(&self, place_ids: &[String]) -> sqlx::Result<()> {
        let Some(pool) = self.postgres() else {
            return Ok(());
        };
        sqlx::query("DELETE FROM socket_places WHERE place_id = ANY($1)")
            .bind(place_ids)
            .execute(pool)
            .await
            .map(drop)
    }

    /// Gives back every place of node `node_id` (it stops).
    pub async fn release_node_socket_places(&self, node_id: &str) -> sqlx::Result<()> {
        let Some(pool) = self.postgres() else {
            return Ok(());
        };
        sqlx::query("DELETE FROM socket_places WHERE node_id = $1")
            .bind(node_id)
            .execute(pool)
            .await
            .map(drop)
    }

    /// Deletes the places of other nodes that have not reported since `fresh_since` (they
    /// died), except places newer than that; how many went.
    pub async fn sweep_socket_places(&self, fresh_since: i64, node_id: &str) -> sqlx::Result<u64> {
        let Some(pool) = self.postgres() else {
            return Ok(0);
        };
        let sql = "DELETE FROM socket_places WHERE since < $1 AND node_id <> $2 AND NOT EXISTS \
                   (SELECT 1 FROM operator_presence p \
                    WHERE p.node_id = socket_places.node_id AND p.seen_at >= $1)";
        Ok(sqlx::query(sql)
            .bind(fresh_since)
            .bind(node_id)
            .execute(pool)
            .await?
            .rows_affected())
    }
}
