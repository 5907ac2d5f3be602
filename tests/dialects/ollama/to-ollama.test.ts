import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isBase64, sniffImageMime, stripImageDataUrl } from '../../../src/dialects/images.ts';
import { parseKeepAlive, toOllamaDoneReason, toOllamaTimestamp, toOllamaToolCalls } from '../../../src/dialects/ollama/to-ollama.ts';

describe('toOllamaDoneReason', () => {
  const cases: Array<[string | null | undefined, 'stop' | 'length']> = [
    ['stop', 'stop'], ['length', 'length'], ['tool_calls', 'stop'], ['content_filter', 'stop'],
    ['error', 'stop'], [null, 'stop'], [undefined, 'stop'],
  ];
  for (const [finishReason, expected] of cases) {
    test(`${finishReason} → ${expected}`, () => assert.equal(toOllamaDoneReason(finishReason), expected));
  }
});

describe('toOllamaToolCalls', () => {
  const cases: Array<{ name: string; input: Parameters<typeof toOllamaToolCalls>[0]; expected: unknown }> = [
    { name: 'no calls', input: [], expected: [] },
    {
      name: 'ids kept, index inside function, arguments parsed',
      input: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Tokyo","days":[1,2]}' } }, { id: 'call_2', function: { name: 'now', arguments: '{}' } }],
      expected: [
        { id: 'call_1', function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo', days: [1, 2] } } },
        { id: 'call_2', function: { index: 1, name: 'now', arguments: {} } },
      ],
    },
    { name: 'empty arguments become {}', input: [{ id: 'a', function: { name: 'f', arguments: '' } }], expected: [{ id: 'a', function: { index: 0, name: 'f', arguments: {} } }] },
    { name: 'missing arguments become {}', input: [{ id: 'a', function: { name: 'f' } }], expected: [{ id: 'a', function: { index: 0, name: 'f', arguments: {} } }] },
    { name: 'missing or empty id is omitted', input: [{ function: { name: 'f', arguments: '{}' } }, { id: '', function: { name: 'g', arguments: '{}' } }], expected: [{ function: { index: 0, name: 'f', arguments: {} } }, { function: { index: 1, name: 'g', arguments: {} } }] },
    { name: 'missing name becomes ""', input: [{ id: 'a' }], expected: [{ id: 'a', function: { index: 0, name: '', arguments: {} } }] },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.deepEqual(toOllamaToolCalls(input), expected));
  }

  const long = `{"text":"${'x'.repeat(200)}`;
  const invalid: Array<{ name: string; args: string; preview: string }> = [
    { name: 'truncated JSON', args: '{"city":"Tok', preview: '{"city":"Tok' },
    { name: 'an array', args: '[1,2]', preview: '[1,2]' },
    { name: 'a string', args: '"hi"', preview: '"hi"' },
    { name: 'null', args: 'null', preview: 'null' },
    { name: 'long invalid text is cut to 100 characters', args: long, preview: long.slice(0, 100) },
  ];
  for (const { name, args, preview } of invalid) {
    test(`502 for ${name}`, () => {
      assert.throws(() => toOllamaToolCalls([{ id: 'a', function: { name: 'f', arguments: args } }]), {
        name: 'HttpError',
        status: 502,
        message: `upstream returned tool call arguments that are not valid JSON: ${preview}`,
      });
    });
  }
});

describe('parseKeepAlive', () => {
  const cases: Array<[number | string | undefined, number | undefined]> = [
    [undefined, undefined],
    [0, 0], [300, 300_000], [1.5, 1500], [-1, Infinity],
    ['0', 0], ['-1', Infinity], ['30', 30_000], ['+2', 2000],
    ['5m', 300_000], ['1h30m', 5_400_000], ['300ms', 300], ['10s', 10_000], ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500], ['1500us', 1.5], ['1000000ns', 1], ['-5m', Infinity], ['-0s', 0], ['.5s', 500],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseKeepAlive(input), expected));
  }

  for (const bad of ['', '5 m', '5min', 'forever', 'm', '1d', '--1', '1h-30m', 'Infinity', '0x10']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseKeepAlive(bad), { name: 'HttpError', status: 400, message: `invalid keep_alive duration: ${JSON.stringify(bad)}` });
    });
  }
});

describe('toOllamaTimestamp', () => {
  test('RFC 3339 in UTC ending in Z', () => {
    assert.equal(toOllamaTimestamp(Date.UTC(2025, 6, 7, 20, 22, 19, 193)), '2025-07-07T20:22:19.193Z');
  });
});

describe('sniffImageMime', () => {
  const b64 = (bytes: number[] | string) => Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).toString('base64');
  const cases: Array<[string, string, string]> = [
    ['PNG', b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'image/png'],
    ['JPEG', b64([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]), 'image/jpeg'],
    ['GIF87a', b64('GIF87a\x01\x00'), 'image/gif'],
    ['GIF89a', b64('GIF89a\x01\x00'), 'image/gif'],
    ['WEBP', b64('RIFF\x24\x00\x00\x00WEBPVP8 '), 'image/webp'],
    ['RIFF but not WEBP (WAV) falls back', b64('RIFF\x24\x00\x00\x00WAVEfmt '), 'image/jpeg'],
    ['BMP', b64('BM\x36\x00\x0c\x00'), 'image/bmp'],
    ['unknown bytes fall back to JPEG', b64('hello world, not an image'), 'image/jpeg'],
    ['too short to tell', b64([0x89]), 'image/jpeg'],
    ['a large PNG (only the head is read)', b64([0x89, 0x50, 0x4e, 0x47, ...new Array<number>(100_000).fill(7)]), 'image/png'],
  ];
  for (const [name, input, expected] of cases) {
    test(`${name} → ${expected}`, () => assert.equal(sniffImageMime(input), expected));
  }
});

describe('isBase64 and stripImageDataUrl', () => {
  const cases: Array<[string, boolean]> = [
    ['iVBORw0KGgo=', true], ['YWJj', true], ['YQ==', true], ['YWI=', true], ['YWJj\nZGVm', true], ['YWJj\r\nZGVm', true],
    ['', false], ['YWJ', false], ['YQ', false], ['Y===', false], ['YW=j', false], ['YWJj ', false], ['YW-_', false],
    ['data:image/png;base64,YWJj', false],
  ];
  for (const [input, expected] of cases) {
    test(`isBase64(${JSON.stringify(input)}) → ${expected}`, () => assert.equal(isBase64(input), expected));
  }

  const strips: Array<[string, string]> = [
    ['data:image/png;base64,YWJj', 'YWJj'],
    ['data:image/svg+xml;base64,YWJj', 'YWJj'],
    ['data:text/plain;base64,YWJj', 'data:text/plain;base64,YWJj'],
    ['YWJj', 'YWJj'],
  ];
  for (const [input, expected] of strips) {
    test(`stripImageDataUrl(${JSON.stringify(input)}) → ${expected}`, () => assert.equal(stripImageDataUrl(input), expected));
  }
});
