; Calls that may run a shell command or a program (JavaScript, TypeScript and TSX).
;
; One pattern, no alternations: which callee names run commands is decided in Rust
; (src/fragment/javascript.rs), because it depends on the file (`exec` only when
; child_process or shelljs is imported; aliases such as `const run = promisify(exec)`).
; Alternations here cost ~5 ms of query compilation per dialect, most of a pre-commit run.
;
; @function is an identifier (`execSync`), a member expression (`cp.execSync`,
; `Bun.spawn`) or a call (`$({ cwd })`); @args is the argument list or, for tagged
; templates (zx and Bun `$`…``, execa`…`), the template string.
(call_expression
  function: (_) @function
  arguments: (_) @args) @call
