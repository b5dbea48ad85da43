#!/usr/bin/env python3
"""Generate a synthetic, deterministic JS/TS monorepo for benchmarking dbguard.

    python3 bench/gen-corpus.py [OUT] [--staged DIR] [--seed N] [--force]

OUT defaults to target/bench-corpus; the staged (pre-commit-sized) scenario goes to DIR,
default OUT + "-staged". Standard library only; the same seed always gives the same bytes.

Layout (about 10,000 files):
  apps/*, packages/*, services/*   package.json, TS/TSX/JS sources, tests, READMEs, tsconfig
  .github/workflows/*.yml          ~50 GitHub workflows
  scripts/, */scripts/             ~100 shell scripts (some extension-less with a shebang)
  */Makefile, */Dockerfile         ~30 of each
  */prisma/migrations, */migrations ~500 SQL migrations
  docs/                            Markdown
  node_modules/                    ~3,000 files, excluded by the root .gitignore
  .bench/planted.tsv               every planted danger and look-alike (git-ignored, so
                                   neither dbguard nor rg reads it)

Planted lines are tagged in planted.tsv as:
  danger     a destructive command with a remote/ambient target (dbguard should report it)
  local      the same command pinned to a local/test database (reported as info at most)
  lookalike  near-misses: prisma migrate deploy, comments, echo, redis.flushall() in JS...
  ignored    a danger inside node_modules (must NOT be reported: .gitignore'd)
"""

import argparse
import json
import os
import random
import shutil
import sys

SEED = 20241121

TOTAL_TARGET = 10_000
N_NODE_MODULES = 3_000
N_PACKAGES = 300          # package.json files outside node_modules (incl. the root one)
N_WORKFLOWS = 50
N_SHELL = 100
N_MAKEFILES = 30
N_DOCKERFILES = 30
N_MIGRATIONS = 500
N_DOCS = 120              # docs/ pages, on top of one README per package

WORDS = (
    "user account order invoice product subscription session team project comment payment "
    "notification webhook audit report customer address cart coupon shipment refund plan "
    "member invite token profile setting feature flag tenant workspace file upload message "
    "thread channel event metric job queue task schedule price tax discount review rating"
).split()
VERBS = (
    "get list create update delete sync fetch load save build parse format validate "
    "normalize compute resolve render handle process enqueue dispatch archive restore merge"
).split()
ADJ = "active pending archived recent primary default public private stale paid draft".split()
APPS = ["web", "admin", "api", "worker", "dashboard", "marketing", "mobile-bff", "docs-site",
        "cron", "gateway", "checkout", "storefront"]
SERVICES = ["billing", "search", "notifications", "ingest", "auth", "analytics", "media",
            "reports"]
PROD_HOSTS = ["db.prod.internal", "pg-primary.acme.internal", "prod-db.acme.io",
              "10.0.12.4", "postgres.production.svc.cluster.local"]
NPM_DEPS = {
    "react": "^18.3.1", "react-dom": "^18.3.1", "next": "^14.2.15", "zod": "^3.23.8",
    "express": "^4.21.1", "@prisma/client": "^5.22.0", "ioredis": "^5.4.1",
    "@tanstack/react-query": "^5.59.16", "date-fns": "^3.6.0", "lodash": "^4.17.21",
    "pino": "^9.5.0", "bullmq": "^5.21.2", "stripe": "^17.3.0", "axios": "^1.7.7",
    "@supabase/supabase-js": "^2.45.6", "clsx": "^2.1.1", "dotenv": "^16.4.5",
    "drizzle-orm": "^0.36.1", "knex": "^3.1.0", "pg": "^8.13.1", "execa": "^9.5.1",
}
NPM_DEV_DEPS = {
    "typescript": "^5.6.3", "vitest": "^2.1.4", "eslint": "^9.14.0", "prettier": "^3.3.3",
    "tsx": "^4.19.2", "@types/node": "^20.17.6", "@types/react": "^18.3.12",
    "prisma": "^5.22.0", "dotenv-cli": "^7.4.2", "drizzle-kit": "^0.28.0",
    "supabase": "^1.207.9", "cross-env": "^7.0.3", "tsup": "^8.3.5",
}


class Corpus:
    def __init__(self, root, rng):
        self.root = root
        self.rng = rng
        self.files = 0
        self.planted = []  # (tag, path, line, text)

    def write(self, rel, lines_or_text, mode=None):
        path = os.path.join(self.root, rel)
        assert not os.path.exists(path), f"duplicate path {rel}"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = lines_or_text if isinstance(lines_or_text, str) else "\n".join(lines_or_text) + "\n"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        if mode:
            os.chmod(path, mode)
        self.files += 1
        return path

    def plant(self, tag, rel, lines, needle):
        """Records every line of `lines` (1-based) that contains `needle`."""
        exact = [i for i, line in enumerate(lines, 1) if line.strip() == needle.strip()]
        hits = exact or [i for i, line in enumerate(lines, 1) if needle in line]
        for i in hits:
            self.planted.append((tag, rel, i, lines[i - 1].strip()))


# --------------------------------------------------------------------------------- helpers

def camel(*parts):
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def pascal(*parts):
    return "".join(p[:1].upper() + p[1:] for p in parts)


def kebab(*parts):
    return "-".join(parts)


def lines_target(rng):
    return int(rng.triangular(50, 400, 130))


# ------------------------------------------------------------------------- TS/JS sources

def ts_imports(rng, kind, uses_prisma, ts):
    imps = []
    if kind == "component":
        imps.append('import React, { useCallback, useEffect, useMemo, useState } from "react";')
        imps.append('import clsx from "clsx";')
        if rng.random() < 0.6:
            imps.append('import { useQuery, useMutation } from "@tanstack/react-query";')
        imps.append(f'import {{ {pascal(rng.choice(WORDS))}Card }} from "../components/{pascal(rng.choice(WORDS))}Card";')
    if kind in ("handler", "service", "job"):
        if ts:
            imps.append('import type { Request, Response, NextFunction } from "express";')
        imps.append('import { z } from "zod";')
        imps.append('import pino from "pino";')
    if uses_prisma:
        imps.append('import { prisma } from "@acme/db";')
        if ts and rng.random() < 0.5:
            imps.append('import type { Prisma } from "@prisma/client";')
    if rng.random() < 0.3:
        imps.append('import { format, addDays, differenceInCalendarDays } from "date-fns";')
    if rng.random() < 0.3:
        imps.append('import { groupBy, sortBy, uniqBy } from "lodash";')
    if kind == "test":
        imps.append('import { describe, it, expect, beforeEach, vi } from "vitest";')
    imps.append(f'import {{ {camel(rng.choice(VERBS), rng.choice(WORDS))} }} from "./{rng.choice(WORDS)}";')
    if not ts:
        # CommonJS flavour for some JS files
        if rng.random() < 0.4:
            imps = [i.replace("import ", "// import ") for i in imps]
            imps.append('const path = require("node:path");')
            imps.append('const fs = require("node:fs/promises");')
    return imps + [""]


