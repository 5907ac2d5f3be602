import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createOutageDetector, type AttemptSignal } from '../../src/routing/outage-detector.ts';
import { classifyFailure } from '../../src/routing/attempt-outcome.ts';
import { UpstreamError, type FailureClass } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';

function setup(options: { threshold?: number; windowMs?: number; quietMs?: number } = {}) {
  const clock = { ms: 1_000_000 };
  const logs: { level: string; msg: string }[] = [];
  const logger = createLogger('DEBUG', (line) => void logs.push(JSON.parse(line)));
  const detector = createOutageDetector({ now: () => clock.ms, logger, ...options });
  return { clock, logs, detector };
}

type Step = [model: string, signal: AttemptSignal, advanceMs?: number];

describe('outage detector: when a run of failures is an outage', () => {
  const cases: { name: string; steps: Step[]; outage: boolean }[] = [
    { name: 'three different models fail with 5xx', steps: [['a', 'server'], ['b', 'server'], ['c', 'server']], outage: true },
    { name: 'three different models fail with 401', steps: [['a', 'auth'], ['b', 'auth'], ['c', 'auth']], outage: true },
    { name: 'one model failing three times is a bad model', steps: [['a', 'server'], ['a', 'server'], ['a', 'server']], outage: false },
    { name: 'two models are not enough', steps: [['a', 'server'], ['b', 'server']], outage: false },
    { name: 'mixed kinds are not alike', steps: [['a', 'server'], ['b', 'auth'], ['c', 'server']], outage: false },
    { name: 'a model-specific failure breaks the run', steps: [['a', 'server'], ['b', 'other'], ['c', 'server'], ['d', 'server']], outage: false },
    { name: 'a success breaks the run', steps: [['a', 'server'], ['b', 'server'], ['x', 'ok'], ['c', 'server']], outage: false },
    { name: 'failures further apart than the window do not add up', steps: [['a', 'server'], ['b', 'server', 31_000], ['c', 'server', 31_000]], outage: false },
    { name: 'across requests within the window they do', steps: [['a', 'server'], ['b', 'server', 10_000], ['c', 'server', 10_000]], outage: true },
  ];
  for (const { name, steps, outage } of cases) {
    test(name, () => {
      const { clock, detector } = setup();
      let last = false;
      for (const [model, signal, advance] of steps) {
        clock.ms += advance ?? 0;
        last = detector.record(model, signal, 'HTTP 502');
      }
      assert.equal(last, outage);
      assert.equal(detector.current() !== undefined, outage);
    });
  }
});

describe('outage detector: during and after an outage', () => {
  function inOutage() {
    const context = setup();
    for (const model of ['a', 'b', 'c']) context.detector.record(model, 'server', 'upstream error 502');
    return context;
  }

  test('logs the start once at WARN and the end once at INFO', () => {
    const { detector, logs } = inOutage();
    detector.record('d', 'server', 'upstream error 502');
    detector.record('e', 'ok');
    detector.record('f', 'ok');
    const outageLogs = logs.filter((entry) => /outage/.test(entry.msg)).map((entry) => entry.level);
    assert.deepEqual(outageLogs, ['WARN', 'INFO']);
  });

  test('lets one trial request through at a time and refuses the others with a Retry-After', () => {
    const { detector } = inOutage();
    const trial = detector.admit();
    assert.equal(trial.kind, 'trial');
    const refused = detector.admit();
    assert.equal(refused.kind, 'refuse');
    assert.ok(refused.kind === 'refuse' && refused.retryAfterSeconds >= 1);
    if (trial.kind === 'trial') trial.release();
    assert.equal(detector.admit().kind, 'trial');
  });

  test('the first request after recovery is served: the trial succeeds and ends the outage', () => {
    const { detector } = inOutage();
    const trial = detector.admit();
    assert.equal(trial.kind, 'trial');
    detector.record('a', 'ok');
    if (trial.kind === 'trial') trial.release();
    assert.equal(detector.current(), undefined);
    assert.equal(detector.admit().kind, 'go');
  });

  test('a model-specific failure during an outage ends it: OpenRouter is answering again', () => {
    const { detector, logs } = inOutage();
    assert.equal(detector.record('d', 'other'), false);
    assert.equal(detector.current(), undefined);
    assert.ok(logs.some((entry) => entry.msg === 'OpenRouter outage over' && (entry as { reason?: string }).reason === 'answered'));
  });

  test('a quiet period ends it without a success', () => {
    const { clock, detector, logs } = inOutage();
    clock.ms += 60_000;
    assert.equal(detector.current(), undefined);
    assert.equal(detector.admit().kind, 'go');
    assert.equal(logs.filter((entry) => entry.level === 'INFO' && /outage over/.test(entry.msg)).length, 1);
  });

  test('Retry-After grows with the outage and stays within 5 to 60 seconds', () => {
    const { clock, detector } = inOutage();
    assert.equal(detector.retryAfterSeconds(), 5);
    // Failures keep coming every 20 s, so the outage stays on (no quiet period).
    const expected = [10, 20, 30, 40, 50, 60, 60];
    for (const seconds of expected) {
      clock.ms += 20_000;
      detector.record('a', 'server');
      assert.equal(detector.retryAfterSeconds(), seconds);
    }
  });
});

test('classifyFailure gives each status and failure class its outage signal', () => {
  const rows: [number, string, AttemptSignal][] = [
    [502, 'transient', 'server'],
    [504, 'transient', 'server'],
    [401, 'fatal', 'auth'],
    [429, 'rate-limit', 'other'],
    [404, 'gone', 'other'],
    [403, 'moderation', 'other'],
    [400, 'fatal', 'other'],
  ];
  for (const [status, failure, expected] of rows) assert.equal(classifyFailure(new UpstreamError(status, 'x', failure as FailureClass)).signal, expected, `${status} ${failure}`);
});
