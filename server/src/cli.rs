//! The command line: `serve` (the default), `create-operator`, `reset-password`, `migrate` and
//! `health`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use switchboard::domain::{Email, PasswordInput};
use switchboard::wire::Role;
use switchboard::NewOperator;

use crate::settings::Settings;
use crate::startup::{open_engine, Application};

const HELP: &str = "\
Switchboard: self-hosted real-time support chat.

Usage:
  switchboard [serve]                          Serve the app (the default).
  switchboard create-operator --email E --name N [--role owner|admin|agent]
                                               Create an operator. The password is read from
                                               standard input; with nothing piped in, one is
                                               generated and printed once.
  switchboard reset-password --email E         Print a one-time link (30 minutes) to choose a
                                               new password, for an owner locked out.
  switchboard migrate                          Apply database migrations and exit.
  switchboard health                           Ask the server at LEPTOS_SITE_ADDR for /healthz;
                                               exit 0 when it answers 200 (a container's
                                               health check).
  switchboard --version                        Print the version and the commit it was built from.
  switchboard --help                           Show this help.

Settings come from the environment; see the README.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Serve the app.
    Serve,
    /// Create an operator.
    CreateOperator {
        /// `--email`.
        email: String,
        /// `--name`.
        name: String,
        /// `--role` (default `agent`; the first operator is the owner whatever is given).
        role: Role,
    },
    /// Print a one-time password reset link for an operator.
    ResetPassword {
        /// `--email`.
        email: String,
    },
    /// Apply migrations.
    Migrate,
    /// Ask the running server whether it serves.
    Health,
    /// Print the help.
    Help,
    /// Print the version.
    Version,
}

/// `switchboard <version> (<commit>)`: the commit is the one the binary was built from, as
/// `git` saw it at build time (`unknown` when built outside a Git checkout).
pub fn version() -> String {
    format!(
        "switchboard {} ({})",
        env!("CARGO_PKG_VERSION"),
        env!("SWITCHBOARD_COMMIT")
    )
}

/// Parses the arguments after the program name.
pub fn parse_args(args: &[String]) -> anyhow::Result<Command> {
    let Some((first, rest)) = args.split_first() else {
        return Ok(Command::Serve);
    };
    match first.as_str() {
        "serve" if rest.is_empty() => Ok(Command::Serve),
        "migrate" if rest.is_empty() => Ok(Command::Migrate),
        "health" if rest.is_empty() => Ok(Command::Health),
        "-h" | "--help" | "help" => Ok(Command::Help),
        "-V" | "--version" | "version" if rest.is_empty() => Ok(Command::Version),
        "create-operator" => {
            let (mut email, mut name, mut role) = (None, None, None);
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                let (key, inline) = match flag.split_once('=') {
                    Some((k, v)) => (k, Some(v.to_owned())),
                    None => (flag.as_str(), None),
                };
                let slot = match key {
                    "--email" => &mut email,
                    "--name" => &mut name,
                    "--role" => &mut role,
                    other => bail!("unknown option {other:?} for create-operator"),
                };
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .with_context(|| format!("{key} needs a value"))?,
                };
                *slot = Some(value);
            }
            Ok(Command::CreateOperator {
                email: email.context("create-operator needs --email")?,
                name: name.context("create-operator needs --name")?,
                role: match role.as_deref() {
                    None => Role::Agent,
                    Some(raw) => Role::parse(raw).with_context(|| {
                        format!("--role must be owner, admin or agent, not {raw:?}")
                    })?,
                },
            })
        }
        "reset-password" => match rest {
            [flag, value] if flag == "--email" => Ok(Command::ResetPassword {
                email: value.clone(),
            }),
            [flag] if flag.starts_with("--email=") => Ok(Command::ResetPassword {
                email: flag["--email=".len()..].to_owned(),
            }),
            _ => bail!("reset-password needs --email"),
        },
        other => bail!("unknown command {other:?}; try --help"),
    }
}