def ts_type_block(rng, ts):
    name = pascal(rng.choice(ADJ), rng.choice(WORDS))
    if not ts:
        return [f"/** @typedef {{{{ id: string, createdAt: Date }}}} {name} */", ""]
    fields = rng.sample(
        ["id: string;", "createdAt: Date;", "updatedAt: Date;", "email: string;",
         "name: string | null;", "status: \"active\" | \"pending\" | \"archived\";",
         "amountCents: number;", "currency: string;", "tenantId: string;",
         "metadata?: Record<string, unknown>;", "tags: string[];", "ownerId: string;",
         "deletedAt?: Date | null;", "priority: number;", "url: string;"],
        rng.randint(3, 8))
    kw = rng.choice(["export interface", "interface", "export type"])
    if kw == "export type":
        return [f"export type {name} = {{"] + ["  " + f for f in fields] + ["};", ""]
    return [f"{kw} {name} {{"] + ["  " + f for f in fields] + ["}", ""]


def zod_block(rng):
    w = rng.choice(WORDS)
    return [
        f"export const {camel(w, 'schema')} = z.object({{",
        "  id: z.string().uuid(),",
        f"  {camel(rng.choice(WORDS), 'id')}: z.string().min(1),",
        "  email: z.string().email().optional(),",
        f"  limit: z.coerce.number().int().min(1).max({rng.choice([50, 100, 500])}).default(20),",
        "  cursor: z.string().nullish(),",
        "});",
        "",
    ]


def prisma_service_block(rng, ts):
    model = rng.choice(WORDS)
    fn = camel(rng.choice(VERBS), model, rng.choice(["s", "ById", "ForTenant", "Page"]))
    arg = "(tenantId: string, limit = 20)" if ts else "(tenantId, limit = 20)"
    op = rng.choice(["findMany", "findFirst", "count", "groupBy"])
    body = [
        f"export async function {fn}{arg} {{",
        f"  const rows = await prisma.{model}.{op}({{",
        "    where: { tenantId, deletedAt: null },",
        f"    orderBy: {{ createdAt: \"{rng.choice(['asc', 'desc'])}\" }},",
        "    take: limit,",
        "  });",
    ]
    if rng.random() < 0.4:
        body += [
            "  await prisma.$transaction(async (tx) => {",
            f"    await tx.{rng.choice(WORDS)}.updateMany({{ where: {{ tenantId }}, data: {{ syncedAt: new Date() }} }});",
            f"    await tx.{rng.choice(WORDS)}.create({{ data: {{ tenantId, kind: \"{rng.choice(VERBS)}\" }} }});",
            "  });",
        ]
    if rng.random() < 0.2:
        body.append(f"  await prisma.{rng.choice(WORDS)}.deleteMany({{ where: {{ tenantId, expiresAt: {{ lt: new Date() }} }} }});")
    body += ["  return rows;", "}", ""]
    return body


def util_block(rng, ts):
    w = rng.choice(WORDS)
    t = ts
    variants = [
        [f"export function {camel('format', w)}(value{': number' if t else ''}, currency = \"USD\"){': string' if t else ''} {{",
         "  return new Intl.NumberFormat(\"en-US\", { style: \"currency\", currency }).format(value / 100);",
         "}", ""],
        [f"export const {camel('chunk', w, 's')} = {'<T,>' if t else ''}(items{': T[]' if t else ''}, size = {rng.choice([10, 25, 50, 100])}) => {{",
         f"  const out{': T[][]' if t else ''} = [];",
         "  for (let i = 0; i < items.length; i += size) {",
         "    out.push(items.slice(i, i + size));",
         "  }",
         "  return out;",
         "};", ""],
        [f"export function {camel('is', rng.choice(ADJ), w)}(x{': unknown' if t else ''}){': boolean' if t else ''} {{",
         "  if (typeof x !== \"object\" || x === null) return false;",
         f"  return \"{camel(w, 'Id')}\" in x && typeof (x{' as any' if t else ''}).{camel(w, 'Id')} === \"string\";",
         "}", ""],
        [f"export async function {camel('retry', w)}{'<T>' if t else ''}(fn{': () => Promise<T>' if t else ''}, attempts = 3){': Promise<T>' if t else ''} {{",
         "  let lastError;",
         "  for (let i = 0; i < attempts; i++) {",
         "    try {",
         "      return await fn();",
         "    } catch (err) {",
         "      lastError = err;",
         "      await new Promise((r) => setTimeout(r, 2 ** i * 100));",
         "    }",
         "  }",
         "  throw lastError;",
         "}", ""],
        [f"const {camel(w, 'Cache')} = new Map{'<string, { value: unknown; at: number }>' if t else ''}();",
         f"export function {camel('memo', w)}(key{': string' if t else ''}, ttlMs = 60_000) {{",
         f"  const hit = {camel(w, 'Cache')}.get(key);",
         "  if (hit && Date.now() - hit.at < ttlMs) return hit.value;",
         "  return undefined;",
         "}", ""],
    ]
    return rng.choice(variants)


def env_block(rng, ts):
    lines = ["export const config = {"]
    for var in rng.sample(["DATABASE_URL", "REDIS_URL", "SUPABASE_URL", "STRIPE_SECRET_KEY",
                           "NODE_ENV", "LOG_LEVEL", "SENTRY_DSN", "PORT", "S3_BUCKET",
                           "JWT_SECRET"], rng.randint(2, 5)):
        key = camel(*var.lower().split("_"))
        if var == "PORT":
            lines.append(f"  {key}: Number(process.env.PORT ?? 3000),")
        else:
            suffix = ' ?? ""' if rng.random() < 0.5 else ("!" if ts else "")
            lines.append(f"  {key}: process.env.{var}{suffix},")
    lines += ["}" + (" as const;" if ts else ";"), ""]
    return lines


