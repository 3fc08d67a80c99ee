// Types of the test runtime: `exports.default` is the Worker under test (vitest.config.mts `main`).
declare global {
  namespace Cloudflare {
    interface Env {
      SENTRY_DSN: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}

export {};
