import { existsSync } from 'node:fs'

/** Debian's Chromium, which `.ci/run` installs; playwright-core drives it. */
export const CHROMIUM = '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM)

/** How the tests and benchmarks launch it: headless, no sandbox (root in CI), nothing phoning home. */
export const CHROMIUM_LAUNCH: { executablePath: string; headless: boolean; args: string[] } = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
}