def handler_block(rng, ts, uses_prisma):
    w = rng.choice(WORDS)
    sig = "(req: Request, res: Response, next: NextFunction)" if ts else "(req, res, next)"
    body = [
        f"export async function {camel('handle', rng.choice(VERBS), w)}{sig} {{",
        "  try {",
        f"    const input = {camel(rng.choice(WORDS), 'schema')}.parse(req.query);",
    ]
    if uses_prisma:
        body.append(f"    const items = await prisma.{w}.findMany({{ where: {{ tenantId: req.params.tenantId }}, take: input.limit }});")
    else:
        body.append(f"    const items = await {camel(rng.choice(VERBS), w, 's')}(input);")
    body += [
        "    res.json({ items, next: items.length ? items[items.length - 1].id : null });",
        "  } catch (err) {",
        f"    logger.error({{ err }}, \"{rng.choice(VERBS)} {w} failed\");",
        "    next(err);",
        "  }",
        "}",
        "",
    ]
    return body


def component_block(rng):
    w = rng.choice(WORDS)
    name = pascal(rng.choice(ADJ), w, rng.choice(["List", "Panel", "Table", "Form", "Card", "Modal"]))
    return [
        f"export function {name}({{ {camel(w, 'Id')}, onClose }}: {{ {camel(w, 'Id')}: string; onClose?: () => void }}) {{",
        "  const [open, setOpen] = useState(false);",
        f"  const [query, setQuery] = useState(\"\");",
        f"  const {{ data, isLoading }} = useQuery({{ queryKey: [\"{w}\", {camel(w, 'Id')}], queryFn: () => fetch(`/api/{w}s/${{{camel(w, 'Id')}}}`).then((r) => r.json()) }});",
        "  const filtered = useMemo(",
        "    () => (data?.items ?? []).filter((x: { name: string }) => x.name.toLowerCase().includes(query.toLowerCase())),",
        "    [data, query],",
        "  );",
        "  useEffect(() => {",
        "    if (!open) onClose?.();",
        "  }, [open, onClose]);",
        "  if (isLoading) return <Spinner size=\"sm\" />;",
        "  return (",
        f"    <section className={{clsx(\"rounded-lg border p-4\", open && \"shadow-md\")}} aria-label=\"{w}\">",
        "      <header className=\"flex items-center justify-between\">",
        f"        <h2 className=\"text-lg font-semibold\">{pascal(w)}s</h2>",
        "        <button type=\"button\" onClick={() => setOpen((o) => !o)}>Toggle</button>",
        "      </header>",
        "      <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder=\"Search…\" />",
        "      <ul>",
        "        {filtered.map((item: { id: string; name: string }) => (",
        "          <li key={item.id} className=\"py-1\">{item.name}</li>",
        "        ))}",
        "      </ul>",
        "    </section>",
        "  );",
        "}",
        "",
    ]


def class_block(rng, ts):
    w = rng.choice(WORDS)
    name = pascal(w, rng.choice(["Service", "Repository", "Client", "Store"]))
    priv = "private " if ts else ""
    return [
        f"export class {name} {{",
        f"  {priv}cache = new Map();",
        f"  constructor({priv + 'readonly ' if ts else ''}baseUrl{': string' if ts else ''} = process.env.API_URL ?? \"http://localhost:3000\") {{",
        *([] if ts else ["    this.baseUrl = baseUrl;"]),
        "  }",
        f"  async get(id{': string' if ts else ''}) {{",
        "    if (this.cache.has(id)) return this.cache.get(id);",
        f"    const res = await fetch(`${{this.baseUrl}}/{w}s/${{id}}`);",
        f"    if (!res.ok) throw new Error(`{w} ${{id}}: ${{res.status}}`);",
        "    const body = await res.json();",
        "    this.cache.set(id, body);",
        "    return body;",
        "  }",
        "  invalidate() {",
        "    this.cache.clear();",
        "  }",
        "}",
        "",
    ]


def test_block(rng, uses_prisma):
    w = rng.choice(WORDS)
    lines = [f"describe(\"{camel(rng.choice(VERBS), w)}\", () => {{", "  beforeEach(async () => {"]
    if uses_prisma:
        lines.append(f"    await prisma.{w}.deleteMany();")
    if rng.random() < 0.3:
        # look-alike: the ioredis method, not redis-cli
        lines.append("    await redis.flushall();")
    lines += [
        "    vi.useFakeTimers();",
        "  });",
        "",
        f"  it(\"returns {rng.choice(ADJ)} {w}s\", async () => {{",
        f"    const result = await {camel(rng.choice(VERBS), w, 's')}(\"tenant_1\");",
        "    expect(result).toHaveLength(0);",
        "  });",
        "",
        "  it(\"rejects bad input\", () => {",
        f"    expect(() => {camel(w, 'schema')}.parse({{}})).toThrow();",
        "  });",
        "});",
        "",
    ]
    return lines


# Look-alike snippets that appear in ordinary sources.
TS_LOOKALIKES = [
    '// NOTE: never run `prisma migrate reset --force` against production; use migrate deploy.',
    'const RESET_HINT = "run `npx prisma migrate reset` locally to rebuild the dev database";',
    'execSync("npx prisma generate", { stdio: "inherit" });',
    'execSync("npx prisma migrate deploy", { stdio: "inherit" });',
    'const sha = execSync("git rev-parse --short HEAD").toString().trim();',
    'spawn("pg_dump", ["--format=custom", "--file", backupPath, process.env.DATABASE_URL!]);',
    'logger.warn("dropdb is disabled in this environment");',
    'const { data } = await supabase.from("profiles").select("*").eq("id", userId);',
    'await redis.flushdb(); // test-only ioredis call on the isolated test instance',
    'execSync("supabase db diff --schema public", { stdio: "inherit" });',
]

TS_DANGERS = [
    'execSync("npx prisma db push --accept-data-loss", { stdio: "inherit" });',
    'execSync("npx prisma migrate reset --force", { stdio: "inherit" });',
    'await $`supabase db reset --linked`;',
    f'spawnSync("dropdb", ["-h", "{PROD_HOSTS[0]}", "app"], {{ stdio: "inherit" }});',
    'execSync(`redis-cli -u ${process.env.REDIS_URL} FLUSHALL`);',
    'await execa("npx", ["drizzle-kit", "push", "--force"]);',
    'execSync("pg_restore --clean --no-owner -d $DATABASE_URL backup.dump");',
]
TS_LOCAL = [
    'execSync("DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app_test npx prisma migrate reset --force");',
    'execSync("dropdb -h localhost app_test --if-exists");',
]


