"""Per-module mutation score from mutmut meta files. usage: score.py META_ROOT [AFTER_META_ROOT]
killed = any non-zero exit except 33 (no tests) and 34 (skipped); 'not checked' (None) are left out
(not sampled). Import-time decorator factories (output_options, parallel_options) are reported
apart: mutmut's fork-based runner cannot activate their mutants."""
import json, glob, sys, collections
IMPORT_TIME = ("x_output_options__", "x_parallel_options__")
def load(root):
    out = {}
    for f in sorted(glob.glob(f'{root}/mutants/framing/**/*.py.meta', recursive=True)):
        out[f[len(root) + len('/mutants/'):-5]] = json.load(open(f))['exit_code_by_key']
    return out
before = load(sys.argv[1]); after = load(sys.argv[2]) if len(sys.argv) > 2 else None
def status(v):
    if v is None: return 'not checked'
    if v == 0: return 'survived'
    if v == 33: return 'no tests'
    if v == 34: return 'skipped'
    return 'killed'
tot = collections.Counter()
print("| module | killed | survived | no tests | checked | score | not sampled |" + (" after: killed | after score |" if after else ""))
print("|---|---|---|---|---|---|---|" + ("---|---|" if after else ""))
imp = collections.Counter()
for module, codes in before.items():
    c = collections.Counter(); ca = collections.Counter()
    for k, v in codes.items():
        if any(p in k for p in IMPORT_TIME):
            imp[status(v)] += 1; continue
        s = status(v); c[s] += 1
        if after:
            sa = status(after[module].get(k)) if s in ('survived', 'no tests') else s
            if s in ('survived', 'no tests') and sa == 'not checked': sa = s
            ca[sa] += 1
    checked = c['killed'] + c['survived'] + c['no tests']
    row = f"| {module} | {c['killed']} | {c['survived']} | {c['no tests']} | {checked} | {100*c['killed']/checked:.1f}% | {c['not checked']} |"
    if after: row += f" {ca['killed']} | {100*ca['killed']/checked:.1f}% |"
    print(row)
    tot.update({'k': c['killed'], 'n': checked, 'ka': ca['killed'], 'ns': c['not checked']})
row = f"| **total** | {tot['k']} | | | {tot['n']} | {100*tot['k']/tot['n']:.1f}% | {tot['ns']} |"
if after: row += f" {tot['ka']} | {100*tot['ka']/tot['n']:.1f}% |"
print(row)
print(f"\nimport-time option decorators (framing/cli/options.py output_options, parallel_options), not measurable by the fork runner: {dict(imp)}")
