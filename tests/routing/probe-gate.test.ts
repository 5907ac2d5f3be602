import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProbeGate } from '../../src/routing/probe-gate.ts';

const cooling = [
  { model: 'a', cooldownUntil: 3000 },
  { model: 'b', cooldownUntil: 1000 },
  { model: 'c', cooldownUntil: 2000 },
  { model: 'd', cooldownUntil: 1000 },
];

test('claims the model whose cooldown ends soonest, first listed on a tie', () => {
  const gate = createProbeGate({ now: () => 5 });
  assert.equal(gate.claimSoonest(cooling)?.model, 'b');
});

test('one probe per model: the next claims go to the next soonest, then none are left', () => {
  const gate = createProbeGate({ now: () => 5 });
  const claimed = [1, 2, 3, 4, 5].map(() => gate.claimSoonest(cooling)?.model);
  assert.deepEqual(claimed, ['b', 'd', 'c', 'a', undefined]);
  assert.deepEqual(gate.inProgress().map((probe) => probe.model).sort(), ['a', 'b', 'c', 'd']);
});

test('releasing frees the model for the next probe, and a second release frees nothing else', () => {
  const gate = createProbeGate({ now: () => 5 });
  const first = gate.claimSoonest(cooling);
  assert.equal(first?.model, 'b');
  first?.release();
  const second = gate.claimSoonest(cooling);
  assert.equal(second?.model, 'b');
  first?.release();
  assert.equal(gate.claimSoonest(cooling)?.model, 'd', 'b is still being probed by the second claim');
  assert.deepEqual(gate.inProgress(), [{ model: 'b', since: 5 }, { model: 'd', since: 5 }]);
});

test('nothing cooling, nothing to probe', () => {
  assert.equal(createProbeGate({ now: () => 0 }).claimSoonest([]), undefined);
});