def gen_source(c, rel, kind, ts, tsx, uses_prisma, extra=None):
    """Writes one TS/JS source file of 50–400 lines."""
    rng = c.rng
    target = lines_target(rng)
    lines = ["/* eslint-disable @typescript-eslint/no-unused-vars */"] if rng.random() < 0.1 else []
    if kind in ("script",) or (extra and any("execSync" in e or "spawn" in e for e, _ in extra)):
        lines.append('import { execSync, spawn, spawnSync } from "node:child_process";')
        lines.append('import { $ } from "zx";')
        lines.append('import { execa } from "execa";')
    lines += ts_imports(rng, kind, uses_prisma, ts)
    lines.append('const logger = pino({ name: "%s" });' % rel.split("/")[1] if kind != "component" else "")
    pending = list(extra or [])
    while len(lines) < target:
        r = rng.random()
        if kind == "component" and tsx and r < 0.35:
            blk = component_block(rng)
        elif kind == "test" and r < 0.4:
            blk = test_block(rng, uses_prisma)
        elif uses_prisma and r < 0.45:
            blk = prisma_service_block(rng, ts)
        elif kind == "handler" and r < 0.6:
            blk = handler_block(rng, ts, uses_prisma)
        elif r < 0.62:
            blk = util_block(rng, ts)
        elif r < 0.72:
            blk = ts_type_block(rng, ts)
        elif r < 0.8:
            blk = zod_block(rng)
        elif r < 0.88:
            blk = class_block(rng, ts)
        elif r < 0.93:
            blk = env_block(rng, ts)
        else:
            blk = [f"// {rng.choice(VERBS)} the {rng.choice(ADJ)} {rng.choice(WORDS)} before returning; see docs/{rng.choice(WORDS)}.md", ""]
        if pending and rng.random() < 0.5:
            text, tag = pending.pop()
            blk = [f"export async function {camel(rng.choice(VERBS), rng.choice(WORDS), 'Step')}() {{",
                   "  " + text, "}", ""] + blk
        lines += blk
    for text, tag in pending:
        lines += ["export async function main() {", "  " + text, "}", ""]
    c.write(rel, lines)
    for text, tag in extra or []:
        c.plant(tag, rel, lines, text)


# ------------------------------------------------------------------------- package.json

