// End to end: two helpers of one user on different sockets never share the
// saved mappings. The second one says who holds them and exits 75
// (temporary failure); once the first is gone, the state is free again.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

describe('the state directory lock', skipWhen(labMissing), () => {
  it('refuses a second helper clearly, and frees the state with the first', async () => {
    const r = await lab(`bia helper 2>"$LAB_DIR/first.log" &
FIRST=$!
lab_wait "the first helper" test -S "$XDG_RUNTIME_DIR/bia/helper.sock"
bia helper --socket "$LAB_DIR/second.sock"; echo "RESULT second $?"
kill $FIRST; wait $FIRST
bia helper --socket "$LAB_DIR/third.sock" 2>"$LAB_DIR/third.log" &
THIRD=$!
lab_wait "the third helper" test -S "$LAB_DIR/third.sock"
echo "RESULT third 0"
kill $THIRD; wait $THIRD`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('second'), out).toBe(75);
    expect(r.stderr, out).toMatch(new RegExp(`bia: another bia helper \\(pid \\d+\\) is using the saved mappings in \\S+/state/bia`));
    expect(r.rc('third'), out).toBe(0);
  });
});
