//! The `kubesim` command: `kubesim run [--transcript] [--update] PATH...`.

/// mimalloc: the simulation allocates and frees many small objects; glibc malloc
/// spent a third of the time consolidating.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kubesim",
    version,
    about = "Runs Kubernetes scenario files against a simulated control plane"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs scenario files or folders and prints a report.
    Run {
        /// Also print each scenario as a console session (clock, commands, output).
        #[arg(long)]
        transcript: bool,
        /// Accept new and changed snapshots (never when CI is set).
        #[arg(long)]
        update: bool,
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    kubesim::alloc::tune();
    let cli = Cli::parse();
    match cli.command {
        Command::Run { transcript, update, paths } => {
            if update && std::env::var_os("CI").is_none() {
                // SAFETY: set before any other thread exists; insta reads it later.
                unsafe { std::env::set_var("INSTA_UPDATE", "always") };
            }
            let mut out = String::new();
            let code = kubesim::harness::report(&paths, transcript, &mut out);
            // Not `print!`: a closed stdout (`kubesim run ... | head`) must not panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
            ExitCode::from(code as u8)
        }
    }
}
