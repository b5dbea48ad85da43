; Calls that may run a shell command or a program (JavaScript, TypeScript and TSX).
; The callee's name is checked in Rust: the set depends on the file (aliases such as
; `const run = promisify(exec)`, and whether `exec` comes from child_process or shelljs).

; exec("…"), execSync("…"), spawn("x", [...]), cp.execSync("…"), Bun.spawn([...])
(call_expression
  function: [
    (identifier) @callee
    (member_expression
      object: (_) @object
      property: (property_identifier) @callee)
  ]
  arguments: (arguments) @args) @call

; Tagged templates: zx and Bun `$`…``, execa`…`, and `$({ cwd })`…``.
(call_expression
  function: [
    (identifier) @tag
    (call_expression function: (identifier) @tag)
  ]
  arguments: (template_string) @template) @call