def gen_package_json(c, rel, name, scripts, deps, private=True, extra_fields=None):
    lines = ["{", f'  "name": {json.dumps(name)},', '  "version": "%d.%d.%d",' % (
        c.rng.randint(0, 3), c.rng.randint(0, 20), c.rng.randint(0, 9))]
    if private:
        lines.append('  "private": true,')
    lines.append('  "type": "module",')
    if extra_fields:
        for k, v in extra_fields:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v)},")
    lines.append('  "scripts": {')
    items = list(scripts.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"    {json.dumps(k)}: {json.dumps(v)}{comma}")
    lines.append("  },")
    dep_items = list(deps[0].items())
    lines.append('  "dependencies": {')
    for i, (k, v) in enumerate(dep_items):
        lines.append(f"    {json.dumps(k)}: {json.dumps(v)}" + ("," if i < len(dep_items) - 1 else ""))
    lines.append("  },")
    dev_items = list(deps[1].items())
    lines.append('  "devDependencies": {')
    for i, (k, v) in enumerate(dev_items):
        lines.append(f"    {json.dumps(k)}: {json.dumps(v)}" + ("," if i < len(dev_items) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    c.write(rel, lines)
    return lines


PKG_DANGER_SCRIPTS = [
    ("db:reset", "dotenv -e .env -- prisma migrate reset --force"),
    ("db:push:force", "prisma db push --accept-data-loss"),
    ("db:nuke", "supabase db reset --linked"),
    ("cache:flush", "redis-cli -u $REDIS_URL flushall"),
    ("db:drop", "sequelize db:drop"),
    ("db:wipe", "npm run build && prisma migrate reset --force --skip-seed"),
    ("db:rollback:all", "knex migrate:rollback --all"),
    ("schema:drop", "typeorm schema:drop -d ./dist/data-source.js"),
    ("db:push:drizzle", "drizzle-kit push --force"),
    ("deploy:db", "prisma migrate dev --name auto && prisma generate"),
]
PKG_LOCAL_SCRIPTS = [
    ("db:test:reset", "dotenv -e .env.test -- prisma migrate reset --force"),
    ("db:local:reset", "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app prisma migrate reset --force"),
]
PKG_LOOKALIKE_SCRIPTS = [
    ("db:migrate", "prisma migrate deploy"),
    ("db:generate", "prisma generate"),
    ("db:studio", "prisma studio"),
    ("postinstall", "prisma generate"),
    ("db:status", "prisma migrate status"),
    ("db:migrate:dev", "prisma migrate dev"),
    ("supabase:types", "supabase gen types typescript --local > src/db.types.ts"),
    ("db:diff", "supabase db diff -f new_migration"),
    ("cache:warm", "node dist/warm-cache.js"),
    ("backup:list", "pg_restore --list backup.dump"),
]
PKG_PLAIN_SCRIPTS = [
    ("dev", "tsx watch src/index.ts"), ("build", "tsup src/index.ts --format esm,cjs --dts"),
    ("test", "vitest run"), ("test:watch", "vitest"), ("lint", "eslint . && tsc --noEmit"),
    ("format", "prettier --write ."), ("typecheck", "tsc -p tsconfig.json --noEmit"),
    ("clean", "rm -rf dist .turbo"), ("start", "node dist/index.js"),
]


def package_scripts(rng, danger=None, local=None, lookalikes=0):
    s = dict(rng.sample(PKG_PLAIN_SCRIPTS, rng.randint(3, 7)))
    for k, v in rng.sample(PKG_LOOKALIKE_SCRIPTS, lookalikes):
        s[k] = v
    if local:
        s[local[0]] = local[1]
    if danger:
        s[danger[0]] = danger[1]
    return s


def package_deps(rng, uses_prisma):
    deps = dict(rng.sample(sorted(NPM_DEPS.items()), rng.randint(3, 9)))
    dev = dict(rng.sample(sorted(NPM_DEV_DEPS.items()), rng.randint(3, 7)))
    if uses_prisma:
        deps["@prisma/client"] = NPM_DEPS["@prisma/client"]
        dev["prisma"] = NPM_DEV_DEPS["prisma"]
    return dict(sorted(deps.items())), dict(sorted(dev.items()))


# ------------------------------------------------------------------------- shell scripts

SH_DANGERS = [
    f"dropdb -h {PROD_HOSTS[0]} app",
    'pg_restore --clean --no-owner -d "$DATABASE_URL" "$BACKUP_FILE"',
    'redis-cli -h "$REDIS_HOST" FLUSHALL',
    "npx prisma migrate reset --force",
    "supabase db reset --linked",
    f"dropdb --host={PROD_HOSTS[1]} --if-exists acme",
    "mongosh \"$MONGO_URL\" --eval 'db.dropDatabase()'",
    "npx knex migrate:rollback --all --env production",
    "npx sequelize-cli db:drop --env production",
    "npx typeorm schema:drop -d dist/data-source.js",
    "bin/rails db:drop DISABLE_DATABASE_ENVIRONMENT_CHECK=1",
    "npx prisma db push --accept-data-loss",
]
SH_LOCAL = [
    "dropdb -h localhost app_test --if-exists",
    "redis-cli -h 127.0.0.1 flushdb",
    "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app_test npx prisma migrate reset --force",
]
SH_LOOKALIKES = [
    f"# dropdb -h {PROD_HOSTS[0]} app   # kept for reference, do NOT uncomment",
    'echo "refusing to run dropdb against $PGHOST"',
    'pg_restore --list "$BACKUP_FILE" > /dev/null',
    "npx prisma migrate deploy",
    "npx prisma generate",
    'pg_dump --format=custom --file "backup-$(date +%F).dump" "$DATABASE_URL"',
    'redis-cli -h "$REDIS_HOST" ping',
    "supabase db diff --linked --schema public",
    'createdb -h localhost "app_${CI_JOB_ID:-dev}"',
    'log "supabase db reset is only allowed locally"',
]


def gen_shell(c, rel, dangers, locals_, lookalikes, shebang=True):
    rng = c.rng
    name = os.path.basename(rel)
    lines = []
    if shebang:
        lines.append(rng.choice(["#!/usr/bin/env bash", "#!/bin/bash", "#!/bin/sh", "#!/usr/bin/env -S bash -eu"]))
    lines += [
        f"# {name}: {rng.choice(VERBS)} the {rng.choice(WORDS)} {rng.choice(['database', 'cache', 'stack', 'backups', 'fixtures'])}.",
        "# Usage: see docs/runbooks.md",
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        "",
        'log() { printf "[%s] %s\\n" "$(date +%H:%M:%S)" "$*" >&2; }',
        "",
        ': "${DATABASE_URL:?DATABASE_URL must be set}"',
        'BACKUP_FILE="${BACKUP_FILE:-backup.dump}"',
        'REDIS_HOST="${REDIS_HOST:-localhost}"',
        "",
    ]
    payload = [(d, "danger") for d in dangers] + [(d, "local") for d in locals_] + [(d, "lookalike") for d in lookalikes]
    rng.shuffle(payload)
    target = rng.randint(25, 120)
    fillers = [
        ['if [[ "${CI:-}" == "true" ]]; then', '  log "running in CI"', "fi"],
        ['for svc in api worker web; do', '  log "restarting $svc"', '  docker compose restart "$svc"', "done"],
        ["docker compose up -d db redis", 'until pg_isready -h localhost -p 5432 >/dev/null 2>&1; do sleep 1; done'],
        ['case "${1:-}" in', "  --help|-h) sed -n '2,3p' \"$0\"; exit 0 ;;", "  *) ;;", "esac"],
        ['pnpm install --frozen-lockfile', 'pnpm -r build'],
        ['aws s3 cp "s3://acme-backups/nightly/latest.dump" "$BACKUP_FILE"'],
        ['psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "select count(*) from users"'],
        ['trap \'log "failed at line $LINENO"\' ERR'],
    ]
    while len(lines) < target or payload:
        if payload and rng.random() < 0.3:
            text, _ = payload.pop()
            lines.append(text)
        else:
            lines += rng.choice(fillers)
        lines.append("")
    lines.append('log "done"')
    c.write(rel, lines, mode=0o755)
    for d in dangers:
        c.plant("danger", rel, lines, d)
    for d in locals_:
        c.plant("local", rel, lines, d)
    for d in lookalikes:
        c.plant("lookalike", rel, lines, d)


# ------------------------------------------------------------------------- CI, Make, Docker

def gen_workflow(c, rel, i, danger=None, lookalike=True):
    rng = c.rng
    name = os.path.splitext(os.path.basename(rel))[0]
    pkg = rng.choice(APPS)
    lines = [
        f"name: {name}",
        "on:",
        "  push:",
        "    branches: [main]",
        "  pull_request:",
        "",
        "concurrency:",
        "  group: ${{ github.workflow }}-${{ github.ref }}",
        "  cancel-in-progress: true",
        "",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
    ]
    if danger and "deploy" in name:
        lines.append("    environment: production")
    lines += [
        "    env:",
        "      DATABASE_URL: ${{ secrets.DATABASE_URL }}",
        "      NODE_OPTIONS: --max-old-space-size=4096",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: pnpm/action-setup@v4",
        "      - uses: actions/setup-node@v4",
        "        with:",
        "          node-version: 20",
        "          cache: pnpm",
        "      - run: pnpm install --frozen-lockfile",
        f"      - run: pnpm --filter @acme/{pkg} build",
        f"      - run: pnpm --filter @acme/{pkg} test -- --reporter=dot",
    ]
    if lookalike:
        lines += ["      - name: Migrate", "        run: npx prisma migrate deploy"]
    if danger:
        lines += ["      - name: Prepare database", "        run: |",
                  "          echo \"preparing $GITHUB_REF\"", f"          {danger}"]
    if rng.random() < 0.5:
        lines += ["      - name: Upload coverage", "        uses: actions/upload-artifact@v4",
                  "        with:", "          name: coverage", "          path: coverage/"]
    c.write(rel, lines)
    if danger:
        c.plant("danger", rel, lines, danger)
    if lookalike:
        c.plant("lookalike", rel, lines, "prisma migrate deploy")


def gen_makefile(c, rel, danger=None):
    lines = [
        ".PHONY: dev build test lint db-migrate db-reset docker",
        "SHELL := /bin/bash",
        "PNPM ?= pnpm",
        "",
        "dev:",
        "\t$(PNPM) dev",
        "",
        "build:",
        "\t$(PNPM) build",
        "",
        "test:",
        "\t$(PNPM) test -- --run",
        "",
        "lint:",
        "\t$(PNPM) lint",
        "",
        "db-migrate:",
        "\tnpx prisma migrate deploy",
        "",
        "db-generate:",
        "\t@npx prisma generate",
        "",
        "docker:",
        "\tdocker build -t acme/$(notdir $(CURDIR)):latest .",
        "",
    ]
    if danger:
        lines += ["db-reset:", f"\t{danger}", ""]
    c.write(rel, lines)
    c.plant("lookalike", rel, lines, "prisma migrate deploy")
    if danger:
        c.plant("danger", rel, lines, danger)


def gen_dockerfile(c, rel, danger=None):
    lines = [
        "# syntax=docker/dockerfile:1.7",
        "FROM node:20-alpine AS deps",
        "WORKDIR /app",
        "RUN corepack enable",
        "COPY package.json pnpm-lock.yaml ./",
        "RUN --mount=type=cache,target=/root/.local/share/pnpm pnpm install --frozen-lockfile",
        "",
        "FROM deps AS build",
        "COPY . .",
        "RUN npx prisma generate \\",
        " && pnpm build",
        "",
        "FROM node:20-alpine",
        "WORKDIR /app",
        "ENV NODE_ENV=production",
        "COPY --from=build /app/dist ./dist",
        "COPY --from=build /app/node_modules ./node_modules",
    ]
    if danger:
        lines.append(f"RUN {danger}")
    lines += ['CMD ["sh", "-c", "npx prisma migrate deploy && node dist/server.js"]']
    c.write(rel, lines)
    if danger:
        c.plant("danger", rel, lines, danger)


# ------------------------------------------------------------------------- SQL, docs, misc

def gen_migration(c, rel, i):
    rng = c.rng
    t = rng.choice(WORDS)
    lines = [f"-- Migration {i:04d}: {rng.choice(VERBS)} {t}"]
    r = rng.random()
    if r < 0.4:
        lines += [f'CREATE TABLE "{t}_{i}" (',
                  '    "id" TEXT NOT NULL,',
                  '    "tenantId" TEXT NOT NULL,',
                  '    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,',
                  '    "updatedAt" TIMESTAMP(3) NOT NULL,',
                  f'    CONSTRAINT "{t}_{i}_pkey" PRIMARY KEY ("id")',
                  ");", "",
                  f'CREATE INDEX "{t}_{i}_tenantId_idx" ON "{t}_{i}"("tenantId");']
    elif r < 0.7:
        lines += [f'ALTER TABLE "{t}" ADD COLUMN "{rng.choice(WORDS)}Id" TEXT;',
                  f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_fk_{i}" FOREIGN KEY ("tenantId") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;']
    elif r < 0.85:
        # drop-column and drop-table dangers
        drops = [f'ALTER TABLE "{t}" DROP COLUMN "{rng.choice(WORDS)}";',
                 f'DROP TABLE IF EXISTS "{t}_legacy";']
        lines += drops
    elif r < 0.92:
        # SQL look-alikes: a statement in a comment, a DELETE with its WHERE on the next line
        lookalikes = [f'-- DROP TABLE "{t}"; (kept for reference)',
                      f'DELETE FROM "{t}"',
                      '    WHERE "tenantId" = \'t_0\';']
        lines += lookalikes
    else:
        lines += ["-- This is an empty migration.", "SELECT 1;"]
    for _ in range(rng.randint(0, 25)):
        lines.append(f'INSERT INTO "{t}_{i}" ("id", "tenantId", "updatedAt") VALUES (\'{rng.getrandbits(64):016x}\', \'t_{rng.randint(1, 99)}\', now());')
    c.write(rel, lines)
    if 0.7 <= r < 0.85:
        for d in drops:
            c.plant("danger", rel, lines, d)
    elif 0.85 <= r < 0.92:
        for l in lookalikes[:2]:
            c.plant("lookalike", rel, lines, l)


def gen_markdown(c, rel, title):
    rng = c.rng
    lines = [f"# {title}", ""]
    for _ in range(rng.randint(3, 12)):
        lines += [f"## {pascal(rng.choice(VERBS))} {rng.choice(WORDS)}s", "",
                  f"The {rng.choice(ADJ)} {rng.choice(WORDS)} flow {rng.choice(VERBS)}s each {rng.choice(WORDS)} "
                  f"and then {rng.choice(VERBS)}s the {rng.choice(WORDS)}. See `src/{rng.choice(WORDS)}.ts`.", ""]
        if rng.random() < 0.3:
            # Markdown is never linted: dangerous commands in docs are not findings.
            lines += ["```sh", rng.choice(["npx prisma migrate reset --force", f"dropdb -h {PROD_HOSTS[0]} app",
                                          "redis-cli flushall", "supabase db reset", "pnpm dev"]), "```", ""]
    c.write(rel, lines)


def gen_tsconfig(c, rel):
    c.write(rel, json.dumps({"extends": "../../tsconfig.base.json",
                             "compilerOptions": {"outDir": "dist", "rootDir": "src"},
                             "include": ["src"]}, indent=2))


# ------------------------------------------------------------------------- node_modules

def gen_node_modules(c, n):
    rng = c.rng
    names = sorted(set(list(NPM_DEPS) + list(NPM_DEV_DEPS) + [
        f"{a}-{b}" for a in ["fast", "tiny", "is", "get", "has", "micro", "safe", "json", "p", "to"]
        for b in ["glob", "deep", "equal", "stream", "buffer", "path", "queue", "retry", "parse", "type"]]))
    written = 0
    idx = 0
    while written < n:
        name = names[idx % len(names)] + ("" if idx < len(names) else f"-{idx // len(names)}")
        idx += 1
        base = f"node_modules/{name}"
        scripts = {"build": "tsc", "test": "mocha"}
        if name == "prisma":
            scripts["reset"] = "prisma migrate reset --force"
        elif idx % 97 == 0:
            scripts["prepublishOnly"] = "prisma db push --accept-data-loss"
        lines = gen_package_json(c, base + "/package.json", name, scripts, ({}, {}), private=False)
        for k, v in scripts.items():
            if "reset" in v or "accept-data-loss" in v:
                c.plant("ignored", base + "/package.json", lines, v)
        written += 1
        for j in range(rng.randint(3, 12)):
            if written >= n:
                break
            ext = rng.choice(["js", "js", "cjs", "mjs", "d.ts", "md", "map"])
            rel = f"{base}/{'dist' if j % 2 else 'lib'}/{rng.choice(WORDS)}{j}.{ext}"
            if ext == "md":
                c.write(rel, f"# {name}\n\nInternal notes.\n")
            elif ext == "map":
                c.write(rel, '{"version":3,"sources":["../src/index.ts"],"mappings":"AAAA"}\n')
            else:
                body = ['"use strict";', f"// {name} v1", "Object.defineProperty(exports, \"__esModule\", { value: true });"]
                for _ in range(rng.randint(10, 80)):
                    body.append(f"function {camel(rng.choice(VERBS), rng.choice(WORDS))}(a, b) {{ return a === b ? a : b; }}")
                if j == 0 and idx % 50 == 0:
                    body.append('require("child_process").execSync("prisma migrate reset --force");')
                    c.plant("ignored", rel, body, "prisma migrate reset --force")
                c.write(rel, body)
            written += 1


# ------------------------------------------------------------------------- staged scenario

def gen_staged(root, rng):
    """20 small mixed files, as a pre-commit hook would pass them."""
    c = Corpus(root, rng)
    for i in range(6):
        tsx = i % 2 == 0
        ext = "tsx" if tsx else "ts"
        kind = "component" if tsx else "handler"
        extra = [(TS_DANGERS[0], "danger")] if i == 1 else ([(TS_LOOKALIKES[3], "lookalike")] if i == 3 else None)
        gen_source_small(c, f"apps/web/src/{pascal(rng.choice(WORDS))}{i}.{ext}", kind, True, tsx, i % 3 == 0, extra)
    for i in range(2):
        gen_source_small(c, f"packages/utils/src/{rng.choice(WORDS)}{i}.js", "util", False, False, False, None)
    for i, app in enumerate(["web", "api", "worker"]):
        danger = PKG_DANGER_SCRIPTS[0] if i == 0 else None
        lines = gen_package_json(c, f"apps/{app}/package.json", f"@acme/{app}",
                                 package_scripts(rng, danger, None, 3), package_deps(rng, True))
        if danger:
            c.plant("danger", f"apps/{app}/package.json", lines, danger[1])
    gen_shell(c, "scripts/restore.sh", [SH_DANGERS[1]], [], [SH_LOOKALIKES[2]])
    gen_shell(c, "scripts/dev-reset.sh", [], [SH_LOCAL[0]], [SH_LOOKALIKES[3]])
    gen_workflow(c, ".github/workflows/ci.yml", 0)
    gen_makefile(c, "Makefile")
    gen_dockerfile(c, "apps/api/Dockerfile")
    for i in range(2):
        gen_migration(c, f"packages/db/prisma/migrations/2024112{i}000000_m{i}/migration.sql", i)
    gen_markdown(c, "docs/changelog.md", "Changelog")
    gen_markdown(c, "apps/web/README.md", "web")
    return c


def gen_source_small(c, rel, kind, ts, tsx, uses_prisma, extra):
    rng = c.rng
    lines = ts_imports(rng, kind, uses_prisma, ts)
    if extra:
        lines.insert(0, 'import { execSync } from "node:child_process";')
    lines += util_block(rng, ts)
    if tsx:
        lines += component_block(rng)
    elif uses_prisma:
        lines += prisma_service_block(rng, ts)
    for text, tag in extra or []:
        lines += ["export function run() {", "  " + text, "}", ""]
    c.write(rel, lines)
    for text, tag in extra or []:
        c.plant(tag, rel, lines, text)


# ------------------------------------------------------------------------- main

def generate(root, seed):
    rng = random.Random(seed)
    c = Corpus(root, rng)
    c.write(".gitignore", ["node_modules/", "dist/", ".turbo/", "coverage/", "*.log", ".env", ".bench/"])
    c.write("pnpm-workspace.yaml", ["packages:", '  - "apps/*"', '  - "packages/*"', '  - "services/*"'])
    c.write("tsconfig.base.json", json.dumps({"compilerOptions": {"target": "ES2022", "module": "ESNext",
                                                                  "strict": True, "jsx": "react-jsx"}}, indent=2))
    c.write(".env.example", ["DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app",
                             "REDIS_URL=redis://localhost:6379", "SUPABASE_URL=http://localhost:54321"])
    root_scripts = {"build": "turbo run build", "test": "turbo run test", "lint": "turbo run lint",
                    "db:migrate": "pnpm --filter @acme/db exec prisma migrate deploy"}
    gen_package_json(c, "package.json", "acme-monorepo", root_scripts,
                     ({}, {"turbo": "^2.2.3", "typescript": "^5.6.3"}), extra_fields=[("packageManager", "pnpm@9.12.3")])

    # Packages: apps/*, services/*, packages/* — N_PACKAGES - 1 package.json files.
    pkgs = [f"apps/{a}" for a in APPS] + [f"services/{s}" for s in SERVICES]
    i = 0
    while len(pkgs) < N_PACKAGES - 1:
        pkgs.append(f"packages/{kebab(WORDS[i % len(WORDS)], ['core', 'ui', 'client', 'sdk', 'utils', 'hooks', 'schema'][i // len(WORDS) % 7])}")
        i += 1

    # Danger budget: ~100 in total, spread over hosts.
    pkg_danger_idx = set(rng.sample(range(len(pkgs)), 36))
    pkg_local_idx = set(rng.sample(range(len(pkgs)), 12))
    ts_danger_idx = set(rng.sample(range(len(pkgs)), 22))
    for n, p in enumerate(pkgs):
        uses_prisma = p.startswith(("apps/", "services/")) or rng.random() < 0.35
        danger = PKG_DANGER_SCRIPTS[n % len(PKG_DANGER_SCRIPTS)] if n in pkg_danger_idx else None
        local = rng.choice(PKG_LOCAL_SCRIPTS) if n in pkg_local_idx else None
        lines = gen_package_json(c, f"{p}/package.json", "@acme/" + p.split("/")[1],
                                 package_scripts(rng, danger, local, rng.randint(0, 4) if uses_prisma else 0),
                                 package_deps(rng, uses_prisma))
        for k, v in list(json.loads("\n".join(lines))["scripts"].items()):
            if danger and k == danger[0]:
                c.plant("danger", f"{p}/package.json", lines, json.dumps(v))
            elif local and k == local[0]:
                c.plant("local", f"{p}/package.json", lines, json.dumps(v))
            elif (k, v) in PKG_LOOKALIKE_SCRIPTS:
                c.plant("lookalike", f"{p}/package.json", lines, json.dumps(v))
        gen_tsconfig(c, f"{p}/tsconfig.json")
        gen_markdown(c, f"{p}/README.md", "@acme/" + p.split("/")[1])
        if n in ts_danger_idx:
            d = TS_DANGERS[n % len(TS_DANGERS)]
            gen_source(c, f"{p}/scripts/{rng.choice(['seed', 'reset-db', 'setup', 'migrate', 'bootstrap'])}.ts",
                       "script", True, False, True, [(d, "danger"), (rng.choice(TS_LOOKALIKES), "lookalike")])
        elif n % 23 == 0:
            gen_source(c, f"{p}/scripts/test-db.ts", "script", True, False, True,
                       [(TS_LOCAL[n % len(TS_LOCAL)], "local")])

    # Non-source files (counted so the TS/JS sources fill the rest of the budget).
    os.makedirs(os.path.join(root, ".github/workflows"), exist_ok=True)
    wf_danger = {
        3: "npx prisma migrate reset --force",
        9: "npx prisma db push --accept-data-loss",
        14: "npx prisma migrate dev --name auto",
        19: "supabase db reset --linked",
        25: 'pg_restore --clean -d "$DATABASE_URL" latest.dump',
        31: "npx knex migrate:rollback --all",
        37: f"dropdb -h {PROD_HOSTS[2]} acme",
        42: 'redis-cli -u "$REDIS_URL" FLUSHALL',
    }
    used_wf = set()
    wf_names = ["ci", "deploy", "release", "preview", "nightly", "e2e", "lint", "codeql"]
    for w in range(N_WORKFLOWS):
        base = wf_names[w % len(wf_names)]
        name = f"{base}-{APPS[w % len(APPS)]}" if w >= len(wf_names) else base
        while name in used_wf:
            name += "-v2"
        used_wf.add(name)
        if w == 14:
            name = f"deploy-{APPS[w % len(APPS)]}"
        gen_workflow(c, f".github/workflows/{name}.yml", w, wf_danger.get(w), lookalike=w % 3 == 0)

    # Shell scripts: ~100, 25 with dangers; some extension-less with a shebang (bin/*).
    sh_dirs = ["scripts"] + [f"{p}/scripts" for p in pkgs[:20]] + ["bin", "ops/runbooks"]
    for s in range(N_SHELL):
        d = sh_dirs[s % len(sh_dirs)]
        stem = f"{rng.choice(['reset', 'restore', 'backup', 'seed', 'migrate', 'deploy', 'cleanup', 'bootstrap', 'sync'])}-{rng.choice(WORDS)}-{s}"
        rel = f"{d}/{stem}" if d == "bin" else f"{d}/{stem}.sh"
        dangers = [SH_DANGERS[s % len(SH_DANGERS)]] if s % 4 == 1 else []
        locals_ = [SH_LOCAL[s % len(SH_LOCAL)]] if s % 7 == 2 else []
        looks = rng.sample(SH_LOOKALIKES, rng.randint(1, 3))
        gen_shell(c, rel, dangers, locals_, looks)

    mk_dangers = ["npx prisma migrate reset --force", "dropdb -h $(DB_HOST) $(DB_NAME)",
                  "redis-cli -h cache.prod.internal flushall", "npx supabase db reset --linked"]
    for m in range(N_MAKEFILES):
        p = pkgs[m * 7 % len(pkgs)] if m else "."
        gen_makefile(c, f"{p}/Makefile".lstrip("./"), mk_dangers[m // 8] if m % 8 == 5 else None)
    df_dangers = ["npx prisma db push --accept-data-loss", "npx prisma migrate dev --name init",
                  "npx prisma migrate reset --force --skip-seed"]
    for d in range(N_DOCKERFILES):
        p = pkgs[(d * 5 + 1) % len(pkgs)]
        name = "Dockerfile" if d % 5 else "Dockerfile.worker"
        gen_dockerfile(c, f"{p}/{name}", df_dangers[d // 10] if d % 10 == 4 else None)

    for m in range(N_MIGRATIONS):
        if m < 320:
            rel = f"packages/db/prisma/migrations/{20230101000000 + m * 1013:014d}_{rng.choice(VERBS)}_{rng.choice(WORDS)}/migration.sql"
        else:
            svc = SERVICES[m % len(SERVICES)]
            rel = f"services/{svc}/migrations/{m:04d}_{rng.choice(VERBS)}_{rng.choice(WORDS)}.sql"
        gen_migration(c, rel, m)
    for dnum in range(N_DOCS):
        gen_markdown(c, f"docs/{rng.choice(['guides', 'adr', 'runbooks', 'api'])}/{dnum:03d}-{rng.choice(VERBS)}-{rng.choice(WORDS)}.md",
                     f"{pascal(rng.choice(VERBS))} {rng.choice(WORDS)}s")

    gen_node_modules(c, N_NODE_MODULES)

    # Fill the remaining budget with TS/JS sources spread over the packages.
    remaining = TOTAL_TARGET - c.files
    layouts = [
        ("src/components/{P}.tsx", "component", True, True),
        ("src/components/{P}.tsx", "component", True, True),
        ("src/hooks/use{P}.ts", "util", True, False),
        ("src/lib/{c}.ts", "service", True, False),
        ("src/lib/{c}.ts", "service", True, False),
        ("src/api/{c}.ts", "handler", True, False),
        ("src/api/{c}.ts", "handler", True, False),
        ("src/utils/{c}.js", "util", False, False),
        ("src/jobs/{c}.mjs", "job", False, False),
        ("src/{c}.test.ts", "test", True, False),
        ("src/types/{c}.d.ts", "types", True, False),
    ]
    for k in range(remaining):
        p = pkgs[k % len(pkgs)]
        tmpl, kind, ts, tsx = layouts[rng.randrange(len(layouts))]
        w = rng.choice(WORDS)
        rel = f"{p}/" + tmpl.format(P=pascal(rng.choice(ADJ), w) + str(k), c=camel(rng.choice(VERBS), w) + str(k))
        uses_prisma = kind in ("service", "handler", "job", "test") and rng.random() < 0.55
        extra = [(rng.choice(TS_LOOKALIKES), "lookalike")] if rng.random() < 0.04 else None
        if kind == "types":
            c.write(rel, ts_type_block(rng, True) * rng.randint(3, 15))
        else:
            gen_source(c, rel, kind, ts, tsx, uses_prisma, extra)

    os.makedirs(os.path.join(root, ".bench"), exist_ok=True)
    with open(os.path.join(root, ".bench/planted.tsv"), "w", encoding="utf-8") as f:
        f.write("tag\tpath\tline\ttext\n")
        for tag, rel, line, text in sorted(c.planted, key=lambda t: (t[1], t[2], t[0])):
            f.write(f"{tag}\t{rel}\t{line}\t{text}\n")
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="target/bench-corpus")
    ap.add_argument("--staged", default=None, help="staged-commit scenario dir (default: OUT-staged)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--force", action="store_true", help="delete OUT and the staged dir first")
    args = ap.parse_args()
    out = args.out.rstrip("/")
    staged = args.staged or out + "-staged"
    for d in (out, staged):
        if os.path.exists(d):
            if not args.force:
                sys.exit(f"{d} exists; pass --force to regenerate")
            shutil.rmtree(d)
    c = generate(out, args.seed)
    s = gen_staged(staged, random.Random(args.seed + 1))
    tags = {}
    for t, *_ in c.planted:
        tags[t] = tags.get(t, 0) + 1
    print(f"corpus: {out}: {c.files} files; planted: "
          + ", ".join(f"{k}={v}" for k, v in sorted(tags.items())))
    print(f"staged: {staged}: {s.files} files; planted dangers: "
          + str(sum(1 for t in s.planted if t[0] == "danger")))


if __name__ == "__main__":
    main()
