//! Crash reproducers found by fuzzing (`fuzz/`), replayed through exactly what the fuzz target
//! ran. A file `tests/regressions/TARGET-what.ext` is an input of fuzz target TARGET, bytes as
//! the fuzzer wrote them (for `javascript` and `pipeline` the first byte picks the dialect or
//! file kind).

#[path = "../fuzz/common.rs"]
mod fuzz_common;

use std::path::Path;

#[test]
fn fuzz_crash_reproducers_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/regressions") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let target = name.split('-').next().unwrap().to_string();
        let data = std::fs::read(&path).unwrap();
        // The binary's threads have 1 GiB stacks; so does the replay.
        let replay = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || {
                let text = || {
                    std::str::from_utf8(&data)
                        .expect("UTF-8 reproducer")
                        .to_string()
                };
                match target.as_str() {
                    "package_json" => fuzz_common::package_json(&text()),
                    "makefile" => fuzz_common::makefile(&text()),
                    "dockerfile" => fuzz_common::dockerfile(&text()),
                    "ci_yaml" => fuzz_common::ci_yaml(&text()),
                    "sql" => fuzz_common::sql(&String::from_utf8_lossy(&data)),
                    "javascript" => fuzz_common::javascript(
                        data[0],
                        std::str::from_utf8(&data[1..]).expect("UTF-8 reproducer"),
                    ),
                    "pipeline" => fuzz_common::pipeline(data[0], data[1..].to_vec()),
                    other => panic!("unknown fuzz target `{other}`"),
                }
            })
            .unwrap();
        if replay.join().is_err() {
            panic!("{name} fails again");
        }
        n += 1;
    }
    assert!(n > 0, "no reproducers in {}", dir.display());
}
