; Call sites whose first argument (or tagged template) may be SQL (JavaScript, TypeScript, TSX).
;
; One pattern, no alternations or predicates on the callee's shape: TypeScript parses
; `await pool.query<Row>(…)` with the `await` inside the callee and
; `prisma.$queryRaw<User[]>`…`` as a recovered instantiation expression, so the callee is
; unwrapped and its method name (`query`, `execute`, `raw`, `$executeRaw*`, `$queryRaw*`,
; `unsafe`, the `sql` tag) checked in Rust (src/fragment/js_sql.rs).
;
; @callee is the function part (`pool.query`, `prisma.$queryRaw`, `sql`); @args is the
; argument list or, for a tagged template, the template string.
(call_expression
  function: (_) @callee
  arguments: (_) @args) @call
