// The dashboard page: plain browser JavaScript, no build step, no dependencies. Data arrives over
// one server-sent-events stream read with fetch (so the proxy key travels in a header, never in
// a URL); the page reconnects by itself with backoff. Everything is written with textContent.
'use strict';

const KEY_STORAGE = 'proxy-dashboard-key';
const MAX_ROWS = 200;
const SVG_NS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

const state = {
  status: undefined,
  models: [],
  /** Every model seen since the page loaded, so one that leaves the catalog shows as gone. */
  known: new Map(),
  rows: new Map(),
  pendingRows: new Map(),
  sort: { key: 'name', dir: 1 },
  filter: '',
  nextExpiry: Infinity,
};

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined) continue;
    if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

function pill(stateName, label, title) {
  return el('span', { className: 'pill', dataset: { state: stateName }, title }, label);
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
const ms = (value) => (value === undefined ? '–' : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`);

function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function until(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (seconds <= 0) return 'now';
  return seconds < 90 ? `in ${seconds} s` : `in ${Math.round(seconds / 60)} min`;
}

// ---- connection ----------------------------------------------------------------------------

function setConnection(name, label) {
  const node = $('conn');
  node.dataset.state = name;
  node.textContent = label;
}

/** Reads the event stream until it ends, then tries again with backoff; a 401 asks for the key. */
async function connect() {
  let delay = 500;
  for (;;) {
    const controller = new AbortController();
    try {
      const response = await fetch('/status/events', { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal: controller.signal, cache: 'no-store' });
      if (response.status === 401) return askForKey(sessionStorage.getItem(KEY_STORAGE) ? 'That key was refused.' : '');
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      showMain();
      setConnection('live', 'live');
      delay = 500;
      await readEvents(response.body, controller);
    } catch {
      // Network gone or proxy restarting: fall through to the retry below.
    }
    controller.abort();
    setConnection('offline', 'reconnecting…');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

/** Parses SSE from a byte stream; no bytes for 45 s (three missed heartbeats) counts as a dead link. */
async function readEvents(body, controller) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let watchdog;
  const arm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(), 45_000);
  };
  arm();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      arm();
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } finally {
    clearTimeout(watchdog);
  }
}

function dispatch(block) {
  let name = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data += (data ? '\n' : '') + value;
  }
  if (data === '') return;
  const payload = JSON.parse(data);
  if (name === 'status') onStatus(payload);
  else if (name === 'models') onModels(payload);
  else if (name === 'apis') apiLabels = payload;
  else if (name === 'requests') onRequests(payload);
  else if (name === 'request') queueRow(payload);
  else if (name === 'chart') renderChart(payload);
}

// ---- key form ------------------------------------------------------------------------------

function askForKey(message) {
  $('main').hidden = true;
  $('key-form').hidden = false;
  $('key-error').textContent = message;
  setConnection('idle', 'locked');
  $('key-input').focus();
}

function showMain() {
  $('key-form').hidden = true;
  $('main').hidden = false;
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY_STORAGE, $('key-input').value.trim());
  $('key-input').value = '';
  connect();
});

// ---- health --------------------------------------------------------------------------------

function onStatus(status) {
  const before = state.status && JSON.stringify([state.status.cooldowns, state.status.last_errors]);
  state.status = status;
  renderHealth();
  // Rebuilding a 1,000-row table is the page's one costly step: only when a model's state changed.
  if (JSON.stringify([status.cooldowns, status.last_errors]) !== before) renderModels();
}

function upstreamState(status) {
  if (status.upstream?.reachable === false) return pill('bad', 'unreachable', status.upstream.lastError);
  if (status.catalog.last_error && status.upstream?.reachable !== true) return pill('bad', 'unreachable', status.catalog.last_error);
  if (status.upstream?.reachable === true || status.catalog.loaded) return pill('ok', 'reachable');
  return pill('warn', 'unknown');
}

function freeRequests(today) {
  const text = `${today.used} / ${today.limit ?? '?'} · resets ${until(today.resets_at)}`;
  if (today.limit === null) return text;
  const share = today.used / today.limit;
  return pill(share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok', text);
}

// Upstream requests the proxy did not send today, by reason (GET /status `saved_today`).
function savedToday(saved) {
  const reasons = [['session_title', 'session titles'], ['count_tokens', 'token counts'], ['too_large', 'prompts too large'], ['burst_walk', 'walks in a burst']]
    .filter(([key]) => saved[key] > 0).map(([key, label]) => `${saved[key]} ${label}`);
  return el('span', {}, pill(saved.total > 0 ? 'ok' : 'idle', String(saved.total)), ' ', el('span', { className: 'muted' }, reasons.join(' · ')));
}

function renderHealth() {
  const status = state.status;
  if (!status) return;
  const catalog = status.catalog;
  const items = [
    ['Mode', `${status.mode === 'free' ? 'free models, with fallback' : 'all models'}${status.tool_use_only ? ' · tool use only' : ''}`],
    ['Upstream', el('span', {}, upstreamState(status), ' ', el('span', { className: 'muted' }, status.upstream?.lastError ?? catalog.last_error ?? ''))],
    ['Catalog', catalog.loaded ? `${catalog.source} · ${ago(catalog.fetched_at)} old · next refresh ${until(catalog.next_refresh_at)}` : pill('bad', 'not loaded')],
    ['Models', `${catalog.visible} visible · ${catalog.free ?? 0} free · ${catalog.models} in catalog`],
    ['Cooling down', status.cooldowns.length === 0 ? pill('ok', 'none') : pill('warn', `${status.cooldowns.length} models`)],
    ['Account limits', status.account_limits.length === 0 ? pill('ok', 'none in force')
      : el('span', {}, ...status.account_limits.map((limit) => pill('bad', `${limit.scope} until ${time(Date.parse(limit.resets_at))}`, limit.message)))],
  ];
  // Today's free requests against OpenRouter's daily limit (unknown until GET /key has been read).
  const today = status.free_requests_today;
  if (today) items.push(['Free requests today', freeRequests(today)]);
  if (status.saved_today) items.push(['Requests saved today', savedToday(status.saved_today)]);
  if (status.rate_limit_burst?.active) items.push(['Rate-limit burst', pill('warn', `one probe per request since ${time(Date.parse(status.rate_limit_burst.since))}`)]);
  if (status.outage?.active) items.push(['Outage', pill('bad', `OpenRouter down since ${time(Date.parse(status.outage.since))}`, status.outage.last_error)]);
  if (status.waiting?.requests > 0) items.push(['Waiting', pill('warn', `${status.waiting.requests} requests for a limit to lift`)]);
  if (status.recording && status.recording.mode !== 'off') items.push(['Recordings', recordingText(status.recording)]);
  $('health').replaceChildren(...items.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]));
  $('filter-patterns').textContent = status.filter.patterns.length ? status.filter.patterns.join('  ') : 'none (all models)';
}

const RECORDING_MODES = { record: 'recording every exchange', replay: 'replaying, no network', 'record-if-missing': 'replaying what is recorded, recording what is missing' };

function recordingText(recording) {
  const expiry = recording.max_age_days === undefined ? '' : ` · older than ${recording.max_age_days} d counts as missing`;
  return el('span', { title: recording.dir }, `${RECORDING_MODES[recording.mode] ?? recording.mode} · ${recording.replayed} replayed · ${recording.recorded} recorded${expiry}`);
}

// ---- models --------------------------------------------------------------------------------

function onModels(models) {
  state.models = models;
  for (const model of models) state.known.set(model.id, model);
  const select = $('try-model');
  const chosen = select.value;
  select.replaceChildren(...models.filter((model) => model.caps.includes('completion')).map((model) => el('option', { value: model.name }, model.name)));
  if (chosen) select.value = chosen;
  renderModels();
}

function modelState(model, visible, now) {
  const cooldown = state.status?.cooldowns.find((entry) => entry.model === model.id);
  if (!visible.has(model.id) || cooldown?.kind === 'gone') return { name: 'gone', label: 'gone', rank: 2 };
  if (cooldown && Date.parse(cooldown.until) > now) {
    const last = state.status.last_errors?.[model.id];
    state.nextExpiry = Math.min(state.nextExpiry, Date.parse(cooldown.until));
    const detail = `${cooldown.kind}${last ? `: ${last.error}` : ''}`;
    return { name: 'cooling', label: `cooling down until ${time(Date.parse(cooldown.until))}`, detail, rank: 1 };
  }
  return { name: 'ready', label: 'ready', rank: 0 };
}

function renderModels() {
  const now = Date.now();
  const visible = new Set(state.models.map((model) => model.id));
  const filter = state.filter.toLowerCase();
  state.nextExpiry = Infinity;
  const rows = [...state.known.values()]
    .filter((model) => filter === '' || `${model.name} ${model.id} ${model.caps.join(' ')}`.toLowerCase().includes(filter))
    .map((model) => ({ model, state: modelState(model, visible, now) }));
  const { key, dir } = state.sort;
  const value = (row) => (key === 'state' ? row.state.rank : row.model[key]);
  rows.sort((a, b) => (value(a) < value(b) ? -dir : value(a) > value(b) ? dir : 0));
  const fragment = document.createDocumentFragment();
  for (const { model, state: modelState } of rows) {
    fragment.append(el('tr', {},
      el('td', { className: 'mono' }, model.name),
      el('td', { className: 'mono' }, model.id),
      el('td', { className: 'num' }, model.context ? model.context.toLocaleString() : '–'),
      el('td', {}, ...model.caps.filter((cap) => cap !== 'completion').map((cap) => el('span', { className: 'cap' }, cap))),
      el('td', { className: 'wrap' }, pill(modelState.name, modelState.label), modelState.detail ? el('span', { className: 'muted detail', title: modelState.detail }, ` ${modelState.detail}`) : undefined),
    ));
  }
  $('models').replaceChildren(fragment);
  $('model-count').textContent = `${rows.length} shown · ${state.models.length} visible`;
}

document.querySelectorAll('th button[data-sort]').forEach((button) => {
  button.addEventListener('click', () => {
    const key = button.dataset.sort;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
    document.querySelectorAll('th button[data-sort]').forEach((other) => other.removeAttribute('aria-sort'));
    button.setAttribute('aria-sort', state.sort.dir === 1 ? 'ascending' : 'descending');
    renderModels();
  });
});

let filterTimer;
$('model-filter').addEventListener('input', (event) => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    state.filter = event.target.value.trim();
    renderModels();
  }, 120);
});

// ---- live requests -------------------------------------------------------------------------

function rowState(row) {
  if (!row.done) return pill('running', 'running');
  if (row.status < 400) return pill('ok', String(row.status));
  return pill(row.status === 499 ? 'gone' : 'bad', String(row.status));
}

function attemptCell(row) {
  const cell = el('td', { className: 'wrap' });
  for (const attempt of row.attempts) {
    const label = attempt.outcome === 'ok' ? 'ok' : `${attempt.outcome}${attempt.status ? ` ${attempt.status}` : ''}`;
    const title = `${attempt.model} · ${attempt.ms} ms${attempt.error ? ` · ${attempt.error}` : ''}`;
    cell.append(el('span', { className: 'attempt' }, pill(attempt.outcome === 'ok' ? 'ok' : attempt.outcome === 'rate-limit' ? 'warn' : 'bad', label, title), ' ', el('span', { className: 'mono' }, attempt.model)), ' ');
  }
  if (row.attempts.length === 0) cell.append('–');
  return cell;
}

// While recording or replaying: whether the answer came from a recording or went upstream (and was recorded).
function sourceTag(row) {
  if (!row.source) return [];
  const title = row.source === 'replayed' ? 'answered from a recording' : 'sent to OpenRouter and recorded';
  return [' ', el('span', { className: 'cap', title }, row.source)];
}

// Each client API's name → its label; the server sends them (from its list of APIs) when the stream opens.
let apiLabels = {};

function toRowElement(row) {
  const tokens = row.tokens ? `${row.tokens.prompt ?? '?'} → ${row.tokens.completion ?? '?'}` : '–';
  return el('tr', { dataset: { id: String(row.id) } },
    el('td', {}, time(row.at)),
    el('td', {}, apiLabels[row.api] ?? row.api),
    el('td', { className: 'mono wrap' }, row.requested),
    el('td', { className: 'mono wrap' }, row.model ?? '–'),
    attemptCell(row),
    el('td', {}, rowState(row), ...sourceTag(row)),
    el('td', { className: 'num' }, ms(row.ttftMs)),
    el('td', { className: 'num' }, ms(row.ms)),
    el('td', { className: 'num' }, tokens),
  );
}

function onRequests(rows) {
  state.rows.clear();
  state.pendingRows.clear();
  const fragment = document.createDocumentFragment();
  for (const row of rows.slice(0, MAX_ROWS)) {
    const node = toRowElement(row);
    state.rows.set(row.id, node);
    fragment.append(node);
  }
  $('requests').replaceChildren(fragment);
  $('req-count').textContent = `last ${state.rows.size}`;
}

// A request every 100 ms would be ten DOM updates a second: rows wait for the next frame, together.
function queueRow(row) {
  if (state.pendingRows.size === 0) requestAnimationFrame(flushRows);
  state.pendingRows.set(row.id, row);
}

function flushRows() {
  const body = $('requests');
  for (const row of state.pendingRows.values()) {
    const node = toRowElement(row);
    const old = state.rows.get(row.id);
    if (old) old.replaceWith(node);
    else body.prepend(node);
    state.rows.set(row.id, node);
  }
  state.pendingRows.clear();
  while (state.rows.size > MAX_ROWS) {
    const oldest = body.lastElementChild;
    state.rows.delete(Number(oldest.dataset.id));
    oldest.remove();
  }
  $('req-count').textContent = `last ${state.rows.size}`;
}

// ---- chart ---------------------------------------------------------------------------------

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function renderChart(minutes) {
  const width = 600;
  const height = 120;
  const top = 4;
  const bottom = 1;
  const barWidth = width / minutes.length;
  const max = Math.max(1, ...minutes.map((minute) => minute.ok + minute.fallback + minute.failed));
  const scale = (height - top - bottom) / max;
  const bars = minutes.flatMap((minute, index) => {
    let y = height - bottom;
    const parts = [];
    for (const outcome of ['ok', 'fallback', 'failed']) {
      const h = minute[outcome] * scale;
      if (h === 0) continue;
      y -= h;
      parts.push(svg('rect', { class: outcome, x: index * barWidth + 1, y, width: barWidth - 2, height: h },
        svg('title', {}, `${time(minute.minute)}: ${minute.ok} ok, ${minute.fallback} fell back, ${minute.failed} failed`)));
    }
    return parts;
  });
  const total = minutes.reduce((sum, minute) => sum + minute.ok + minute.fallback + minute.failed, 0);
  // The SVG stretches to the card's width, so its labels live in HTML, where text keeps its shape.
  $('chart').replaceChildren(svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${total} requests in the last hour, at most ${max} a minute` },
    svg('line', { class: 'axis', x1: 0, x2: width, y1: height - bottom, y2: height - bottom }),
    ...bars,
  ));
  $('chart-max').textContent = total === 0 ? 'no requests yet' : `peak ${max}/min · ${total} in the hour`;
}

