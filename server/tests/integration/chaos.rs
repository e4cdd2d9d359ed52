//! The short chaos run: real `switchboard serve` processes, killed with SIGKILL mid-chat and
//! started again, clients dropping their connections; nothing acknowledged is lost, nothing is
//! stored or delivered twice, nothing arrives out of order. (`loadgen chaos` is the long run.)

use std::path::Path;
use std::time::Duration;

use loadgen::chaos::{self, ChaosOptions, Report};
use loadgen::nodes::Cluster;
use switchboard::testing::postgres_server_url;

fn short_run(drops: usize) -> ChaosOptions {
    ChaosOptions {
        pairs: 5,
        duration: Duration::from_secs(4),
        send_every: Duration::from_millis(50),
        kills: 1,
        drops,
        window: 8,
        settle: Duration::from_secs(30),
    }
}

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_switchboard"))
}

/// What every chaos run must show: the chaos happened, and every message sent was stored once
/// and reached both parties once, in order.
fn assert_nothing_lost(report: &Report, options: &ChaosOptions, nodes: u64) {
    println!("{report}");
    assert_eq!(report.kills, options.kills as u64);
    assert!(
        report.drops > options.drops as u64 / 2,
        "only {} of {} drops found a connected party",
        report.drops,
        options.drops
    );
    // The parties on a killed node (an even share) open their sockets again, and each
    // dropped party once more.
    let parties = options.pairs as u64 * 2;
    assert!(
        report.reconnects >= parties / nodes * report.kills + report.drops,
        "{} reconnects",
        report.reconnects
    );
    assert!(
        report.sent >= 100,
        "only {} messages were sent",
        report.sent
    );
    assert_eq!(
        (
            report.lost,
            report.unacked,
            report.duplicated,
            report.out_of_order,
            report.refused
        ),
        (0, 0, 0, 0, 0),
        "lost, unacked, duplicated, out of order, refused"
    );
    assert_eq!(report.acked, report.sent);
    assert_eq!(report.stored, report.sent);
    assert_eq!(
        report.delivered,
        2 * report.stored,
        "each message reaches both parties"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_node_killed_mid_chat_loses_duplicates_and_reorders_nothing() {
    let options = short_run(20);
    let mut cluster = Cluster::sqlite(binary()).await.expect("start a node");
    let report = chaos::run(&mut cluster.nodes, &options).await;
    cluster.remove().await.expect("remove the node");
    assert_nothing_lost(&report.expect("the chaos run"), &options, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_postgres_nodes_killed_mid_chat_loses_duplicates_and_reorders_nothing() {
    let options = short_run(20);
    let mut cluster = match Cluster::postgres(binary(), &postgres_server_url(), 2).await {
        Ok(cluster) => cluster,
        Err(err) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("PostgreSQL is required in CI: {err:#}")
        }
        Err(err) => {
            eprintln!("skipped: no PostgreSQL ({err:#})");
            return;
        }
    };
    let report = chaos::run(&mut cluster.nodes, &options).await;
    cluster.remove().await.expect("remove the nodes");
    assert_nothing_lost(&report.expect("the chaos run"), &options, 2);
}
