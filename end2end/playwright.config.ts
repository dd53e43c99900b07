import { defineConfig } from "@playwright/test";

// Concord is started on its own port with a fresh SQLite file for each run.
const port = Number(process.env.CONCORD_E2E_PORT ?? 3300);
const bin = process.env.CONCORD_BIN ?? "../target/debug/concord";
const db = `/tmp/concord-e2e-${process.pid}.db`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: `rm -f ${db} ${db}-wal ${db}-shm && ${bin} seed-demo && exec ${bin} serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${db}?mode=rwc`,
      CONCORD_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_OUTPUT_NAME: "concord",
      RUST_LOG: "warn",
      CONCORD_DEMO_PASSWORD: "amber-lattice-quorum",
    },
  },
});
