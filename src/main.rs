fn main() -> std::process::ExitCode {
    // Panics inside a file's lint are caught and reported as a skipped file; keep the
    // default message short.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("");
        eprintln!("dbguard: internal error{location}: {what}");
    }));
    // SQL is parsed by a recursive-descent parser: a statement nested a million levels deep
    // (a 2 MB file of `1 + 1 + …`) needs a few hundred MB of stack. Every thread gets that
    // much address space; only what is touched is ever committed.
    const STACK: usize = 1 << 30;
    if std::env::var_os("RUST_MIN_STACK").is_none() {
        // No other thread runs yet.
        std::env::set_var("RUST_MIN_STACK", STACK.to_string());
    }
    std::thread::Builder::new()
        .name("dbguard".into())
        .stack_size(STACK)
        .spawn(dbguard::cli::main)
        .ok()
        .and_then(|t| t.join().ok())
        .unwrap_or(std::process::ExitCode::from(2))
}
