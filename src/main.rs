fn main() -> std::process::ExitCode {
    dbguard::cli::main()
}
