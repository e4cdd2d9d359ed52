//! The `switchboard` binary: see `switchboard --help`.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
