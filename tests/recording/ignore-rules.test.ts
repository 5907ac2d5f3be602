// What matching ignores by default, on text the real agent clients sent through the proxy, and the
// rules a rig adds in replay.json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_IGNORE, parseIgnoreRules, withoutIgnored } from '../../src/recording/ignore-rules.ts';

const text = (value: string) => withoutIgnored(value, DEFAULT_IGNORE);

test('default patterns: the parts of each client\'s prompt that change from run to run', () => {
  const CASES: Array<[string, string, string]> = [
    ['Claude Code billing header', 'x-anthropic-billing-header: cc_version=2.1.332.a15; cc_entrypoint=sdk-cli;\nYou are a Claude agent', '<ignored>\nYou are a Claude agent'],
    ['Claude Code header with more fields', 'x-anthropic-billing-header: cc_version=2.1.337.53e; cc_entrypoint=cli; cch=00000; cc_gateway=env;\nYou are', '<ignored>\nYou are'],
    ['Claude Code date', "Assistant knowledge cutoff is June 2026.\n\nToday's date is 2026-12-08.", "Assistant knowledge cutoff is June 2026.\n\n<ignored>."],
    ['Codex environment context', '<cwd>/w</cwd>\n  <current_date>2026-12-08</current_date>\n  <timezone>Etc/UTC</timezone>', '<cwd>/w</cwd>\n  <ignored>\n  <timezone>Etc/UTC</timezone>'],
    ['Codex command output', 'Chunk ID: 27a168\nWall time: 0.0445 seconds\nProcess exited with code 0\nOutput:\nCODEX-1337\n', '<ignored>\n<ignored>\nProcess exited with code 0\nOutput:\nCODEX-1337\n'],
    ['pi date', 'Current date: 2026-12-08\nCurrent working directory: /w', '<ignored>\nCurrent working directory: /w'],
    ['opencode date', "  Platform: linux\n  Today's date: Tue Dec 08 2026\n</env>", "  Platform: linux\n  <ignored>\n</env>"],
    ['a date the user asks about stays', 'What happened on 2026-12-08? Today is the day.', 'What happened on 2026-12-08? Today is the day.'],
    ['a command\'s own output stays', 'Wall time is short. Chunk size: 4', 'Wall time is short. Chunk size: 4'],
  ];
  for (const [name, input, expected] of CASES) assert.equal(text(input), expected, name);
});

test('default fields: who is asking (user, metadata, prompt_cache_key, safety_identifier) at the top level only', () => {
  const body = { user: 'u-1', metadata: { turn_id: 't-9' }, prompt_cache_key: 'k', safety_identifier: 's', messages: [{ role: 'user', content: 'hi', user: 'kept' }], temperature: 0 };
  assert.deepEqual(withoutIgnored(body, DEFAULT_IGNORE), { messages: [{ role: 'user', content: 'hi', user: 'kept' }], temperature: 0 });
});

test('tool call ids are renumbered in order of appearance, keeping which result answers which call', () => {
  const turn = (a: string, b: string) => ({
    messages: [
      { role: 'assistant', content: null, tool_calls: [{ id: a, type: 'function', function: { name: 'f', arguments: '{}' } }, { id: b, type: 'function', function: { name: 'g', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: b, content: 'from g' },
      { role: 'tool', tool_call_id: a, content: 'from f' },
    ],
  });
  const first = withoutIgnored(turn('call_KwYQ2KpP5P7q', 'toolu_01_1'), DEFAULT_IGNORE);
  assert.deepEqual(first, withoutIgnored(turn('call_fxMpaBLOBHQ7', 'call_0_1'), DEFAULT_IGNORE));
  assert.deepEqual(first, turn('<tool-call-1>', '<tool-call-2>'));
  // Swapping which result answers which call is a different conversation.
  const swapped = turn('x', 'y').messages.map((message) => ('tool_call_id' in message ? { ...message, tool_call_id: message.tool_call_id === 'x' ? 'y' : 'x' } : message));
  assert.notDeepEqual(first, withoutIgnored({ messages: swapped }, DEFAULT_IGNORE));
  // An `id` outside tool_calls is content.
  assert.deepEqual(withoutIgnored({ input: [{ id: 'msg_1' }] }, DEFAULT_IGNORE), { input: [{ id: 'msg_1' }] });
});

test("replay.json's ignore: a rig's own patterns and field paths, on top of the defaults or instead of them", () => {
  const rules = parseIgnoreRules({ patterns: ['run-[0-9a-f]{6}'], fields: ['messages.*.name', 'temperature'] });
  const body = { temperature: 0.2, user: 'u', messages: [{ role: 'user', name: 'alice', content: "run-a1b2c3 Today's date is 2026-12-08." }] };
  assert.deepEqual(withoutIgnored(body, rules), { messages: [{ role: 'user', content: '<ignored> <ignored>.' }] });
  const own = parseIgnoreRules({ defaults: false, patterns: ['run-[0-9a-f]{6}'] });
  assert.deepEqual(withoutIgnored(body, own), { ...body, messages: [{ ...body.messages[0], content: "<ignored> Today's date is 2026-12-08." }] });
  assert.equal(parseIgnoreRules(undefined), DEFAULT_IGNORE);
});

test('a bad ignore setting says what is wrong', () => {
  const CASES: Array<[unknown, RegExp]> = [
    [[], /"ignore" must be an object/],
    [{ patterns: 'x' }, /"ignore.patterns" must be an array of non-empty strings/],
    [{ fields: [''] }, /"ignore.fields" must be an array of non-empty strings/],
    [{ patterns: ['ok', '(unclosed'] }, /"ignore.patterns\[1\]" is not a valid regular expression/],
    [{ defaults: 'no' }, /"ignore.defaults" must be true or false/],
  ];
  for (const [value, expected] of CASES) assert.throws(() => parseIgnoreRules(value), expected, JSON.stringify(value));
});