/// Runs the binary; returns the process's exit code.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(command) => command,
        Err(err) => {
            eprintln!("error: {err:#}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("{}", version());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    crate::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: starting the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.announce_first_operator()?;
            tracing::info!("listening on http://{}", app.address());
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Health => crate::health::probe(settings.site_addr).await,
        Command::Migrate => {
            open_engine(&settings).await?;
            println!("migrations applied to {}", settings.database_url.redacted());
            Ok(())
        }
        Command::CreateOperator { email, name, role } => {
            let email = Email::parse(&email)?;
            let (password, generated) = read_or_generate_password()?;
            let chosen = PasswordInput::parse_chosen("password", &password, &email)?;
            let engine = open_engine(&settings).await?;
            let operator = engine
                .create_operator(NewOperator {
                    email,
                    name,
                    password: chosen,
                    role,
                })
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!(
                "created operator {} <{}> ({})",
                operator.name,
                operator.email,
                operator.role.as_str()
            );
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(())
        }
        Command::ResetPassword { email } => {
            let email = Email::parse(&email)?;
            let engine = open_engine(&settings).await?;
            let link = engine
                .reset_link(&email)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!("a one-time link to choose a new password for {email} (30 minutes):");
            println!("{link}");
            Ok(())
        }
        Command::Help | Command::Version => Ok(()),
    }
}

/// The password from standard input (first line, newline removed), or a generated one when
/// standard input is a terminal or empty.
fn read_or_generate_password() -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut raw = String::new();
        stdin
            .lock()
            .read_to_string(&mut raw)
            .context("reading the password from standard input")?;
        let line = raw.lines().next().unwrap_or_default().to_owned();
        if !line.is_empty() {
            return Ok((line, false));
        }
    }
    Ok((switchboard::auth::generate_password(), true))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn version_is_asked_for_alone() {
        assert_eq!(parse_args(&args(&["--version"])).unwrap(), Command::Version);
        assert_eq!(parse_args(&args(&["-V"])).unwrap(), Command::Version);
        assert!(parse_args(&args(&["--version", "serve"])).is_err());
        assert!(version().starts_with(&format!("switchboard {} (", env!("CARGO_PKG_VERSION"))));
    }

    #[test]
    fn no_arguments_means_serve() {
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve);
        assert_eq!(parse_args(&args(&["serve"])).unwrap(), Command::Serve);
    }

    #[test]
    fn create_operator_takes_email_and_name_in_either_form() {
        let expected = Command::CreateOperator {
            email: "a@b.c".into(),
            name: "Ann Lee".into(),
            role: Role::Agent,
        };
        assert_eq!(
            parse_args(&args(&[
                "create-operator",
                "--email",
                "a@b.c",
                "--name",
                "Ann Lee"
            ]))
            .unwrap(),
            expected
        );
        assert_eq!(
            parse_args(&args(&[
                "create-operator",
                "--name=Ann Lee",
                "--email=a@b.c"
            ]))
            .unwrap(),
            expected
        );
    }

    #[test]
    fn create_operator_takes_a_role() {
        let parsed = parse_args(&args(&[
            "create-operator",
            "--email=a@b.c",
            "--name=Ann",
            "--role=admin",
        ]))
        .unwrap();
        assert!(matches!(
            parsed,
            Command::CreateOperator {
                role: Role::Admin,
                ..
            }
        ));
        assert!(parse_args(&args(&[
            "create-operator",
            "--email=a@b.c",
            "--name=Ann",
            "--role=boss",
        ]))
        .is_err());
    }

    #[test]
    fn reset_password_takes_an_email() {
        let expected = Command::ResetPassword {
            email: "a@b.c".into(),
        };
        assert_eq!(
            parse_args(&args(&["reset-password", "--email", "a@b.c"])).unwrap(),
            expected
        );
        assert_eq!(
            parse_args(&args(&["reset-password", "--email=a@b.c"])).unwrap(),
            expected
        );
        assert!(parse_args(&args(&["reset-password"])).is_err());
    }

    #[test]
    fn missing_or_unknown_options_are_errors() {
        assert!(parse_args(&args(&["create-operator", "--email", "a@b.c"])).is_err());
        assert!(parse_args(&args(&["create-operator", "--email"])).is_err());
        assert!(parse_args(&args(&["create-operator", "--role", "x"])).is_err());
        assert!(parse_args(&args(&["launch"])).is_err());
    }
}
