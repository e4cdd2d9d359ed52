//! A decompression bomb is refused from its header: the server's peak memory does not move,
//! where decoding a real image of half its size does. A test binary of its own, so that nothing
//! else runs in the process whose peak it reads.

#[path = "integration/common/mod.rs"]
#[allow(unused)]
mod common;

use common::files::{png, png_bomb, upload, uploaded, Door};
use common::TestServer;

/// The process's peak resident memory so far, in KiB (`VmHWM`).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Starts the peak over from the memory in use now.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting the peak");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_png_bomb_is_refused_with_the_servers_memory_flat() {
    let server = TestServer::start().await;
    let customer = server.anonymous_widget().await;
    let door = Door::Customer(&customer);
    let bomb = png_bomb(10_000, 5_000);
    let real = png_bomb(5_000, 4_000);
    // Every code path runs once before anything is measured.
    uploaded(&server, &door, "warm.png", png(64, 64)).await;
    reset_peak();
    let before = peak_kib();
    for _ in 0..3 {
        let (status, body, _) = upload(&server, &door, "bomb.png", bomb.clone()).await;
        assert_eq!(status, 422, "{body}");
    }
    let bomb_growth = peak_kib().saturating_sub(before);
    reset_peak();
    let before = peak_kib();
    let file = uploaded(&server, &door, "large.png", real).await;
    assert_eq!(file["width"], 5_000);
    let real_growth = peak_kib().saturating_sub(before);
    println!(
        "peak memory growth: 50-megapixel bomb x3 {} KiB, 20-megapixel image {} KiB",
        bomb_growth, real_growth
    );
    assert!(
        bomb_growth < 16 * 1024,
        "refusing the bomb grew the peak by {bomb_growth} KiB"
    );
    assert!(
        real_growth > 16 * 1024,
        "decoding 20 megapixels must show in the peak ({real_growth} KiB), or this test measures nothing"
    );
}
