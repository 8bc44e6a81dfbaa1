// The checks that gate a full `npm test` (CI): typecheck, lint, format.
// Each runs to completion, but the first one that fails stops the run with one line saying
// which gate failed, how many problems it found, the first of them, and the command to reproduce.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The tools' own entry scripts, run with this node (node_modules/.bin is rebuilt by every npm install).
const tsc = 'node_modules/typescript/bin/tsc';
const eslint = 'node_modules/eslint/bin/eslint.js';
const prettier = 'node_modules/prettier/bin/prettier.cjs';

export const GATES = [
  {
    name: 'typecheck',
    commands: [
      [tsc, '-p', 'tsconfig.json', '--noEmit'],
      [tsc, '-p', 'apps/dashboard/tsconfig.json', '--noEmit'],
    ],
    // `path(line,col): error TS1234: …`
    problems: (out) => out.split('\n').filter((l) => /error TS\d+/.test(l)),
  },
  {
    name: 'lint',
    commands: [[eslint, '--max-warnings=0', '.']],
    problems: (out) => eslintProblems(out),
  },
  {
    name: 'format',
    commands: [[prettier, '--check', '--log-level=warn', '.']],
    // `[warn] path` for each unformatted file; the summary line is not a problem.
    problems: (out) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('[warn] ') && !/Code style issues|Forgot to run/.test(l))
        .map((l) => `${l.slice(7)} is not formatted (npx prettier --write ${l.slice(7)})`),
  },
];

// ESLint's stylish output: a file path line, then indented `line:col  error  message  rule` lines.
function eslintProblems(out) {
  const problems = [];
  let file = '';
  for (const line of out.split('\n')) {
    if (/^\S/.test(line) && !/^✖/.test(line)) file = line.trim();
    const m = /^\s+(\d+:\d+)\s+(error|warning)\s+(.*)$/.exec(line);
    if (m) problems.push(`${file}:${m[1]} ${m[2]} ${m[3].replace(/\s{2,}/g, '  ')}`);
  }
  return problems;
}

/** Runs the gates in order; returns `{ passed, failed, failures }`, stopping at the first failure. */
export function runGates(root, gates = GATES, log = console.log) {
  const result = { passed: 0, failed: 0, failures: [] };
  for (const gate of gates) {
    const started = Date.now();
    let output = '';
    let ok = true;
    for (const [script, ...args] of gate.commands) {
      if (!existsSync(join(root, script))) {
        output += `${script} is missing: dependencies are not installed (run npm ci)\n`;
        ok = false;
        break;
      }
      const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      output += `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`;
      if (r.status !== 0) ok = false;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) {
      log(`✔ gate ${gate.name} (${seconds}s)`);
      result.passed += 1;
      continue;
    }
    const problems = gate.problems(output);
    process.stderr.write(output.trimEnd() + '\n');
    // A tool that crashed has no problem lines: show its first line that says something.
    const said = output.split('\n').map((l) => l.trim());
    const first = problems[0] ?? said.find((l) => l && !/^(Oops!|ESLint: \d)/.test(l)) ?? 'no output';
    const count = problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}` : 'exit status non-zero';
    const line = `gate ${gate.name} failed (${count}): ${first}`;
    log(`✖ ${line}`);
    result.failed += 1;
    result.failures.push(line);
    break;
  }
  return result;
}
