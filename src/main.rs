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
    dbguard::cli::main()
}
