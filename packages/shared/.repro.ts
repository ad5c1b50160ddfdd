import { compileExpression } from '/work/main/packages/shared/src/index.ts';
const scope = { context: {}, steps: {}, execution: { id: 'e', workflow: 'w' } };
const t0 = Date.now();
const p = compileExpression('($f := function($n){ $n + $f($n + 1) }; $f(0))').evaluate(scope);
const t = setTimeout(() => { console.log('still running after 5s -> no limit'); process.exit(2); }, 5000);
p.then((v) => console.log('value', v), (e) => console.log('error after', Date.now() - t0, 'ms:', e.message)).finally(() => clearTimeout(t));