// ---- try it --------------------------------------------------------------------------------

$('try').addEventListener('submit', async (event) => {
  event.preventDefault();
  const output = $('try-output');
  const send = $('try-send');
  output.textContent = '';
  $('try-answered').textContent = '…';
  send.disabled = true;
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify({ model: $('try-model').value, stream: true, messages: [{ role: 'user', content: $('try-prompt').value || $('try-prompt').placeholder }] }),
    });
    $('try-answered').textContent = response.headers.get('X-Proxy-Model') ?? '–';
    if (!response.ok) {
      output.textContent = `HTTP ${response.status}: ${(await response.json().catch(() => ({}))).error ?? ''}`;
      return;
    }
    await readAnswer(response.body, output);
  } catch (error) {
    output.textContent = `failed: ${error.message}`;
  } finally {
    send.disabled = false;
  }
});

async function readAnswer(body, output) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line === '') continue;
      const message = JSON.parse(line);
      if (message.error) output.append(`\n[error: ${message.error}]`);
      else output.append(message.message?.content ?? '');
    }
  }
}

// ---- clock ---------------------------------------------------------------------------------

// Ages and cooldowns are relative to now: redraw them once a second (no network involved).
setInterval(() => {
  if (document.hidden || !state.status) return;
  renderHealth();
  if (Date.now() >= state.nextExpiry) renderModels();
}, 1000);

connect();
