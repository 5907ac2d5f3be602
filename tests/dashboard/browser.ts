// Headless Chromium for the dashboard tests: Debian's `chromium`, driven by puppeteer-core. Without
// the browser the tests skip with a message, except under CI=true, where a missing browser fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Where the screenshots go: outside the repository, printed so a person can look at them. */
export const SCREENSHOT_DIR = join(tmpdir(), 'proxy-dashboard-screenshots');

/** The browser binary, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  return CHROMIUM_PATHS.find((path) => existsSync(path));
}

/** Why the browser tests cannot run here, or undefined when they can; under CI a missing browser is an error. */
export function skipReason(): string | undefined {
  if (chromiumPath() !== undefined) return undefined;
  if (process.env.CI === 'true') throw new Error('chromium is not installed (apt-get install -y chromium); CI must run the dashboard browser tests');
  return 'chromium is not installed: apt-get install -y chromium to run the dashboard browser tests';
}

/** Launches a fresh headless Chromium for one test; it closes when the test ends. */
export async function launch(t: TestContext): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
    ],
  });
  t.after(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

/** Opens a page that records console errors and failed page errors into `errors`. */
export async function openPage(browser: Browser, width: number, height: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => void errors.push(String(error)));
  return { page, errors };
}

/** Saves a screenshot under SCREENSHOT_DIR and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Text of every cell in a table body, row by row. */
export function tableText(page: Page, bodyId: string): Promise<string[][]> {
  return page.$$eval(`#${bodyId} tr`, (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
}
