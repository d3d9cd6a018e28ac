//! One test per scenario file under `scenarios/`, named by its path.

fn main() -> std::process::ExitCode {
    kubesim::harness::run_tests(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
}
